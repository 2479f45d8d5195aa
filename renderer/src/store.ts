// Application state: one external store (read with useSyncExternalStore through hooks.ts) and the pure
// functions that fold service answers and events into it. Updates are immutable per job, so a component
// that selects one job's data re-renders only when that job changes.
import type {
  AppState,
  HostInfo,
  JobHistory,
  JobSample,
  JobSummary,
  JobTreeEntry,
  LimitsReport,
  Notification,
  Recording,
  RecordingInfo,
  RecordingFailure,
  RecordingStatus,
  ServiceEvent,
} from '../../electron/contract';
import { SAMPLES_WITH_PROCESS_ROWS, withoutProcessRows } from '../../electron/sample-history';
import type { ConnectionStatus } from './api';
import type { Settings } from './settings';

export interface JobData {
  /** Oldest first, at most one history window long; per-process rows only on the newest SAMPLES_WITH_PROCESS_ROWS. */
  samples: JobSample[];
  /** Oldest first. */
  notifications: Notification[];
  /** This job's notifications older than `notifications[0]` that are no longer held (service log and here). */
  dropped: number;
}

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

export interface State {
  connection: ConnectionStatus;
  /** getState has answered at least once. */
  ready: boolean;
  /** How many times getState has answered: each answer starts the jobs' data over, to be reloaded. */
  loads: number;
  host: HostInfo | null;
  intervalMs: number;
  historyMs: number;
  /** The service's pid, from getState; null until known. */
  servicePid: number | null;
  jobs: JobSummary[];
  selectedId: number | null;
  /** The compare view is shown instead of the selected job. */
  comparing: boolean;
  data: Readonly<Record<number, JobData | undefined>>;
  /** The kernel's read-back of each held job's limits, loaded on selection and after every change. */
  limits: Readonly<Record<number, LimitsReport | undefined>>;
  toasts: Toast[];
  settings: Settings;
  /** Every group on the machine (listJobs), refreshed every few seconds; null until first loaded. */
  tree: JobTreeEntry[] | null;
  /** The recording the service is writing, or null. */
  recording: RecordingStatus | null;
  /** The last recording a failed write ended (the service's), until the next one starts. */
  recordingFailure: RecordingFailure | null;
  recordingsDir: string;
  /** The recordings folder's files (listRecordings); null until first loaded. */
  recordings: { recordings: RecordingInfo[]; unreadable: { file: string; error: string }[] } | null;
  /** The recording being replayed in the main view instead of a live job, or null. */
  replay: Recording | null;
}

const MAX_NOTIFICATIONS = 1000;
const EMPTY: JobData = { samples: [], notifications: [], dropped: 0 };

export class Store {
  private state: State;
  private readonly listeners = new Set<() => void>();

  constructor(connection: ConnectionStatus, settings: Settings) {
    this.state = {
      connection,
      ready: false,
      loads: 0,
      host: null,
      intervalMs: 1000,
      historyMs: 15 * 60 * 1000,
      servicePid: null,
      jobs: [],
      selectedId: null,
      comparing: false,
      data: {},
      limits: {},
      toasts: [],
      settings,
      tree: null,
      recording: null,
      recordingFailure: null,
      recordingsDir: '',
      recordings: null,
      replay: null,
    };
  }

  getState = (): State => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  update(fn: (s: State) => State): void {
    const next = fn(this.state);
    if (next === this.state) return;
    this.state = next;
    for (const l of this.listeners) l();
  }
}

function maxPoints(s: State): number {
  return Math.ceil(s.historyMs / Math.max(1, s.intervalMs)) + 1;
}

/** Appends samples newer than the last one held, then drops what fell out of the window. */
function appendSamples(s: State, held: JobSample[], fresh: JobSample[]): JobSample[] {
  let last = held.length ? held[held.length - 1].time : -Infinity;
  const added: JobSample[] = [];
  for (const sample of fresh) {
    if (sample.time > last) {
      added.push(sample);
      last = sample.time;
    }
  }
  if (!added.length) return held;
  let out = held.concat(added);
  // Only the newest keep their rows: those that `added` pushed back lose them (the others already had).
  for (let i = Math.max(0, held.length - SAMPLES_WITH_PROCESS_ROWS); i < out.length - SAMPLES_WITH_PROCESS_ROWS; i++) {
    out[i] = withoutProcessRows(out[i]);
  }
  const cutoff = last - s.historyMs;
  let start = 0;
  while (start < out.length && out[start].time < cutoff) start++;
  start = Math.max(start, out.length - maxPoints(s));
  if (start > 0) out = out.slice(start);
  return out;
}

function notificationKey(n: Notification): string {
  return `${n.time}|${n.kind}|${n.pid}|${n.exitCode ?? ''}|${n.signal ?? ''}`;
}

