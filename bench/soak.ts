// The main process's CPU and RSS over a long run: JobService in a child Node process sampling N jobs at a
// given rate. CPU is process.cpuUsage() (all threads, incl. the addon's poller) over wall time after a
// warm-up; RSS is read at the end of the warm-up, every few seconds, and at the end. The history window is
// the service's option: RSS can only be flat once the window is full, so the warm-up outlasts it.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { JOB_PREFIX, disposeJobs, spawnSleepers } from './jobs';
import { deadline, onCleanup, sleep } from './lib';

export interface SoakResult {
  jobs: number;
  hz: number;
  seconds: number;
  /** The service's history window (historyMs) in seconds. */
  historySeconds: number;
  cpuPercent: number;
  rssStartMiB: number;
  rssEndMiB: number;
  rssMaxMiB: number;
  rssMinMiB: number;
  /** Every RSS reading after the warm-up, one per RSS_READING_MS, the first at its end. */
  rssReadingsMiB: number[];
  leftBehind: string[];
}

interface Usage {
  cpuUs: { user: number; system: number };
  rss: number;
  wallMs: number;
}

let soakRun = 0;
const RSS_READING_MS = 2000;

export async function soak(
  jobs: number,
  intervalMs: number,
  seconds: number,
  warmupSeconds: number,
  historySeconds: number,
): Promise<SoakResult> {
  if (warmupSeconds <= historySeconds) throw new Error(`the warm-up (${warmupSeconds} s) must outlast the history window (${historySeconds} s)`);
  const sleepers = await spawnSleepers(jobs * 2);
  const child: ChildProcess = fork(path.join(__dirname, 'soak-child.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const stop = onCleanup(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // Asks it to remove its jobs; if IPC is already gone, SIGTERM does the same (see soak-child.ts).
      // After a normal run the child has answered 'stopped' and disconnected, but this side may not have
      // seen the disconnect yet: a send() then fails asynchronously with EPIPE, emitted as 'error', which
      // once(child, 'exit') turned into a rejection (the soak rows' "write EPIPE"). So send with a callback
      // and wait for the exit without once()'s error handling.
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (child.connected) {
        child.send({ type: 'stop' }, (error) => {
          if (error) child.kill('SIGTERM');
        });
      } else {
        child.kill('SIGTERM');
      }
      await Promise.race([exited, deadline(15_000)]);
    }
    await disposeJobs([], sleepers);
  });
  const ask = async <T>(request: object, answer: string): Promise<T> => {
    const got = new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`soak child exited (${code})`));
      const onMessage = (message: { type: string; message?: string }) => {
        if (message.type === answer) resolve(message as T);
        else if (message.type === 'error') reject(new Error(`soak child: ${message.message}`));
        else return;
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    child.send(request, (error) => {
      if (error) child.emit('exit', child.exitCode); // the child is gone: reject through onExit
    });
    return got;
  };
  try {
    const pidsPerJob = Array.from({ length: jobs }, (_, i) => [sleepers[2 * i].pid!, sleepers[2 * i + 1].pid!]);
    const historyMs = historySeconds * 1000;
    await ask({ type: 'setup', intervalMs, historyMs, prefix: `${JOB_PREFIX}soak${soakRun++}-`, pidsPerJob }, 'ready');
    await sleep(warmupSeconds * 1000);
    const start = await ask<Usage>({ type: 'usage' }, 'usage');
    const rssReadings = [start.rss];
    let last = start;
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      await sleep(Math.min(RSS_READING_MS, end - performance.now()));
      last = await ask<Usage>({ type: 'usage' }, 'usage');
      rssReadings.push(last.rss);
    }
    const cpuUs = last.cpuUs.user + last.cpuUs.system - start.cpuUs.user - start.cpuUs.system;
    // Members die first, so the service's stop() finds every job empty and removes it.
    await disposeJobs([], sleepers);
    const stopped = await ask<{ leftBehind: string[] }>({ type: 'stop' }, 'stopped');
    return {
      jobs,
      hz: 1000 / intervalMs,
      seconds,
      historySeconds,
      cpuPercent: (cpuUs / 1000 / (last.wallMs - start.wallMs)) * 100,
      rssStartMiB: start.rss / 2 ** 20,
      rssEndMiB: last.rss / 2 ** 20,
      rssMaxMiB: Math.max(...rssReadings) / 2 ** 20,
      rssMinMiB: Math.min(...rssReadings) / 2 ** 20,
      rssReadingsMiB: rssReadings.map((rss) => rss / 2 ** 20),
      leftBehind: stopped.leftBehind,
    };
  } finally {
    await stop();
  }
}
