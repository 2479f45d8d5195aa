// Serve mode with a client that stops reading (a suspended tab, a hostile client): the real `npm run serve`
// process samples a swarm of real members every 100 ms, so every client is sent megabytes a second. One
// WebSocket client completes the handshake and then never reads (its socket paused, so the kernel's
// buffers fill and the server's queue grows); another reads everything. The server must stop queueing
// for the stalled one past its cap and close it with CLOSE_FELL_BEHIND, while the healthy one gets every
// event of the job, including a burst of exits.
// Needs root, a C compiler and `npm run build` (it runs dist/electron/serve/cli.js).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import type { CommandResults, CommandType, Notification, ServerFrame } from '../contract';
import { buildSwarm, needsRoot as skip, swarmMade, until } from '../service/test-support';
import { CLOSE_FELL_BEHIND, maxBufferedBytes } from './server';

const MEMBERS = 3000;
const CAP = maxBufferedBytes();
const MiB = 2 ** 20;
/** What the kernel may hold on loopback between the server's socket and a client that never reads. */
const KERNEL_SLACK = 8 * MiB;
const cli = path.join(__dirname, '..', '..', 'dist', 'electron', 'serve', 'cli.js');
const tmp = skip ? '' : mkdtempSync('/tmp/jobscope-serve-slow-');
let server: ChildProcess | undefined;
let swarmPid: number | undefined;

after(async () => {
  if (skip) return;
  if (swarmPid !== undefined) {
    try {
      process.kill(swarmPid, 'SIGKILL'); // its children die with it (PR_SET_PDEATHSIG)
      // Then the server's shutdown finds the job empty and removes its cgroup.
      await until('the swarm to die', () => !existsSync(`/proc/${swarmPid}`), 10_000);
    } catch {
      // already gone: the test released it
    }
  }
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill('SIGTERM'); // the server closes its jobs on SIGTERM
    await once(server, 'exit');
  }
  rmSync(tmp, { recursive: true, force: true });
});

function rssBytes(pid: number): number {
  const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kib) * 1024;
}

