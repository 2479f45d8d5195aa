// A job's history as files the browser downloads: CSV (one row per sample, cumulative counters as the
// kernel reports them) and JSON (samples and notifications as the service sent them). Downloads go through
// a Blob URL on a temporary link; CSP does not govern downloads, so it stays as strict as it is.
import type { JobSample, JobSummary, Notification } from '../../electron/contract';

const COLUMNS = [
  'time',
  'state',
  'user_us',
  'kernel_us',
  'active_processes',
  'total_processes',
  'memory_bytes',
  'memory_peak_bytes',
  'members_resident_bytes',
  'io_read_bytes',
  'io_write_bytes',
  'io_read_ops',
  'io_write_ops',
  'throttled_us',
  'frozen',
] as const;

const cell = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

export function historyCsv(samples: JobSample[]): string {
  const rows = samples.map((s) =>
    [
      new Date(s.time).toISOString(),
      s.state,
      s.processor?.userTimeUs,
      s.processor?.kernelTimeUs,
      s.processor?.activeProcesses,
      s.processor?.totalProcesses,
      s.memory?.currentBytes,
      s.memory?.peakBytes,
      s.processes?.reduce((sum, p) => sum + p.residentBytes, 0),
      s.io?.readBytes,
      s.io?.writeBytes,
      s.io?.readOps,
      s.io?.writeOps,
      s.cpuThrottling?.throttledTimeUs,
      s.frozen,
    ]
      .map(cell)
      .join(','),
  );
  return [COLUMNS.join(','), ...rows].join('\n') + '\n';
}

export function historyJson(job: JobSummary, samples: JobSample[], notifications: Notification[]): string {
  return JSON.stringify({ job, exportedAt: new Date().toISOString(), samples, notifications }, null, 1);
}

export function download(fileName: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The click has handed the data to the browser's download; the URL is not needed after this task.
  window.setTimeout(() => URL.revokeObjectURL(url), 0);
}
