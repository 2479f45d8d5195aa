// Load through the service, real processes and real cgroups. By default: a burst of 2000 short-lived
// processes in one job, every EXIT_PROCESS reaching the service's subscribers, and a log smaller than the
// burst saying exactly how many it dropped. And 1000 jobs of 11 members each (11,000 member processes, past
// the sampler's budget of kept /proc/<pid>/stat fds) sampled for 40 ticks with every member in every sample,
// memory measured past the point where history (5 s here) is full (bounded, never timed), then all
// 11,000 exiting at once. JOBSCOPE_LOAD_JOBS scales the job count; JOBSCOPE_LOAD_HISTORY_MS sets the history
// (900000 for the app's default 15 minutes: the readings then show what a filling history costs a tick).
// Needs root and a C compiler.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { JobSummary, ServiceEvent } from '../contract';
import { buildSwarm, needsRoot as skip, startTestService, swarmMade, until } from './test-support';

const BURST = Number(process.env.JOBSCOPE_BURST ?? 2000);
const LIMIT = 500;
const HISTORY_MS = Number(process.env.JOBSCOPE_LOAD_HISTORY_MS ?? 5000);
const { service, events, children, ok } = startTestService({ intervalMs: 500, historyMs: HISTORY_MS, notificationLimit: LIMIT }, { skip });

// A full collection first, so a reading shows what is held rather than when the collector last ran. With
// ArrayBuffers: the history's columns are typed arrays, whose contents live outside the V8 heap.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const heapMiB = (): number => {
  collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return Math.round(((heapUsed + arrayBuffers) / 2 ** 20) * 10) / 10;
};
const rssMiB = (): number => Math.round((Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024) * 10) / 10;

test(`a burst of ${BURST} exits in one job reaches every subscriber; the full log counts what it dropped`, { skip }, async (t) => {
  const job = await ok({ type: 'createJob', name: `load-burst-${process.pid}` });
  const shell = spawn('sh', ['-c', `read x; i=0; while [ $i -lt ${BURST} ]; do /bin/true; i=$((i+1)); done`], { stdio: ['pipe', 'ignore', 'inherit'] });
  children.push(shell);
  await ok({ type: 'attach', jobId: job.id, pids: [shell.pid] });
  shell.stdin!.write('go\n');
  const exits = () => events.flatMap((e) => e.notifications).filter((n) => n.jobId === job.id && n.kind === 'EXIT_PROCESS');
  await until(`${BURST + 1} exits`, () => exits().length >= BURST + 1, 120_000);
  await new Promise((resolve) => setTimeout(resolve, 1500)); // past the poller's re-read: no duplicates come late
  const all = events.flatMap((e) => e.notifications).filter((n) => n.jobId === job.id);
  const joins = all.filter((n) => n.kind === 'NEW_PROCESS').length;
  t.diagnostic(`subscribers saw ${exits().length} EXIT_PROCESS, ${joins} NEW_PROCESS, ${all.length} in all`);
  assert.equal(exits().length, BURST + 1, 'every /bin/true and the shell');
  assert.equal(joins, BURST + 1);
  const history = await ok({ type: 'getHistory', jobId: job.id });
  assert.equal(history.notifications.length, LIMIT);
  assert.equal(history.droppedNotifications, all.length - LIMIT, 'the log says exactly how many it dropped');
  assert.deepEqual(history.notifications, all.slice(-LIMIT), 'and keeps the newest');
  await ok({ type: 'closeJob', jobId: job.id });
});

test('a job forking in many small batches is sampled at most once per interval beyond the ticks', { skip }, async (t) => {
  // Held to 1% of the CPUs, the swarm's children come and go over seconds, so their NEW_PROCESS and
  // EXIT_PROCESS reach the service in hundreds of batches. A sample per batch (one entry per member, kept for
  // historyMs) is what filled serve mode's heap while 10,000 members were being forked on a busy machine.
  const FORKS = 2000;
  const INTERVAL = 500; // startTestService's intervalMs above
  const tmp = mkdtempSync('/tmp/jobscope-batches-');
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const job = await ok({ type: 'createJob', name: `load-batches-${process.pid}`, limits: { cpuRate: 100 } });
  const ready = `${tmp}/ready`;
  const { pid: swarm } = await ok({ type: 'launch', jobId: job.id, file: buildSwarm(tmp), args: ['burst', String(FORKS), ready] });
  assert.equal(await swarmMade(ready), FORKS);
  const told = (kind: string) => events.flatMap((e) => e.notifications).filter((n) => n.jobId === job.id && n.kind === kind);
  await until('the swarm to exit', () => told('EXIT_PROCESS').some((n) => n.pid === swarm), 60_000);
  const batches = events.filter((e) => e.notifications.some((n) => n.jobId === job.id)).length;
  const times = events.flatMap((e) => e.samples).filter((s) => s.jobId === job.id).map((s) => s.time);
  // The ticks sample every INTERVAL, notifications add at most one more per INTERVAL, and one when the job empties.
  const bound = 2 * Math.ceil((times.at(-1)! - times[0]!) / INTERVAL) + 3;
  t.diagnostic(`${told('NEW_PROCESS').length} NEW_PROCESS in ${batches} batches; ${times.length} samples of the job (bound ${bound})`);
  assert.ok(batches > 2 * bound, `the forks came in ${batches} batches only, too few to test the bound of ${bound}`);
  assert.ok(times.length <= bound, `${times.length} samples taken, more than ${bound}`);
  await ok({ type: 'closeJob', jobId: job.id });
});

