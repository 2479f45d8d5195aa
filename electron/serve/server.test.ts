// Serve mode with real HTTP and WebSocket requests: the token, Host and Origin checks, and frames that do
// not fit the contract.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
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
let base: URL;
let token: string;

before(async () => {
  service.start();
  server = await startServer({ service, staticDir, host: '127.0.0.1', port: 0 });
  base = new URL(server.url);
  token = base.searchParams.get('token')!;
});

after(async () => {
  await server.close();
  service.stop();
  rmSync(staticDir, { recursive: true });
});

// node:http rather than fetch, which may not send a forged Host header.
function status(pathAndQuery: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port: base.port, path: pathAndQuery, headers }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.once('error', reject);
  });
}

test('HTTP needs the right token, our Host and no foreign Origin', async () => {
  assert.equal(await status(`/?token=${token}`), 200);
  assert.equal(await status('/'), 401);
  // One character off (a different last character: the random token may itself end in "x").
  assert.equal(await status(`/?token=${token.slice(0, -1)}${token.endsWith('x') ? 'y' : 'x'}`), 401);
  assert.equal(await status('/?token=short'), 401);
  assert.equal(await status(`/?token=${token}`, { Origin: 'http://evil.example' }), 403);
  assert.equal(await status(`/?token=${token}`, { Host: `evil.example:${base.port}` }), 421);
  assert.equal(await status('/', { Cookie: `jobscope_token=${token}` }), 200);
  assert.equal(await status(`/../../etc/passwd?token=${token}`), 404);
});

function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function nextReply(ws: WebSocket, id: number): Promise<ServerFrame & { id: number }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      if ('id' in frame && frame.id === id) {
        ws.off('message', onMessage);
        resolve(frame);
      }
    };
    ws.on('message', onMessage);
  });
}

test('the WebSocket refuses strangers and answers bad frames without dropping anyone', async () => {
  const wsBase = `ws://127.0.0.1:${base.port}/ws`;
  await assert.rejects(connect(wsBase), /401/);
  await assert.rejects(connect(`${wsBase}?token=wrong`), /401/);
  await assert.rejects(connect(`${wsBase}?token=${token}`, { Origin: 'http://evil.example' }), /403/);

  const origin = { Origin: `http://127.0.0.1:${base.port}` };
  const [rude, polite] = await Promise.all([connect(`${wsBase}?token=${token}`, origin), connect(`${wsBase}?token=${token}`, origin)]);
  const garbage = nextReply(rude, -1);
  rude.send('{not json');
  assert.deepEqual((await garbage as { reply: unknown }).reply, {
    ok: false,
    error: 'Invalid frame: expected JSON {"id": integer, "command": {...}}',
  });
  const invalid = nextReply(rude, 1);
  rude.send(JSON.stringify({ id: 1, command: { type: 'attach', jobId: 1, pids: [-4] } }));
  const invalidReply = ((await invalid) as { reply: { ok: boolean; error: string } }).reply;
  assert.equal(invalidReply.ok, false);
  assert.match(invalidReply.error, /pids/);

  const huge = await connect(`${wsBase}?token=${token}`, origin);
  const closed = new Promise<number>((resolve) => huge.once('close', (code) => resolve(code)));
  huge.on('error', () => {}); // the client sees the server's close as an error too
  huge.send('x'.repeat(2 << 20));
  assert.equal(await closed, 1009, 'an oversized frame closes that socket with 1009 (message too big)');

  const state = nextReply(polite, 7);
  polite.send(JSON.stringify({ id: 7, command: { type: 'getState' } }));
  const stateReply = ((await state) as { reply: { ok: boolean; result: { intervalMs: number } } }).reply;
  assert.equal(stateReply.ok, true);
  assert.equal(stateReply.result.intervalMs, 200);
  rude.close();
  polite.close();
});
