// A set of N real jobs, each holding a few sleeping member processes, and the exact files JobScope's
// Linux sampler reads for each of them (see native/src/linux/linux_job.cc: LinuxJob::sample()).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as native from '#native';
import { deadline, isLinux, isWindows, onCleanup, safeRead } from './lib';

/** Prefix of every job the bench creates, so the final sweep only ever touches its own cgroups. */
export const JOB_PREFIX = `bench-${process.pid}-`;
let nextJob = 0;

export interface JobSet {
  jobs: native.Job[];
  children: ChildProcess[];
  /** Per job, the pids of its members. */
  memberPids: number[][];
  /** Per job, the files a sampler reads each tick (Linux; empty elsewhere). */
  files: string[][];
  /** Human description of that per-job file set. */
  fileSet: string;
  /**
   * Syscalls (open/read/pread/close on cgroup and /proc files) one native sample of one job made: on a
   * tick that reads every file (the one after the job ran), and on a quiet tick (see LinuxJob::sample).
   */
  nativeSyscalls: { full: number; quiet: number };
  dispose(): Promise<void>;
}

/** Every sleeper this run started, so the final sweep can tell which of them still runs. */
const sleepers: ChildProcess[] = [];

/** A cheap process that sleeps for an hour. */
export function spawnSleeper(): ChildProcess {
  const child = isWindows
    ? spawn('ping', ['-n', '3600', '127.0.0.1'], { stdio: 'ignore', windowsHide: true })
    : spawn('sleep', ['3600'], { stdio: 'ignore' });
  sleepers.push(child);
  return child;
}

export async function spawnSleepers(count: number): Promise<ChildProcess[]> {
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, spawnSleeper);
    children.push(...batch);
    await Promise.all(
      batch.map((c) => new Promise<void>((resolve, reject) => c.once('spawn', resolve).once('error', reject))),
    );
  }
  return children;
}

/** The v1 memory mirror of a job (<our v1 memory cgroup>/jobscope/<name>), as the addon makes it. */
function v1Mirror(name: string): string | undefined {
  const own = /^\d+:memory:(.*)$/m.exec(safeRead('/proc/self/cgroup'))?.[1];
  if (own === undefined) return undefined;
  for (const line of safeRead('/proc/self/mountinfo').split('\n')) {
    // "... root mountpoint options - cgroup cgroup rw,memory"
    const f = line.split(' ');
    const dash = f.indexOf('-');
    if (dash < 0 || f[dash + 1] !== 'cgroup' || !f[dash + 3]?.split(',').includes('memory')) continue;
    const root = f[3];
    const rel = root === '/' ? own : own.startsWith(root) ? own.slice(root.length) : undefined;
    if (rel === undefined) continue;
    const dir = path.join(f[4], rel, 'jobscope', name);
    if (existsSync(dir)) return dir;
  }
  return undefined;
}

/**
 * What native.sampleJobs() really reads for one job, seen with strace attached to this process during one
 * call: the sampler's code changes, so the floor follows what it does rather than a copy of its logic.
 * Two ticks are traced: the second sample of the job, which reads every file (the one after a run), and a
 * quiet tick of a sleeping job like the timed ones, once its CPU time stands still. Returns path templates
 * ("{name}" for the job's name, "{pid}" for each member) of every file, and the syscall counts of both
 * ticks, or undefined when strace is unavailable.
 */
