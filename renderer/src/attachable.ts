// Which processes the picker offers: the service refuses init and itself, the kernel refuses its own
// threads, and a member is already where it would go. Each refusal is a sentence the row shows.
import type { ProcessInfo } from '../../electron/contract';

/** A Linux kernel thread: no command line of its own, so /proc shows its name in brackets. */
export function isKernelThread(p: ProcessInfo, linux: boolean): boolean {
  return linux && /^\[.*\]$/.test(p.commandLine);
}

export function whyNotAttachable(
  p: ProcessInfo,
  context: { servicePid: number | null; jobGroup: string | null; linux: boolean },
): string | null {
  if (p.pid === 1) return 'init (pid 1), whose death brings the system down';
  if (p.pid === context.servicePid) return 'JobScope itself';
  if (isKernelThread(p, context.linux)) return 'a kernel thread (never movable)';
  if (context.jobGroup !== null && p.group === context.jobGroup) return 'already in this job';
  return null;
}
