// Chart and table figures derived from samples. CPU % is "% of one CPU": CPU time used between two
// consecutive samples divided by the wall time between them.
import type { JobSample } from '../../electron/contract';

export interface CpuPoint {
  time: number;
  user: number;
  kernel: number;
}

export interface MemoryPoint {
  time: number;
  current: number;
  peak: number | null;
  /** Sum of the members' resident sets: what they hold now, wherever it was charged. */
  resident: number;
}

const pct = (deltaUs: number, wallMs: number) => Math.max(0, deltaUs / 1000 / wallMs) * 100;

export function cpuSeries(samples: JobSample[]): CpuPoint[] {
  const out: CpuPoint[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1];
    const b = samples[i];
    const wall = b.time - a.time;
    if (!a.processor || !b.processor || wall <= 0) continue;
    out.push({
      time: b.time,
      user: pct(b.processor.userTimeUs - a.processor.userTimeUs, wall),
      kernel: pct(b.processor.kernelTimeUs - a.processor.kernelTimeUs, wall),
    });
  }
  return out;
}

export function memorySeries(samples: JobSample[]): MemoryPoint[] {
  const out: MemoryPoint[] = [];
  for (const s of samples) {
    if (!s.memory) continue;
    const resident = (s.processes ?? []).reduce((sum, p) => sum + p.residentBytes, 0);
    out.push({ time: s.time, current: s.memory.currentBytes, peak: s.memory.peakBytes, resident });
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
