// A recording indexed for replay: per job, its samples, notifications and limits in time order, so the
// view at any position is a binary search and a slice, however often the position moves.
import type { JobLimits, JobSample, JobSummary, Notification, Recording, RecordingRecord } from '../../electron/contract';
import type { JobData } from './store';

export type ActionRecord = Extract<RecordingRecord, { type: 'action' }>;

export interface ReplayIndex {
  /** Every job the recording holds data of, as last described in it. */
  jobs: JobSummary[];
  samples: Map<number, JobSample[]>;
  notifications: Map<number, Notification[]>;
  limits: Map<number, { time: number; limits: JobLimits }[]>;
  actions: ActionRecord[];
  start: number;
  end: number;
}

function push<T>(map: Map<number, T[]>, id: number, item: T): void {
  const list = map.get(id);
  if (list) list.push(item);
  else map.set(id, [item]);
}

const byTime = (a: { time: number }, b: { time: number }) => a.time - b.time;

export function indexRecording(recording: Recording): ReplayIndex {
  const jobs = new Map(recording.header.jobs.map((job) => [job.id, job]));
  const index: ReplayIndex = {
    jobs: [],
    samples: new Map(),
    notifications: new Map(),
    limits: new Map(),
    actions: [],
    start: recording.header.time,
    end: recording.info.startTime + recording.info.durationMs,
  };
  for (const record of recording.records) {
    if (record.type === 'jobs') for (const job of record.jobs) jobs.set(job.id, job);
    else if (record.type === 'sample') push(index.samples, record.sample.jobId, record.sample);
    else if (record.type === 'notification') push(index.notifications, record.notification.jobId, record.notification);
    else if (record.type === 'limits') push(index.limits, record.jobId, { time: record.time, limits: record.report.limits });
    else if (record.type === 'action') index.actions.push(record);
  }
  // Records are written in event order; notifications of one batch can carry earlier times than the samples before them.
  for (const list of index.notifications.values()) list.sort(byTime);
  index.jobs = [...jobs.values()].filter((job) => index.samples.has(job.id) || index.notifications.has(job.id));
  return index;
}

/** How many items (sorted by time) happened at or before `time`. */
export function countUpTo(items: { time: number }[], time: number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (items[middle].time <= time) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** What a live view would have held for the job at `time`: the last `historyMs` of samples, every notification so far. */
export function jobAt(index: ReplayIndex, jobId: number, time: number, historyMs: number): { data: JobData; limits: JobLimits | undefined } {
  const samples = index.samples.get(jobId) ?? [];
  const end = countUpTo(samples, time);
  const notifications = index.notifications.get(jobId) ?? [];
  const limits = index.limits.get(jobId) ?? [];
  return {
    data: {
      samples: samples.slice(countUpTo(samples, time - historyMs), end),
      notifications: notifications.slice(0, countUpTo(notifications, time)),
      // A recording keeps every notification the service sent; losses it saw are NOTIFICATIONS_LOST records.
      dropped: 0,
    },
    limits: limits[countUpTo(limits, time) - 1]?.limits,
  };
}