export async function traceSampledFiles(
  job: native.Job,
  memberPids: number[],
): Promise<{ templates: string[]; syscalls: { full: number; quiet: number } } | undefined> {
  if (!isLinux) return undefined;
  // A steady tick, as the timed ones are: the first sample of a job also opens its members' stat files.
  native.sampleJobs([job]);
  const out = path.join(os.tmpdir(), `jobscope-bench-strace-${process.pid}.txt`);
  const tracer = spawn('strace', ['-y', '-qq', '-e', 'trace=openat,open,pread64,read,close', '-o', out, '-p', String(process.pid)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const ok = await new Promise<boolean>((resolve) => {
    tracer.once('error', () => resolve(false));
    tracer.once('exit', () => resolve(false));
    setTimeout(() => resolve(true), 1000); // -qq prints nothing on attach; give it time to attach
  });
  if (!ok) return undefined;
  const marker = `/jobscope-bench-marker-${process.pid}`;
  try {
    readFileSync(marker + '-begin');
  } catch {}
  native.sampleJobs([job]);
  try {
    readFileSync(marker + '-settle');
  } catch {}
  // Members just started (slowly, in an emulated guest) may still use CPU, which makes the next tick a full
  // one too: the quiet tick is traced once the job's CPU time stood still between two samples.
  const cpuUs = () => {
    const { processor } = native.sampleJobs([job])[0];
    return processor ? processor.userTimeUs + processor.kernelTimeUs : Number.NaN;
  };
  const settleBy = performance.now() + 10_000;
  for (let before = cpuUs(); performance.now() < settleBy; ) {
    await new Promise((r) => setTimeout(r, 250));
    const now = cpuUs();
    if (now === before) break;
    before = now;
  }
  try {
    readFileSync(marker + '-quiet');
  } catch {}
  native.sampleJobs([job]);
  try {
    readFileSync(marker + '-end');
  } catch {}
  await new Promise((r) => setTimeout(r, 200));
  tracer.kill('SIGINT');
  await new Promise((r) => tracer.once('exit', r));
  const lines = safeRead(out).split('\n');
  rmSync(out, { force: true });
  const begin = lines.findIndex((l) => l.includes(marker + '-begin'));
  const settle = lines.findIndex((l) => l.includes(marker + '-settle'));
  const quiet = lines.findIndex((l) => l.includes(marker + '-quiet'));
  const end = lines.findIndex((l) => l.includes(marker + '-end'));
  if (begin < 0 || settle < 0 || quiet < 0 || end < 0) return undefined;
  const window = lines.slice(begin + 1, settle);
  const templates = new Set<string>();
  for (const line of window) {
    // openat(AT_FDCWD</...>, "/path", ...) = 3</path>   or   pread64(3</path>, ...)
    const m = /^(?:openat|open|pread64|read)\((?:AT_FDCWD<[^>]*>, )?(?:"([^"]+)"|\d+<([^>]+)>)/.exec(line);
    const file = m?.[1] ?? m?.[2];
    if (!file || !(file.startsWith('/sys/fs/cgroup') || file.startsWith('/proc/'))) continue;
    let t = file.split(job.name).join('{name}');
    for (const pid of memberPids) t = t.replace(new RegExp(`^/proc/${pid}/`), '/proc/{pid}/');
    if (/^\/proc\/\d+\//.test(t)) continue; // not a member: not part of the per-job set
    templates.add(t);
  }
  const count = (ls: string[]) => ls.filter((l) => /^(openat|open|pread64|read|close)\(/.test(l) && /cgroup|\/proc\//.test(l)).length;
  return { templates: [...templates], syscalls: { full: count(window), quiet: count(lines.slice(quiet + 1, end)) } };
}

export function expandTemplates(templates: string[], job: native.Job, memberPids: number[]): string[] {
  const files: string[] = [];
  for (const t of templates) {
    const named = t.split('{name}').join(job.name);
    if (named.includes('{pid}')) for (const pid of memberPids) files.push(named.replace('{pid}', String(pid)));
    else files.push(named);
  }
  return files;
}

/** Fallback when strace is missing: the files LinuxJob::sample() read when this bench was written. */
function sampledFiles(job: native.Job, memberPids: number[]): { files: string[]; description: string } {
  const source = native.hostInfo().memorySource;
  const files = [path.join(job.path, 'cgroup.procs'), path.join(job.path, 'cpu.stat')];
  const perMember = ['stat'];
  let memory: string;
  if (source === 'cgroup2') {
    files.push(...['memory.current', 'memory.peak', 'memory.stat'].map((f) => path.join(job.path, f)));
    memory = 'memory.current, memory.peak, memory.stat';
  } else if (source === 'cgroup1') {
    const mirror = v1Mirror(job.name);
    if (!mirror) throw new Error(`cannot find the v1 memory mirror of job ${job.name}`);
    files.push(...['memory.usage_in_bytes', 'memory.max_usage_in_bytes', 'memory.stat'].map((f) => path.join(mirror, f)));
    memory = 'v1 mirror memory.usage_in_bytes, memory.max_usage_in_bytes, memory.stat';
  } else {
    perMember.push('stat', 'status'); // procfs: stat for RSS, status for RssAnon, stat again for the member list
    memory = 'none (memory from procfs)';
  }
  for (const pid of memberPids) files.push(...perMember.map((f) => `/proc/${pid}/${f}`));
  const description =
    `cgroup.procs, cpu.stat, ${memory}, + per member /proc/<pid>/{${perMember.join(',')}} ` +
    `(${5 - (source === 'procfs' ? 3 : 0)} + ${perMember.length}×members files)`;
  return { files, description };
}

/** Creates `count` jobs with `members` sleepers each; registered for cleanup at once. */
export async function createJobSet(count: number, members: number): Promise<JobSet> {
  const jobs: native.Job[] = [];
  const children: ChildProcess[] = [];
  const dispose = onCleanup(() => disposeJobs(jobs, children));
  const memberPids: number[][] = [];
  const files: string[][] = [];
  let fileSet = '';
  let traced: Awaited<ReturnType<typeof traceSampledFiles>>;
  let nativeSyscalls = { full: Number.NaN, quiet: Number.NaN };
  for (let i = 0; i < count; i++) {
    const job = native.createJob({ name: `${JOB_PREFIX}${nextJob++}` });
    jobs.push(job);
    const kids = await spawnSleepers(members);
    children.push(...kids);
    const pids = kids.map((k) => k.pid!);
    for (const pid of pids) job.assign(pid);
    memberPids.push(pids);
    if (!isLinux) continue;
    if (i === 0) {
      traced = await traceSampledFiles(job, pids);
      nativeSyscalls = traced?.syscalls ?? nativeSyscalls;
      if (traced) {
        const perMember = traced.templates.filter((t) => t.includes('{pid}'));
        const perJob = traced.templates.filter((t) => !t.includes('{pid}'));
        fileSet =
          `${perJob.length} + ${perMember.length} per member files, as strace saw native.sampleJobs read them: ` +
          [...perJob, ...perMember].map((t) => t.replace(job.path.split(job.name).join('{name}'), '<job>').replace(/^\/sys\/fs\/cgroup\/([^/]+)(?:\/.*)?\/jobscope\/\{name\}/, '<v1 $1 mirror>')).join(', ');
      }
    }
    if (traced) {
      files.push(expandTemplates(traced.templates, job, pids));
    } else {
      const { files: f, description } = sampledFiles(job, pids);
      files.push(f);
      fileSet = `${description} (static list: strace unavailable)`;
    }
  }
  return { jobs, children, memberPids, files, fileSet, nativeSyscalls, dispose };
}

/** Kills every member, waits for the exits, closes every job. */
export async function disposeJobs(jobs: native.Job[], children: ChildProcess[]): Promise<void> {
  for (const job of jobs) {
    try {
      job.terminate();
    } catch {
      // already closed or gone; the kills below still apply
    }
  }
  const exits = children.map((c) =>
    c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r)),
  );
  for (const child of children) child.kill('SIGKILL');
  await Promise.race([Promise.all(exits), deadline(10_000)]);
  for (const job of jobs) {
    try {
      job.close();
    } catch (error) {
      if ((error as { code?: string }).code !== 'ECLOSED') console.error(`cleanup: ${(error as Error).message}`);
    }
  }
  jobs.length = 0;
  children.length = 0;
}

/** Every folder the addon creates jobs in: <own v2 cgroup>/jobscope and, per v1 hierarchy, its mirror. */
export function jobscopeDirs(): string[] {
  const dirs: string[] = [];
  const own = new Map<string, string>(); // controller list -> our cgroup in that hierarchy
  for (const line of safeRead('/proc/self/cgroup').split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (m) own.set(m[1], m[2]);
  }
  for (const line of safeRead('/proc/self/mountinfo').split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-');
    if (dash < 0) continue;
    const [type, options, root, mountPoint] = [f[dash + 1], f[dash + 3] ?? '', f[3], f[4]];
    let group: string | undefined;
    if (type === 'cgroup2') group = own.get('');
    else if (type === 'cgroup') {
      const controllers = options.split(',').filter((o) => o !== 'rw' && o !== 'ro' && !o.includes('='));
      const names = options.split(',').filter((o) => o.startsWith('name='));
      group = own.get([...controllers, ...names].join(',')) ?? own.get(controllers.join(','));
    }
    if (group === undefined) continue;
    const rel = root === '/' ? group : group.startsWith(root) ? group.slice(root.length) : undefined;
    if (rel !== undefined) dirs.push(path.join(mountPoint, rel, 'jobscope'));
  }
  return [...new Set(dirs)];
}

/**
 * What this run left: sleepers still running, and jobs with its prefix (Linux: cgroups, the empty ones
 * removed here; Windows: job objects, which live while a handle or a member keeps them, and the conhost.exe
 * that Windows gives each console sleeper).
 */
export async function sweepLeftovers(): Promise<string[]> {
  const left = sleepers.filter((c) => c.exitCode === null && c.signalCode === null).map((c) => `process ${c.pid} (${c.spawnfile})`);
  if (isWindows) {
    const sleeperPids = new Set(sleepers.map((c) => c.pid));
    for (const p of await native.listProcesses()) if (sleeperPids.has(p.ppid)) left.push(`process ${p.pid} (${p.name}, child of a sleeper)`);
    for (const entry of await native.listJobs()) if (entry.name.startsWith(JOB_PREFIX)) left.push(`job object ${entry.path || entry.name}`);
    return left;
  }
  for (const dir of jobscopeDirs()) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => n.startsWith(JOB_PREFIX))) {
      const full = path.join(dir, name);
      try {
        if (readFileSync(path.join(full, 'cgroup.procs'), 'utf8').trim() === '') rmdirSync(full);
        else left.push(full);
      } catch {
        if (existsSync(full)) left.push(full);
      }
    }
  }
  return left;
}
