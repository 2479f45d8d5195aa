// The one contract between the monitoring service and the renderer, whatever carries it (Electron IPC in
// the desktop app, a WebSocket in serve mode). Commands are validated against these schemas in the main
// process; the renderer imports the types only.
import { z } from 'zod';
import type {
  HostInfo,
  JobLimits,
  JobSample as AddonSample,
  JobTreeEntry,
  LimitsReport,
  MemberProcess,
  MemorySource,
  Notification,
  ProcessInfo,
} from '#native';

export type { HostInfo, JobLimits, JobTreeEntry, LimitsReport, MemberProcess, MemorySource, Notification, ProcessInfo };

/** A job's member processes summed up: all that history keeps of them once a sample is no longer among the newest. */
export interface MemberTotals {
  count: number;
  residentBytes: number;
}

/**
 * A sample as the service sends and keeps it: the addon's, plus `members` wherever it has a member list.
 * Events (and so recordings) carry `processes`, one row per member, on every sample; a history (getHistory,
 * and the renderer's own) keeps them only on a job's newest SAMPLES_WITH_PROCESS_ROWS samples
 * (sample-history.ts), so that charts, stats and exports read `members`, which every live sample has.
 */
export interface JobSample extends AddonSample {
  members?: MemberTotals;
}

const pid = z.number().int().positive().max(2 ** 22, 'a pid is at most 4194304 (Linux pid_max)');
const jobId = z.number().int().positive();

/** An integer limit in [min, max], or null for "no limit"; the same ranges the addon (addon.cc) enforces. */
const limit = (what: string, min: number, max: number) =>
  z
    .number({ error: `${what} must be a number or null (no limit)` })
    .int(`${what} must be a whole number`)
    .min(min, `${what} must be ${min} to ${max}`)
    .max(max, `${what} must be ${min} to ${max}`)
    .nullable()
    .optional();

/** Limits in the addon's (Windows') vocabulary; absent = unchanged, null = no limit. */
export const limitsSchema = z
  .object({
    cpuRate: limit('the CPU rate (hundredths of a percent of all CPUs)', 1, 10_000),
    cpuWeight: limit('the CPU weight', 1, 9),
    memoryBytes: limit('the memory limit in bytes', 1, Number.MAX_SAFE_INTEGER),
    processMemoryBytes: limit('the per-process memory limit in bytes', 1, Number.MAX_SAFE_INTEGER),
    activeProcesses: limit('the active process limit', 1, 4_194_304),
    maxIops: limit('the IO operations limit (per second)', 1, Number.MAX_SAFE_INTEGER),
    maxBandwidthBytes: limit('the IO bandwidth limit in bytes per second', 1, Number.MAX_SAFE_INTEGER),
    affinity: z
      .string()
      .regex(/^[1-9][0-9]{0,19}$/, 'the affinity must be a non-zero 64-bit mask written in decimal')
      .nullable()
      .optional(),
    killOnClose: z.boolean({ error: 'killOnClose must be true or false' }).optional(),
  })
  .strict();

export type LimitChanges = z.infer<typeof limitsSchema>;

const noNul = (what: string) => z.string().max(32_768).regex(/^[^\0]*$/, `${what} must not contain NUL characters`);
/** A whole number in [min, max] for a load generator flag. */
const loadFlag = (what: string, min: number, max: number) =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(min, `${what} must be ${min} to ${max}`)
    .max(max, `${what} must be ${min} to ${max}`);

/** A name that is also a safe file or cgroup name: no separators, no "." or ".." alone. */
const safeName = (what: string) =>
  z.string().regex(/^(?!\.+$)[A-Za-z0-9._-]{1,64}$/, `${what} is 1-64 letters, digits, ".", "_" or "-", not dots alone`);

/** The file name of a recording in the recordings folder: a safe name plus ".jsonl", nothing else. */
export const RECORDING_EXTENSION = '.jsonl';
const recordingFile = z
  .string()
  .regex(
    /^(?!\.+\.jsonl$)[A-Za-z0-9._-]{1,64}\.jsonl$/,
    'a recording is named by its file in the recordings folder: 1-64 letters, digits, ".", "_" or "-" then ".jsonl", no folders',
  );