test(`serve mode closes a client that stops reading once ${CAP / MiB} MiB wait for it, and other clients get every event`, { skip }, async (t) => {
  const swarm = buildSwarm(tmp);
  server = spawn(process.execPath, [cli, '--interval', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  server.stdout!.on('data', (d) => (out += d));
  server.stderr!.on('data', (d) => (err += d));
  const base = new URL(await until('the server to print its URL', () => /serving at (\S+)/.exec(out)?.[1], 20_000));
  const wsUrl = `ws://127.0.0.1:${base.port}/ws?token=${base.searchParams.get('token')}`;
  const headers = { Origin: `http://127.0.0.1:${base.port}` };

  const healthy = new WebSocket(wsUrl, { headers });
  await once(healthy, 'open');
  let healthyBytes = 0;
  const received: Notification[] = [];
  const sampleTimes = new Map<number, number[]>();
  const replies = new Map<number, (frame: ServerFrame) => void>();
  healthy.on('message', (data: Buffer) => {
    healthyBytes += data.length;
    const frame = JSON.parse(data.toString()) as ServerFrame;
    if ('event' in frame) {
      received.push(...frame.event.notifications);
      for (const s of frame.event.samples) sampleTimes.set(s.jobId, [...(sampleTimes.get(s.jobId) ?? []), s.time]);
    } else replies.get(frame.id)?.(frame);
  });
  let nextId = 1;
  async function ok<T extends CommandType>(command: { type: T } & Record<string, unknown>): Promise<CommandResults[T]> {
    const id = nextId++;
    const frame = await new Promise<ServerFrame>((resolve) => {
      replies.set(id, resolve);
      healthy.send(JSON.stringify({ id, command }));
    });
    const reply = (frame as { reply: { ok: boolean; result?: unknown; error?: string } }).reply;
    if (!reply.ok) assert.fail(`${command.type} failed: ${reply.error}`);
    return reply.result as CommandResults[T];
  }

  // The stalled client: a real WebSocket client that stops reading from its socket right after the handshake.
  const stalled = new WebSocket(wsUrl, { headers });
  await once(stalled, 'open');
  stalled.pause();
  const stalledClosed = once(stalled, 'close') as Promise<[number, Buffer]>;
  const healthyAtStall = healthyBytes;
  const rssAtStall = rssBytes(server.pid!);
  let rssPeak = rssAtStall;
  const rssProbe = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(server!.pid!))), 100);

  try {
    const job = await ok({ type: 'createJob', name: `serve-slow-${process.pid}` });
    const ready = path.join(tmp, 'hold.ready');
    const { pid: launcher } = await ok({ type: 'launch', jobId: job.id, file: swarm, args: ['hold', String(MEMBERS), ready] });
    swarmPid = launcher;
    const made = await swarmMade(ready);
    await until('the server to close the stalled client', () => /closed the WebSocket of .* unread \(close code 4000\)/.test(err), 60_000);
    const logLines = err.trim().split('\n').filter((line) => line.includes('closed the WebSocket'));
    // Without the cap the server would have queued all of this for the stalled client.
    await until('the healthy client to get twice the cap since the stall', () => healthyBytes - healthyAtStall > 2 * CAP, 60_000);
    const mine = (kind: string) => received.filter((n) => n.jobId === job.id && n.kind === kind);
    process.kill(launcher, 'SIGUSR1'); // every member exits at once
    await until('ACTIVE_PROCESS_ZERO', () => mine('ACTIVE_PROCESS_ZERO').length > 0, 60_000);

    // The stalled client wakes: it reads what the server had queued, then the close frame (ws's close
    // timeout is 30 s, and the close came less than that ago).
    let stalledBytes = 0;
    stalled.on('message', (data: Buffer) => (stalledBytes += data.length));
    stalled.resume();
    const [code, reason] = await stalledClosed;
    const history = await ok({ type: 'getHistory', jobId: job.id });
    t.diagnostic(
      `${made} members; the healthy client got ${((healthyBytes - healthyAtStall) / MiB).toFixed(1)} MiB since the stall, ` +
        `the stalled one ${(stalledBytes / MiB).toFixed(1)} MiB once it read again; server RSS ${(rssAtStall / MiB).toFixed(0)} MiB ` +
        `at the stall, peak ${(rssPeak / MiB).toFixed(0)} MiB; log: ${logLines.join(' | ')}`,
    );
    assert.equal(code, CLOSE_FELL_BEHIND);
    assert.match(reason.toString(), /fell too far behind/);
    assert.equal(logLines.length, 1, 'one log line for the one closed client');
    assert.ok(stalledBytes <= CAP + KERNEL_SLACK, `the server queued at most its cap for the stalled client, not ${stalledBytes} bytes`);

    // The healthy client got every event: exactly the service's own log and sample history of the job.
    assert.equal(made, MEMBERS);
    assert.equal(mine('EXIT_PROCESS').length, made + 1, 'every member and the swarm');
    const key = (n: Notification) => `${n.time}|${n.kind}|${n.pid}|${n.exitCode ?? ''}`;
    assert.equal(history.droppedNotifications, 0);
    assert.deepEqual(received.filter((n) => n.jobId === job.id).map(key), history.notifications.map(key));
    // The job is still sampled at 10 Hz: a sample event can reach the client in the same read as the history's
    // reply, after the history was taken. Every sample up to the history's newest must be there, in order.
    const newest = history.samples[history.samples.length - 1].time;
    assert.deepEqual(
      sampleTimes.get(job.id)?.filter((time) => time <= newest),
      history.samples.map((s) => s.time),
    );

    // And the service goes on: a new client is served.
    const again = new WebSocket(wsUrl, { headers });
    await once(again, 'open');
    again.close();
    await ok({ type: 'closeJob', jobId: job.id });
  } finally {
    clearInterval(rssProbe);
    healthy.close();
    stalled.terminate();
  }
});
