// Sampling cost: one full sample of N jobs by JobScope's native sampler, against the floor (a C reader that
// keeps every file open and pread()s it), the same C reader opening each file per tick, a naive Node reader
// and systemd-cgtop. Every reader reads the same per-job files (see jobs.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as native from '#native';
import type { JobSet } from './jobs';
import { isLinux, median, percentile, sleep } from './lib';

const buildDir = path.join(__dirname, 'build');

export interface Reader {
  name: string;
  /** µs per job per tick; empty when the reader could not run. */
  perJobUs: number[];
  /** Why the reader did not run here, or a caveat about what it measured. */
  note?: string;
  /** True when only a mean per tick is known (no per-tick distribution). */
  meanOnly?: boolean;
}

export interface SamplingResult {
  n: number;
  members: number;
  files: number;
  /** Jobs whose last native sample was live and listed every one of their members. */
  complete: number;
  readers: Reader[];
}

/** Builds bench/build/floor from floor.c with the system C compiler, unless it is up to date. */
export function buildFloor(): { binary?: string; why?: string } {
  if (!isLinux) return { why: 'Linux only (reads cgroup and /proc files)' };
  const source = path.join(__dirname, 'floor.c');
  const binary = path.join(buildDir, 'floor');
  if (existsSync(binary) && statSync(binary).mtimeMs > statSync(source).mtimeMs) return { binary };
  mkdirSync(buildDir, { recursive: true });
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean) as string[]) {
    const result = spawnSync(cc, ['-O2', '-Wall', '-o', binary, source], { encoding: 'utf8' });
    if (result.status === 0) return { binary };
    if (result.error === undefined) return { why: `${cc} failed: ${result.stderr.trim().split('\n')[0]}` };
  }
  return { why: 'no C compiler (cc, gcc or clang) found' };
}

function timeTicks(ticks: number, n: number, tick: () => void): number[] {
  for (let i = 0; i < 3; i++) tick(); // warm-up: caches, lazily built kernel buffers, JIT
  const perJob: number[] = [];
  for (let i = 0; i < ticks; i++) {
    const start = process.hrtime.bigint();
    tick();
    perJob.push(Number(process.hrtime.bigint() - start) / 1000 / n);
  }
  return perJob;
}

/**
 * Like timeTicks, with the process idle for a second before each tick, as the service is between its ticks
 * at 1 Hz: CPU caches and the kernel's cgroup data are cold when a tick starts, which a tight loop never sees.
 */
async function timeTicksApart(ticks: number, n: number, tick: () => void): Promise<number[]> {
  tick();
  const perJob: number[] = [];
  for (let i = 0; i < ticks; i++) {
    await sleep(1000);
    const start = process.hrtime.bigint();
    tick();
    perJob.push(Number(process.hrtime.bigint() - start) / 1000 / n);
  }
  return perJob;
}

