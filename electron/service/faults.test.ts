// Faults with real processes and real cgroups: a process that exits between being listed and being
// attached, a job's cgroup removed outside JobScope (also while sampleJobs runs in a loop), and the poller
// losing a watched cgroup while notifications must keep flowing for the other jobs. Needs root.
//
// Not tested: a cgroup made unreadable. As root, chmod 000 on cgroup.procs changes nothing (root bypasses
// file permissions), and there is no other way to make one cgroup file fail to read while the cgroup
// exists; removal, below, is the fault root can cause.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import * as native from '#native';
import type { JobSummary, Notification } from '../contract';
import { needsRoot as skip, startTestService, until } from './test-support';

const { service, events, children, ok } = startTestService({}, { skip });

function sleeper(): ChildProcess & { pid: number } {
  const child = spawn('sleep', ['600'], { stdio: 'ignore' });
  children.push(child);
  return child as ChildProcess & { pid: number };
}

const exited = (child: ChildProcess): Promise<unknown> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
const notificationsOf = (jobId: number): Notification[] => events.flatMap((e) => e.notifications).filter((n) => n.jobId === jobId);

/** Every directory of the job: its v2 cgroup and any v1 mirrors JobScope made for it. */
function dirsOf(job: JobSummary): string[] {
  const dirs = [job.path];
  const v1Root = '/sys/fs/cgroup';
  for (const hierarchy of existsSync(v1Root) ? readdirSync(v1Root) : []) {
    if (hierarchy === 'unified') continue;
    const relative = job.path.slice(native.hostInfo().cgroup2Mount!.length);
    const mirror = `${v1Root}/${hierarchy}${relative}`;
    if (mirror !== job.path && existsSync(`${mirror}/cgroup.procs`)) dirs.push(mirror);
  }
  return dirs;
}

