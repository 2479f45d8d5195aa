import { useState } from 'react';
import type { JobSummary } from '../../../electron/contract';
import { formatClock } from '../format';
import { useStore } from '../hooks';
import { latestSample, processCount, type JobData } from '../store';
import { ExportButtons } from './ExportButtons';
import { JobCharts } from './JobCharts';
import { JobHeader } from './JobHeader';
import { JobStats } from './JobStats';
import { LimitsPanel } from './LimitsPanel';
import { MemberTable } from './MemberTable';
import { NotificationLog } from './NotificationLog';
import { ViewControls } from './ViewControls';

const NONE: never[] = [];

export function JobView({ job }: { job: JobSummary }) {
  const samples = useStore((s) => s.data[job.id]?.samples ?? NONE);
  const notifications = useStore((s) => s.data[job.id]?.notifications ?? NONE);
  const dropped = useStore((s) => s.data[job.id]?.dropped ?? 0);
  // Paused: the view keeps showing this snapshot while the store goes on buffering.
  const [snapshot, setSnapshot] = useState<JobData | null>(null);
  const shown = snapshot ?? { samples, notifications, dropped };

  const latest = latestSample(shown);
  const previous = shown.samples.length > 1 ? shown.samples[shown.samples.length - 2] : undefined;
  const count = processCount(latest) ?? 0;

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

      <JobStats latest={latest} count={count} />
      <JobCharts job={job} samples={shown.samples} notifications={shown.notifications} />
      <LimitsPanel job={job} />
      <MemberTable latest={latest} previous={previous} />
      <NotificationLog notifications={shown.notifications} dropped={shown.dropped} />
    </section>
  );
}
