// Renderer frame times with live charts at 10 Hz: serve mode at --interval 100 with 16 jobs held and the
// Compare view open in Chromium, showing the first 8 jobs' CPU and memory charts: 16 live charts.
import type { ChildProcess } from 'node:child_process';
import type { AttachResult, JobSummary } from '../electron/contract';
import { JOB_PREFIX, disposeJobs, spawnSleepers } from './jobs';
import { onCleanup, percentile, sleep } from './lib';
import { launchChromium, startServe } from './serve';

export interface FrameResult {
  jobs: number;
  chartsShown: number;
  frames: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Frames longer than 1.5 vsync intervals, i.e. at least one frame dropped. */
  droppedPercent: number;
  /** Main-thread busy share (CDP TaskDuration / wall), so the cost shows even when frames are on time. */
  mainThreadPercent: number;
  vsyncMs: number;
}

export async function measureFrames(jobCount: number, seconds: number): Promise<FrameResult> {
  const serve = await startServe(100);
  const children: ChildProcess[] = [];
  const jobIds: number[] = [];
  const stopJobs = onCleanup(async () => {
    for (const jobId of jobIds) await serve.command({ type: 'terminateJob', jobId }).catch(() => undefined);
    await disposeJobs([], children);
    for (const jobId of jobIds) await serve.command({ type: 'closeJob', jobId }).catch(() => undefined);
  });
  const { page, stop: stopBrowser } = await launchChromium();
  try {
    for (let i = 0; i < jobCount; i++) {
      const job = await serve.command<JobSummary>({ type: 'createJob', name: `${JOB_PREFIX}frames${i}` });
      jobIds.push(job.id);
      const kids = await spawnSleepers(2);
      children.push(...kids);
      const attached = await serve.command<AttachResult>({ type: 'attach', jobId: job.id, pids: kids.map((k) => k.pid!) });
      if (attached.failed.length) throw new Error(`attach failed: ${attached.failed[0].error}`);
    }
    await page.goto(serve.url);
    await page.getByRole('status', { name: 'Connection' }).filter({ hasText: 'Connected' }).waitFor();
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.getByRole('heading', { name: 'Compare jobs' }).waitFor();
    await sleep(3000); // the charts fill with a few seconds of 10 Hz samples
    const chartsShown = await page.locator('.recharts-wrapper').count();
    const session = await page.context().newCDPSession(page);
    await session.send('Performance.enable');
    const metric = async (name: string) =>
      ((await session.send('Performance.getMetrics')).metrics.find((m) => m.name === name)?.value ?? NaN) as number;
    const busy0 = await metric('TaskDuration');
    const wall0 = performance.now();
    const deltas = await page.evaluate(
      (ms) =>
        new Promise<number[]>((resolve) => {
          const out: number[] = [];
          let last = 0;
          const end = performance.now() + ms;
          const frame = (t: number) => {
            if (last) out.push(t - last);
            last = t;
            if (t < end) requestAnimationFrame(frame);
            else resolve(out);
          };
          requestAnimationFrame(frame);
        }),
      seconds * 1000,
    );
    const busy = (await metric('TaskDuration')) - busy0;
    const wall = (performance.now() - wall0) / 1000;
    const vsync = percentile(deltas, 50);
    return {
      jobs: jobCount,
      chartsShown,
      frames: deltas.length,
      p50Ms: vsync,
      p95Ms: percentile(deltas, 95),
      p99Ms: percentile(deltas, 99),
      droppedPercent: (deltas.filter((d) => d > vsync * 1.5).length / deltas.length) * 100,
      mainThreadPercent: (busy / wall) * 100,
      vsyncMs: vsync,
    };
  } finally {
    await stopBrowser();
    await stopJobs();
    await serve.stop();
  }
}
