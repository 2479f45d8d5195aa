// What the service tests share: a started service with its event log, command helpers that fail the test
// with the service's own error, child processes killed at the end, and waiting on conditions (never sleeps).
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';
import type { AppState, CommandReply, CommandResults, CommandType, Notification, ServiceEvent } from '../contract';
import { JobService, type ServiceOptions } from './job-service';

/** The load generator as `npm run build` compiles it: the service tests exercise the shipped script. */
export const builtLoadgen = path.join(__dirname, '..', '..', 'dist', 'electron', 'loadgen', 'loadgen.js');

/** The skip reason for tests that need real cgroups and root; false where they can run. */
export const needsRoot = process.platform !== 'linux' ? 'Linux only' : process.getuid?.() !== 0 ? 'needs root' : false;

/**
 * `skip`: the reason the file's tests are skipped (e.g. `needsRoot`); the service is then never started.
 * `children`: every process the test started; they are killed at the end (push your own spawns there).
 */
export function startTestService(options: Partial<ServiceOptions> = {}, { skip = false }: { skip?: string | false } = {}) {
  const service = new JobService({ intervalMs: 200, loadgenPath: builtLoadgen, ...options });
  const events: ServiceEvent[] = [];
  const children: ChildProcess[] = [];
  if (!skip) {
    service.start();
    service.subscribe((event) => events.push(event));
  }

  after(async () => {
    if (skip) return;
    for (const child of children) child.kill('SIGKILL');
    await removeCreatedJobs(service);
    const { leftBehind } = service.stop();
    assert.deepEqual(leftBehind, []);
  });

  async function ok<T extends CommandType>(command: { type: T } & Record<string, unknown>): Promise<CommandResults[T]> {
    const reply = (await service.handle(command)) as CommandReply<T>;
    if (!reply.ok) assert.fail(`${command.type} failed: ${reply.error}`);
    return reply.result;
  }

  async function failure(command: unknown): Promise<string> {
    const reply = await service.handle(command);
    assert.equal(reply.ok, false, `expected ${JSON.stringify(command)} to fail`);
    return (reply as { error: string }).error;
  }

  function spawnChild(script: string): ChildProcess {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'ignore', 'inherit'] });
    children.push(child);
    return child;
  }

  function notification(jobId: number, match: (n: Notification) => boolean): Notification | undefined {
    return events.flatMap((event) => event.notifications).find((n) => n.jobId === jobId && match(n));
  }

  return { service, events, children, ok, failure, spawnChild, notification };
}

/**
 * Terminates and closes the jobs this service created and a test left open (a failed test never reaches its
 * own cleanup), so no cgroup outlives the run. Opened jobs are left alone: their processes are not ours.
 */
async function removeCreatedJobs(service: JobService): Promise<void> {
  const state = await service.handle({ type: 'getState' });
  if (!state.ok) return;
  const created = (state.result as AppState).jobs.filter((job) => job.created);
  for (const job of created) await terminateAndClose(service, job.id);
}

/** Terminates a job and closes it once the kernel has let every killed member go (up to 10 s). */
export async function terminateAndClose(service: JobService, jobId: number): Promise<void> {
  await service.handle({ type: 'terminateJob', jobId });
  const deadline = Date.now() + 10_000;
  while (!(await service.handle({ type: 'closeJob', jobId })).ok && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls `probe` until it returns something other than undefined or false. */
export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Compiles native/test/swarm.c (many cheap member processes: see there) into `dir`, statically where the C
 * library allows, and returns the binary's path.
 */
export function buildSwarm(dir: string): string {
  const source = path.join(__dirname, '..', '..', 'native', 'test', 'swarm.c');
  const binary = path.join(dir, 'swarm');
  try {
    execFileSync('cc', ['-O2', '-Wall', '-static', '-o', binary, source], { stdio: 'pipe' });
  } catch {
    execFileSync('cc', ['-O2', '-Wall', '-o', binary, source], { stdio: 'pipe' });
  }
  return binary;
}

/** Waits for a swarm to write its READYFILE and returns how many children it made. */
export async function swarmMade(readyFile: string, timeoutMs = 120_000): Promise<number> {
  const text = await until('the swarm to be ready', () => existsSync(readyFile) && readFileSync(readyFile, 'utf8'), timeoutMs);
  return Number(text.trim());
}
