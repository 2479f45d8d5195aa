// The exact shape of the native addon (native/build/Release/jobscope.node), loaded by native/index.js.
// One shape for every OS: on Linux a "job" is a cgroup, on Windows a job object. Time values are
// microseconds, memory values bytes. Every entry checks its arguments and throws a TypeError or
// RangeError naming the bad one; OS failures throw a JobScopeError.

/** Message kinds, named after Windows' JOB_OBJECT_MSG_* completion messages. */
export type NotificationKind =
  | 'END_OF_JOB_TIME'
  | 'END_OF_PROCESS_TIME'
  | 'ACTIVE_PROCESS_LIMIT'
  | 'ACTIVE_PROCESS_ZERO'
  | 'NEW_PROCESS'
  | 'EXIT_PROCESS'
  | 'ABNORMAL_EXIT_PROCESS'
  | 'PROCESS_MEMORY_LIMIT'
  | 'JOB_MEMORY_LIMIT'
  | 'NOTIFICATION_LIMIT'
  | 'JOB_CYCLE_TIME_LIMIT'
  | 'SILO_TERMINATED';

export interface Notification {
  kind: NotificationKind;
  /** Job.id of the job the message is about. */
  jobId: number;
  /** The process the message is about; 0 when it is about the whole job (ACTIVE_PROCESS_ZERO). */
  pid: number;
  /** Milliseconds since the Unix epoch, taken when the poller thread received the OS event. */
  time: number;
  /** EXIT_PROCESS: the process's exit code. ABNORMAL_EXIT_PROCESS on Linux: 128 + signal. */
  exitCode?: number;
  /** ABNORMAL_EXIT_PROCESS on Linux: the number of the signal that killed the process. */
  signal?: number;
}

/** Where a memory figure was read from, so the UI can say how far to trust it. */
export type MemorySource =
  | 'cgroup2' // memory.current / memory.peak of the job's own cgroup
  | 'cgroup1' // memory.usage_in_bytes / max_usage_in_bytes of the job's v1 memory-cgroup mirror
  | 'procfs' // sum of the members' resident set sizes from /proc (peak: highest sum JobScope saw)
  | 'job-object' // Windows JobObjectMemoryUsageInformation: the job's committed memory and its peak
  // Windows without that class (before 10, Wine): sum of the members' private bytes (commit); peak:
  // the job's PeakJobMemoryUsed, or the highest sum JobScope saw where Windows records none (Wine)
  | 'process-sum';

export interface ProcessorStats {
  /** CPU time spent in user mode by all processes that ever ran in the job. */
  userTimeUs: number;
  /** CPU time spent in kernel mode. */
  kernelTimeUs: number;
  /** Processes that ever were in the job while JobScope (or, on Windows, the OS) counted. */
  totalProcesses: number;
  activeProcesses: number;
}

export interface MemoryStats {
  currentBytes: number;
  /** null where no source records a peak. */
  peakBytes: number | null;
  source: MemorySource;
}

export interface JobInfo {
  /** Unique for the life of the addon; never reused. */
  id: number;
  /** Windows: the object name, or "job-<id>" for an unnamed job. */
  name: string;
  /** Linux: absolute path of the job's cgroup v2 directory. Windows: the object name, or '' if unnamed. */
  path: string;
  /**
   * True when this addon created the job (close() then also removes it); false when opened. Windows:
   * false also when createJob found a job of that name and opened it (as CreateJobObjectW does).
   */
  created: boolean;
}

export interface MemberProcess {
  pid: number;
  name: string;
  /** user + kernel CPU time of this process so far. */
  cpuTimeUs: number;
  residentBytes: number;
}

export interface JobSample {
  jobId: number;
  /** Milliseconds since the Unix epoch. */
  time: number;
  /**
   * 'gone' when the job's cgroup was removed outside JobScope; the other fields are then absent.
   * Windows: always 'live' (our handle keeps the object alive).
   */
  state: 'live' | 'gone';
  processor?: ProcessorStats;
  memory?: MemoryStats;
  privateWorkingSetBytes?: number;
  processes?: MemberProcess[];
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  name: string;
  commandLine: string;
  user: string;
  residentBytes: number;
  /**
   * Linux: the process's cgroup v2 path relative to the hierarchy's root (e.g. "/user.slice").
   * Windows: the name of the one of our open jobs the process is in, '' when in none of them.
   */
  group: string;
}