test('1000 jobs of 11 members held and sampled: every member in every sample, memory bounded, every exit told', { skip }, async (t) => {
  const JOBS = Number(process.env.JOBSCOPE_LOAD_JOBS ?? 1000);
  const PER_JOB = 11; // a swarm and its 10 children
  const MEMBERS = JOBS * PER_JOB;
  const tmp = mkdtempSync('/tmp/jobscope-load-');
  const swarm = buildSwarm(tmp);
  const rssStart = rssMiB();
  const started = Date.now();
  const jobs: JobSummary[] = [];
  for (let i = 0; i < JOBS; i += 1) jobs.push(await ok({ type: 'createJob', name: `load-many-${process.pid}-${i}` }));
  const createdMs = Date.now() - started;
  const swarms: number[] = [];
  // Their children die with them (PR_SET_PDEATHSIG), so nothing is left behind if the test fails half-way.
  t.after(() => {
    for (const pid of swarms) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already exited: the test released them
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  });
  for (const [i, job] of jobs.entries()) {
    const args = ['hold', String(PER_JOB - 1), `${tmp}/ready-${i}`];
    swarms.push((await ok({ type: 'launch', jobId: job.id, file: swarm, args })).pid);
  }
  for (let i = 0; i < JOBS; i += 1) assert.equal(await swarmMade(`${tmp}/ready-${i}`), PER_JOB - 1);
  const heldMs = Date.now() - started;
  const rssHeld = rssMiB();
  const members = (e: ServiceEvent): number => e.samples.reduce((sum, s) => sum + (s.processes?.length ?? 0), 0);
  // Ticks that sampled every job with every member in it: the members past the fd budget too. Counted as
  // they come, since the test's log of events is emptied between readings.
  let ticks = 0;
  const stopCounting = service.subscribe((e) => {
    if (e.samples.length >= JOBS && members(e) === MEMBERS) ticks += 1;
  });
  const readings: number[] = [];
  const heaps: number[] = [];
  for (let round = 1; round <= 8; round += 1) {
    await until(`tick ${round * 5}`, () => ticks >= round * 5, 120_000);
    events.length = 0; // the test's own log of events is not the service's memory
    heaps.push(heapMiB());
    readings.push(rssMiB());
  }
  stopCounting();
  const rssEnd = rssMiB();
  const fds = readdirSync('/proc/self/fd').length;
  t.diagnostic(
    `${JOBS} jobs created in ${createdMs} ms, ${MEMBERS} members held after ${heldMs} ms; ${fds} fds open; ` +
      `history ${HISTORY_MS} ms; RSS MiB: start ${rssStart}, held ${rssHeld}, every 5 ticks ${readings.join(', ')}, end ${rssEnd}; ` +
      `heap + ArrayBuffers MiB after a full collection, every 5 ticks: ${heaps.join(', ')}`,
  );
  // Bounded: from tick 15 on the 10-tick history is full, so what is held stops growing. Judged on the heap
  // and ArrayBuffers after a full collection: RSS follows when the collector chooses to run and to return
  // pages (printed).
  const full = heaps[2];
  assert.ok(Math.max(...heaps.slice(3)) < full * 1.5 + 25, `the heap and ArrayBuffers held grew from ${full} to ${Math.max(...heaps.slice(3))} MiB`);
  // Every member exits at once: each one's EXIT_PROCESS reaches the subscribers.
  events.length = 0;
  const exitStart = Date.now();
  for (const pid of swarms) process.kill(pid, 'SIGUSR1');
  const exits = (): number => events.reduce((sum, e) => sum + e.notifications.filter((n) => n.kind === 'EXIT_PROCESS').length, 0);
  await until(`${MEMBERS} exits`, () => exits() >= MEMBERS, 120_000);
  const exitMs = Date.now() - exitStart;
  await new Promise((resolve) => setTimeout(resolve, 1500)); // past the poller's re-read: no duplicates come late
  const lost = events.flatMap((e) => e.notifications).filter((n) => n.kind === 'NOTIFICATIONS_LOST');
  t.diagnostic(`${exits()} EXIT_PROCESS reached the subscribers ${exitMs} ms after the release; NOTIFICATIONS_LOST: ${lost.length}`);
  assert.equal(exits(), MEMBERS);
  assert.deepEqual(lost, []);
  for (const job of jobs) {
    for (let tries = 0; ; tries += 1) {
      const reply = await service.handle({ type: 'closeJob', jobId: job.id });
      if (reply.ok || tries > 100) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});
