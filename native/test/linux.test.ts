// The Linux backend against real cgroups, real child processes and the real addon.
// Needs root (cgroup writes, the netlink proc connector). Run: npx tsx --test native/test/linux.test.ts
import { after, afterEach, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { isDeepStrictEqual } from 'node:util';
import * as native from '#native';
import type { Job, Notification } from '#native';

const skip = process.platform !== 'linux' ? 'Linux only' : process.getuid?.() !== 0 ? 'needs root' : false;

// The v1 controllers a job uses; on v1-only hosts job paths are in the first one mounted (memory).
const v1Controllers = ['memory', 'cpu', 'cpuacct', 'blkio', 'pids', 'freezer'];

// The process's group in the hierarchy job paths are in: cgroup2's "0::" line, or on v1-only hosts
// the line of that v1 controller.
function groupIn(cgroupFile: string, treeController: string): string | undefined {
  const lines = readFileSync(cgroupFile, 'utf8').trim().split('\n').map((l) => l.split(':'));
  const line = treeController ? lines.find((p) => p[1].split(',').includes(treeController)) : lines.find((p) => p[0] === '0' && p[1] === '');
  return line?.slice(2).join(':');
}

// Detected independently of the addon, from the same files it reads.
function detect() {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n').map((l) => l.split(' '));
  const after = (w: string[]) => w.slice(w.indexOf('-') + 1);
  const v2 = mounts.find((w) => after(w)[0] === 'cgroup2');
  const v1Mount = (c: string) => mounts.find((w) => after(w)[0] === 'cgroup' && after(w)[2].split(',').includes(c))?.[4];
  const join = (a: string, b: string) => (b === '/' ? a : a + b);
  const anyV1 = mounts.some((w) => after(w)[0] === 'cgroup');
  const treeController = v2 ? '' : (v1Controllers.find((c) => v1Mount(c)) ?? '');
  const root = v2 ? v2[4] : (v1Mount(treeController) ?? '');
  const ownTree = groupIn('/proc/self/cgroup', treeController) ?? '/';
  // Our jobs' parent in every v1 hierarchy we use.
  const v1Parents: Record<string, string> = {};
  for (const c of v1Controllers) {
    const mount = v1Mount(c);
    const own = groupIn('/proc/self/cgroup', c);
    if (mount && own) v1Parents[c] = join(mount, own) + '/jobscope';
  }
  return {
    layout: !v2 ? 'legacy' : anyV1 ? 'hybrid' : 'unified',
    v2Mount: v2?.[4],
    root,
    treeController,
    ownTree,
    parent: root ? join(root, ownTree) + '/jobscope' : '',
    mirrorParent: v1Parents.memory ?? '',
    v1Parents,
  };
}
const host = skip
  ? { layout: '', v2Mount: undefined, root: '', treeController: '', ownTree: '/', parent: '', mirrorParent: '', v1Parents: {} as Record<string, string> }
  : detect();
const prefix = `t${process.pid}-`;
let seq = 0;
const jobName = () => `${prefix}${++seq}`;

// Every notification delivered, in order.
const received: Notification[] = [];
before(() => {
  if (!skip) native.startNotifications((batch) => received.push(...batch));
});
after(() => {
  if (skip) return;
  native.stopNotifications();
  // Nothing we created is left behind, in v2 or in the v1 memory mirror.
  for (const dir of [host.parent, host.mirrorParent]) {
    if (dir && existsSync(dir)) assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith(prefix)), []);
  }
});

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
});