export interface CreateJobOptions {
  /**
   * Linux: 1-64 characters of [A-Za-z0-9._-]; generated when absent. Windows: the job object's name,
   * 1-260 UTF-16 code units without NUL, a backslash only after a `Local\` or `Global\` prefix; the
   * job is unnamed when absent.
   */
  name?: string;
  /** Linux: absolute cgroup v2 directory to create the job in; default: "jobscope" under our own cgroup. */
  parent?: string;
  /** Windows: members are killed when the job's last handle closes (close(), or the app exiting). Linux: ENOTSUP. */
  killOnClose?: boolean;
  /** Windows only (ignored on Linux): create with NtCreateJobObject instead of CreateJobObjectW. */
  useNtVariant?: boolean;
}

export interface OpenJobOptions {
  /**
   * Linux: absolute path of an existing cgroup v2 directory (or one relative to the hierarchy's root).
   * Windows: the job object's name (rules of CreateJobOptions.name).
   */
  path: string;
  /** Windows only (ignored on Linux): open with NtOpenJobObject instead of OpenJobObjectW. */
  useNtVariant?: boolean;
}

/** Thrown for OS failures; `code` is the errno or Win32 error name, the message names the object. */
export interface JobScopeError extends Error {
  code: string;
}

export interface HostInfo {
  platform: 'linux' | 'win32';
  /** Linux: where cgroup2 is mounted, and the cgroup layout found. */
  cgroup2Mount?: string;
  cgroupLayout?: 'unified' | 'hybrid' | 'legacy';
  /** How process exits are observed: 'netlink' (proc connector), 'pidfd', or 'iocp' on Windows. */
  exitEvents: 'netlink' | 'pidfd' | 'iocp';
  /** Where created jobs' memory figures come from on this host. */
  memorySource: MemorySource;
}

export declare class Job {
  private constructor();
  readonly id: number;
  readonly name: string;
  readonly path: string;
  readonly created: boolean;
  /**
   * Moves a running process into the job. Throws for pid <= 0, non-integers, and exited processes;
   * Windows: also ERROR_ACCESS_DENIED when the process is in a job this one cannot be nested in.
   */
  assign(pid: number): void;
  pids(): number[];
  processorStats(): ProcessorStats;
  memoryStats(): MemoryStats;
  /** Windows before 10 and Wine (no VM_COUNTERS_EX2): the members' private bytes instead. */
  privateWorkingSet(): number;
  /** Kills every member. Linux cannot set another process's exit code: members die of SIGKILL. */
  terminate(exitCode?: number): void;
  /**
   * Stops watching; a created job's cgroup is removed (throws EBUSY, job kept, if members remain).
   * Windows: closes the handle; members keep running (unless killOnClose) and the object lives while they do.
   */
  close(): void;
  info(): JobInfo;
}

export declare function hostInfo(): HostInfo;
export declare function createJob(options?: CreateJobOptions): Job;
export declare function openJob(options: OpenJobOptions): Job;
export declare function listProcesses(): ProcessInfo[];
/** One native call per tick for all jobs; never throws for a gone job (its sample says so). */
export declare function sampleJobs(jobs: Job[]): JobSample[];
/**
 * Delivers notifications, in batches and in the order they happened, to `onNotifications`. The poller
 * thread runs from the first created or opened job; messages that arrive before a listener is set are kept
 * and delivered to it. Only one listener: a second call replaces the first. Windows: a job object reports to
 * one completion port, so a job that another program already watches opens without notifications.
 */
export declare function startNotifications(onNotifications: (batch: Notification[]) => void): void;
/** Drops the listener and stops the poller thread; safe to call when not started. */
export declare function stopNotifications(): void;
