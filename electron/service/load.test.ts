// Load through the service, real processes and real cgroups. By default: a burst of 2000 short-lived
// processes in one job, every EXIT_PROCESS reaching the service's subscribers, and a log smaller than the
// burst saying exactly how many it dropped. With JOBSCOPE_LOAD=1 also: 1000 jobs held and sampled for some
// ticks, with RSS measured (reported, bounded, never timed). Needs root.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { JobSummary } from '../contract';
import { needsRoot as skip, startTestService, until } from './test-support';

const heavy = process.env.JOBSCOPE_LOAD === '1' ? false : 'set JOBSCOPE_LOAD=1 for the 1000-job run';
const BURST = Number(process.env.JOBSCOPE_BURST ?? 2000);
const LIMIT = 500;
const { service, events, children, ok } = startTestService({ intervalMs: 500, notificationLimit: LIMIT }, { skip });

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

test('1000 jobs held and sampled: memory stays bounded over the ticks', { skip: skip || heavy }, async (t) => {
  const JOBS = Number(process.env.JOBSCOPE_LOAD_JOBS ?? 1000);
  const rssStart = rssMiB();
  const jobs: JobSummary[] = [];
  for (let i = 0; i < JOBS; i += 1) jobs.push(await ok({ type: 'createJob', name: `load-many-${process.pid}-${i}` }));
  // A few cheap sleepers spread over the jobs.
  for (let i = 0; i < 20; i += 1) {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    children.push(child);
    await ok({ type: 'attach', jobId: jobs[i * Math.floor(JOBS / 20)].id, pids: [child.pid] });
  }
  const rssHeld = rssMiB();
  const ticks = (): number => events.filter((e) => e.samples.length >= JOBS).length;
  const base = ticks();
  const readings: number[] = [];
  for (let round = 1; round <= 6; round += 1) {
    await until(`tick ${round * 5}`, () => ticks() - base >= round * 5, 120_000);
    events.length = 0; // the test's own log of events is not the service's memory
    readings.push(rssMiB());
  }
  const rssEnd = rssMiB();
  t.diagnostic(`RSS MiB: start ${rssStart}, ${JOBS} jobs held ${rssHeld}, every 5 ticks ${readings.join(', ')}, end ${rssEnd}`);
  // Bounded: the second half of the run grows by less than the first reading's 25% (history is capped
  // by historyMs; these ticks are well inside it, so some growth is expected and measured).
  assert.ok(readings.at(-1)! < readings[0] * 1.5 + 50, `RSS grew from ${readings[0]} to ${readings.at(-1)} MiB`);
  for (const child of children) child.kill('SIGKILL');
  await until('sleepers gone', () => [...children].every((c) => c.exitCode !== null || c.signalCode !== null), 120_000);
  for (const job of jobs) {
    for (let tries = 0; ; tries += 1) {
      const reply = await service.handle({ type: 'closeJob', jobId: job.id });
      if (reply.ok || tries > 100) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
});
