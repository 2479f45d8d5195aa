// The one contract between the monitoring service and the renderer, whatever carries it (Electron IPC in
// the desktop app, a WebSocket in serve mode). Commands are validated against these schemas in the main
// process; the renderer imports the types only.
import { z } from 'zod';
import type { HostInfo, JobSample, MemberProcess, MemorySource, Notification, ProcessInfo } from '#native';

export type { HostInfo, JobSample, MemberProcess, MemorySource, Notification, ProcessInfo };

const pid = z.number().int().positive().max(2 ** 22, 'a pid is at most 4194304 (Linux pid_max)');
const jobId = z.number().int().positive();

export const commandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('getState') }).strict(),
  z
    .object({
      type: z.literal('createJob'),
      name: z
        .string()
        .regex(/^(?!\.+$)[A-Za-z0-9._-]{1,64}$/, 'a job name is 1-64 letters, digits, ".", "_" or "-", not dots alone')
        .optional(),
    })
    .strict(),
  z.object({ type: z.literal('openJob'), path: z.string().min(1).max(4096) }).strict(),
  z.object({ type: z.literal('listProcesses') }).strict(),
  z.object({ type: z.literal('attach'), jobId, pids: z.array(pid).min(1).max(4096) }).strict(),
  z
    .object({ type: z.literal('terminateJob'), jobId, exitCode: z.number().int().min(0).max(0xffffffff).optional() })
    .strict(),
  z.object({ type: z.literal('closeJob'), jobId }).strict(),
  z.object({ type: z.literal('getHistory'), jobId }).strict(),
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
}

export interface AttachResult {
  attached: number[];
  failed: { pid: number; error: string }[];
}

export interface JobHistory {
  samples: JobSample[];
  notifications: Notification[];
  /** Notifications dropped from the front of this job's log because it was full (the service's notificationLimit). */
  droppedNotifications: number;
}

/** What each command answers. */
export interface CommandResults {
  getState: AppState;
  createJob: JobSummary;
  openJob: JobSummary;
  listProcesses: ProcessInfo[];
  attach: AttachResult;
  terminateJob: null;
  closeJob: null;
  getHistory: JobHistory;
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