function runFloor(binary: string, mode: 'kept' | 'reopen', listFile: string, ticks: number, n: number): number[] {
  const out = execFileSync(binary, [mode, listFile, String(ticks + 3)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const lines = out.trim().split('\n');
  const summary = /^files (\d+) failed (\d+)$/.exec(lines.pop()!);
  if (!summary || summary[2] !== '0') throw new Error(`floor ${mode}: ${summary ? `${summary[2]} reads failed` : 'bad output'}`);
  return lines.slice(3).map((ns) => Number(ns) / 1000 / n); // first 3 ticks: warm-up
}

/**
 * systemd-cgtop has no per-tick timing, so the cost of one iteration is taken from the wall time of a run of
 * K+1 iterations minus a run of 1 (which pays the start-up), less the inter-iteration delay.
 */
function runCgtop(set: JobSet, ticks: number): Reader {
  const name = 'systemd-cgtop -b (batch)';
  if (!isLinux) return { name, perJobUs: [], note: 'not available: Linux only' };
  const which = spawnSync('sh', ['-c', 'command -v systemd-cgtop'], { encoding: 'utf8' });
  if (which.status !== 0) return { name, perJobUs: [], note: 'not available: systemd-cgtop is not installed' };
  const host = native.hostInfo();
  // Its root argument is a path within the hierarchies it reads. On a unified host the jobs' own cgroups are
  // visible; on a hybrid host systemd reads CPU from the v1 cpuacct hierarchy, where the jobs do not exist,
  // so it only sees them through their v1 memory mirror.
  let root: string;
  let note: string;
  if (host.cgroupLayout === 'unified') {
    root = path.dirname(set.jobs[0].path).slice(host.cgroup2Mount!.length) || '/';
    note = 'reads the jobs\' own cgroups';
  } else {
    const mirror = set.files[0].find((f) => f.endsWith('/memory.stat'));
    const mount = '/sys/fs/cgroup/memory';
    if (!mirror || !mirror.startsWith(mount)) return { name, perJobUs: [], note: 'not available: no v1 memory mirror to point it at' };
    root = path.dirname(path.dirname(mirror)).slice(mount.length);
    note = `${host.cgroupLayout} host: sees the jobs only via their v1 memory mirror (memory column only); mean per tick`;
  }
  const delayS = 0.001;
  const run = (iterations: number): number => {
    const start = performance.now();
    execFileSync('systemd-cgtop', ['-b', '--raw', '--depth=1', '-n', String(iterations), '-d', String(delayS), root], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return performance.now() - start;
  };
  const n = set.jobs.length;
  const perJob: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const base = run(1);
    const total = run(ticks + 1);
    perJob.push((((total - base) / ticks - delayS * 1000) * 1000) / n);
  }
  return { name, perJobUs: perJob, note, meanOnly: true };
}

/** `ticksApart`: ticks 1 s apart take a second each, so a few are enough for a median. */
export async function measureSampling(
  set: JobSet,
  ticks: number,
  ticksApart: number,
  floor: { binary?: string; why?: string },
): Promise<SamplingResult> {
  const n = set.jobs.length;
  const members = set.children.length / n;
  const files = set.files.flat();
  const readers: Reader[] = [];

  readers.push({
    name: 'JobScope native.sampleJobs',
    perJobUs: timeTicks(ticks, n, () => native.sampleJobs(set.jobs)),
    note: isLinux ? 'quiet jobs: reads the files that can change without the job running (see syscalls row)' : undefined,
  });
  readers.push({
    name: 'JobScope native.sampleJobs, ticks 1 s apart',
    perJobUs: await timeTicksApart(ticksApart, n, () => native.sampleJobs(set.jobs)),
    note: `${ticksApart} ticks, each after a second idle, as at 1 Hz: what the main process pays per tick (see the 1 Hz soak)`,
  });
  const complete = native
    .sampleJobs(set.jobs)
    .filter((s, i) => s.state === 'live' && set.memberPids[i].every((pid) => s.processes?.some((p) => p.pid === pid))).length;

  if (floor.binary) {
    const listFile = path.join(buildDir, `files-${process.pid}-${n}.txt`);
    writeFileSync(listFile, files.join('\n') + '\n');
    readers.push({ name: 'floor: C, kept open + pread', perJobUs: runFloor(floor.binary, 'kept', listFile, ticks, n) });
    readers.push({ name: 'C, open+read+close per tick', perJobUs: runFloor(floor.binary, 'reopen', listFile, ticks, n) });
  } else {
    readers.push({ name: 'floor: C, kept open + pread', perJobUs: [], note: `skipped: ${floor.why}` });
    readers.push({ name: 'C, open+read+close per tick', perJobUs: [], note: `skipped: ${floor.why}` });
  }

  if (isLinux) {
    readers.push({
      name: 'naive Node fs.readFileSync',
      perJobUs: timeTicks(ticks, n, () => {
        for (const file of files) readFileSync(file, 'utf8');
      }),
    });
  } else {
    readers.push({ name: 'naive Node fs.readFileSync', perJobUs: [], note: 'skipped: Windows jobs have no files to read' });
  }

  readers.push(runCgtop(set, ticks));
  return { n, members, files: files.length, complete, readers };
}

export const stats = (r: Reader) => ({ median: median(r.perJobUs), p95: r.meanOnly ? Number.NaN : percentile(r.perJobUs, 95) });
