import type { ReactNode } from 'react';
import type { JobLimits } from '../../../electron/contract';
import { latestSample, processCount, type JobData } from '../store';
import { JobCharts } from './JobCharts';
import { JobStats } from './JobStats';
import { MemberTable } from './MemberTable';
import { NotificationLog } from './NotificationLog';

/**
 * What a job's data looks like, live or replayed: the figures, the four charts with their notification
 * flags, the member table and the notification log. `afterCharts` is where the live view puts its limits panel.
 */
export function JobPanels(props: { data: JobData; limits: JobLimits | undefined; afterCharts?: ReactNode }) {
  const { samples, notifications } = props.data;
  const latest = latestSample(props.data);
  const previous = samples.length > 1 ? samples[samples.length - 2] : undefined;
  return (
    <>
      <JobStats latest={latest} count={processCount(latest) ?? 0} />
      <JobCharts samples={samples} notifications={notifications} limits={props.limits} />
      {props.afterCharts}
      <MemberTable latest={latest} previous={previous} />
      <NotificationLog notifications={notifications} dropped={props.data.dropped} />
    </>
  );
}
