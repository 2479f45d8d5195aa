// Limits, IO, launch, freeze, nested jobs and the kernel-file parsers, against real cgroups.
// Adapts to the host: each assertion reads the v2 file where the job's controller is on v2 and
// the v1 file where it is on a v1 hierarchy; what cannot run here is skipped with the reason.
// Needs root. Run: npx tsx --test native/test/linux-limits.test.ts
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as native from '#native';
import type { Job, JobLimits, Notification } from '#native';

const skip = process.platform !== 'linux' ? 'Linux only' : process.getuid?.() !== 0 ? 'needs root' : false;

// Our own directory in every hierarchy, read independently of the addon.
function detect() {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n').map((l) => l.split(' '));
  const tail = (w: string[]) => w.slice(w.indexOf('-') + 1);
  const own = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n').map((l) => l.split(':'));
  const join2 = (a: string, b: string) => (b === '/' ? a : a + b);
  const v2 = mounts.find((w) => tail(w)[0] === 'cgroup2');
  const v1: Record<string, string> = {};
  for (const w of mounts.filter((m) => tail(m)[0] === 'cgroup')) {
    for (const c of tail(w)[2].split(',')) {
      const line = own.find((p) => p[1].split(',').includes(c));
      if (line && ['memory', 'cpu', 'cpuacct', 'blkio', 'pids', 'freezer'].includes(c)) v1[c] = join2(w[4], line[2]) + '/jobscope';
    }
  }
  const ownV2 = own.find((p) => p[0] === '0' && p[1] === '')?.[2] ?? '/';
  // Where job paths are: cgroup2, or on v1-only hosts the first v1 hierarchy we use (memory).
  const treeController = ['memory', 'cpu', 'cpuacct', 'blkio', 'pids', 'freezer'].find((c) => v1[c]);
  const root = v2 ? v2[4] : mounts.find((w) => tail(w)[0] === 'cgroup' && tail(w)[2].split(',').includes(treeController!))?.[4] ?? '';
  return { v2Mount: v2?.[4] ?? '', root, v2Parent: v2 ? join2(v2[4], ownV2) + '/jobscope' : '', v1 };
}
const host = skip ? { v2Mount: '', root: '', v2Parent: '', v1: {} as Record<string, string> } : detect();
const prefix = `l${process.pid}-`;
let seq = 0;
const jobName = () => `${prefix}${++seq}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

const received: Notification[] = [];
before(() => {
  if (!skip) native.startNotifications((batch) => received.push(...batch));
});
after(() => {
  if (skip) return;
  native.stopNotifications();
  // Nothing left behind in any hierarchy.
  for (const dir of [host.v2Parent, ...Object.values(host.v1)]) {
    if (dir && existsSync(dir)) assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith(prefix)), [], dir);
  }
});

// Waits are for events, not measurements: generous on a loaded machine, and stretched further in the
// TCG guest of test:guest, which runs code 7-13x slower (as for linux.test.ts).
const slow = Number(process.env.JOBSCOPE_TEST_TIME_SCALE) || 1;

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  timeoutMs *= slow;
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}
const eventsOf = (job: Job) => received.filter((n) => n.jobId === job.id);

function newJob(t: TestContext, limits?: Partial<JobLimits>): Job {
  let job: Job;
  try {
    job = native.createJob({ name: jobName(), limits });
  } catch (e) {
    // A limit whose controller this host cannot give our jobs (pure v2 from a cgroup that shares its
    // processes: "no internal processes") fails creation with ENOTSUP and the reason. The job itself can
    // still be made, and limits().unsupported gives that same reason, so the test skips with it.
    if ((e as { code?: string }).code !== 'ENOTSUP' || !limits) throw e;
    job = native.createJob({ name: jobName() });
    const why = Object.entries(job.limits().unsupported).filter(([f]) => f in limits);
    assert.ok(why.some(([, reason]) => (e as Error).message.includes(reason!)), `${(e as Error).message} names one of ${JSON.stringify(why)}`);
  }
  t.after(async () => {
    try {
      job.terminate();
      await waitFor('the job to empty', () => job.pids().length === 0);
      job.close();
    } catch (e) {
      if ((e as { code?: string }).code !== 'ECLOSED') throw e;
    }
  });
  return job;
}

// The job's directory for a controller: v2 when the file exists there, else the v1 mirror.
function fileOf(job: Job, v2File: string, v1Controller: string, v1File: string): string | undefined {
  if (existsSync(`${job.path}/${v2File}`)) return `${job.path}/${v2File}`;
  const base = host.v1[v1Controller];
  if (base && existsSync(`${base}/${job.name}/${v1File}`)) return `${base}/${job.name}/${v1File}`;
  return undefined;
}
const keyed = (text: string, key: string) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}

let tmp = '';
before(() => {
  // /var/tmp is usually on a real disk (the IO cap test needs one); a minimal guest may lack it.
  if (!skip) tmp = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'jobscope-test-'));
});
after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// ---- parsers (pure; no root needed) ----

test('parseMax: "max" is no limit, numbers are numbers, torn text is an error', () => {
  assert.equal(native.__test.parseMax('max\n'), null);
  assert.equal(native.__test.parseMax('max'), null);
  assert.equal(native.__test.parseMax('104857600\n'), 104857600);
  assert.throws(() => native.__test.parseMax(''), { code: 'EINVAL' });
  assert.throws(() => native.__test.parseMax('10 4'), { code: 'EINVAL' });
  assert.throws(() => native.__test.parseMax('ma'), { code: 'EINVAL' });
});

test('parseIoStat: several devices, missing keys, an (unknown) device and a torn line', () => {
  const text = [
    '254:0 rbytes=4096 wbytes=1048576 rios=1 wios=16 dbytes=0 dios=0',
    '8:16 rbytes=100 rios=2',
    '(unknown) rbytes=999 wbytes=999 rios=9 wios=9',
    '253:0',
    '7:0 rbytes=abc wbytes=10 rios= wios=1',
    '',
  ].join('\n');
  const s = native.__test.parseIoStat(text, 'io.stat');
  assert.equal(s.tracking, 'on');
  assert.deepEqual(
    s.devices.map((d) => [d.device, d.readBytes, d.writeBytes, d.readOps, d.writeOps]),
    [
      ['254:0', 4096, 1048576, 1, 16],
      ['8:16', 100, 0, 2, 0],
      ['7:0', 0, 10, 0, 1],
    ],
  );
  assert.deepEqual([s.readBytes, s.writeBytes, s.readOps, s.writeOps], [4196, 1048586, 3, 17]);
  assert.equal(native.__test.parseIoStat('', 'io.stat').devices.length, 0);
});

test('parseIoStat (v1 blkio): Read/Write lines per device, Total ignored', () => {
  const bytes = '254:0 Read 8192\n254:0 Write 2097152\n254:0 Sync 0\n254:0 Total 2105344\nTotal 2105344\n';
  const ops = '254:0 Read 2\n254:0 Write 32\n254:0 Total 34\nTotal 34\n';
  const s = native.__test.parseIoStat(`${bytes}--\n${ops}`, 'blkio');
  assert.deepEqual(s.devices, [{ device: '254:0', readBytes: 8192, writeBytes: 2097152, readOps: 2, writeOps: 32 }]);
  assert.equal(s.writeBytes, 2097152);
});

test('parseCpuStat: v2 microseconds, v1 nanoseconds, none without a cpu controller', () => {
  const v2 = 'usage_usec 100\nuser_usec 60\nsystem_usec 40\nnr_periods 50\nnr_throttled 45\nthrottled_usec 123456\n';
  assert.deepEqual(native.__test.parseCpuStat(v2, 'v2'), { periods: 50, throttledPeriods: 45, throttledTimeUs: 123456 });
  const v1 = 'nr_periods 10\nnr_throttled 9\nthrottled_time 5000000\n';
  assert.deepEqual(native.__test.parseCpuStat(v1, 'v1'), { periods: 10, throttledPeriods: 9, throttledTimeUs: 5000 });
  assert.deepEqual(native.__test.parseCpuStat('usage_usec 1\n', 'v2'), { periods: 0, throttledPeriods: 0, throttledTimeUs: 0 });
});

// ---- argument checks ----

test('bad limit values are refused, naming the field, before any change', { skip }, (t) => {
  const job = newJob(t);
  const before = job.limits().limits;
  const range = (changes: object, field: string) =>
    assert.throws(
      () => job.setLimits(changes as Partial<JobLimits>),
      (e: Error) => e instanceof RangeError && e.message.includes(field),
      JSON.stringify(changes),
    );
  range({ cpuRate: 0 }, 'cpuRate');
  range({ cpuRate: 10001 }, 'cpuRate');
  range({ cpuRate: 1.5 }, 'cpuRate');
  range({ cpuRate: NaN }, 'cpuRate');
  range({ cpuWeight: 10 }, 'cpuWeight');
  range({ memoryBytes: -1 }, 'memoryBytes');
  range({ activeProcesses: 0 }, 'activeProcesses');
  range({ affinity: '0' }, 'affinity');
  range({ memoryBytes: 64 * MiB, cpuRate: 0 }, 'cpuRate'); // nothing applied: checked first
  assert.throws(() => job.setLimits({ memoryBytes: '12' as unknown as number }), (e: Error) => e instanceof TypeError && e.message.includes('memoryBytes') && e.message.includes("'12'"));
  assert.throws(() => job.setLimits({ killOnClose: 1 as unknown as boolean }), TypeError);
  assert.throws(() => job.setLimits({ cpuRat: 5 } as unknown as Partial<JobLimits>), (e: Error) => e instanceof TypeError && e.message.includes('cpuRat'));
  assert.throws(() => job.setLimits(undefined as unknown as Partial<JobLimits>), TypeError);
  assert.throws(() => native.createJob({ name: jobName(), limits: { cpuRate: 0 } }), RangeError);
  assert.deepEqual(job.limits().limits, before);
  // Windows-only fields: null/false accepted, a value refused with the reason.
  const report = job.limits();
  assert.ok(report.unsupported.processMemoryBytes && report.unsupported.killOnClose && report.unsupported.affinity);
  assert.throws(() => job.setLimits({ killOnClose: true }), { code: 'ENOTSUP' });
  assert.throws(() => job.setLimits({ processMemoryBytes: MiB }), (e: Error & { code?: string }) => e.code === 'ENOTSUP' && e.message.includes('processMemoryBytes'));
  job.setLimits({ killOnClose: false, affinity: null, processMemoryBytes: null });
});

test('limits read back from the kernel files, and null clears them', { skip }, (t) => {
  const job = newJob(t, { memoryBytes: 256 * MiB, cpuRate: 5000 });
  const r = job.limits();
  const supported = (f: keyof JobLimits) => !r.unsupported[f];
  // hostInfo says where each controller lives; the job's files agree.
  const placed = native.hostInfo().controllers!;
  const on = (v2File: string, v1: string) => (existsSync(`${job.path}/${v2File}`) ? 'v2' : host.v1[v1] && existsSync(`${host.v1[v1]}/${job.name}`) ? 'v1' : 'none');
  assert.deepEqual(
    { memory: placed.memory, cpu: placed.cpu, io: placed.io, pids: placed.pids },
    { memory: on('memory.max', 'memory'), cpu: on('cpu.max', 'cpu'), io: on('io.max', 'blkio'), pids: on('pids.max', 'pids') },
  );
  if (supported('memoryBytes')) {
    assert.equal(r.limits.memoryBytes, 256 * MiB);
    const file = fileOf(job, 'memory.max', 'memory', 'memory.limit_in_bytes')!;
    assert.equal(Number(readFileSync(file, 'utf8')), 256 * MiB, file);
  } else t.diagnostic(`memoryBytes unsupported: ${r.unsupported.memoryBytes}`);
  if (supported('cpuRate')) {
    assert.equal(r.limits.cpuRate, 5000);
    const quota = (5000 / 10000) * cpus().length * 100000;
    const v2 = `${job.path}/cpu.max`;
    if (existsSync(v2)) assert.equal(readFileSync(v2, 'utf8').trim(), `${quota} 100000`);
    else assert.equal(Number(readFileSync(`${host.v1.cpu}/${job.name}/cpu.cfs_quota_us`, 'utf8')), quota);
  } else t.diagnostic(`cpuRate unsupported: ${r.unsupported.cpuRate}`);
  // A limit this job cannot have is refused with the reason limits() gives; the others are set together.
  const only = <T extends Partial<JobLimits>>(limits: T) => Object.fromEntries(Object.entries(limits).filter(([f]) => supported(f as keyof JobLimits))) as T;
  const wanted = { cpuWeight: 9, activeProcesses: 50, maxIops: 500, maxBandwidthBytes: 10 * MiB };
  for (const [f, v] of Object.entries(wanted) as [keyof JobLimits, number][]) {
    if (!supported(f)) assert.throws(() => job.setLimits({ [f]: v }), (e: Error & { code?: string }) => e.code === 'ENOTSUP' && e.message.includes(r.unsupported[f]!), f);
  }
  const set = job.setLimits(only(wanted));
  for (const [f, v] of [['cpuWeight', 9], ['activeProcesses', 50], ['maxIops', 500], ['maxBandwidthBytes', 10 * MiB]] as const) {
    if (supported(f)) assert.equal(set.limits[f], v, f);
  }
  if (supported('cpuWeight')) {
    const w = fileOf(job, 'cpu.weight', 'cpu', 'cpu.shares')!;
    assert.equal(Number(readFileSync(w, 'utf8')), w.endsWith('cpu.weight') ? 1000 : 10240);
  }
  if (supported('maxIops')) {
    assert.ok(set.ioDevices.length > 0);
    const dev = set.ioDevices[0].split(' ')[0];
    const v2 = `${job.path}/io.max`;
    if (existsSync(v2)) assert.match(readFileSync(v2, 'utf8'), new RegExp(`^${dev} rbps=${10 * MiB} wbps=${10 * MiB} riops=500 wiops=500`, 'm'));
    else assert.match(readFileSync(`${host.v1.blkio}/${job.name}/blkio.throttle.write_iops_device`, 'utf8'), new RegExp(`^${dev} 500$`, 'm'));
  }
  const cleared = job.setLimits(only({ memoryBytes: null, cpuRate: null, cpuWeight: null, activeProcesses: null, maxIops: null, maxBandwidthBytes: null }));
  assert.deepEqual(cleared.limits, {
    cpuRate: null, cpuWeight: null, memoryBytes: null, processMemoryBytes: null, activeProcesses: null,
    maxIops: null, maxBandwidthBytes: null, affinity: null, killOnClose: false,
  });
});

test('a limit the kernel refuses part-way puts back the limits that call set before it', { skip }, async (t) => {
  const job = newJob(t);
  const memFile = `${host.v1.memory}/${job.name}/memory.limit_in_bytes`;
  // The refusal used: v1 memory.limit_in_bytes below what the group uses answers EBUSY when nothing can be
  // reclaimed. v2's memory.max takes any value (it OOM-kills instead), and swap would make room.
  if (existsSync(`${job.path}/memory.max`) || !existsSync(memFile)) return t.skip('needs the memory controller on v1 (v2 memory.max never refuses a value)');
  if (readFileSync('/proc/swaps', 'utf8').trim().split('\n').length > 1) return t.skip('needs a host without swap (with swap the kernel makes room)');
  const unsupported = job.limits().unsupported;
  if (unsupported.cpuRate || unsupported.cpuWeight) return t.skip(`needs CPU limits, set before memory: ${unsupported.cpuRate}`);
  job.launch({ file: process.execPath, args: ['-e', "globalThis.b = Buffer.alloc(64 * 1024 * 1024, 1); require('fs').writeFileSync(process.argv[1], 'ok'); setInterval(() => {}, 1000);", join(tmp, 'hold.txt')] });
  await waitFor('the allocation', () => existsSync(join(tmp, 'hold.txt')), 5000);
  job.setLimits({ cpuRate: 5000, cpuWeight: 3 });
  // What the kernel holds, read from its files: none of it may change.
  const files = [
    fileOf(job, 'cpu.max', 'cpu', 'cpu.cfs_quota_us')!,
    fileOf(job, 'cpu.max', 'cpu', 'cpu.cfs_period_us')!,
    fileOf(job, 'cpu.weight', 'cpu', 'cpu.shares')!,
    memFile,
    ...(unsupported.activeProcesses ? [] : [fileOf(job, 'pids.max', 'pids', 'pids.max')!]),
  ];
  const kernel = () => Object.fromEntries(files.map((f) => [f, readFileSync(f, 'utf8')]));
  const before = { files: kernel(), limits: job.limits().limits };

  assert.throws(
    () => job.setLimits({ cpuRate: 2000, cpuWeight: 9, memoryBytes: 16 * MiB, ...(unsupported.activeProcesses ? {} : { activeProcesses: 5 }) }),
    (e: Error & { code?: string }) => {
      t.diagnostic(e.message);
      assert.equal(e.code, 'EBUSY');
      assert.match(e.message, new RegExp(`^cannot set memoryBytes of job ${job.name} \\(writing '${16 * MiB}' to ${memFile}\\): .*\\(EBUSY\\), as the job uses more memory than that`));
      assert.match(e.message, /; cpuRate and cpuWeight, set before it in this call, were restored, so nothing was changed$/);
      return true;
    },
  );
  assert.deepEqual(kernel(), before.files);
  assert.deepEqual(job.limits().limits, before.limits);
  assert.equal(job.pids().length, 1, 'the member lives on');
  // The same limits without the refused one are taken.
  assert.equal(job.setLimits({ cpuRate: 2000, cpuWeight: 9 }).limits.cpuWeight, 9);
});

test('a first limit the kernel refuses changes nothing, not even the part of it already written', { skip }, (t) => {
  const parent = newJob(t, { cpuRate: 1000 });
  // The refusal used: on v1 a child's cpu.cfs_quota_us above its parent's is EINVAL, after cpuRate's first
  // write (cpu.cfs_period_us) went through. On v2 cpu.max takes it (the parent's cap applies anyway).
  const dir = `${host.v1.cpu}/${parent.name}/inner`;
  if (existsSync(`${parent.path}/cpu.max`) || !existsSync(`${host.v1.cpu}/${parent.name}/cpu.cfs_quota_us`)) return t.skip('needs the cpu controller on v1');
  const child = parent.createChild({ name: 'inner' });
  try {
    writeFileSync(`${dir}/cpu.cfs_period_us`, '50000'); // not JobScope's period, so a rewrite would show
    const pids = `${host.v1.pids}/${parent.name}/inner/pids.max`;
    const files = [`${dir}/cpu.cfs_period_us`, `${dir}/cpu.cfs_quota_us`, ...(existsSync(pids) ? [pids] : [])];
    const kernel = () => Object.fromEntries(files.map((f) => [f, readFileSync(f, 'utf8')]));
    const before = kernel();
    assert.throws(
      () => child.setLimits({ cpuRate: 5000, activeProcesses: 5 }),
      (e: Error & { code?: string }) => {
        t.diagnostic(e.message);
        assert.equal(e.code, 'EINVAL');
        assert.match(e.message, new RegExp(`^cannot set cpuRate of job inner \\(writing '\\d+' to ${dir}/cpu.cfs_quota_us\\): .*\\(EINVAL\\); nothing was changed$`));
        return true;
      },
    );
    assert.deepEqual(kernel(), before);
  } finally {
    child.close(); // before the parent's own cleanup, which cannot remove a cgroup that has a child
  }
});

// ---- launch ----

test('launch puts the program in every cgroup of the job from its first instruction', { skip }, async (t) => {
  const job = newJob(t);
  const out = join(tmp, 'cgroup.txt');
  const pid = job.launch({ file: 'sh', args: ['-c', 'cat /proc/self/cgroup > "$1"; echo "$FOO $PWD" >> "$1"', 'sh', out], cwd: tmp, env: { FOO: 'bar', PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  assert.ok(pid > 0);
  await waitFor('the output', () => existsSync(out) && readFileSync(out, 'utf8').includes('bar'));
  const text = readFileSync(out, 'utf8');
  if (host.v2Mount) assert.match(text, new RegExp(`^0::${job.path.slice(host.v2Mount.length)}$`, 'm'));
  for (const [c, base] of Object.entries(host.v1)) {
    if (existsSync(`${base}/${job.name}`)) assert.match(text, new RegExp(`^\\d+:(?:[^:]*,)?${c}[,:].*/jobscope/${job.name}$`, 'm'), c);
  }
  assert.match(text, new RegExp(`^bar ${tmp}$`, 'm'));
  await waitFor('EXIT_PROCESS of the launched pid', () => eventsOf(job).find((n) => n.kind === 'EXIT_PROCESS' && n.pid === pid));
  assert.ok(eventsOf(job).some((n) => n.kind === 'NEW_PROCESS' && n.pid === pid));
  // No zombie is left to JobScope: the program was never our child (whoever it was reparented
  // to reaps it, or, in a container whose pid 1 does not reap, keeps it).
  if (existsSync(`/proc/${pid}/status`)) {
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    assert.notEqual(ppid, process.pid);
  }
  assert.throws(() => job.launch({ file: `no-such-program-${process.pid}` }), (e: Error & { code?: string }) => e.code === 'ENOENT' && e.message.includes(`no-such-program-${process.pid}`));
  assert.throws(() => job.launch({ file: `/no/such/${process.pid}` }), (e: Error & { code?: string }) => e.code === 'ENOENT' && e.message.includes(`/no/such/${process.pid}`));
  const noexec = join(tmp, 'noexec.sh');
  writeFileSync(noexec, '#!/bin/sh\n', { mode: 0o644 });
  assert.throws(() => job.launch({ file: noexec }), { code: 'EACCES' });
  assert.throws(() => job.launch({ file: 'sh', cwd: `/no/such/dir-${process.pid}` }), (e: Error & { code?: string }) => e.code === 'ENOENT' && e.message.includes('dir-'));
  assert.throws(() => job.launch({ file: 5 } as unknown as { file: string }), (e: Error) => e instanceof TypeError && e.message.includes('options.file'));
  assert.throws(() => job.launch({ file: 'sh', args: [1] } as unknown as { file: string }), (e: Error) => e instanceof TypeError && e.message.includes('args[0]'));
});

// ---- memory ----

test('a memory limit trips an OOM kill: JOB_MEMORY_LIMIT and ABNORMAL_EXIT_PROCESS (9), matching the kernel counter', { skip }, async (t) => {
  const job = newJob(t, { memoryBytes: 32 * MiB });
  if (job.limits().unsupported.memoryBytes) return t.skip(`memoryBytes unsupported: ${job.limits().unsupported.memoryBytes}`);
  const counterFile = fileOf(job, 'memory.events', 'memory', 'memory.oom_control')!;
  assert.ok(counterFile, 'memory.events or memory.oom_control');
  // tail keeps a whole "line" of /dev/zero in anonymous memory: it grows until killed.
  const pid = job.launch({ file: 'sh', args: ['-c', 'head -c 200000000 /dev/zero | tail; sleep 0.1'] });
  const killed = await waitFor('ABNORMAL_EXIT_PROCESS', () => eventsOf(job).find((n) => n.kind === 'ABNORMAL_EXIT_PROCESS'), 5000);
  assert.equal(killed.signal, 9);
  // The kernel's OOM killer picks the victim (usually the growing tail; in the emulated guest it has
  // picked the shell): assert only that it is one of the processes launched into this job.
  assert.ok(eventsOf(job).some((n) => n.kind === 'NEW_PROCESS' && n.pid === killed.pid) || killed.pid === pid, `pid ${killed.pid} was a member`);
  await waitFor('JOB_MEMORY_LIMIT', () => eventsOf(job).some((n) => n.kind === 'JOB_MEMORY_LIMIT'));
  await waitFor('ACTIVE_PROCESS_ZERO', () => eventsOf(job).some((n) => n.kind === 'ACTIVE_PROCESS_ZERO'), 3000);
  await sleep(1100); // one reconcile round: anything missed would show up now
  const oomKills = keyed(readFileSync(counterFile, 'utf8'), 'oom_kill');
  const reported = eventsOf(job).filter((n) => n.kind === 'JOB_MEMORY_LIMIT').length;
  t.diagnostic(`oom_kill ${oomKills} (${counterFile}), JOB_MEMORY_LIMIT ${reported}`);
  assert.ok(oomKills >= 1);
  assert.equal(reported, oomKills);
  const mem = job.memoryStats();
  assert.ok(mem.peakBytes === null || (mem.peakBytes > 16 * MiB && mem.peakBytes <= 33 * MiB), `peak ${mem.peakBytes}`);
});

test('memory of a launched allocator: current, anon/file split, private working set', { skip }, async (t) => {
  const job = newJob(t);
  const pid = job.launch({ file: process.execPath, args: ['-e', "globalThis.b = Buffer.alloc(80 * 1024 * 1024, 1); require('fs').writeFileSync(process.argv[1], 'ok'); setInterval(() => {}, 1000);", join(tmp, 'alloc.txt')] });
  await waitFor('the allocation', () => existsSync(join(tmp, 'alloc.txt')), 5000);
  const [s] = native.sampleJobs([job]);
  assert.ok(s.processes!.some((p) => p.pid === pid));
  const m = s.memory!;
  t.diagnostic(`source ${m.source} current ${(m.currentBytes / MiB).toFixed(1)} MiB anon ${((m.anonBytes ?? 0) / MiB).toFixed(1)} file ${((m.fileBytes ?? 0) / MiB).toFixed(1)}`);
  assert.ok(m.currentBytes >= 80 * MiB);
  if (m.source !== 'procfs') {
    assert.ok(m.anonBytes !== null && m.anonBytes >= 80 * MiB);
    assert.ok(m.fileBytes !== null && m.fileBytes >= 0);
    assert.equal(s.privateWorkingSetBytes, m.anonBytes);
  }
});

// ---- processes ----

test('a process-count limit refuses forks: ACTIVE_PROCESS_LIMIT per refused fork, matching pids.events max', { skip }, async (t) => {
  // The interpreter itself, not a wrapper (pyenv's shim is a shell script that forks).
  let python: string | undefined;
  try {
    python = which('python3') && execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  } catch {
    python = undefined;
  }
  if (!python) return t.skip('python3 not found: it counts refused forks without retrying them (shells retry or abort)');
  const job = newJob(t, { activeProcesses: 3 });
  if (job.limits().unsupported.activeProcesses) return t.skip(`activeProcesses unsupported: ${job.limits().unsupported.activeProcesses}`);
  const out = join(tmp, 'forks.txt');
  const script = [
    'import os, sys, time',
    'refused = 0',
    'for i in range(8):',
    '    try:',
    '        if os.fork() == 0:',
    '            time.sleep(1.5); os._exit(0)',
    '    except OSError:',
    '        refused += 1',
    "open(sys.argv[1], 'w').write(str(refused))",
    'time.sleep(0.2)',
  ].join('\n');
  job.launch({ file: python, args: ['-c', script, out] });
  const refused = Number(await waitFor('the fork count', () => existsSync(out) && readFileSync(out, 'utf8'), 5000));
  const pidsEvents = fileOf(job, 'pids.events', 'pids', 'pids.events')!;
  await waitFor('ACTIVE_PROCESS_LIMIT', () => eventsOf(job).filter((n) => n.kind === 'ACTIVE_PROCESS_LIMIT').length >= refused, 2500);
  const max = keyed(readFileSync(pidsEvents, 'utf8'), 'max');
  const reported = eventsOf(job).filter((n) => n.kind === 'ACTIVE_PROCESS_LIMIT').length;
  t.diagnostic(`refused forks ${refused}, pids.events max ${max}, ACTIVE_PROCESS_LIMIT ${reported}`);
  assert.ok(refused >= 5, `python + at most 2 children: ${refused} forks refused`);
  assert.equal(max, refused);
  assert.equal(reported, refused);
  const started = eventsOf(job).filter((n) => n.kind === 'NEW_PROCESS').length;
  assert.equal(started, 1 + (8 - refused), 'NEW_PROCESS for python and each fork that succeeded');
});

// ---- CPU ----

test('a CPU cap of 20% of all CPUs holds usage near the cap and shows throttling', { skip }, async (t) => {
  const job = newJob(t, { cpuRate: 2000 });
  if (job.limits().unsupported.cpuRate) return t.skip(`cpuRate unsupported: ${job.limits().unsupported.cpuRate}`);
  const n = cpus().length;
  job.launch({ file: 'sh', args: ['-c', Array.from({ length: n }, () => 'while :; do :; done &').join(' ') + ' wait'] });
  await sleep(300);
  const [a] = native.sampleJobs([job]);
  // Other work on the machine can keep the loops below the cap for a while (no throttling then): sample
  // until the cap has bitten a few times, for at most 10 s; the assertions below still decide.
  let b = a;
  for (const end = Date.now() + 10_000; Date.now() < end; ) {
    await sleep(500);
    [b] = native.sampleJobs([job]);
    const throttled = (b.cpuThrottling?.throttledPeriods ?? 0) - (a.cpuThrottling?.throttledPeriods ?? 0);
    if (b.time - a.time >= 1500 && throttled >= 5) break;
  }
  const used = b.processor!.userTimeUs + b.processor!.kernelTimeUs - a.processor!.userTimeUs - a.processor!.kernelTimeUs;
  const pctAll = (used / 1000 / (b.time - a.time) / n) * 100;
  const th = b.cpuThrottling!;
  t.diagnostic(`${n} busy loops under cpuRate 2000: ${pctAll.toFixed(1)}% of all CPUs; throttled ${th.throttledPeriods}/${th.periods} periods, ${th.throttledTimeUs} us`);
  // The cap must hold (the upper bound); the loops may get less than the cap when other work competes
  // for the CPUs, so the lower bound only shows they ran, and throttling below shows the cap was the limit.
  assert.ok(pctAll > 5 && pctAll < 24, `usage ${pctAll.toFixed(1)}% of all CPUs`);
  assert.ok(th, 'cpuThrottling in the sample');
  assert.ok(th.periods - a.cpuThrottling!.periods >= 10);
  assert.ok(th.throttledPeriods - a.cpuThrottling!.throttledPeriods >= 5, 'throttled periods grow');
  assert.ok(th.throttledTimeUs > a.cpuThrottling!.throttledTimeUs);
});

// ---- IO ----

// Before any IO cap: since Linux 6.10 a disk's v1 blkio counters stay at zero until a limit is first written
// for that disk, so on a fresh boot of a hybrid or v1 host this fails unless the addon sets that up itself.
// Before Linux 6.3 v1 counted only the IO of cgroups with a limit in that direction (the 6.1 guest shows it).
test('direct writes of a job without IO limits are counted, and no limit appears', { skip }, async (t) => {
  const job = newJob(t, {});
  const report = job.limits();
  const tracking = job.ioStats().tracking;
  if (tracking !== 'on') return t.skip(`IO tracking is ${tracking} here: ${report.unsupported.maxIops}`);
  const [major, minor] = release().split('.').map(Number);
  if (host.v1.blkio && (major < 6 || (major === 6 && minor < 3))) {
    return t.skip(`Linux ${release()} counts v1 blkio IO only for cgroups with an IO limit`);
  }
  const dev = statSync(tmp).dev;
  const majMin = `${Math.floor(dev / 256) & 0xfff}:${(dev & 0xff) | ((dev >> 12) & 0xfff00)}`;
  if (!report.ioDevices.some((d) => d.startsWith(`${majMin} `))) return t.skip(`${tmp} is on ${majMin}, not a real disk`);
  const bytes = 4 * MiB;
  const pid = job.launch({ file: 'dd', args: ['if=/dev/zero', `of=${join(tmp, 'dd-free.bin')}`, 'bs=256k', `count=${bytes / (256 * 1024)}`, 'oflag=direct'] });
  const exit = await waitFor('dd to finish', () => eventsOf(job).find((n) => n.pid === pid && (n.kind === 'EXIT_PROCESS' || n.kind === 'ABNORMAL_EXIT_PROCESS')), 10000 * slow);
  assert.equal(exit.exitCode, 0);
  const d = job.ioStats().devices.find((x) => x.device.startsWith(`${majMin} `));
  assert.ok(d && d.writeBytes >= bytes, `device ${majMin} wrote ${d?.writeBytes}`);
  assert.deepEqual([job.limits().limits.maxIops, job.limits().limits.maxBandwidthBytes], [null, null]);
});

test('an IO bandwidth cap slows direct writes to the real disk', { skip }, async (t) => {
  const job = newJob(t, { maxBandwidthBytes: 4 * MiB });
  const report = job.limits();
  if (report.unsupported.maxBandwidthBytes) return t.skip(`maxBandwidthBytes unsupported: ${report.unsupported.maxBandwidthBytes}`);
  const dev = statSync(tmp).dev;
  const devices = report.ioDevices.map((d) => d.split(' ')[0]);
  const majMin = `${Math.floor(dev / 256) & 0xfff}:${(dev & 0xff) | ((dev >> 12) & 0xfff00)}`;
  if (!devices.includes(majMin)) return t.skip(`${tmp} is on ${majMin}, not on a device the limit applies to (${devices.join(', ')})`);
  const bytes = 8 * MiB;
  const start = Date.now();
  const pid = job.launch({ file: 'dd', args: ['if=/dev/zero', `of=${join(tmp, 'dd.bin')}`, 'bs=256k', `count=${bytes / (256 * 1024)}`, 'oflag=direct'] });
  const exit = await waitFor('dd to finish', () => eventsOf(job).find((n) => n.pid === pid && (n.kind === 'EXIT_PROCESS' || n.kind === 'ABNORMAL_EXIT_PROCESS')), 10000);
  const seconds = (exit.time - start) / 1000;
  const expected = bytes / (4 * MiB);
  t.diagnostic(`dd ${bytes / MiB} MiB with oflag=direct under 4 MiB/s: ${seconds.toFixed(2)} s (${(bytes / MiB / seconds).toFixed(2)} MiB/s), expected >= ${(0.7 * expected).toFixed(2)} s`);
  assert.equal(exit.exitCode, 0);
  assert.ok(seconds >= 0.7 * expected, `took ${seconds} s`);
  const io = job.ioStats();
  assert.equal(io.tracking, 'on');
  const d = io.devices.find((x) => x.device.startsWith(`${majMin} `));
  assert.ok(d && d.writeBytes >= bytes, `device ${majMin} wrote ${d?.writeBytes}`);
  assert.ok(io.writeOps >= bytes / (256 * 1024));
  assert.deepEqual(native.sampleJobs([job])[0].io!.writeBytes, io.writeBytes);
  job.enableIoTracking(); // a no-op on Linux
});

// ---- freeze ----

test('freeze stops the members, thaw resumes them; samples show frozen', { skip }, async (t) => {
  const job = newJob(t);
  job.launch({ file: 'sh', args: ['-c', 'while :; do :; done'] });
  await sleep(200);
  job.freeze();
  const [a] = native.sampleJobs([job]);
  if (a.frozen === undefined) return t.skip('no cgroup.freeze and no v1 freezer hierarchy');
  assert.equal(a.frozen, true);
  await sleep(400);
  const [b] = native.sampleJobs([job]);
  const frozenUse = b.processor!.userTimeUs + b.processor!.kernelTimeUs - a.processor!.userTimeUs - a.processor!.kernelTimeUs;
  assert.ok(frozenUse < 20_000, `used ${frozenUse} us while frozen`);
  job.thaw();
  const [c] = native.sampleJobs([job]);
  assert.equal(c.frozen, false);
  // Resumed: the loop burns CPU again (polled, so a loaded machine only makes it slower).
  const usedSinceFrozen = () => {
    const [d] = native.sampleJobs([job]);
    return d.processor!.userTimeUs + d.processor!.kernelTimeUs - b.processor!.userTimeUs - b.processor!.kernelTimeUs;
  };
  await waitFor('the thawed loop to use 200 ms of CPU', () => usedSinceFrozen() > 200_000, 10_000);
  job.freeze(); // terminate must work on a frozen job
  job.terminate();
  await waitFor('the frozen job to empty', () => job.pids().length === 0);
});

// ---- nested jobs and the tree ----

test('createChild nests a job; listJobs shows both with counts and holders', { skip }, async (t) => {
  const parent = newJob(t);
  let child: Job;
  try {
    child = parent.createChild({ name: 'inner', limits: { activeProcesses: 10 } });
  } catch (e) {
    // No pids controller for our jobs here (see newJob): the child is made without the limit, which says why.
    if ((e as { code?: string }).code !== 'ENOTSUP') throw e;
    child = parent.createChild({ name: 'inner' });
    assert.ok(child.limits().unsupported.activeProcesses && (e as Error).message.includes(child.limits().unsupported.activeProcesses!));
  }
  assert.equal(child.path, `${parent.path}/inner`);
  assert.throws(() => parent.createChild({ name: 'a/b' }), RangeError);
  assert.throws(() => parent.createChild({ parent: '/x' } as unknown as { name: string }), TypeError);
  if (!child.limits().unsupported.activeProcesses) assert.equal(child.limits().limits.activeProcesses, 10);
  child.launch({ file: 'sleep', args: ['30'] });
  child.launch({ file: 'sleep', args: ['30'] });
  const tree = await native.listJobs();
  const p = tree.find((e) => e.path === parent.path)!;
  const c = tree.find((e) => e.path === child.path)!;
  assert.ok(p && c);
  assert.equal(p.heldJobId, parent.id);
  assert.equal(c.heldJobId, child.id);
  assert.equal(c.parent, parent.path);
  assert.equal(c.name, 'inner');
  assert.equal(c.processCount, 2);
  assert.ok(tree.some((e) => e.parent === null && e.path === host.root));
  assert.throws(() => parent.close(), { code: 'EBUSY' }); // holds a child cgroup
  child.terminate();
  await waitFor('the child job to empty', () => child.pids().length === 0);
  child.close();
  for (const base of Object.values(host.v1)) assert.equal(existsSync(`${base}/${parent.name}/inner`), false, base);
  assert.equal((await native.listJobs()).find((e) => e.path === parent.path)!.processCount, 0);
  assert.equal(existsSync(child.path), false);
});
