// Launching programs into jobs, and the shipped load generator tripping each limit, on real cgroups.
import assert from 'node:assert/strict';
import { readFileSync, readlinkSync } from 'node:fs';
import { test } from 'node:test';
import type { JobSample } from '../contract';
import { startTestService, until } from './test-support';

const { service, events, ok, failure, notification } = startTestService();
const MiB = 1 << 20;
const load = { cpuPercent: 0, memoryMiB: 0, grow: false, ioKiBps: 0, children: 0, durationS: 30 };

function latest(jobId: number, match: (s: JobSample) => boolean): JobSample | undefined {
  return events
    .flatMap((event) => event.samples)
    .reverse()
    .find((s) => s.jobId === jobId && match(s));
}

/** Terminates the job and closes it once the kernel has let every killed member go. */
async function finish(jobId: number): Promise<void> {
  await ok({ type: 'terminateJob', jobId });
  await until('the job to empty', () => notification(jobId, (n) => n.kind === 'ACTIVE_PROCESS_ZERO'), 10_000);
  const deadline = Date.now() + 10_000;
  while (!(await service.handle({ type: 'closeJob', jobId })).ok) {
    if (Date.now() > deadline) assert.fail(`job ${jobId} could not be closed after its members were killed`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a launched program starts inside the job with its arguments and working directory', async () => {
  const job = await ok({ type: 'createJob', name: `launch-test-${process.pid}` });
  const { pid } = await ok({ type: 'launch', jobId: job.id, file: 'sleep', args: ['30'], cwd: '/tmp' });
  assert.ok(pid > 0);
  await until('NEW_PROCESS of the launched pid', () => notification(job.id, (n) => n.kind === 'NEW_PROCESS' && n.pid === pid));
  assert.equal(readlinkSync(`/proc/${pid}/cwd`), '/tmp');
  assert.deepEqual(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, 2), ['sleep', '30']);

  assert.match(await failure({ type: 'launch', jobId: job.id, file: '' }), /file: name the program to run/);
  assert.match(await failure({ type: 'launch', jobId: job.id, file: 'a\0b' }), /must not contain NUL/);
  assert.match(await failure({ type: 'launch', jobId: job.id, file: 'sleep', args: [1] }), /args\.0/);
  assert.match(await failure({ type: 'launch', jobId: job.id, file: 'no-such-program-jobscope' }), /no-such-program-jobscope/);
  assert.match(await failure({ type: 'launch', jobId: job.id, file: 'sleep', cwd: '/no/such/dir' }), /\/no\/such\/dir/);
  assert.match(await failure({ type: 'launch', jobId: 424242, file: 'sleep' }), /No job with id 424242/);
  await finish(job.id);
});

test('the load generator over the memory limit is killed and JOB_MEMORY_LIMIT is reported', async () => {
  const job = await ok({ type: 'createJob', name: `loadgen-mem-${process.pid}`, limits: { memoryBytes: 96 * MiB } });
  const { pid } = await ok({ type: 'launchLoadgen', jobId: job.id, ...load, memoryMiB: 16, grow: true });
  await until('JOB_MEMORY_LIMIT', () => notification(job.id, (n) => n.kind === 'JOB_MEMORY_LIMIT'), 20_000);
  const killed = await until('the load generator killed', () =>
    notification(job.id, (n) => n.kind === 'ABNORMAL_EXIT_PROCESS' && n.pid === pid),
  );
  assert.equal(killed.signal, 9);
  await finish(job.id);
});

test('children past the process limit trip ACTIVE_PROCESS_LIMIT', async () => {
  const job = await ok({ type: 'createJob', name: `loadgen-pids-${process.pid}`, limits: { activeProcesses: 40 } });
  await ok({ type: 'launchLoadgen', jobId: job.id, ...load, children: 12 });
  await until('ACTIVE_PROCESS_LIMIT', () => notification(job.id, (n) => n.kind === 'ACTIVE_PROCESS_LIMIT'), 20_000);
  await finish(job.id);
});

test('CPU over the cap is throttled', async () => {
  const job = await ok({ type: 'createJob', name: `loadgen-cpu-${process.pid}`, limits: { cpuRate: 1000 } });
  await ok({ type: 'launchLoadgen', jobId: job.id, ...load, cpuPercent: 100 });
  const throttled = await until(
    'throttled CPU periods',
    () => latest(job.id, (s) => (s.cpuThrottling?.throttledPeriods ?? 0) > 2),
    15_000,
  );
  assert.ok(throttled.cpuThrottling!.throttledTimeUs > 0);
  await finish(job.id);
});

// Its own job, uncapped: a capped writer can be stalled between its write and its fdatasync, and a busy
// machine's flusher threads then write those pages, counted in the root cgroup rather than the job.
test('written bytes show in the IO stats', async (t) => {
  const job = await ok({ type: 'createJob', name: `loadgen-io-${process.pid}` });
  await ok({ type: 'launchLoadgen', jobId: job.id, ...load, ioKiBps: 256 });
  const first = await until('a sample of the writer', () => latest(job.id, (s) => s.io !== undefined));
  if (first.io?.tracking !== 'on') t.skip(`IO tracking is ${first.io?.tracking} here`);
  else await until('written bytes', () => latest(job.id, (s) => (s.io?.writeBytes ?? 0) > 64 * 1024), 15_000);
  await finish(job.id);
});

test('load generator settings out of range are refused with the field named', async () => {
  const job = await ok({ type: 'createJob', name: `loadgen-bad-${process.pid}` });
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ cpuPercent: 101 }, /cpuPercent: the CPU load \(% of one CPU\) must be 0 to 100\./],
    [{ memoryMiB: -1 }, /memoryMiB: the memory to hold \(MiB\) must be 0 to 65536/],
    [{ children: 2.5 }, /children: the number of child processes must be a whole number/],
    [{ durationS: 0 }, /durationS: the duration \(seconds\) must be 1 to 86400/],
    [{ grow: 'yes' }, /grow must be true or false/],
    [{ extra: 1 }, /Unrecognized key: "extra"/],
  ];
  for (const [change, expected] of cases) {
    assert.match(await failure({ type: 'launchLoadgen', jobId: job.id, ...load, ...change }), expected);
  }
  await ok({ type: 'closeJob', jobId: job.id });
});
