// Serve mode under a burst of exits that overruns the proc connector: the real `npm run serve` process,
// given an 8 KiB netlink receive buffer (JOBSCOPE_NETLINK_RCVBUF; the kernel doubles it: ~16 queued messages)
// so that 10,000 members exiting at once overrun it however fast the poller reads (a 64 KiB one was once kept
// up with), and a WebSocket client counting what reaches it. Every member's EXIT_PROCESS still arrives (the
// poller re-checks its members after an overrun), and the overrun itself arrives as NOTIFICATIONS_LOST.
// Needs root, a C compiler and `npm run build` (it runs dist/electron/serve/cli.js).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import type { CommandResults, CommandType, Notification, ServerFrame } from '../contract';
import { buildSwarm, needsRoot as skip, swarmMade, until } from '../service/test-support';

const MEMBERS = Number(process.env.JOBSCOPE_EXIT_BURST ?? 10_000);
const cli = path.join(__dirname, '..', '..', 'dist', 'electron', 'serve', 'cli.js');
const tmp = skip ? '' : mkdtempSync('/tmp/jobscope-serve-burst-');
const started: ChildProcess[] = [];
let swarmPid: number | undefined;

after(async () => {
  if (skip) return;
  // The swarm's children die with it (PR_SET_PDEATHSIG): nothing is left if the server died before closing the job.
  if (swarmPid !== undefined) {
    try {
      process.kill(swarmPid, 'SIGKILL');
    } catch {
      // already gone: the test released it
    }
  }
  for (const child of started.slice().reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill(child === started[0] ? 'SIGTERM' : 'SIGKILL'); // the server closes its jobs on SIGTERM
    await once(child, 'exit');
  }
  rmSync(tmp, { recursive: true, force: true });
});

/** Starts `npm run serve` as it ships and returns the URL it prints (with its token). */
async function startServe(env: Record<string, string>): Promise<URL> {
  const server = spawn(process.execPath, [cli, '--interval', '1000'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(server);
  let out = '';
  server.stdout!.on('data', (d) => (out += d));
  const url = await until('the server to print its URL', () => /serving at (\S+)/.exec(out)?.[1], 20_000);
  return new URL(url);
}

test(`serve mode: ${MEMBERS} members exiting at once overrun the proc connector, and every EXIT_PROCESS reaches the WebSocket client`, { skip }, async (t) => {
  const swarm = buildSwarm(tmp);
  const base = await startServe({ JOBSCOPE_NETLINK_RCVBUF: String(8 * 1024) });
  const ws = new WebSocket(`ws://127.0.0.1:${base.port}/ws?token=${base.searchParams.get('token')}`, {
    headers: { Origin: `http://127.0.0.1:${base.port}` },
  });
  await once(ws, 'open');
  const received: Notification[] = [];
  const replies = new Map<number, (frame: ServerFrame) => void>();
  let frames = 0;
  ws.on('message', (data) => {
    frames += 1;
    const frame = JSON.parse(data.toString()) as ServerFrame;
    if ('event' in frame) received.push(...frame.event.notifications);
    else replies.get(frame.id)?.(frame);
  });
  let nextId = 1;
  async function ok<T extends CommandType>(command: { type: T } & Record<string, unknown>): Promise<CommandResults[T]> {
    const id = nextId++;
    const frame = await new Promise<ServerFrame>((resolve) => {
      replies.set(id, resolve);
      ws.send(JSON.stringify({ id, command }));
    });
    const reply = (frame as { reply: { ok: boolean; result?: unknown; error?: string } }).reply;
    if (!reply.ok) assert.fail(`${command.type} failed: ${reply.error}`);
    return reply.result as CommandResults[T];
  }

  const job = await ok({ type: 'createJob', name: `serve-burst-${process.pid}` });
  const ready = path.join(tmp, 'hold.ready');
  const { pid: launcher } = await ok({ type: 'launch', jobId: job.id, file: swarm, args: ['hold', String(MEMBERS), ready] });
  swarmPid = launcher;
  const made = await swarmMade(ready);
  const mine = (kind: string) => received.filter((n) => n.jobId === job.id && n.kind === kind);
  await until(`${made + 1} NEW_PROCESS`, () => mine('NEW_PROCESS').length >= made + 1, 120_000);
  const start = Date.now();
  process.kill(launcher, 'SIGUSR1'); // every member exits at once
  await until('ACTIVE_PROCESS_ZERO', () => mine('ACTIVE_PROCESS_ZERO').length > 0, 120_000);
  const deliveredMs = Date.now() - start;
  await new Promise((resolve) => setTimeout(resolve, 1500)); // past the poller's re-read: nothing comes late
  const { host } = await ok({ type: 'getState' });
  const kernelDropped = mine('NOTIFICATIONS_LOST').reduce((sum, n) => sum + (n.kernelEventsDropped ?? 0), 0);
  const pids = (kind: string) => mine(kind).map((n) => n.pid).sort((a, b) => a - b);
  t.diagnostic(
    `${made} members; after SIGUSR1 all exits reached the client in ${deliveredMs} ms (${frames} frames in all): ` +
      `EXIT_PROCESS ${mine('EXIT_PROCESS').length}, with exit code ${mine('EXIT_PROCESS').filter((n) => n.exitCode !== undefined).length}; ` +
      `kernel messages dropped: ${kernelDropped} told to the job, ${host.kernelEventsDropped} host-wide`,
  );
  assert.equal(made, MEMBERS);
  assert.ok(kernelDropped > 0, 'the burst overran the 8 KiB buffer (the path under test)');
  assert.ok(kernelDropped <= host.kernelEventsDropped!);
  assert.equal(host.notificationsLost, 0);
  assert.equal(mine('ABNORMAL_EXIT_PROCESS').length, 0);
  assert.equal(mine('EXIT_PROCESS').length, made + 1, 'every member and the swarm: received + lost = spawned, none lost');
  assert.deepEqual(pids('EXIT_PROCESS'), pids('NEW_PROCESS'), 'one exit per join, none duplicated');
  assert.ok(pids('NEW_PROCESS').includes(launcher));
  await ok({ type: 'closeJob', jobId: job.id });
  ws.close();
});