/** The newest MAX_NOTIFICATIONS of held + fresh, and how many older ones that left out. */
function appendNotifications(held: Notification[], fresh: Notification[]): { notifications: Notification[]; trimmed: number } {
  if (!fresh.length && held.length <= MAX_NOTIFICATIONS) return { notifications: held, trimmed: 0 };
  const out = held.concat(fresh);
  const trimmed = Math.max(0, out.length - MAX_NOTIFICATIONS);
  return { notifications: trimmed > 0 ? out.slice(trimmed) : out, trimmed };
}

function groupBy<T extends { jobId: number }>(items: T[]): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const item of items) {
    const list = map.get(item.jobId);
    if (list) list.push(item);
    else map.set(item.jobId, [item]);
  }
  return map;
}

/** Keeps the selection valid and drops data of jobs no longer held. */
export function withJobs(s: State, jobs: JobSummary[]): State {
  const ids = new Set(jobs.map((j) => j.id));
  const data: Record<number, JobData | undefined> = {};
  const limits: Record<number, LimitsReport | undefined> = {};
  for (const j of jobs) {
    data[j.id] = s.data[j.id];
    limits[j.id] = s.limits[j.id];
  }
  const selectedId = s.selectedId != null && ids.has(s.selectedId) ? s.selectedId : (jobs[0]?.id ?? null);
  return { ...s, jobs, data, limits, selectedId };
}

export function withAppState(s: State, app: AppState): State {
  return withJobs(
    {
      ...s,
      ready: true,
      host: app.host,
      intervalMs: app.intervalMs,
      historyMs: app.historyMs,
      servicePid: app.servicePid,
      recording: app.recording,
      recordingFailure: app.recordingFailure,
      recordingsDir: app.recordingsDir,
    },
    app.jobs,
  );
}

/** Adds (or replaces) one job summary, e.g. the answer to createJob/openJob, and selects it. */
export function withJob(s: State, job: JobSummary): State {
  const jobs = s.jobs.some((j) => j.id === job.id)
    ? s.jobs.map((j) => (j.id === job.id ? job : j))
    : [...s.jobs, job];
  return { ...withJobs(s, jobs), selectedId: job.id };
}

export function withEvent(s: State, e: ServiceEvent): State {
  let next = e.jobs ? withJobs(s, e.jobs) : s;
  if (e.recording !== undefined) next = { ...next, recording: e.recording, recordingFailure: e.recordingFailure ?? null };
  const samples = groupBy(e.samples);
  const notifications = groupBy(e.notifications);
  if (!samples.size && !notifications.size) return next;
  const data = { ...next.data };
  for (const id of new Set([...samples.keys(), ...notifications.keys()])) {
    if (!next.jobs.some((j) => j.id === id) && next.ready) continue;
    const held = data[id] ?? EMPTY;
    const { notifications: kept, trimmed } = appendNotifications(held.notifications, notifications.get(id) ?? []);
    data[id] = {
      samples: appendSamples(next, held.samples, samples.get(id) ?? []),
      notifications: kept,
      dropped: held.dropped + trimmed,
    };
  }
  next = { ...next, data };
  // A job whose samples say 'gone' is gone even before a `jobs` list says so.
  const gone = e.samples.filter((x) => x.state === 'gone').map((x) => x.jobId);
  if (gone.length && !e.jobs) {
    next = { ...next, jobs: next.jobs.map((j) => (gone.includes(j.id) ? { ...j, state: 'gone' as const } : j)) };
  }
  return next;
}

/** History is authoritative up to its end; what events brought after that is kept. */
export function withHistory(s: State, jobId: number, history: JobHistory): State {
  if (!s.jobs.some((j) => j.id === jobId)) return s;
  const held = s.data[jobId] ?? EMPTY;
  const samples = appendSamples(s, appendSamples(s, [], history.samples), held.samples);
  const known = new Set(history.notifications.map(notificationKey));
  const later = held.notifications.filter((n) => !known.has(notificationKey(n)));
  const { notifications, trimmed } = appendNotifications(history.notifications.slice(), later);
  notifications.sort((a, b) => a.time - b.time);
  const dropped = history.droppedNotifications + trimmed;
  return { ...s, data: { ...s.data, [jobId]: { samples, notifications, dropped } } };
}

export function withLimits(s: State, jobId: number, report: LimitsReport): State {
  if (!s.jobs.some((j) => j.id === jobId)) return s;
  return { ...s, limits: { ...s.limits, [jobId]: report } };
}

let toastId = 0;

export function withToast(s: State, kind: Toast['kind'], text: string): State {
  return { ...s, toasts: [...s.toasts.slice(-4), { id: ++toastId, kind, text }] };
}

export function withoutToast(s: State, id: number): State {
  return { ...s, toasts: s.toasts.filter((t) => t.id !== id) };
}

export function latestSample(d: JobData | undefined): JobSample | undefined {
  return d?.samples[d.samples.length - 1];
}

/** Live member count of a sample: its member list's count when it has one, else the active-process counter. */
export function processCount(sample: JobSample | undefined): number | null {
  if (!sample || sample.state !== 'live') return null;
  return sample.members?.count ?? sample.processor?.activeProcesses ?? null;
}
