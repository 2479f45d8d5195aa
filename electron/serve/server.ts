// Serve mode: the built renderer over HTTP and the service's contract over a WebSocket, for any browser.
// Every request must carry the session token (in the URL once, then in an HttpOnly cookie), and its Host
// and Origin must name this server, so neither other local users nor web pages (DNS rebinding) get in.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClientFrame, ServerFrame } from '../contract';
import type { JobService } from '../service/job-service';

export interface ServeOptions {
  service: JobService;
  /** Folder of the built renderer (index.html and assets/). */
  staticDir: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
}

export interface RunningServer {
  /** The URL to open, token included. */
  url: string;
  close(): Promise<void>;
}

const TOKEN_COOKIE = 'jobscope_token';
const MAX_FRAME_BYTES = 1 << 20;
/**
 * Bytes a client may leave unread (queued in this process for its socket) before the server stops queueing
 * for it and closes it: a tab that stopped reading (suspended, frozen, hostile) must not grow the service's
 * memory without bound. The heaviest stream a healthy client gets is about 6.6 MB/s (10,000 members
 * sampled every 100 ms, each row about 66 bytes), so 16 MiB is 2.5 s of stall at that rate and 25 s at the
 * default 1 s interval, while a few stalled tabs cost tens of MiB, not gigabytes. JOBSCOPE_WS_BUFFER_LIMIT
 * lowers it, so that the browser's reconnect path can be exercised without that much traffic.
 */
export function maxBufferedBytes(): number {
  const cap = 16 * 1024 * 1024;
  const forced = Number(process.env.JOBSCOPE_WS_BUFFER_LIMIT);
  return Number.isSafeInteger(forced) && forced > 0 && forced < cap ? forced : cap;
}
/** A private-use close code (4000-4999): the client fell too far behind and should reconnect to resync. */
export const CLOSE_FELL_BEHIND = 4000;
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const token = randomBytes(24).toString('base64url');
  const sockets = new Set<WebSocket>();
  const bufferCap = maxBufferedBytes();
  /** Each socket's remote address, for the log. */
  const peers = new WeakMap<WebSocket, string>();
  let allowedHosts = new Set<string>();

  const tokenOf = (request: http.IncomingMessage): string | undefined => {
    const url = new URL(request.url ?? '/', 'http://placeholder');
    const fromQuery = url.searchParams.get('token');
    if (fromQuery !== null) return fromQuery;
    const cookie = (request.headers.cookie ?? '')
      .split(';')
      .map((part) => part.trim().split('='))
      .find(([name]) => name === TOKEN_COOKIE);
    return cookie?.[1];
  };
  const isTokenValid = (candidate: string | undefined): boolean => {
    if (candidate === undefined) return false;
    const given = Buffer.from(candidate);
    const expected = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  /** Why the request is refused, or undefined when it may proceed. */
  const refusal = (request: http.IncomingMessage): { status: number; reason: string } | undefined => {
    if (!allowedHosts.has(request.headers.host ?? '')) return { status: 421, reason: 'unexpected Host header' };
    const origin = request.headers.origin;
    if (origin !== undefined && !allowedHosts.has(origin.replace(/^http:\/\//, '')))
      return { status: 403, reason: 'foreign Origin' };
    if (!isTokenValid(tokenOf(request))) return { status: 401, reason: 'missing or wrong token' };
    return undefined;
  };

  const server = http.createServer((request, response) => {
    const refused = refusal(request);
    if (refused) {
      response.writeHead(refused.status, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
      response.end(`JobScope refused this request: ${refused.reason}.\n`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD', ...SECURITY_HEADERS }).end();
      return;
    }
    void serveFile(options.staticDir, request, response, token);
  });

  const webSockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (request, socket, head) => {
    const refused = refusal(request);
    if (refused || new URL(request.url ?? '/', 'http://placeholder').pathname !== '/ws') {
      socket.end(`HTTP/1.1 ${refused?.status ?? 404} ${refused?.reason ?? 'Not Found'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    const peer = `${bracketed(request.socket.remoteAddress ?? '?')}:${request.socket.remotePort ?? '?'}`;
    webSockets.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws);
      peers.set(ws, peer);
      ws.on('close', () => sockets.delete(ws));
      // A protocol violation (e.g. a frame over maxPayload) closes that socket alone; ws has already
      // sent the close code (1009 for size), so there is nothing else to do.
      ws.on('error', () => sockets.delete(ws));
      ws.on('message', (data, isBinary) => void answer(ws, isBinary ? undefined : data.toString()));
    });
  });

  /** Queues `text` for `ws`, or closes `ws` once it has left more than bufferCap bytes unread. */
  const sendText = (ws: WebSocket, text: string): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount <= bufferCap) {
      ws.send(text);
      return;
    }
    const unread = `${(ws.bufferedAmount / 2 ** 20).toFixed(1)} MiB`;
    console.warn(`JobScope closed the WebSocket of ${peers.get(ws)}: it left ${unread} unread (close code ${CLOSE_FELL_BEHIND}).`);
    // The close frame queues behind what is unread: a tab that wakes within ws's 30 s close timeout reads
    // it and reconnects at once; otherwise ws destroys the socket then, freeing the buffer.
    ws.close(CLOSE_FELL_BEHIND, 'client fell too far behind on events; reconnect to resync');
  };
  const send = (ws: WebSocket, frame: ServerFrame): void => sendText(ws, JSON.stringify(frame));
  const answer = async (ws: WebSocket, text: string | undefined): Promise<void> => {
    let frame: Partial<ClientFrame>;
    try {
      frame = JSON.parse(text ?? 'null') ?? {};
    } catch {
      frame = {};
    }
    if (typeof frame !== 'object' || !Number.isSafeInteger(frame.id)) {
      send(ws, { id: -1, reply: { ok: false, error: 'Invalid frame: expected JSON {"id": integer, "command": {...}}' } });
      return;
    }
    send(ws, { id: frame.id!, reply: await options.service.handle(frame.command) });
  };
  const unsubscribe = options.service.subscribe((event) => {
    const text = JSON.stringify({ event } satisfies ServerFrame);
    for (const ws of sockets) sendText(ws, text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const names = ['localhost', '127.0.0.1', '::1', ...addressesServedBy(options.host)];
  allowedHosts = new Set(names.map((name) => `${bracketed(name)}:${port}`));
  const urlHost = isWildcard(options.host) ? '127.0.0.1' : bracketed(options.host);

  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    close: async () => {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      webSockets.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const isWildcard = (host: string): boolean => host === '0.0.0.0' || host === '::';
const bracketed = (host: string): string => (host.includes(':') ? `[${host}]` : host);

/** The addresses a browser may use to reach a server bound to `host`: all of the machine's for a wildcard. */
function addressesServedBy(host: string): string[] {
  if (!isWildcard(host)) return [host];
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address !== undefined && (host === '::' || address.family === 'IPv4'))
    .map((address) => address!.address);
}

async function serveFile(
  staticDir: string,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  token: string,
): Promise<void> {
  const { pathname } = new URL(request.url ?? '/', 'http://placeholder');
  const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
  const file = path.resolve(staticDir, relative);
  if (!file.startsWith(path.resolve(staticDir) + path.sep)) {
    response.writeHead(404, SECURITY_HEADERS).end();
    return;
  }
  try {
    const body = await readFile(file);
    response.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      // Lets the page's own asset and WebSocket requests prove the token without repeating it in URLs.
      'Set-Cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      ...SECURITY_HEADERS,
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  } catch {
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS });
    response.end('Not found.\n');
  }
}