export const commandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('getState') }).strict(),
  z
    .object({
      type: z.literal('createJob'),
      name: safeName('a job name').optional(),
      limits: limitsSchema.optional(),
    })
    .strict(),
  z.object({ type: z.literal('openJob'), path: z.string().min(1).max(4096) }).strict(),
  z.object({ type: z.literal('listProcesses') }).strict(),
  z.object({ type: z.literal('listJobs') }).strict(),
  z
    .object({
      type: z.literal('setInterval'),
      intervalMs: z
        .number({ error: 'the sampling interval must be a number of milliseconds' })
        .int('the sampling interval must be a whole number of milliseconds')
        .min(100, 'the sampling interval must be 100 to 60000 ms')
        .max(60_000, 'the sampling interval must be 100 to 60000 ms'),
    })
    .strict(),
  z.object({ type: z.literal('attach'), jobId, pids: z.array(pid).min(1).max(4096) }).strict(),
  z
    .object({ type: z.literal('terminateJob'), jobId, exitCode: z.number().int().min(0).max(0xffffffff).optional() })
    .strict(),
  z.object({ type: z.literal('closeJob'), jobId }).strict(),
  z.object({ type: z.literal('getHistory'), jobId }).strict(),
  z.object({ type: z.literal('getLimits'), jobId }).strict(),
  z.object({ type: z.literal('freezeJob'), jobId }).strict(),
  z.object({ type: z.literal('thawJob'), jobId }).strict(),
  z
    .object({
      type: z.literal('launch'),
      jobId,
      file: noNul('the command').min(1, 'name the program to run (a path, or a name looked up in PATH)'),
      args: z.array(noNul('an argument')).max(1024, 'at most 1024 arguments').optional(),
      cwd: noNul('the working directory').min(1, 'the working directory must not be empty').optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('launchLoadgen'),
      jobId,
      cpuPercent: loadFlag('the CPU load (% of one CPU)', 0, 100),
      memoryMiB: loadFlag('the memory to hold (MiB)', 0, 65_536),
      grow: z.boolean({ error: 'grow must be true or false' }),
      ioKiBps: loadFlag('the IO rate (KiB/s)', 0, 1_048_576),
      children: loadFlag('the number of child processes', 0, 1024),
      durationS: loadFlag('the duration (seconds)', 1, 86_400),
    })
    .strict(),
  z
    .object({
      type: z.literal('setLimits'),
      jobId,
      changes: limitsSchema.refine((changes) => Object.keys(changes).length > 0, 'name at least one limit to change'),
    })
    .strict(),
  z.object({ type: z.literal('startRecording'), name: safeName('a recording name').optional() }).strict(),
  z.object({ type: z.literal('stopRecording') }).strict(),
  z.object({ type: z.literal('listRecordings') }).strict(),
  z.object({ type: z.literal('openRecording'), file: recordingFile }).strict(),
]);

export type Command = z.infer<typeof commandSchema>;
export type CommandType = Command['type'];
export type CommandOf<T extends CommandType> = Extract<Command, { type: T }>;

export interface JobSummary {
  id: number;
  name: string;
  path: string;
  /** True when JobScope created the job (closing it removes the cgroup). */
  created: boolean;
  state: 'live' | 'gone';
}

export interface AppState {
  host: HostInfo;
  jobs: JobSummary[];
  intervalMs: number;
  historyMs: number;
  /** The service's own process, which is never attached (terminating the job would kill JobScope). */
  servicePid: number;
  /** The recording being written, or null. */
  recording: RecordingStatus | null;
  /** The last recording a failed write ended, until the next recording starts; else null. */
  recordingFailure: RecordingFailure | null;
  /** The folder recordings are written to and opened from. */
  recordingsDir: string;
}

export interface AttachResult {
  attached: number[];
  failed: { pid: number; error: string }[];
}

export interface LaunchResult {
  /** The new process, already a member of the job (its NEW_PROCESS notification follows). */
  pid: number;
}

export interface JobHistory {
  samples: JobSample[];
  notifications: Notification[];
  /** Notifications dropped from the front of this job's log because it was full (the service's notificationLimit). */
  droppedNotifications: number;
}

/** A recording being written. */
export interface RecordingStatus {
  /** Its file name in the recordings folder (what openRecording takes). */
  file: string;
  startTime: number;
}

