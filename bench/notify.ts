// Exit notifications: time from a member's exit to JobService's event (in process, real addon), and to the
// "exited" row in the DOM of Chromium driving serve mode. The bench SIGKILLs one member at a time and
// takes the kill time on the wall clock; the page stamps each row with the same clock (timeOrigin + now)
// from a MutationObserver, corrected by the measured page-to-bench clock offset.
import type { ChildProcess } from 'node:child_process';
import type { Notification } from '#native';
import { JobService } from '../electron/service/job-service';
import type { AttachResult, JobSummary } from '../electron/contract';
import { JOB_PREFIX, disposeJobs, spawnSleepers } from './jobs';
import { onCleanup, sleep, wallMs } from './lib';
import { launchChromium, openJobInUi, pageClockOffset, startServe } from './serve';

export interface LatencyResult {
  name: string;
  latenciesMs: number[];
  missing: number;
  note?: string;
}

const EXIT_KINDS = new Set(['EXIT_PROCESS', 'ABNORMAL_EXIT_PROCESS']);
/** Gap between kills: the exits are spread out so each one is measured on its own, with some jitter. */
const gapMs = () => 15 + Math.random() * 20;

async function killOneByOne(children: ChildProcess[]): Promise<Map<number, number>> {
  const killedAt = new Map<number, number>();
  for (const child of children) {
    killedAt.set(child.pid!, wallMs());
    child.kill('SIGKILL');
    await sleep(gapMs());
  }
  return killedAt;
}

/** Exit -> JobService.subscribe() event, in this process with the real addon. */
export async function measureServiceLatency(exits: number): Promise<LatencyResult> {
  const service = new JobService({ intervalMs: 1000 });
  const children: ChildProcess[] = [];
  const stopAll = onCleanup(async () => {
    await disposeJobs([], children);
    service.stop();
  });
  try {
    service.start();
    const seen = new Map<number, { at: number; polled: number }>();
    service.subscribe((event) => {
      const at = wallMs();
      for (const n of event.notifications as Notification[])
        if (EXIT_KINDS.has(n.kind) && !seen.has(n.pid)) seen.set(n.pid, { at, polled: n.time });
    });
    const created = await service.handle({ type: 'createJob', name: `${JOB_PREFIX}svc` });
    if (!created.ok) throw new Error(created.error);
    const job = created.result as JobSummary;
    children.push(...(await spawnSleepers(exits)));
    const attached = await service.handle({ type: 'attach', jobId: job.id, pids: children.map((c) => c.pid!) });
    if (!attached.ok || (attached.result as AttachResult).failed.length) throw new Error('attach failed');
    await sleep(500); // let the NEW_PROCESS burst settle
    const killedAt = await killOneByOne(children);
    await sleep(1000);
    const latencies: number[] = [];
    const pollerPart: number[] = [];
    for (const [pid, t] of killedAt) {
      const s = seen.get(pid);
      if (!s) continue;
      latencies.push(s.at - t);
      pollerPart.push(s.polled - Math.floor(t)); // Notification.time has ms resolution
    }
    pollerPart.sort((a, b) => a - b);
    return {
      name: 'exit -> JobService event',
      latenciesMs: latencies,
      missing: killedAt.size - latencies.length,
      note: `of which kill -> poller thread median ${pollerPart[pollerPart.length >> 1] ?? NaN} ms (ms resolution)`,
    };
  } finally {
    await stopAll();
  }
}

/** Exit -> "exited" row in the notification log of Chromium, through serve mode. */
export async function measureDomLatency(exits: number): Promise<LatencyResult> {
  const serve = await startServe(1000);
  const children: ChildProcess[] = [];
  let jobId: number | undefined;
  const stopJob = onCleanup(async () => {
    if (jobId !== undefined) await serve.command({ type: 'terminateJob', jobId }).catch(() => undefined);
    await disposeJobs([], children);
    if (jobId !== undefined) await serve.command({ type: 'closeJob', jobId }).catch(() => undefined);
  });
  const { page, stop: stopBrowser } = await launchChromium();
  try {
    const name = `${JOB_PREFIX}dom`;
    const job = await serve.command<JobSummary>({ type: 'createJob', name });
    jobId = job.id;
    await openJobInUi(page, serve.url, name);
    children.push(...(await spawnSleepers(exits)));
    const attached = await serve.command<AttachResult>({ type: 'attach', jobId, pids: children.map((c) => c.pid!) });
    if (attached.failed.length) throw new Error(`attach failed: ${attached.failed[0].error}`);
    await page.evaluate(() => {
      const w = window as unknown as { __exits: Record<string, number> };
      w.__exits = {};
      const scan = () => {
        const now = performance.timeOrigin + performance.now();
        for (const row of document.querySelectorAll('tr.kind-EXIT_PROCESS, tr.kind-ABNORMAL_EXIT_PROCESS')) {
          const pid = row.children[2]?.textContent?.trim();
          if (pid && !(pid in w.__exits)) w.__exits[pid] = now;
        }
      };
      new MutationObserver(scan).observe(document.body, { childList: true, subtree: true, characterData: true });
      scan();
    });
    await sleep(1500); // the NEW_PROCESS burst reaches the page and settles
    const offset = await pageClockOffset(page);
    const killedAt = await killOneByOne(children);
    await sleep(1500);
    const seen = await page.evaluate(() => (window as unknown as { __exits: Record<string, number> }).__exits);
    const latencies: number[] = [];
    for (const [pid, t] of killedAt) if (seen[pid] !== undefined) latencies.push(seen[pid] - offset - t);
    return {
      name: 'exit -> DOM row (Chromium, serve)',
      latenciesMs: latencies,
      missing: killedAt.size - latencies.length,
      note: `page clock offset ${offset.toFixed(2)} ms corrected`,
    };
  } finally {
    await stopBrowser();
    await stopJob();
    await serve.stop();
  }
}
