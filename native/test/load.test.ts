// Load on the notification path, real processes and real cgroups. A fork storm in a job with a process
// limit: every fork that succeeded is one NEW_PROCESS and one EXIT_PROCESS, every refused one is counted
// by the kernel's pids.events "max", and nothing is lost or duplicated (needs python3: a loop that counts
// refused forks without retrying them, as shells do). A burst of 10,000 short-lived processes (swarm.c):
// every exit arrives; and with no listener and a small pending queue, the addon says exactly how many it
// dropped. Needs root and a C compiler.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as native from '#native';
import type { Notification } from '#native';
import { buildSwarm, swarmMade } from '../../electron/service/test-support';

const skip = process.platform !== 'linux' ? 'Linux only' : process.getuid?.() !== 0 ? 'needs root' : false;
const FORKS = Number(process.env.JOBSCOPE_FORK_STORM ?? 1000);
const BURST = Number(process.env.JOBSCOPE_EXIT_BURST ?? 10_000);
const received: Notification[] = [];
const tmp = skip ? '' : mkdtempSync('/var/tmp/jobscope-load-');
if (!skip) native.startNotifications((batch) => received.push(...batch));
after(() => {
  if (skip) return;
  native.stopNotifications();
  rmSync(tmp, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function pidsEventsOf(path: string): string {
  if (existsSync(`${path}/pids.events`)) return `${path}/pids.events`;
  const relative = path.slice(native.hostInfo().cgroup2Mount!.length);
  return `/sys/fs/cgroup/pids${relative}/pids.events`;
}

test(`a fork storm of ${FORKS} in a job limited to 20 processes: notifications match the forks and the kernel's count`, { skip }, async (t) => {
  let python = '';
  try {
    python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  } catch {
    return t.skip('python3 not found');
  }
  const job = native.createJob({ name: `load-storm-${process.pid}`, limits: { activeProcesses: 20 } });
  try {
    if (job.limits().unsupported.activeProcesses) return t.skip(job.limits().unsupported.activeProcesses!);
    const events = pidsEventsOf(job.path);
    const maxBefore = Number(/^max (\d+)$/m.exec(readFileSync(events, 'utf8'))![1]);
    const out = join(tmp, 'storm.txt');
    // Forks as fast as it can; children leave at once; exits are reaped as they come so slots free up.
    const script = [
      'import os, sys',
      'made = refused = 0',
      `for i in range(${FORKS}):`,
      '    try:',
      '        pid = os.fork()',
      '    except OSError:',
      '        refused += 1',
      '        continue',
      '    if pid == 0:',
      '        os._exit(0)',
      '    made += 1',
      '    while True:',
      '        try:',
      '            if os.waitpid(-1, os.WNOHANG)[0] == 0: break',
      '        except ChildProcessError: break',
      'while True:',
      '    try: os.wait()',
      '    except ChildProcessError: break',
      // Written aside and renamed: the test polls for the file and must never read it half-written.
      "with open(sys.argv[1] + '.part', 'w') as f: f.write(f'{made} {refused}')",
      "os.replace(sys.argv[1] + '.part', sys.argv[1])",
    ].join('\n');
    const launcher = job.launch({ file: python, args: ['-c', script, out] });
    const [made, refused] = (await until('the storm to end', () => existsSync(out) && readFileSync(out, 'utf8'))).split(' ').map(Number);
    await until('the job to empty', () => readFileSync(`${job.path}/cgroup.procs`, 'utf8').trim() === '');
    const mine = () => received.filter((n) => n.jobId === job.id);
    await until('ACTIVE_PROCESS_ZERO', () => mine().some((n) => n.kind === 'ACTIVE_PROCESS_ZERO'));
    // Past the poller's periodic re-read, so late or duplicate messages would have arrived.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const maxAfter = Number(/^max (\d+)$/m.exec(readFileSync(events, 'utf8'))![1]);
    const count = (kind: string) => mine().filter((n) => n.kind === kind).length;
    const newPids = mine().filter((n) => n.kind === 'NEW_PROCESS').map((n) => n.pid);
    const exitPids = mine().filter((n) => n.kind === 'EXIT_PROCESS' || n.kind === 'ABNORMAL_EXIT_PROCESS').map((n) => n.pid);
    t.diagnostic(
      `forks made ${made}, refused ${refused}; pids.events max +${maxAfter - maxBefore}; NEW_PROCESS ${count('NEW_PROCESS')}, ` +
        `EXIT_PROCESS ${count('EXIT_PROCESS')}, ABNORMAL_EXIT_PROCESS ${count('ABNORMAL_EXIT_PROCESS')}, ACTIVE_PROCESS_LIMIT ${count('ACTIVE_PROCESS_LIMIT')}`,
    );
    assert.equal(made + refused, FORKS);
    assert.equal(maxAfter - maxBefore, refused, "the kernel's count of refused forks");
    assert.equal(count('ACTIVE_PROCESS_LIMIT'), refused, 'one ACTIVE_PROCESS_LIMIT per refused fork');
    assert.equal(newPids.length, made + 1, 'one NEW_PROCESS per fork made, and one for python');
    assert.ok(newPids.includes(launcher));
    // Pids may be reused within a storm, so compare as multisets: every join has its exit.
    assert.deepEqual([...exitPids].sort((a, b) => a - b), [...newPids].sort((a, b) => a - b), 'one exit per join');
    assert.equal(count('EXIT_PROCESS'), made + 1, 'all left with code 0');
  } finally {
    job.close();
  }
});

/** How many of `list` have each kind. */
function countKinds(list: Notification[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of list) counts[n.kind] = (counts[n.kind] ?? 0) + 1;
  return counts;
}

test(`a burst of ${BURST} short-lived processes: one NEW_PROCESS and one EXIT_PROCESS each, none lost`, { skip }, async (t) => {
  const swarm = buildSwarm(tmp);
  const before = native.hostInfo();
  const job = native.createJob({ name: `load-burst-${process.pid}` });
  try {
    const ready = join(tmp, 'burst.ready');
    const start = Date.now();
    const launcher = job.launch({ file: swarm, args: ['burst', String(BURST), ready] });
    const made = await swarmMade(ready);
    const spawnedMs = Date.now() - start;
    const mine = () => received.filter((n) => n.jobId === job.id);
    await until('ACTIVE_PROCESS_ZERO', () => mine().some((n) => n.kind === 'ACTIVE_PROCESS_ZERO'));
    const deliveredMs = Date.now() - start;
    // Past the poller's periodic re-read, so late or duplicate messages would have arrived.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const host = native.hostInfo();
    const counts = countKinds(mine());
    t.diagnostic(
      `${made} processes spawned in ${spawnedMs} ms, all delivered after ${deliveredMs} ms: ${JSON.stringify(counts)}; ` +
        `kernel messages dropped ${host.kernelEventsDropped! - before.kernelEventsDropped!}`,
    );
    assert.equal(made, BURST);
    assert.equal(
      host.kernelEventsDropped! - before.kernelEventsDropped!,
      0,
      'the proc connector dropped nothing (else processes born and gone within the overrun could be missing)',
    );
    assert.equal(host.notificationsLost, before.notificationsLost);
    assert.equal(counts.NOTIFICATIONS_LOST, undefined);
    assert.equal(counts.EXIT_PROCESS, made + 1, 'every child and the swarm exited with code 0');
    assert.equal(counts.NEW_PROCESS, made + 1);
    const pidsOf = (kind: string) => mine().filter((n) => n.kind === kind).map((n) => n.pid).sort((a, b) => a - b);
    assert.deepEqual(pidsOf('EXIT_PROCESS'), pidsOf('NEW_PROCESS'), 'one exit per join');
    assert.ok(pidsOf('NEW_PROCESS').includes(launcher));
  } finally {
    job.close();
  }
});

test(`no listener and a pending queue of 1000: a burst of ${BURST} exits is delivered with the exact count of what was dropped`, { skip }, async (t) => {
  const swarm = buildSwarm(tmp);
  const LIMIT = 1000;
  // A separate node process: the pending limit is read once per addon load, and this file's addon has a listener.
  const script = `
    const native = require(${JSON.stringify(require.resolve('#native'))});
    const { existsSync, readFileSync } = require('node:fs');
    const ready = ${JSON.stringify(join(tmp, 'pending.ready'))};
    const job = native.createJob({ name: ${JSON.stringify(`load-pending-${process.pid}`)} });
    const launcher = job.launch({ file: ${JSON.stringify(swarm)}, args: ['burst', '${BURST}', ready] });
    const done = () => existsSync(ready) && readFileSync(job.path + '/cgroup.procs', 'utf8').trim() === '';
    const wait = setInterval(() => {
      if (!done()) return;
      clearInterval(wait);
      // Past the poller's ACTIVE_PROCESS_ZERO wait and its re-read: everything is queued by now.
      setTimeout(() => {
        const events = [];
        native.startNotifications((batch) => events.push(...batch));
        setTimeout(() => {
          job.close();
          const made = Number(readFileSync(ready, 'utf8'));
          console.log(JSON.stringify({ launcher, made, host: native.hostInfo(), events }));
        }, 500);
      }, 1500);
    }, 50);`;
  const child = spawn(process.execPath, ['-e', script], {
    env: { ...process.env, JOBSCOPE_PENDING_LIMIT: String(LIMIT) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  const { made, host, events } = JSON.parse(out) as { made: number; host: native.HostInfo; events: Notification[] };
  const lostNotes = events.filter((n) => n.kind === 'NOTIFICATIONS_LOST');
  const lost = lostNotes.reduce((sum, n) => sum + (n.lost ?? 0), 0);
  const delivered = events.filter((n) => n.kind !== 'NOTIFICATIONS_LOST');
  // What the poller said about the job: a join and an exit per process (the swarm's too), then one zero.
  const generated = 2 * (made + 1) + 1;
  t.diagnostic(`${made} spawned; ${generated} notifications made, ${delivered.length} delivered, ${lost} counted lost: ${JSON.stringify(countKinds(delivered))}`);
  assert.equal(host.kernelEventsDropped, 0, 'no proc connector overrun (else the generated count is not known)');
  assert.equal(made, BURST);
  assert.equal(lostNotes.length, 1);
  assert.equal(events[0].kind, 'NOTIFICATIONS_LOST', 'the loss is told first');
  assert.equal(delivered.length, LIMIT, 'the queue kept its limit');
  assert.equal(delivered.length + lost, generated, 'delivered + lost = made, exactly');
  assert.equal(host.notificationsLost, lost);
  assert.equal(delivered.at(-1)!.kind, 'ACTIVE_PROCESS_ZERO', 'the newest are the ones kept');
});
