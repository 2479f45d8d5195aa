// What the service tests share: a started service with its event log, command helpers that fail the test
// with the service's own error, child processes killed at the end, and waiting on conditions (never sleeps).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after } from 'node:test';
import type { CommandReply, CommandResults, CommandType, Notification, ServiceEvent } from '../contract';
import { JobService, type ServiceOptions } from './job-service';

/** The load generator as `npm run build` compiles it: the service tests exercise the shipped script. */
export const builtLoadgen = path.join(__dirname, '..', '..', 'dist', 'electron', 'loadgen', 'loadgen.js');

export function startTestService(options: Partial<ServiceOptions> = {}) {
  const service = new JobService({ intervalMs: 200, loadgenPath: builtLoadgen, ...options });
  service.start();
  const events: ServiceEvent[] = [];
  service.subscribe((event) => events.push(event));
  const children: ChildProcess[] = [];

  after(() => {
    for (const child of children) child.kill('SIGKILL');
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

  return { service, events, ok, failure, spawnChild, notification };
}

export async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
