import type { JobLimits, JobSample, Notification } from '../../../electron/contract';
import { useStore } from '../hooks';
import { useChartWindow } from './chart-parts';
import { CpuChart } from './CpuChart';
import { IoChart } from './IoChart';
import { MemoryChart } from './MemoryChart';
import { ProcessChart } from './ProcessChart';

/** The four time charts over the chosen window, ending at the newest sample shown. */
export function JobCharts(props: { samples: JobSample[]; notifications: Notification[]; limits: JobLimits | undefined }) {
  const fallbackSource = useStore((s) => s.host?.memorySource);
  const { limits } = props;
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
