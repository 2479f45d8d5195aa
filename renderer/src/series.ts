// Chart and table figures derived from samples. CPU % is "% of one CPU": CPU time used between two
// consecutive samples divided by the wall time between them; IO rates are counter deltas the same way.
import type { JobSample } from '../../electron/contract';

export interface CpuPoint {
  time: number;
  user: number;
  kernel: number;
  /** Time the job's threads waited on its CPU cap, as % of the wall time; null without a CPU controller. */
  throttled: number | null;
}

export interface MemoryPoint {
  time: number;
  current: number;
  peak: number | null;
  /** Sum of the members' resident sets: what they hold now, wherever it was charged. */
  resident: number;
}

export interface IoPoint {
  time: number;
  readBytes: number;
  writeBytes: number;
  readOps: number;
  writeOps: number;
}

export interface ProcessPoint {
  time: number;
  active: number;
}

/**
 * The first sample of each time bucket: a chart gets about as many points as it has pixels, whatever the
 * sampling rate. Buckets are aligned to the clock (shifted by `phaseMs`), so the points already drawn stay
 * put as samples arrive. Rates between kept samples are the averages over the skipped ones (the counters
 * are cumulative).
 */
export function thinByTime(samples: JobSample[], bucketMs: number, phaseMs = 0): JobSample[] {
  if (bucketMs <= 0) return samples;
  const out: JobSample[] = [];
  let bucket = -Infinity;
  for (const s of samples) {
    const b = Math.floor((s.time - phaseMs) / bucketMs);
    if (b !== bucket) out.push(s);
    bucket = b;
  }
  return out.length === samples.length ? samples : out;
}

const pct = (deltaUs: number, wallMs: number) => Math.max(0, deltaUs / 1000 / wallMs) * 100;
const perSecond = (delta: number, wallMs: number) => Math.max(0, (delta * 1000) / wallMs);

/** Calls `point` for each pair of consecutive live samples with time between them. */
function deltas<T>(samples: JobSample[], point: (a: JobSample, b: JobSample, wallMs: number) => T | undefined): T[] {
  const out: T[] = [];
  for (let i = 1; i < samples.length; i++) {
    const wall = samples[i].time - samples[i - 1].time;
    if (wall <= 0) continue;
    const p = point(samples[i - 1], samples[i], wall);
    if (p !== undefined) out.push(p);
  }
  return out;
}

export function cpuSeries(samples: JobSample[]): CpuPoint[] {
  return deltas(samples, (a, b, wall) => {
    if (!a.processor || !b.processor) return undefined;
    const throttled =
      a.cpuThrottling && b.cpuThrottling ? pct(b.cpuThrottling.throttledTimeUs - a.cpuThrottling.throttledTimeUs, wall) : null;
    return {
      time: b.time,
      user: pct(b.processor.userTimeUs - a.processor.userTimeUs, wall),
      kernel: pct(b.processor.kernelTimeUs - a.processor.kernelTimeUs, wall),
      throttled,
    };
  });
}

export function ioSeries(samples: JobSample[]): IoPoint[] {
  return deltas(samples, (a, b, wall) => {
    if (a.io?.tracking !== 'on' || b.io?.tracking !== 'on') return undefined;
    return {
      time: b.time,
      readBytes: perSecond(b.io.readBytes - a.io.readBytes, wall),
      writeBytes: perSecond(b.io.writeBytes - a.io.writeBytes, wall),
      readOps: perSecond(b.io.readOps - a.io.readOps, wall),
      writeOps: perSecond(b.io.writeOps - a.io.writeOps, wall),
    };
  });
}

export function memorySeries(samples: JobSample[]): MemoryPoint[] {
  const out: MemoryPoint[] = [];
  for (const s of samples) {
    if (!s.memory) continue;
    out.push({ time: s.time, current: s.memory.currentBytes, peak: s.memory.peakBytes, resident: s.members?.residentBytes ?? 0 });
  }
  return out;
}

export function processSeries(samples: JobSample[]): ProcessPoint[] {
  const out: ProcessPoint[] = [];
  for (const s of samples) {
    const active = s.members?.count ?? s.processor?.activeProcesses;
    if (active !== undefined) out.push({ time: s.time, active });
  }
  return out;
}

/** Per-pid CPU % between the two samples; pids new in `current` have none yet. */
export function processCpu(previous: JobSample | undefined, current: JobSample | undefined): Map<number, number> {
  const out = new Map<number, number>();
  if (!previous?.processes || !current?.processes) return out;
  const wall = current.time - previous.time;
  if (wall <= 0) return out;
  const before = new Map(previous.processes.map((p) => [p.pid, p.cpuTimeUs]));
  for (const p of current.processes) {
    const was = before.get(p.pid);
    if (was != null) out.set(p.pid, pct(p.cpuTimeUs - was, wall));
  }
  return out;
}
