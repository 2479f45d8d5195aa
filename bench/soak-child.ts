// The monitoring service alone in its own Node process, as the main process runs it, so the parent can
// measure its CPU and RSS without counting the bench itself. Driven over IPC by soak.ts.
import { JobService } from '../electron/service/job-service';
import type { AttachResult, JobSummary } from '../electron/contract';

type Request =
  | { type: 'setup'; intervalMs: number; historyMs: number; prefix: string; pidsPerJob: number[][] }
  | { type: 'usage' }
  | { type: 'stop' };

let service: JobService | undefined;
const jobIds: number[] = [];
const reply = (message: object) => process.send!(message);

async function setup(request: Extract<Request, { type: 'setup' }>): Promise<void> {
  service = new JobService({ intervalMs: request.intervalMs, historyMs: request.historyMs });
  service.start();
  for (const [i, pids] of request.pidsPerJob.entries()) {
    const created = await service.handle({ type: 'createJob', name: `${request.prefix}${i}` });
    if (!created.ok) throw new Error(created.error);
    const id = (created.result as JobSummary).id;
    jobIds.push(id);
    const attached = await service.handle({ type: 'attach', jobId: id, pids });
    if (!attached.ok || (attached.result as AttachResult).failed.length) throw new Error(`attach to job ${i} failed`);
  }
}

/** Kills what is left in the jobs (Ctrl-C, error) and removes them. */
async function shutdown(): Promise<string[]> {
  if (!service) return [];
  for (const jobId of jobIds) await service.handle({ type: 'terminateJob', jobId });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { leftBehind } = service.stop();
  service = undefined;
  return leftBehind;
}

process.on('message', (request: Request) => {
  void (async () => {
    try {
      if (request.type === 'setup') {
        await setup(request);
        reply({ type: 'ready' });
      } else if (request.type === 'usage') {
        reply({ type: 'usage', cpuUs: process.cpuUsage(), rss: process.memoryUsage().rss, wallMs: performance.now() });
      } else {
        reply({ type: 'stopped', leftBehind: await shutdown() });
        process.disconnect();
      }
    } catch (error) {
      reply({ type: 'error', message: (error as Error).message });
    }
  })();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void shutdown().finally(() => process.exit(130)));
process.once('disconnect', () => void shutdown().finally(() => process.exit(0)));
