// Serve mode under hostile requests, all real and all on loopback: a stolen cookie from a foreign page,
// WebSocket upgrades to other paths, every method, no Host header, oversized URLs and headers, and 200
// connections held open at once. A legitimate client keeps being served throughout.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import type { ServerFrame } from '../contract';
import { JobService } from '../service/job-service';
import { startServer, type RunningServer } from './server';

const staticDir = mkdtempSync(path.join(tmpdir(), 'jobscope-static-'));
writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>JobScope</title>');
const service = new JobService({ intervalMs: 200 });
let server: RunningServer;
let port: number;
let token: string;
let origin: string;

before(async () => {
  service.start();
  server = await startServer({ service, staticDir, host: '127.0.0.1', port: 0 });
  const url = new URL(server.url);
  port = Number(url.port);
  token = url.searchParams.get('token')!;
  origin = `http://127.0.0.1:${port}`;
});

after(async () => {
  await server.close();
  service.stop();
  rmSync(staticDir, { recursive: true });
});

interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function request(options: http.RequestOptions & { body?: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, agent: false, ...options }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body, headers: response.headers }));
    });
    req.once('error', reject);
    req.end(options.body);
  });
}

const cookie = (): Record<string, string> => ({ Cookie: `jobscope_token=${token}` });

/** The legitimate client: the page, then a command over the WebSocket. */
async function legitimateClientIsServed(): Promise<void> {
  const page = await request({ path: `/?token=${token}` });
  assert.equal(page.status, 200);
  assert.match(page.body, /JobScope/);
  const ws = await connect('/ws', { ...cookie(), Origin: origin });
  const reply = new Promise<ServerFrame>((resolve) =>
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      if ('id' in frame && frame.id === 1) resolve(frame);
    }),
  );
  ws.send(JSON.stringify({ id: 1, command: { type: 'getState' } }));
  const frame = (await reply) as { reply: { ok: boolean } };
  assert.equal(frame.reply.ok, true);
  ws.close();
}

function connect(pathAndQuery: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${pathAndQuery}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

test('a valid token in a cookie is refused when a foreign page sends it', async () => {
  for (const foreign of ['http://evil.example', `http://evil.example:${port}`, 'null', `https://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`]) {
    const answer = await request({ path: '/', headers: { ...cookie(), Origin: foreign } });
    assert.equal(answer.status, 403, `Origin ${foreign}`);
    assert.doesNotMatch(answer.headers['set-cookie']?.join() ?? '', /jobscope_token/, 'a refusal never hands out the token');
    await assert.rejects(connect('/ws', { ...cookie(), Origin: foreign }), /403/, `WebSocket with Origin ${foreign}`);
  }
  assert.equal((await request({ path: '/', headers: { ...cookie(), Origin: origin } })).status, 200);
});

test('a WebSocket upgrade to any path but /ws is refused, token or not', async () => {
  for (const wrong of ['/', '/ws/', '/wss', '/ws/../ws2', '/index.html', '/ws%2f', '//ws', '/WS']) {
    await assert.rejects(connect(`${wrong}?token=${token}`, { Origin: origin }), /404|400/, `upgrade to ${wrong}`);
  }
  await assert.rejects(connect('/elsewhere'), /401/, 'without a token the refusal says so first');
  await legitimateClientIsServed();
});

test('HEAD is answered without a body; POST, PUT, DELETE and OPTIONS are refused', async () => {
  const head = await request({ method: 'HEAD', path: '/', headers: cookie() });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.ok(head.headers['content-security-policy'], 'HEAD carries the CSP header');
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    const answer = await request({ method, path: '/', headers: { ...cookie(), 'Content-Type': 'application/json' }, body: '{"type":"getState"}' });
    assert.equal(answer.status, 405, method);
    assert.equal(answer.headers.allow, 'GET, HEAD');
    assert.equal((await request({ method, path: '/', body: 'x' })).status, 401, `${method} without a token`);
  }
  // A cross-site preflight gets no CORS grant.
  const preflight = await request({
    method: 'OPTIONS',
    path: '/ws',
    headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
  });
  assert.equal(preflight.status, 403);
  assert.equal(preflight.headers['access-control-allow-origin'], undefined);
});

test('a request without a Host header is refused', async () => {
  // HTTP/1.1 without Host: Node's own parser refuses it (requireHostHeader) before our handler runs.
  const answer = await request({ path: `/?token=${token}`, setHost: false });
  assert.equal(answer.status, 400);
  // HTTP/1.0 allows leaving Host out; a raw request proves no default is filled in for us.
  const raw = await rawExchange(`GET /?token=${token} HTTP/1.0\r\n\r\n`);
  assert.match(raw, /^HTTP\/1\.1 421/);
  await legitimateClientIsServed();
});

function rawExchange(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.once('close', () => resolve(answer));
    socket.once('error', reject);
  });
}

test('very long URLs and headers are refused without harm', async () => {
  const longUrl = await rawExchange(`GET /?token=${token}&pad=${'a'.repeat(100_000)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  assert.match(longUrl, /^HTTP\/1\.1 431/, 'a 100 kB URL is over the header limit');
  const longHeader = await rawExchange(`GET /?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Pad: ${'b'.repeat(100_000)}\r\n\r\n`);
  assert.match(longHeader, /^HTTP\/1\.1 431/);
  const manyHeaders = await rawExchange(
    `GET /?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`,
  );
  assert.match(manyHeaders, /^HTTP\/1\.1 (431|400)/);
  // Long but within limits: a wrong token of 8 kB is compared and refused like any other.
  assert.equal((await request({ path: `/?token=${'t'.repeat(8000)}` })).status, 401);
  const longPath = await request({ path: `/${'x'.repeat(8000)}?token=${token}` });
  assert.equal(longPath.status, 404);
  await legitimateClientIsServed();
});

test('200 connections held open at once do not starve a legitimate client', async () => {
  const sockets: net.Socket[] = [];
  try {
    await Promise.all(
      Array.from(
        { length: 200 },
        (_, i) =>
          new Promise<void>((resolve, reject) => {
            const socket = net.connect(port, '127.0.0.1', () => {
              // Half send an unfinished request (headers never end); half send nothing at all.
              if (i % 2 === 0) socket.write(`GET /?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
              resolve();
            });
            socket.on('error', () => {}); // the server may close idle ones; that is its right
            socket.once('error', reject);
            sockets.push(socket);
          }),
      ),
    );
    await legitimateClientIsServed();
    // And 100 refused WebSocket attempts in parallel, then 50 legitimate page loads in parallel.
    const refused = await Promise.allSettled(Array.from({ length: 100 }, () => connect('/ws?token=wrong', { Origin: origin })));
    assert.ok(refused.every((r) => r.status === 'rejected'));
    const pages = await Promise.all(Array.from({ length: 50 }, () => request({ path: '/', headers: cookie() })));
    assert.ok(pages.every((p) => p.status === 200));
    await legitimateClientIsServed();
  } finally {
    for (const socket of sockets) socket.destroy();
  }
});
