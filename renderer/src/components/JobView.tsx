import { useState } from 'react';
import type { JobSummary } from '../../../electron/contract';
import { formatClock } from '../format';
import { useStore } from '../hooks';
import { latestSample, processCount, type JobData } from '../store';
import { ExportButtons } from './ExportButtons';
import { JobHeader } from './JobHeader';
import { JobPanels } from './JobPanels';
import { LimitsPanel } from './LimitsPanel';
import { ViewControls } from './ViewControls';

const NONE: never[] = [];

export function JobView({ job }: { job: JobSummary }) {
  const samples = useStore((s) => s.data[job.id]?.samples ?? NONE);
  const notifications = useStore((s) => s.data[job.id]?.notifications ?? NONE);
  const limits = useStore((s) => s.limits[job.id]?.limits);
  const dropped = useStore((s) => s.data[job.id]?.dropped ?? 0);
  // Paused: the view keeps showing this snapshot while the store goes on buffering.
  const [snapshot, setSnapshot] = useState<JobData | null>(null);
  const shown = snapshot ?? { samples, notifications, dropped };

  const latest = latestSample(shown);

  return (
    <section className="job-view" aria-labelledby="job-title">
      <JobHeader job={job} count={processCount(latestSample({ samples, notifications, dropped })) ?? 0} frozen={samples.at(-1)?.frozen} />

      {job.state !== 'live' && (
        <p className="banner" role="note">
          This job’s group no longer exists (it was removed outside JobScope). Close it to drop it from the list.
        </p>
      )}

      <div className="view-bar">
        <ViewControls paused={snapshot !== null} onPause={(pause) => setSnapshot(pause ? { samples, notifications, dropped } : null)} />
        <ExportButtons job={job} samples={samples} notifications={notifications} />
      </div>
      {snapshot && (
        <p className="banner" role="note">
          Paused at {latest ? formatClock(latest.time) : 'the start'}: the view is not updating; new samples are still
          recorded and appear when you resume.
        </p>
      )}

      <JobPanels data={shown} limits={limits} afterCharts={<LimitsPanel job={job} />} />
    </section>
  );
}
