// JobScope's load generator: a plain Node script (no imports of ours) that JobScope launches inside a job
// so a tester can watch each limit trip. Compiled with the main process to dist/electron/loadgen/loadgen.js.
//
//   node loadgen.js [--cpu PERCENT] [--memory MIB [--grow]] [--io KIBPS] [--children N] [--duration S]
//
// --cpu: busy PERCENT (0-100) of one CPU. --memory: hold MIB of touched memory; with --grow, add MIB more
// every second (until the memory limit kills it). --io: write KIBPS KiB/s to a temporary file, synced, so
// the writes are real disk IO charged to the job. --children: start N idle copies of itself, one every
// 200 ms (past a process limit, the rest fail to start). --duration: exit after S seconds (0: never).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const MiB = 1024 * 1024;
const TICK_MS = 100;

interface Load {
  cpu: number;
  memory: number;
  grow: boolean;
  io: number;
  children: number;
  duration: number;
}

function number(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`--${flag} must be a whole number from 0 to ${max}, not "${value}"`);
  return n;
}

function parse(argv: string[]): Load {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      cpu: { type: 'string', default: '0' },
      memory: { type: 'string', default: '0' },
      grow: { type: 'boolean', default: false },
      io: { type: 'string', default: '0' },
      children: { type: 'string', default: '0' },
      duration: { type: 'string', default: '60' },
    },
  });
  return {
    cpu: number(values.cpu, 'cpu', 100),
    memory: number(values.memory, 'memory', 65_536),
    grow: values.grow,
    io: number(values.io, 'io', 1_048_576),
    children: number(values.children, 'children', 1024),
    duration: number(values.duration, 'duration', 86_400),
  };
}

/** Keeps `percent` of one CPU busy: that share of every tick spinning, the rest idle. */
function burnCpu(percent: number): void {
  if (percent === 0) return;
  setInterval(() => {
    for (const start = Date.now(); Date.now() - start < (TICK_MS * percent) / 100; );
  }, TICK_MS);
}

const held: Buffer[] = [];
/** Allocates and writes `mib` MiB, so the pages are really resident and charged. */
function hold(mib: number): void {
  for (let i = 0; i < mib; i++) held.push(Buffer.allocUnsafeSlow(MiB).fill(i & 0xff));
}

function writeIo(kibPerSecond: number): void {
  if (kibPerSecond === 0) return;
  const file = path.join(os.tmpdir(), `jobscope-loadgen-${process.pid}.bin`);
  const fd = fs.openSync(file, 'w+');
  // Unlinked at once where the OS allows it, so the file vanishes however the process dies (OOM, SIGKILL).
  try {
    fs.unlinkSync(file);
  } catch {
    process.once('exit', () => fs.rmSync(file, { force: true }));
  }
  const chunk = Buffer.alloc(Math.max(1, Math.round((kibPerSecond * 1024 * TICK_MS) / 1000)), 0x5a);
  const wrapAt = 64 * MiB;
  let offset = 0;
  setInterval(() => {
    fs.writeSync(fd, chunk, 0, chunk.length, offset);
    // Synced by this process, so the block IO is issued (and counted, and throttled) in its job.
    fs.fdatasyncSync(fd);
    offset = (offset + chunk.length) % wrapAt;
  }, TICK_MS);
}

function startChildren(count: number, duration: number): void {
  let started = 0;
  const children: ChildProcess[] = [];
  // A Node child that could not start all its threads (past a process limit) may hang instead of exiting
  // at its own deadline: the parent takes its children along when it leaves.
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  const timer = setInterval(() => {
    if (started++ >= count) return clearInterval(timer);
    const child = spawn(process.execPath, [__filename, '--duration', String(duration)], { stdio: 'ignore' });
    // Past a process limit the fork fails (EAGAIN): that is the point; keep trying the rest.
    child.on('error', () => {});
    children.push(child);
  }, 200);
}

function main(): void {
  let load: Load;
  try {
    load = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`loadgen: ${(error as Error).message}\n`);
    process.exit(2);
  }
  burnCpu(load.cpu);
  hold(load.memory);
  if (load.grow && load.memory > 0) setInterval(() => hold(load.memory), 1000);
  writeIo(load.io);
  startChildren(load.children, load.duration);
  if (load.duration > 0) setTimeout(() => process.exit(0), load.duration * 1000);
  else setInterval(() => {}, 1 << 30);
}

main();
