import type { JobSample, JobSummary, Notification } from '../../../electron/contract';
import { useStore } from '../hooks';
import { useChartWindow } from './chart-parts';
import { CpuChart } from './CpuChart';
import { IoChart } from './IoChart';
import { MemoryChart } from './MemoryChart';
import { ProcessChart } from './ProcessChart';

/** The four time charts over the chosen window, ending at the newest sample shown. */
export function JobCharts(props: { job: JobSummary; samples: JobSample[]; notifications: Notification[] }) {
  const fallbackSource = useStore((s) => s.host?.memorySource);
  const limits = useStore((s) => s.limits[props.job.id]?.limits);
  const { domain, shown, markers } = useChartWindow(props.samples, props.notifications);
  const source = props.samples[props.samples.length - 1]?.memory?.source ?? fallbackSource;
  return (
    <div className="charts">
      <CpuChart samples={shown} domain={domain} markers={markers} />
      <MemoryChart samples={shown} source={source} limitBytes={limits?.memoryBytes ?? null} domain={domain} markers={markers} />
      <IoChart samples={shown} domain={domain} markers={markers} />
      <ProcessChart samples={shown} limit={limits?.activeProcesses ?? null} domain={domain} markers={markers} />
    </div>
  );
}
