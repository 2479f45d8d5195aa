import { useMemo } from 'react';
import type { JobLimits, JobSample, Notification } from '../../../electron/contract';
import { useStore } from '../hooks';
import type { Domain } from './chart-parts';
import { CpuChart } from './CpuChart';
import { IoChart } from './IoChart';
import { MemoryChart } from './MemoryChart';
import { ProcessChart } from './ProcessChart';

// More flags than this make a chart unreadable; the log below has them all.
const MAX_MARKERS = 40;

/** The four time charts over the chosen window, ending at the newest sample shown. */
export function JobCharts(props: { samples: JobSample[]; notifications: Notification[]; limits: JobLimits | undefined }) {
  const windowMs = useStore((s) => s.settings.windowMs);
  const fallbackSource = useStore((s) => s.host?.memorySource);
  const { samples, notifications, limits } = props;
  const end = samples[samples.length - 1]?.time ?? 0;
  const start = samples[0]?.time ?? 0;
  // A young job fills the width rather than hugging the right edge of an empty window.
  const domain = useMemo<Domain>(() => [Math.max(end - windowMs, start), end], [start, end, windowMs]);
  // One sample before the window, so the first rate in it has a predecessor.
  const shown = useMemo(() => {
    const first = samples.findIndex((s) => s.time >= domain[0]);
    return first < 0 ? [] : samples.slice(Math.max(0, first - 1));
  }, [samples, domain]);
  const markers = useMemo(
    () => {
      const inWindow = notifications.filter((n) => n.time >= domain[0] && n.time <= domain[1]);
      return inWindow.slice(Math.max(0, inWindow.length - MAX_MARKERS));
    },
    [notifications, domain],
  );
  const source = samples[samples.length - 1]?.memory?.source ?? fallbackSource;
  return (
    <div className="charts">
      <CpuChart samples={shown} domain={domain} markers={markers} />
      <MemoryChart samples={shown} source={source} limitBytes={limits?.memoryBytes ?? null} domain={domain} markers={markers} />
      <IoChart samples={shown} domain={domain} markers={markers} />
      <ProcessChart samples={shown} limit={limits?.activeProcesses ?? null} domain={domain} markers={markers} />
    </div>
  );
}