/** Removes the job's cgroups as another program would (rmdir), from outside this process. */
function removeOutside(job: JobSummary): void {
  const result = spawnSync('rmdir', dirsOf(job), { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
}

test('a process that exits between being listed and being attached fails alone, with a clear ESRCH', { skip }, async () => {
  const job = await ok({ type: 'createJob', name: `faults-race-${process.pid}` });
  const [a, b, c] = [sleeper(), sleeper(), sleeper()];
  const listed = await ok({ type: 'listProcesses' });
  for (const child of [a, b, c]) assert.ok(listed.some((p) => p.pid === child.pid), `${child.pid} is listed`);
  b.kill('SIGKILL');
  await exited(b); // reaped: its pid names no process now
  const result = await ok({ type: 'attach', jobId: job.id, pids: [a.pid, b.pid, c.pid] });
  assert.deepEqual(result.attached.sort(), [a.pid, c.pid].sort());
  assert.equal(result.failed.length, 1);
  assert.equal(result.failed[0].pid, b.pid);
  assert.match(result.failed[0].error, new RegExp(`pid ${b.pid}\\b.*(exited|does not exist).*ESRCH`));
  await ok({ type: 'terminateJob', jobId: job.id });
  await Promise.all([exited(a), exited(c)]);
  await until('the job to empty', () => readFileSync(`${job.path}/cgroup.procs`, 'utf8').trim() === '', 10_000);
  await ok({ type: 'closeJob', jobId: job.id });
});

test("a job's cgroup removed outside JobScope becomes 'gone', never a crash, and can still be closed", { skip }, async () => {
  const job = await ok({ type: 'createJob', name: `faults-gone-${process.pid}` });
  removeOutside(job);
  assert.equal(existsSync(job.path), false);
  const state = await until('getState to say gone', () => {
    const found = events.flatMap((e) => e.jobs ?? []).find((j) => j.id === job.id && j.state === 'gone');
    return found;
  }, 10_000);
  assert.equal(state.state, 'gone');
  const history = await ok({ type: 'getHistory', jobId: job.id });
  assert.equal(history.samples.at(-1)!.state, 'gone');
  assert.equal(history.droppedNotifications, 0);
  const attach = await ok({ type: 'attach', jobId: job.id, pids: [sleeper().pid] });
  assert.equal(attach.attached.length, 0, 'nothing can join a gone job');
  assert.match(attach.failed[0].error, /\S/);
  const terminate = await service.handle({ type: 'terminateJob', jobId: job.id });
  if (!terminate.ok) assert.match(terminate.error, /\S/);
  await ok({ type: 'closeJob', jobId: job.id });
  assert.ok(!(await ok({ type: 'getState' })).jobs.some((j) => j.id === job.id));
});

test('cgroups vanishing while sampleJobs runs in a loop: every sample is live or gone, none throws', { skip }, async () => {
  const jobs = Array.from({ length: 30 }, (_, i) => native.createJob({ name: `faults-vanish-${process.pid}-${i}` }));
  const infos = jobs.map((j) => ({ id: j.id, name: j.name, path: j.path, created: true, state: 'live' as const }));
  // rmdir from another process, one job at a time, while this one samples as fast as it can.
  const dirs = infos.flatMap(dirsOf);
  const remover = spawn('sh', ['-c', 'for d in "$@"; do rmdir "$d"; sleep 0.005; done', 'sh', ...dirs], { stdio: 'ignore' });
  children.push(remover);
  let rounds = 0;
  const seen = new Set<string>();
  while (remover.exitCode === null) {
    for (const sample of native.sampleJobs(jobs)) {
      assert.ok(sample.state === 'live' || sample.state === 'gone');
      if (sample.state === 'live') assert.ok(sample.processor && sample.memory, 'a live sample is whole');
      seen.add(sample.state);
    }
    rounds += 1;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await exited(remover);
  assert.equal(remover.exitCode, 0, 'every cgroup was removed');
  const last = native.sampleJobs(jobs);
  assert.ok(last.every((s) => s.state === 'gone'), 'all gone at the end');
  assert.ok(rounds > 1, `${rounds} rounds of sampling`);
  for (const job of jobs) job.close();
});

test("the poller losing a watched cgroup keeps reporting for the other jobs", { skip }, async () => {
  const doomed = await ok({ type: 'createJob', name: `faults-doomed-${process.pid}` });
  const survivor = await ok({ type: 'createJob', name: `faults-survivor-${process.pid}` });
  const d = sleeper();
  await ok({ type: 'attach', jobId: doomed.id, pids: [d.pid] });
  await until('NEW_PROCESS in the doomed job', () => notificationsOf(doomed.id).some((n) => n.kind === 'NEW_PROCESS' && n.pid === d.pid), 10_000);
  // Empty it and take its cgroup away under the poller's watch.
  d.kill('SIGKILL');
  await exited(d);
  await until('the doomed job to empty', () => readFileSync(`${doomed.path}/cgroup.procs`, 'utf8').trim() === '', 10_000);
  removeOutside(doomed);
  await until("the doomed job 'gone'", () => events.some((e) => e.jobs?.some((j) => j.id === doomed.id && j.state === 'gone')), 10_000);

  // The survivor still gets every message: a member joins, forks and exits with codes.
  for (let round = 0; round < 3; round += 1) {
    const s = spawn('sh', ['-c', 'read x; sh -c "exit 7"; exit 3'], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(s);
    await ok({ type: 'attach', jobId: survivor.id, pids: [s.pid] });
    s.stdin!.write('go\n');
    const exits = await until(`round ${round}: both exits in the survivor`, () => {
      const mine = notificationsOf(survivor.id).filter((n) => n.kind === 'EXIT_PROCESS' && n.time >= 0);
      const parent = mine.find((n) => n.pid === s.pid);
      return parent && mine.some((n) => n.exitCode === 7 && n.pid !== s.pid) ? { parent } : undefined;
    }, 10_000);
    assert.equal(exits.parent.exitCode, 3);
    events.length = 0; // next round looks at fresh messages only
  }
  await ok({ type: 'closeJob', jobId: doomed.id });
  await until('the survivor to empty', () => readFileSync(`${survivor.path}/cgroup.procs`, 'utf8').trim() === '', 10_000);
  await ok({ type: 'closeJob', jobId: survivor.id });
});
