// Shared helpers: statistics, clocks, the results table, host facts, and the cleanup registry that every
// section registers its jobs and processes with, so Ctrl-C or an error still leaves nothing behind.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

export const isLinux = process.platform === 'linux';
export const isWindows = process.platform === 'win32';

/** Wall-clock milliseconds with sub-ms resolution; comparable with a browser page's timeOrigin + now(). */
export const wallMs = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A deadline to race a wait against. Its timer does not keep the process alive: a won race otherwise left
 * it pending, and the bench sat for up to its length after printing its table before it could exit.
 */
export const deadline = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Nearest-rank percentile (p in 0-100) of unsorted values; NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
export const median = (values: number[]): number => percentile(values, 50);

export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 100) return value.toFixed(0);
  return value.toFixed(digits);
}

/** One row of the run's table. `ratio` is to the floor where that means something. */
export interface Row {
  section: string;
  what: string;
  result: string;
  ratio?: string;
  note?: string;
}

/** A target and whether this run met it; `met` undefined means it could not be judged here. */
export interface Target {
  name: string;
  figure: string;
  met: boolean | undefined;
}

export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export const verdict = (met: boolean | undefined): string => (met === undefined ? 'n/a' : met ? 'met' : 'MISSED');

export interface Machine {
  cpu: string;
  cores: number;
  kernel: string;
  os: string;
  node: string;
  date: string;
  memory: string;
}

export function machineInfo(): Machine {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  if (isLinux) {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) cpu = match[1].trim();
  }
  return {
    cpu,
    cores: os.cpus().length,
    kernel: `${os.type()} ${os.release()}`,
    os: isLinux ? (/^PRETTY_NAME="?([^"\n]+)/m.exec(safeRead('/etc/os-release'))?.[1] ?? 'Linux') : os.version(),
    node: process.version,
    date: new Date().toISOString(),
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
  };
}

export function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** RLIMIT_NOFILE of this process as "soft / hard". */
export function fdLimit(): string {
  if (isLinux) {
    const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(safeRead('/proc/self/limits'));
    if (match) return `${match[1]} / ${match[2]}`;
  }
  if (isWindows) return 'n/a (Windows has no RLIMIT_NOFILE)';
  try {
    return execFileSync('sh', ['-c', 'echo "$(ulimit -Sn) / $(ulimit -Hn)"'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Open descriptors of this process (Linux), or NaN where that cannot be counted. */
export function openFdCount(): number {
  if (!isLinux) return Number.NaN;
  return readdirSync('/proc/self/fd').length - 1; // minus the descriptor readdir itself opened
}

type CleanupStep = () => void | Promise<void>;
const cleanups: CleanupStep[] = [];

/** Registers a cleanup step; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(step: CleanupStep): () => Promise<void> {
  cleanups.push(step);
  return async () => {
    const at = cleanups.indexOf(step);
    if (at < 0) return;
    cleanups.splice(at, 1);
    await step();
  };
}

/** Runs every pending cleanup step, newest first; errors are printed, never thrown. */
export async function cleanupAll(): Promise<void> {
  while (cleanups.length > 0) {
    const step = cleanups.pop()!;
    try {
      await step();
    } catch (error) {
      console.error(`cleanup: ${(error as Error).message}`);
    }
  }
}