function run(cmd: string, args: string[], stdin: 'pipe' | 'ignore' = 'ignore'): ChildProcess & { pid: number } {
  const child = spawn(cmd, args, { stdio: [stdin, 'pipe', 'inherit'] });
  children.add(child);
  assert.ok(child.pid, `${cmd} started`);
  return child as ChildProcess & { pid: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Latency bounds are for real hardware; an emulated machine (the TCG guest of test:guest runs code
// 7-13x slower) stretches them by this factor.
const slow = Number(process.env.JOBSCOPE_TEST_TIME_SCALE) || 1;

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 1000): Promise<T> {
  timeoutMs *= slow;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

function eventsOf(job: Job): Notification[] {
  return received.filter((n) => n.jobId === job.id);
}

// A created job that is emptied and closed after the test, even when the test fails.
function newJob(t: TestContext, name = jobName()): Job {
  const job = native.createJob({ name });
  t.after(async () => {
    try {
      job.terminate();
      await waitFor('the job to empty', () => job.pids().length === 0, 2000);
      job.close();
    } catch (e) {
      if ((e as { code?: string }).code !== 'ECLOSED') throw e;
    }
  });
  return job;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

test('hostInfo reports the detected layout', { skip }, (t) => {
  const info = native.hostInfo();
  t.diagnostic(`layout ${info.cgroupLayout}, cgroup2 at ${info.cgroup2Mount}, memory from ${info.memorySource}`);
  assert.equal(info.platform, 'linux');
  assert.equal(info.cgroupLayout, host.layout);
  assert.equal(info.cgroup2Mount, host.v2Mount);
  // Where the layout is known (the QEMU guests of test:guest say so), it must be the one found.
  if (process.env.JOBSCOPE_EXPECT_LAYOUT) assert.equal(info.cgroupLayout, process.env.JOBSCOPE_EXPECT_LAYOUT);
  if (process.env.JOBSCOPE_EXPECT_MEMORY) assert.equal(info.memorySource, process.env.JOBSCOPE_EXPECT_MEMORY);
  assert.equal(info.exitEvents, 'netlink'); // we are root
  assert.equal(typeof info.kernelEventsDropped, 'number');
  assert.equal(typeof info.notificationsLost, 'number');
  // createJob enables +memory in our own cgroup for its jobscope child. cgroup v2's "no internal processes"
  // lets only the real root (no cgroup.type) do that while holding processes; elsewhere (a systemd session
  // scope on a pure-v2 host) it can only once JobScope has moved itself into the jobscope-service leaf,
  // which it does on pure v2 when every process there is ours, as in a Delegate=yes scope of its own.
  const own = `${host.root}${host.ownTree === '/' ? '' : host.ownTree}`;
  const words = (file: string) => readFileSync(file, 'utf8').split(/\s+/);
  const procs = words(`${own}/cgroup.procs`).filter(Boolean).map(Number);
  const ppidOf = (pid: number) => Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  const ours = (pid: number): boolean => pid === process.pid || (pid > 1 && ours(ppidOf(pid)));
  const v2Memory =
    host.layout !== 'legacy' &&
    (existsSync(host.parent)
      ? words(`${host.parent}/cgroup.controllers`).includes('memory')
      : words(`${own}/cgroup.controllers`).includes('memory') &&
        (!existsSync(`${own}/cgroup.type`) || procs.length === 0 || (host.layout === 'unified' && procs.every(ours))));
  assert.equal(info.memorySource, v2Memory ? 'cgroup2' : host.mirrorParent ? 'cgroup1' : 'procfs');
});

test('createJob makes the cgroup (and v1 mirror); close removes both', { skip }, (t) => {
  const name = jobName();
  const job = newJob(t, name);
  assert.equal(job.name, name);
  assert.equal(job.created, true);
  assert.equal(job.path, `${host.parent}/${name}`);
  assert.ok(existsSync(`${job.path}/cgroup.procs`));
  assert.deepEqual(job.info(), { id: job.id, name, path: job.path, created: true });
  const mirror = `${host.mirrorParent}/${name}`;
  const mem = job.memoryStats();
  assert.equal(mem.source, native.hostInfo().memorySource);
  if (mem.source === 'cgroup1') assert.ok(existsSync(mirror), 'v1 mirror exists');
  if (mem.source === 'cgroup2') {
    // Pure v2: the job's own memory files, enabled along the path, and no v1 mirror.
    assert.ok(existsSync(`${job.path}/memory.current`) && existsSync(`${job.path}/memory.peak`));
    assert.match(readFileSync(`${host.parent}/cgroup.subtree_control`, 'utf8'), /\bmemory\b/);
  }
  if (host.layout === 'unified') assert.equal(host.mirrorParent, '');
  // v1 only: one cgroup of the job's name in every v1 hierarchy we use, the path's among them.
  const mirrors = host.layout === 'legacy' ? Object.values(host.v1Parents).map((p) => `${p}/${name}`) : [];
  if (host.layout === 'legacy') {
    assert.ok(mirrors.includes(job.path), `${job.path} is one of ${mirrors.join(', ')}`);
    for (const dir of mirrors) assert.ok(existsSync(`${dir}/cgroup.procs`), dir);
  }
  assert.equal(codeOf(() => native.createJob({ name })), 'EEXIST');
  assert.throws(() => native.createJob({ name: '..' }), RangeError);
  assert.throws(() => native.createJob({ name: 'a/b' }), RangeError);
  assert.throws(() => native.createJob({ name: 'x'.repeat(65) }), RangeError);
  assert.throws(() => native.createJob({ name: 5 as unknown as string }), TypeError);
  job.close();
  assert.equal(existsSync(job.path), false);
  assert.equal(existsSync(mirror), false);
  for (const dir of mirrors) assert.equal(existsSync(dir), false, dir);
  for (const call of [() => job.pids(), () => job.assign(process.pid), () => job.close(), () => job.info()]) {
    assert.throws(call, (e: Error & { code?: string }) => e.code === 'ECLOSED' && e.message === `job ${name} is closed`);
  }
  assert.throws(() => native.sampleJobs([job]), { code: 'ECLOSED' });
});

test('generated names are unique', { skip }, (t) => {
  const a = newJob(t, undefined as unknown as string);
  const b = native.createJob();
  t.after(() => b.close());
  assert.match(b.name, /^job-\d+-\d+$/);
  assert.notEqual(a.name, b.name);
  assert.notEqual(a.id, b.id);
});

test('assign moves a child in; pids() and NEW_PROCESS report it', { skip }, async (t) => {
  const job = newJob(t);
  const child = run('sleep', ['30']);
  job.assign(child.pid);
  assert.deepEqual(job.pids(), [child.pid]);
  assert.equal(groupIn(`/proc/${child.pid}/cgroup`, host.treeController), `${host.ownTree === '/' ? '' : host.ownTree}/jobscope/${job.name}`);
  // ... and in every v1 hierarchy the job has a cgroup in.
  for (const [c, parent] of Object.entries(host.v1Parents)) {
    const procs = `${parent}/${job.name}/cgroup.procs`;
    if (existsSync(procs)) assert.deepEqual(readFileSync(procs, 'utf8').trim().split('\n').map(Number), [child.pid], c);
  }
  await waitFor('NEW_PROCESS', () => eventsOf(job).some((n) => n.kind === 'NEW_PROCESS' && n.pid === child.pid));
  const stats = job.processorStats();
  assert.equal(stats.activeProcesses, 1);
  assert.equal(stats.totalProcesses, 1);
});

test('CPU time grows under a busy child', { skip }, async (t) => {
  const job = newJob(t);
  const child = run('sh', ['-c', 'read x; while :; do :; done'], 'pipe');
  job.assign(child.pid);
  // The job's counter must grow as much as the busy child's own (from /proc) once it is a member, however
  // loaded or slow (an emulated guest) the machine is: its start-up CPU before joining is not the job's.
  const childCpuUs = () => native.sampleJobs([job])[0].processes!.find((p) => p.pid === child.pid)?.cpuTimeUs ?? 0;
  const childBefore = childCpuUs();
  const before = job.processorStats();
  child.stdin!.write('go\n');
  for (const deadline = Date.now() + 20_000; childCpuUs() - childBefore < 300_000 && Date.now() < deadline; ) await sleep(50);
  // Stopped, the child's run time is folded into both counters (the scheduler accounts it when the task
  // leaves the CPU), so the two agree however late an emulated guest's ticks come; running, /proc would
  // include the current slice and cpu.stat would not yet.
  process.kill(child.pid, 'SIGSTOP');
  await waitFor('the child to stop', () => /^\S+ \(.*\) T /.test(readFileSync(`/proc/${child.pid}/stat`, 'utf8')));
  const childUsed = childCpuUs() - childBefore;
  const afterStats = job.processorStats();
  const used = afterStats.userTimeUs + afterStats.kernelTimeUs - before.userTimeUs - before.kernelTimeUs;
  // /proc counts in clock ticks (10 ms), cpu.stat in microseconds: allow a few ticks of difference.
  assert.ok(used >= childUsed - 30_000, `the busy child used ${childUsed} us as a member; the job counted ${used} us`);
  // A shell loop is user time on real hardware; an emulated guest's tick accounting can bill it as system
  // time, so only require that user time moved at all (a swapped or zero field would not).
  assert.ok(afterStats.userTimeUs > before.userTimeUs, 'user time grows');
  const [sample] = native.sampleJobs([job]);
  const row = sample.processes!.find((p) => p.pid === child.pid);
  assert.ok(row && row.cpuTimeUs >= 300_000, `per-process CPU ${row?.cpuTimeUs}`);
});

test('memory grows under an allocating child', { skip }, async (t) => {
  const job = newJob(t);
  const script =
    "process.stdin.once('data', () => { globalThis.b = Buffer.alloc(64 * 1024 * 1024, 1); console.log('ok'); setInterval(() => {}, 1000); });";
  const child = run(process.execPath, ['-e', script], 'pipe');
  job.assign(child.pid);
  const before = job.memoryStats();
  const pwsBefore = job.privateWorkingSet();
  child.stdin!.write('go\n');
  await once(child.stdout!, 'data');
  const mem = job.memoryStats();
  assert.equal(mem.source, native.hostInfo().memorySource);
  if (host.mirrorParent && native.hostInfo().memorySource === 'cgroup1') assert.equal(mem.source, 'cgroup1');
  const MiB = 1024 * 1024;
  assert.ok(mem.currentBytes - before.currentBytes >= 60 * MiB, `grew by ${(mem.currentBytes - before.currentBytes) / MiB} MiB`);
  assert.ok(mem.peakBytes !== null && mem.peakBytes >= mem.currentBytes);
  const pws = job.privateWorkingSet();
  assert.ok(pws - pwsBefore >= 60 * MiB, `anon grew by ${(pws - pwsBefore) / MiB} MiB`);
  const [sample] = native.sampleJobs([job]);
  assert.equal(sample.state, 'live');
  assert.equal(sample.jobId, job.id);
  assert.ok(Math.abs(sample.time - Date.now()) < 1000);
  assert.ok(sample.memory!.currentBytes >= 60 * MiB);
  assert.ok(sample.privateWorkingSetBytes! >= 60 * MiB);
  const row = sample.processes!.find((p) => p.pid === child.pid)!;
  assert.equal(row.name, 'node');
  assert.ok(row.residentBytes >= 64 * MiB, `rss ${row.residentBytes / MiB} MiB`);
});

test('sampleJobs returns a row per member for each job', { skip }, (t) => {
  const a = newJob(t);
  const b = newJob(t);
  const s1 = run('sleep', ['30']);
  const s2 = run('sleep', ['30']);
  const s3 = run('sleep', ['30']);
  a.assign(s1.pid);
  a.assign(s2.pid);
  b.assign(s3.pid);
  const [sa, sb] = native.sampleJobs([a, b]);
  assert.equal(sa.jobId, a.id);
  assert.equal(sb.jobId, b.id);
  assert.deepEqual(sa.processes!.map((p) => p.pid).sort(), [s1.pid, s2.pid].sort());
  assert.deepEqual(sb.processes!.map((p) => p.name), ['sleep']);
  assert.ok(sb.processes![0].residentBytes > 0);
  assert.equal(sa.processor!.activeProcesses, 2);
  assert.throws(() => native.sampleJobs([a, {} as Job]), TypeError);
  assert.throws(() => native.sampleJobs('x' as unknown as Job[]), TypeError);
});

// A quiet job (no CPU used since the last sample) is sampled from fewer files; what can change without its
// processes running must still show: a process moved in from outside, an outside freeze, the memory figures.
test('a quiet job\'s samples follow outside changes', { skip }, async (t) => {
  const job = newJob(t);
  const first = run('sleep', ['30']);
  job.assign(first.pid);
  // Only once `sleep` sleeps: an emulated guest can still be loading it, its memory charge still growing.
  await waitFor('sleep to sleep', () => /^\d+ \(sleep\) S /.test(readFileSync(`/proc/${first.pid}/stat`, 'utf8')), 5000);
  for (let i = 0; i < 3; i++) native.sampleJobs([job]);
  // The charge can move under a sleeping job between a sample and the full read after it (the kernel drains
  // per-CPU charge caches of up to 64 pages: seen in the pure-v2 guest), so they are compared until both
  // read the same charge; figures a quiet tick left stale would never match.
  const quiet = await waitFor(
    'a quiet tick with the figures a full read gives',
    () => {
      const [sample] = native.sampleJobs([job]);
      return isDeepStrictEqual(sample.memory, job.memoryStats()) && sample;
    },
    5000,
  );
  // Unchanged parts come back as the previous sample's objects (unpack-samples.js), changed ones as new.
  const [again] = native.sampleJobs([job]);
  assert.notEqual(again, quiet);
  assert.equal(again.processor, quiet.processor);
  assert.equal(again.processes, quiet.processes);

  const second = run('sleep', ['30']);
  writeFileSync(`${job.path}/cgroup.procs`, String(second.pid)); // not through assign(): from outside
  const [moved] = native.sampleJobs([job]);
  assert.deepEqual(moved.processes!.map((p) => p.pid).sort(), [first.pid, second.pid].sort());
  assert.notEqual(moved.processes, quiet.processes);
  assert.equal(quiet.processes!.length, 1, 'the earlier sample keeps its own rows');
  assert.notEqual(moved.processor, quiet.processor);
  // The poller reconciles with the list the sample read: one NEW_PROCESS, not a second one from its own round.
  const newOf = (pid: number) => eventsOf(job).filter((n) => n.kind === 'NEW_PROCESS' && n.pid === pid).length;
  await waitFor('NEW_PROCESS for the process moved in', () => newOf(second.pid) > 0);
  await sleep(1100);
  assert.equal(newOf(second.pid), 1);

  if (!existsSync(`${job.path}/cgroup.freeze`)) return; // v1 freezer: re-read on every tick anyway
  for (let i = 0; i < 3; i++) native.sampleJobs([job]);
  writeFileSync(`${job.path}/cgroup.freeze`, '1');
  await waitFor('the outside freeze in a sample', () => native.sampleJobs([job])[0].frozen === true, 2000);
  writeFileSync(`${job.path}/cgroup.freeze`, '0');
  await waitFor('the outside thaw in a sample', () => native.sampleJobs([job])[0].frozen === false, 2000);
});

test('exits: EXIT_PROCESS with the code, ABNORMAL_EXIT_PROCESS for SIGKILL, then ACTIVE_PROCESS_ZERO', { skip }, async (t) => {
  const job = newJob(t);
  const exiter = run('sh', ['-c', 'read x; exit 7'], 'pipe');
  const victim = run('sleep', ['30']);
  job.assign(exiter.pid);
  job.assign(victim.pid);
  const exited = once(exiter, 'exit');
  let start = Date.now();
  exiter.stdin!.write('bye\n');
  const exit = await waitFor('EXIT_PROCESS', () => eventsOf(job).find((n) => n.kind === 'EXIT_PROCESS'));
  assert.ok(Date.now() - start < 1000 * slow);
  assert.equal(exit.pid, exiter.pid);
  assert.equal(exit.exitCode, 7);
  assert.equal((await exited)[0], 7);
  start = Date.now();
  victim.kill('SIGKILL');
  const abnormal = await waitFor('ABNORMAL_EXIT_PROCESS', () =>
    eventsOf(job).find((n) => n.kind === 'ABNORMAL_EXIT_PROCESS'),
  );
  assert.equal(abnormal.pid, victim.pid);
  assert.equal(abnormal.signal, 9);
  assert.equal(abnormal.exitCode, 137);
  await waitFor('ACTIVE_PROCESS_ZERO', () => eventsOf(job).some((n) => n.kind === 'ACTIVE_PROCESS_ZERO'));
  assert.ok(Date.now() - start < 1000 * slow);
  await sleep(100); // nothing more may follow
  assert.deepEqual(
    eventsOf(job).map((n) => `${n.kind}:${n.pid}`),
    [
      `NEW_PROCESS:${exiter.pid}`,
      `NEW_PROCESS:${victim.pid}`,
      `EXIT_PROCESS:${exiter.pid}`,
      `ABNORMAL_EXIT_PROCESS:${victim.pid}`,
      'ACTIVE_PROCESS_ZERO:0',
    ],
  );
  const times = eventsOf(job).map((n) => n.time);
  assert.deepEqual(times, [...times].sort((x, y) => x - y));
  assert.equal(job.processorStats().totalProcesses, 2);
  assert.equal(job.processorStats().activeProcesses, 0);
});

test('forked grandchildren produce NEW_PROCESS and stay in the job', { skip }, async (t) => {
  const job = newJob(t);
  const parent = run('sh', ['-c', 'read x; sleep 30 & sleep 30 & echo started; wait'], 'pipe');
  job.assign(parent.pid);
  parent.stdin!.write('go\n');
  await once(parent.stdout!, 'data');
  const kids = await waitFor('two NEW_PROCESS for the forks', () => {
    const news = eventsOf(job).filter((n) => n.kind === 'NEW_PROCESS' && n.pid !== parent.pid);
    return news.length >= 2 && news;
  });
  const pids = job.pids();
  for (const k of kids) assert.ok(pids.includes(k.pid), `forked ${k.pid} is a member`);
  // NEW_PROCESS comes at fork time, before the child has exec'd sleep.
  for (const k of kids) await waitFor(`${k.pid} to exec sleep`, () => readFileSync(`/proc/${k.pid}/comm`, 'utf8').trim() === 'sleep');
  assert.equal(job.processorStats().totalProcesses, 3);
  // terminate kills every member, grandchildren included, and each exit is reported.
  job.terminate(3);
  await waitFor('the job to empty', () => job.pids().length === 0);
  await waitFor('ACTIVE_PROCESS_ZERO', () => eventsOf(job).some((n) => n.kind === 'ACTIVE_PROCESS_ZERO'));
  const abnormal = eventsOf(job).filter((n) => n.kind === 'ABNORMAL_EXIT_PROCESS');
  assert.deepEqual(abnormal.map((n) => n.pid).sort(), [parent.pid, ...kids.map((k) => k.pid)].sort());
  assert.ok(abnormal.every((n) => n.signal === 9));
  assert.equal(eventsOf(job).at(-1)!.kind, 'ACTIVE_PROCESS_ZERO');
});

test('terminate kills every member', { skip }, async (t) => {
  const job = newJob(t);
  // The shell forks its sleep only once it is in the job, so the job holds 4 processes.
  const kids = [run('sleep', ['30']), run('sleep', ['30']), run('sh', ['-c', 'read x; sleep 30; :'], 'pipe')];
  for (const k of kids) job.assign(k.pid);
  kids[2].stdin!.write('go\n');
  await waitFor('the forked sleep', () => job.pids().length === 4);
  assert.throws(() => job.terminate(-1), RangeError);
  assert.throws(() => job.terminate(2 ** 32), RangeError);
  assert.throws(() => job.terminate(1.5), RangeError);
  assert.throws(() => job.terminate('1' as unknown as number), TypeError);
  const exits = kids.map((k) => once(k, 'exit'));
  job.terminate(1);
  const results = await Promise.race([Promise.all(exits), sleep(1000 * slow).then(() => 'timeout' as const)]);
  assert.notEqual(results, 'timeout');
  for (const [, signal] of results as [number | null, string | null][]) assert.equal(signal, 'SIGKILL');
  await waitFor('the forked sleep to die too', () => job.pids().length === 0);
});

test('close with members throws EBUSY and keeps the job', { skip }, async (t) => {
  const job = newJob(t);
  const child = run('sleep', ['30']);
  job.assign(child.pid);
  assert.throws(
    () => job.close(),
    (e: Error & { code?: string }) =>
      e.code === 'EBUSY' && e.message.includes('1 process remains') && e.message.includes('terminate'),
  );
  assert.ok(existsSync(job.path));
  assert.deepEqual(job.pids(), [child.pid]);
  job.terminate();
  await waitFor('the job to empty', () => job.pids().length === 0);
  job.close(); // right after the last exit: rmdir's EBUSY window is retried
  assert.equal(existsSync(job.path), false);
});

test('bad pids are refused with the pid named', { skip }, async (t) => {
  const job = newJob(t);
  assert.throws(() => job.assign('12' as unknown as number), (e: Error) => e instanceof TypeError && e.message.includes("'12'"));
  assert.throws(() => job.assign(undefined as unknown as number), TypeError);
  assert.throws(() => job.assign(0), (e: Error) => e instanceof RangeError && /pid 0\b/.test(e.message));
  assert.throws(() => job.assign(-1), (e: Error) => e instanceof RangeError && e.message.includes('pid -1'));
  assert.throws(() => job.assign(1.5), (e: Error) => e instanceof RangeError && e.message.includes('pid 1.5'));
  assert.throws(() => job.assign(NaN), (e: Error) => e instanceof RangeError && e.message.includes('NaN'));
  assert.throws(() => job.assign(4194305), RangeError);
  const gone = run('true', []);
  await once(gone, 'exit');
  assert.throws(
    () => job.assign(gone.pid),
    (e: Error & { code?: string }) =>
      e.code === 'ESRCH' && e.message.includes(`pid ${gone.pid}`) && e.message.includes(job.name) && e.message.includes('exited'),
  );
  assert.deepEqual(job.pids(), []);
});

test('openJob refuses non-cgroups and missing paths, and opens real ones', { skip }, (t) => {
  assert.throws(
    () => native.openJob({ path: '/etc' }),
    (e: Error & { code?: string }) => e.code === 'ENOTCGROUP' && e.message.includes('/etc'),
  );
  assert.throws(
    () => native.openJob({ path: `/no-such-cgroup-${process.pid}` }),
    (e: Error & { code?: string }) => e.code === 'ENOENT' && e.message.includes(`no-such-cgroup-${process.pid}`),
  );
  assert.throws(() => native.openJob({ path: `${host.root}${'/..'.repeat(host.root.split('/').length - 1)}/etc` }), { code: 'ENOTCGROUP' });
  assert.throws(() => native.openJob({} as { path: string }), TypeError);
  assert.throws(() => native.openJob(undefined as unknown as { path: string }), TypeError);
  const created = newJob(t);
  const rel = created.path.slice(host.root.length);
  const opened = native.openJob({ path: rel });
  assert.equal(opened.path, created.path);
  assert.equal(opened.created, false);
  assert.equal(opened.name, created.name);
  assert.notEqual(opened.id, created.id);
  const child = run('sleep', ['30']);
  created.assign(child.pid);
  assert.deepEqual(opened.pids(), [child.pid]);
  assert.equal(opened.memoryStats().source, existsSync(`${created.path}/memory.current`) ? 'cgroup2' : host.layout === 'legacy' ? 'cgroup1' : 'procfs');
  opened.close(); // opened: stop watching only
  assert.ok(existsSync(created.path));
});

test('a cgroup removed outside JobScope samples as gone and still closes', { skip }, async (t) => {
  const job = newJob(t);
  const child = run('sleep', ['30']);
  job.assign(child.pid);
  child.kill('SIGKILL');
  await waitFor('the job to empty', () => job.pids().length === 0);
  await waitFor('rmdir', () => {
    try {
      rmdirSync(job.path);
      return true;
    } catch {
      return false;
    }
  });
  const [sample] = native.sampleJobs([job]);
  assert.equal(sample.state, 'gone');
  assert.equal(sample.processes, undefined);
  job.close();
  assert.equal(existsSync(`${host.mirrorParent}/${job.name}`), false);
});

test('listProcesses lists us with parent, user, command line, group, image path, CPU time and inJob', { skip }, async (t) => {
  const job = newJob(t);
  const member = run('sleep', ['30']);
  job.assign(member.pid);
  const list = await native.listProcesses();
  const me = list.find((p) => p.pid === process.pid);
  assert.ok(me);
  assert.equal(me.ppid, process.ppid);
  assert.equal(me.user, 'root');
  assert.ok(me.commandLine.includes(process.argv0) || me.commandLine.includes('node'));
  // Read now: on pure v2, createJob may have moved us into our cgroup's jobscope-service leaf.
  assert.equal(me.group, groupIn('/proc/self/cgroup', host.treeController));
  assert.ok(me.residentBytes > 10 * 1024 * 1024);
  assert.equal(me.imagePath, realpathSync(process.execPath));
  assert.ok(me.cpuTimeUs > 0, `our CPU time so far: ${me.cpuTimeUs}`);
  assert.equal(me.inJob, me.group !== '' && me.group !== '/');
  const inJob = list.find((p) => p.pid === member.pid);
  assert.equal(inJob?.inJob, true, `a job member is in a group (${inJob?.group})`);
  assert.equal(inJob?.imagePath, realpathSync(execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim()));
  const kthread = list.find((p) => p.pid === 2);
  if (kthread) assert.equal(kthread.commandLine, `[${kthread.name}]`);
  if (kthread?.name === 'kthreadd') assert.equal(kthread.imagePath, '', 'kernel threads have no executable');
  for (const p of list) {
    assert.ok(Number.isFinite(p.cpuTimeUs) && p.cpuTimeUs >= 0);
    assert.equal(p.inJob, p.group !== '' && p.group !== '/');
  }
  assert.ok(list.length > 5);
});

test('listJobs and listProcesses run on a worker thread: pending while it is busy, the event loop turning', { skip }, async (t) => {
  // A node of its own with one libuv worker thread, held in open() of a FIFO that has no writer yet. A listing
  // made on the JS thread would have settled by the time the timer fires; one queued for that thread cannot.
  const dir = mkdtempSync(join(tmpdir(), 'jobscope-fifo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const script = `
    const native = require(${JSON.stringify(require.resolve('#native'))});
    const fs = require('node:fs');
    const job = native.createJob({ name: ${JSON.stringify(jobName())} });
    const blocked = fs.promises.open(${JSON.stringify(fifo)}, 'r');
    const settled = [];
    const tree = native.listJobs().finally(() => settled.push('listJobs'));
    const list = native.listProcesses().finally(() => settled.push('listProcesses'));
    setTimeout(async () => {
      const whileBusy = [...settled];
      fs.closeSync(fs.openSync(${JSON.stringify(fifo)}, 'w')); // a writer: the worker thread's open() returns
      await (await blocked).close();
      const [entries, processes] = await Promise.all([tree, list]);
      job.close();
      const entry = entries.find((e) => e.path === job.path);
      console.log(JSON.stringify({ whileBusy, held: entry && entry.heldJobId === job.id, self: processes.some((p) => p.pid === process.pid) }));
    }, 100);`;
  const child = spawn(process.execPath, ['-e', script], {
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(out), { whileBusy: [], held: true, self: true });
});

test('listJobs and listProcesses calls in flight at once each resolve with the whole listing', { skip }, async (t) => {
  const job = newJob(t);
  const member = run('sleep', ['30']);
  job.assign(member.pid);
  const group = groupIn(`/proc/${member.pid}/cgroup`, host.treeController);
  const [trees, lists] = await Promise.all([
    Promise.all(Array.from({ length: 4 }, () => native.listJobs())),
    Promise.all(Array.from({ length: 4 }, () => native.listProcesses())),
  ]);
  for (const tree of trees) {
    const entry = tree.find((e) => e.path === job.path);
    assert.deepEqual([entry?.heldJobId, entry?.processCount], [job.id, 1]);
    assert.ok(tree.some((e) => e.parent === null && e.path === host.root), 'from the root down');
  }
  for (const list of lists) {
    assert.equal(list.find((p) => p.pid === member.pid)?.group, group);
    assert.ok(list.some((p) => p.pid === process.pid));
  }
});

test('listJobs on a host without cgroup hierarchies rejects with the error it threw when it was synchronous', { skip }, () => {
  // A mount namespace of its own with every cgroup hierarchy unmounted, as in a container without /sys/fs/cgroup.
  const script = `require(${JSON.stringify(require.resolve('#native'))}).listJobs().then(
    (tree) => console.log(JSON.stringify({ resolved: tree.length })),
    (e) => console.log(JSON.stringify({ isError: e instanceof Error, code: e.code, message: e.message })));`;
  const unmountAll = `for m in $(grep -E ' - cgroup2? ' /proc/self/mountinfo | cut -d' ' -f5 | sort -r); do umount -l "$m" || exit 1; done; exec "$0" -e "$1"`;
  const out = execFileSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', unmountAll, process.execPath, script], {
    encoding: 'utf8',
  });
  assert.deepEqual(JSON.parse(out), {
    isError: true,
    code: 'ENOTSUP',
    message: 'cannot list jobs: no cgroup2 hierarchy and no v1 memory, cpu, blkio, pids or freezer hierarchy is mounted on this host (ENOTSUP)',
  });
});

test('without the proc connector, pidfds report exits (and the event loop is not held)', { skip }, async () => {
  // A separate node process, because the exit-event source is chosen once per addon load.
  const script = `
    const native = require(${JSON.stringify(require.resolve('#native'))});
    const { spawn } = require('node:child_process');
    const events = [];
    native.startNotifications((batch) => events.push(...batch));
    const job = native.createJob({ name: ${JSON.stringify(jobName())} });
    const child = spawn('sh', ['-c', 'read x; exit 3'], { stdio: ['pipe', 'ignore', 'inherit'] });
    job.assign(child.pid);
    child.stdin.write('go\\n');
    const start = Date.now();
    const poll = setInterval(() => {
      if (!events.some((e) => e.kind === 'ACTIVE_PROCESS_ZERO') && Date.now() - start < ${2000 * slow}) return;
      clearInterval(poll);
      job.close();
      console.log(JSON.stringify({ host: native.hostInfo().exitEvents, pid: child.pid, events }));
    }, 20);`;
  const child = spawn(process.execPath, ['-e', script], {
    env: { ...process.env, JOBSCOPE_EXIT_EVENTS: 'pidfd' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const [code] = await once(child, 'exit'); // exits by itself: notifications do not hold the loop
  assert.equal(code, 0);
  const result = JSON.parse(out) as { host: string; pid: number; events: Notification[] };
  assert.equal(result.host, 'pidfd');
  assert.deepEqual(
    result.events.map((e) => [e.kind, e.pid, e.exitCode]),
    [
      ['NEW_PROCESS', result.pid, undefined],
      ['EXIT_PROCESS', result.pid, undefined],
      ['ACTIVE_PROCESS_ZERO', 0, undefined],
    ],
  );
});
