// The exact shape of the native addon (native/build/Release/jobscope.node), loaded by native/index.js.
// One shape for every OS: on Linux a "job" is a cgroup, on Windows a job object. Time values are
// microseconds, memory values bytes. Every entry checks its arguments and throws a TypeError or
// RangeError naming the bad one; OS failures throw a JobScopeError (or reject with one: listProcesses and
// listJobs, which return promises).

/**
 * Message kinds, named after Windows' JOB_OBJECT_MSG_* completion messages, plus NOTIFICATIONS_LOST (ours):
 * some of the job's messages could not be delivered (see Notification.lost and kernelEventsDropped).
 */
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
  | 'SILO_TERMINATED'
  | 'NOTIFICATIONS_LOST';

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
  /**
   * NOTIFICATIONS_LOST: exactly how many of this job's notifications were dropped, oldest first, while no
   * listener was set (more than 100,000 queued). It comes first in the batch that delivers the rest.
   */
  lost?: number;
  /**
   * NOTIFICATIONS_LOST on Linux: the kernel dropped this many proc connector messages (any process on the
   * host; its receive buffer overran). Every member known then was re-checked and those that had exited
   * were reported (EXIT_PROCESS without exitCode); what can still be missing is processes that both
   * started and exited within the overrun, at most this many.
   */
  kernelEventsDropped?: number;
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
  /** null where no source records a peak (memory.peak missing or unreadable). */
  peakBytes: number | null;
  source: MemorySource;
  /** Anonymous memory (v2 memory.stat anon, v1 total_rss); null where the source has no split. */
  anonBytes: number | null;
  /** Page cache (v2 memory.stat file, v1 total_cache); null where the source has no split. */
  fileBytes: number | null;
}

/**
 * Limits in Windows' vocabulary; null = no limit. Linux mappings (see README):
 * cpuRate -> cpu.max "quota 100000" with quota = rate/10000 * nCPUs * 100000 (v1 cpu.cfs_quota_us);
 * cpuWeight 1..9 -> cpu.weight 10,25,50,75,100,200,400,800,1000 (v1 cpu.shares = weight*1024/100);
 * 5 (weight 100) is the kernel default and reads back as null.
 * memoryBytes -> memory.max (v1 memory.limit_in_bytes); activeProcesses -> pids.max;
 * maxIops / maxBandwidthBytes -> io.max riops+wiops / rbps+wbps on every real block device
 * (v1 blkio.throttle.*_device).
 * Windows: memoryBytes, processMemoryBytes, activeProcesses, affinity and killOnClose live in the job's
 * JOBOBJECT_EXTENDED_LIMIT_INFORMATION, read, changed and written back so that setting one keeps the
 * others; cpuRate/cpuWeight are JobObjectCpuRateControlInformation (Windows 8+); maxIops/maxBandwidthBytes
 * are SetIoRateControlInformationJobObject for all volumes (Windows 10+). Where a class is missing (older
 * Windows, Wine) its fields are in `unsupported` as "not supported by this Windows (<ERROR_NAME>)".
 */
export interface JobLimits {
  /**
   * Hard CPU cap in hundredths of a percent of ALL CPUs, 1-10000. Windows: cpuRate and cpuWeight are
   * exclusive (one CPU rate control per job): setting one clears the other, giving both values in one
   * call throws EINVAL, and clearing the one not in force changes nothing.
   */
  cpuRate: number | null;
  /** Scheduling weight 1-9 (5 = normal). Windows: exclusive with cpuRate (see there). */
  cpuWeight: number | null;
  memoryBytes: number | null;
  /** Windows only: per-process commit limit. */
  processMemoryBytes: number | null;
  activeProcesses: number | null;
  maxIops: number | null;
  maxBandwidthBytes: number | null;
  /** Windows only: 64-bit affinity mask as a decimal string. */
  affinity: string | null;
  /** Windows only. */
  killOnClose: boolean;
}

