// Units and readable sentences.
import type { HostInfo, MemorySource, Notification } from '../../electron/contract';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes)) return '—';
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export function formatPercent(pct: number | null | undefined): string {
  if (pct == null || !Number.isFinite(pct)) return '—';
  return `${pct < 10 ? pct.toFixed(1) : pct.toFixed(0)} %`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Chart axis: minutes and seconds of the local clock. */
const TICK_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900];

/**
 * Time-axis ticks on whole steps of 1 s to 15 min, at most `maxTicks`, so a young job's few seconds are not
 * labelled with the same second twice and a 15-minute window reads 19:05:00, 19:10:00.
 */
export function clockTicks(from: number, to: number, maxTicks = 6): number[] {
  if (!(to > from)) return [];
  const stepS = TICK_STEPS_S.find((s) => (to - from) / (s * 1000) <= maxTicks) ?? TICK_STEPS_S[TICK_STEPS_S.length - 1];
  const step = stepS * 1000;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

/** A duration as m:ss, e.g. 1:05. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(seconds / 60)}:${pad(seconds % 60)}`;
}

export function formatClock(time: number): string {
  const d = new Date(time);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const SIGNALS = [
  '', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1',
  'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP',
  'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR',
  'SIGSYS',
];

export function signalName(signal: number): string {
  return SIGNALS[signal] ?? (signal >= 34 && signal <= 64 ? `SIGRTMIN+${signal - 34}` : `signal ${signal}`);
}

/** Exit codes above 255 are Windows NTSTATUS values, readable in hex. */
function exitCodeText(code: number): string {
  return code > 255 ? `0x${code.toString(16).toUpperCase().padStart(8, '0')}` : String(code);
}

export function exitColumn(n: Notification): string {
  if (n.signal != null) return `signal ${n.signal} (${signalName(n.signal)})`;
  if (n.exitCode != null) return `code ${exitCodeText(n.exitCode)}`;
  return '';
}

export function describeNotification(n: Notification): string {
  const who = `pid ${n.pid}`;
  switch (n.kind) {
    case 'EXIT_PROCESS':
      return n.exitCode != null ? `${who} exited with code ${exitCodeText(n.exitCode)}` : `${who} exited`;
    case 'ABNORMAL_EXIT_PROCESS':
      if (n.signal != null) return `${who} killed by signal ${n.signal} (${signalName(n.signal)})`;
      return n.exitCode != null
        ? `${who} exited abnormally with code ${exitCodeText(n.exitCode)}`
        : `${who} exited abnormally`;
    case 'NEW_PROCESS':
      return `${who} joined the job`;
    case 'ACTIVE_PROCESS_ZERO':
      return 'no active processes';
    case 'ACTIVE_PROCESS_LIMIT':
      return 'the active process limit was reached';
    case 'END_OF_JOB_TIME':
      return 'the job CPU time limit was reached';
    case 'END_OF_PROCESS_TIME':
      return `${who} reached its CPU time limit`;
    case 'PROCESS_MEMORY_LIMIT':
      return `${who} reached its memory limit`;
    case 'JOB_MEMORY_LIMIT':
      return `the job memory limit was reached${n.pid ? ` (by ${who})` : ''}`;
    case 'NOTIFICATION_LIMIT':
      return 'a notification limit was exceeded';
    case 'JOB_CYCLE_TIME_LIMIT':
      return 'the job CPU cycle limit was reached';
    case 'SILO_TERMINATED':
      return 'the silo was terminated';
    case 'NOTIFICATIONS_LOST':
      return n.lost != null
        ? `${n.lost} older notifications of this job were lost before JobScope was listening`
        : `the kernel dropped ${n.kernelEventsDropped ?? 'some'} process events (host-wide); members were re-checked, but processes that started and ended meanwhile may be missing`;
  }
}

export const MEMORY_SOURCE_LABEL: Record<MemorySource, string> = {
  cgroup2: 'cgroup2 memory.current (peak: memory.peak): memory charged since processes joined',
  cgroup1: 'cgroup v1 memory mirror (memory.usage_in_bytes): memory charged since processes joined',
  procfs: 'sum of /proc RSS (peak: highest sum seen)',
  'job-object': 'Windows job object (committed memory)',
  'process-sum': "sum of the members' private bytes (peak: the job's, else highest sum seen)",
};

/** Short form for chart captions. */
export const MEMORY_SOURCE_SHORT: Record<MemorySource, string> = {
  cgroup2: 'cgroup2 memory.current',
  cgroup1: 'cgroup v1 mirror',
  procfs: 'sum of /proc RSS',
  'job-object': 'Windows job object',
  'process-sum': "sum of members' private bytes",
};

const EXIT_EVENTS: Record<HostInfo['exitEvents'], string> = {
  netlink: 'netlink proc connector',
  pidfd: 'pidfd polling',
  iocp: 'I/O completion port',
};

export function describeHost(host: HostInfo): { groups: string; exits: string } {
  if (host.platform === 'win32') return { groups: 'Windows job objects', exits: EXIT_EVENTS[host.exitEvents] };
  const layout = host.cgroupLayout ?? 'unknown';
  const mount = host.cgroup2Mount ? ` at ${host.cgroup2Mount}` : ' (cgroup2 not mounted)';
  return { groups: `cgroup ${layout}${mount}`, exits: EXIT_EVENTS[host.exitEvents] ?? host.exitEvents };
}

/** Turns a service or transport error into one readable sentence. */
export function errorSentence(prefix: string, err: unknown): string {
  let text = err instanceof Error ? err.message : String(err);
  text = text.trim();
  if (!text) text = 'unknown error';
  if (!/[.!?]$/.test(text)) text += '.';
  return `${prefix}: ${text}`;
}

/** A CPU cap in hundredths of a percent of all CPUs, as people read it. */
export function formatCpuLimit(cpuRate: number | null, cpuWeight: number | null): string {
  if (cpuRate != null) return `cap ${Number((cpuRate / 100).toFixed(2))} % of all CPUs`;
  if (cpuWeight != null) return `weight ${cpuWeight} of 9 (5 is normal)`;
  return 'no limit';
}

export function formatLimit(value: number | null, unit: (v: number) => string): string {
  return value == null ? 'no limit' : unit(value);
}