/** A recording that a failed write (a full disk, an IO error, the file deleted) ended. */
export interface RecordingFailure {
  file: string;
  /** When it ended; the file holds the whole records written before. */
  time: number;
  /** A sentence naming the OS error and the file, e.g. "Recording stopped: no space left on device (ENOSPC) writing /x/a.jsonl. ..." */
  error: string;
  /** The errno name, e.g. ENOSPC. */
  code?: string;
}

/** One line of a recording file (JSON Lines). The first line is the header; `time` is ms since the epoch. */
export type RecordingRecord =
  | RecordingHeader
  /** The held jobs, whenever the set or a job's state changed. */
  | { type: 'jobs'; time: number; jobs: JobSummary[] }
  | { type: 'sample'; time: number; sample: JobSample }
  | { type: 'notification'; time: number; notification: Notification }
  /** A job's limits as the OS reported them: at the start, and whenever the user changed them. */
  | { type: 'limits'; time: number; jobId: number; report: LimitsReport }
  /** A command the user issued (reads are not recorded), with what it answered. */
  | { type: 'action'; time: number; command: Command; reply: CommandReply }
  /** Written by stopRecording; a recording without it was interrupted (the service stopped or crashed). */
  | { type: 'end'; time: number };

export const RECORDING_FORMAT = 'jobscope-recording';
export const RECORDING_VERSION = 1;

export interface RecordingHeader {
  type: 'header';
  format: typeof RECORDING_FORMAT;
  version: typeof RECORDING_VERSION;
  /** When recording started. */
  time: number;
  host: HostInfo;
  intervalMs: number;
  /** The jobs held when recording started. */
  jobs: JobSummary[];
}

/** A recording file as listRecordings describes it. */
export interface RecordingInfo {
  file: string;
  sizeBytes: number;
  startTime: number;
  /** From the header to the last complete record. */
  durationMs: number;
  /** Names of every job the recording holds data of. */
  jobs: string[];
  /** False when it has no end record: recording was interrupted. */
  complete: boolean;
}

/** A recording read back for replay: every complete record after the header, in file order. */
export interface Recording {
  info: RecordingInfo;
  header: RecordingHeader;
  records: Exclude<RecordingRecord, RecordingHeader>[];
  /** Said when something was skipped, e.g. a torn last line left by a crash. */
  warning?: string;
}

/** What each command answers. */
export interface CommandResults {
  getState: AppState;
  createJob: JobSummary;
  openJob: JobSummary;
  listProcesses: ProcessInfo[];
  listJobs: JobTreeEntry[];
  /** The interval now in force. */
  setInterval: { intervalMs: number };
  attach: AttachResult;
  terminateJob: null;
  closeJob: null;
  getHistory: JobHistory;
  getLimits: LimitsReport;
  freezeJob: null;
  thawJob: null;
  launch: LaunchResult;
  launchLoadgen: LaunchResult;
  setLimits: LimitsReport;
  startRecording: RecordingStatus;
  stopRecording: RecordingInfo;
  /** Newest first. Files that cannot be read are listed in `unreadable` with the reason. */
  listRecordings: { recordings: RecordingInfo[]; unreadable: { file: string; error: string }[] };
  openRecording: Recording;
}

/**
 * Pushed to every client: one per sampling tick (samples of every job), and one as soon as notifications
 * arrive (the notifications plus fresh samples of the jobs they concern). `jobs` is present when the set
 * of held jobs or their state changed.
 */
export interface ServiceEvent {
  time: number;
  samples: JobSample[];
  notifications: Notification[];
  jobs?: JobSummary[];
  /** Present when recording started (the status) or stopped (null). */
  recording?: RecordingStatus | null;
  /** Present, with `recording: null`, when a failed write ended the recording. */
  recordingFailure?: RecordingFailure;
}

export type CommandReply<T extends CommandType = CommandType> =
  | { ok: true; result: CommandResults[T] }
  /** `code`: the errno or Win32 error name when the OS refused (e.g. EBUSY, ESRCH). */
  | { ok: false; error: string; code?: string };

/** Electron IPC channel names; the WebSocket carries the same payloads. */
export const IPC_COMMAND_CHANNEL = 'jobscope:command';
export const IPC_EVENT_CHANNEL = 'jobscope:event';

/** Serve mode's WebSocket frames. */
export type ClientFrame = { id: number; command: unknown };
export type ServerFrame = { id: number; reply: CommandReply } | { event: ServiceEvent };