export interface LimitsReport {
  /**
   * Read back from the kernel files ("max" -> null). Windows: what the job object answers; Wine answers
   * zeros for every limit (so null/false here) although it keeps and enforces killOnClose.
   */
  limits: JobLimits;
  /** Why a field cannot be set on this host/job. */
  unsupported: Partial<Record<keyof JobLimits, string>>;
  /** The devices IO limits apply to, e.g. "254:0 (vda)". Windows: [] (the IO rate applies to every volume). */
  ioDevices: string[];
}

export interface IoDeviceStats {
  device: string;
  readOps: number;
  writeOps: number;
  readBytes: number;
  writeBytes: number;
}

export interface IoStats {
  /**
   * Linux: 'on' where io.stat (or v1 blkio) exists, else 'unsupported'. Windows: the state of
   * JobObjectIoAttribution: 'off' until enableIoTracking(), then 'on'; 'unsupported' where this Windows
   * lacks the class (before 10, Wine). The counters come from JobObjectBasicAndIoAccountingInformation
   * (every read/write of the job's processes, always counted) where Windows answers it, else from the IO
   * attribution (storage IO, once on); 0 where neither answers (Wine).
   */
  tracking: 'on' | 'off' | 'unsupported';
  readOps: number;
  writeOps: number;
  readBytes: number;
  writeBytes: number;
  devices: IoDeviceStats[];
}

export interface CpuThrottling {
  periods: number;
  throttledPeriods: number;
  throttledTimeUs: number;
}

export interface LaunchOptions {
  /** A path, or a name looked up in PATH. */
  file: string;
  args?: string[];
  cwd?: string;
  /** The whole environment of the new process; default: JobScope's. */
  env?: Record<string, string>;
}

export interface JobTreeEntry {
  /**
   * Linux: absolute path under the cgroup2 mount (hierarchies merged by path on hybrid hosts).
   * Windows: what openJob takes: "Global\<name>" (\BaseNamedObjects), "Local\<name>" (this session);
   * another session's job has its NT path ("\Sessions\<n>\BaseNamedObjects\<name>", not openable from
   * here); an unnamed job (found in the system handle table) has ''.
   */
  path: string;
  name: string;
  /**
   * Windows: for a createChild child of ours, its parent's entry path (the entry name when the parent is
   * unnamed); else null (Windows does not tell which job another one nests in).
   */
  parent: string | null;
  /** Windows: the job's active processes; 0 with a `note` where the job cannot be opened for query. */
  processCount: number;
  /** Job.id of an open job with this path (Windows: the same object, or the same name), else null. */
  heldJobId: number | null;
  /** Windows only: why processCount is unknown, or why the entry cannot be opened by name. */
  note?: string;
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
  // sampleJobs gives a part equal to the same job's previous sample as that sample's object: read-only.
  processor?: Readonly<ProcessorStats>;
  memory?: Readonly<MemoryStats>;
  privateWorkingSetBytes?: number;
  processes?: readonly Readonly<MemberProcess>[];
  io?: Readonly<IoStats> & { readonly devices: readonly Readonly<IoDeviceStats>[] };
  frozen?: boolean;
  /** Present where the job has a CPU controller (v2 cpu or v1 cpu). */
  cpuThrottling?: Readonly<CpuThrottling>;
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
  /**
   * Full path of the executable. Linux: the /proc/<pid>/exe link as the kernel gives it (ends in
   * " (deleted)" when the file was replaced). Windows: QueryFullProcessImageNameW. '' when it cannot
   * be read: kernel threads, access denied, the process exiting meanwhile.
   */
  imagePath: string;
  /**
   * User plus kernel CPU time used so far, in microseconds; 0 when unreadable. (Wine 8's
   * GetProcessTimes gives no real per-process figure: every process reads the same.)
   */
  cpuTimeUs: number;
  /**
   * Whether the process is in any group, not only ours. Windows: in any job object (IsProcessInJob);
   * false when the process cannot be opened with a right that lets us ask. Linux: its cgroup v2 path
   * is not the hierarchy's root "/" (as seen from our cgroup namespace), so false for every process
   * on a host or container without cgroup v2, and for processes in the root cgroup.
   */
  inJob: boolean;
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
  /** Applied right after creation; a failure removes the job again and throws. (killOnClose lives here too.) */
  limits?: Partial<JobLimits>;
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
  /** Notifications dropped since the addon loaded (the sum of NOTIFICATIONS_LOST.lost, all jobs). */
  notificationsLost: number;
  /** Linux: proc connector messages the kernel dropped since the addon loaded (0 with pidfd). */
  kernelEventsDropped?: number;
  /** Where created jobs' memory figures come from on this host. */
  memorySource: MemorySource;
  /** Linux: where each controller a job uses lives for jobs created under the default parent. */
  controllers?: Record<'memory' | 'cpu' | 'io' | 'pids' | 'freezer', 'v2' | 'v1' | 'none'>;
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
   * Windows: closes the handle; members keep running (unless limits.killOnClose) and the object lives while they do.
   */
  close(): void;
  info(): JobInfo;
  limits(): LimitsReport;
  /** Only the given fields change (null clears); returns the read-back. Bad values throw before any change. */
  setLimits(changes: Partial<JobLimits>): LimitsReport;
  ioStats(): IoStats;
  /** Windows needs it; Linux: no-op (tracking is always on where supported). */
  enableIoTracking(): void;
  /**
   * Starts a program inside the job (member from its first instruction); stdio is /dev/null. Returns its pid.
   * Windows: CreateProcessW with PROC_THREAD_ATTRIBUTE_JOB_LIST (before 10: started suspended, assigned,
   * resumed), no window, stdio NUL; the command line is quoted so the program's CommandLineToArgvW gets
   * `args` back exactly; `env` becomes a sorted UTF-16 block. A missing program throws ERROR_FILE_NOT_FOUND.
   */
  launch(options: LaunchOptions): number;
  /**
   * Windows: JobObjectFreezeInformation (undocumented in the SDK, the class Windows uses to suspend UWP
   * apps): every thread of every member stops at once. Where Windows refuses the class (Wine, older or
   * locked-down systems) it throws ENOTSUP "... not supported by this Windows (<ERROR_NAME>)".
   */
  freeze(): void;
  thaw(): void;
  /**
   * A nested job (child cgroup). Windows: a second job object; processes assigned or launched into it are
   * put in this job (and its ancestors) first, which is how Windows nests jobs. Names: under a named job
   * `<parent>` the child given `name` is the object `<parent>.<name>` (no backslash allowed in `name`);
   * under an unnamed job the name is used as given; without a name the child is unnamed ("job-<id>").
   */
  createChild(options?: CreateJobOptions): Job;
}

export declare function hostInfo(): HostInfo;
export declare function createJob(options?: CreateJobOptions): Job;
export declare function openJob(options: OpenJobOptions): Job;
/**
 * Every process of the machine. Reads it on a libuv worker thread (~60 ms with 2000 processes), so the
 * event loop runs meanwhile; an OS failure rejects with a JobScopeError.
 */
export declare function listProcesses(): Promise<ProcessInfo[]>;
/**
 * The whole cgroup tree, with process counts; heldJobId where one of our jobs open at the call has that
 * path. Windows: the machine's job objects that this user can see (see JobTreeEntry.path). Walks the tree
 * on a libuv worker thread (50-220 ms with 2200-4200 cgroups), so the event loop runs meanwhile; an OS failure
 * (Linux: no cgroup hierarchy mounted, ENOTSUP) rejects with a JobScopeError.
 */
export declare function listJobs(): Promise<JobTreeEntry[]>;
/** Test-only: the pure parsers the backend applies to kernel files. Not part of the API. */
export declare const __test: {
  parseIoStat(text: string, format: 'io.stat' | 'blkio'): IoStats;
  parseMax(text: string): number | null;
  parseCpuStat(text: string, format: 'v2' | 'v1'): CpuThrottling;
};
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
