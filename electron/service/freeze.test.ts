// Freezing and thawing a job through the service, with a real busy process, and the refusal to freeze
// JobScope's own group.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JobSample } from '../contract';
import { startTestService, until } from './test-support';

const { events, ok, failure, spawnChild } = startTestService();

function samplesOf(jobId: number): JobSample[] {
  return events.flatMap((event) => event.samples).filter((s) => s.jobId === jobId && s.state === 'live');
}

test('a frozen job stops using CPU and says so; thawed, it runs again', async () => {
  const job = await ok({ type: 'createJob', name: `freeze-test-${process.pid}` });
  const busy = spawnChild('for (;;);');
  await ok({ type: 'attach', jobId: job.id, pids: [busy.pid!] });
  await until('CPU use', () => samplesOf(job.id).find((s) => s.processor!.userTimeUs > 0));

  await ok({ type: 'freezeJob', jobId: job.id });
  const frozen = await until('a frozen sample', () => samplesOf(job.id).find((s) => s.frozen === true));
  const later = await until('two more frozen samples', () =>
    samplesOf(job.id).filter((s) => s.frozen && s.time > frozen.time + 300).at(-1),
  );
  const cpu = (s: JobSample) => s.processor!.userTimeUs + s.processor!.kernelTimeUs;
  assert.ok(cpu(later) - cpu(frozen) < 20_000, `a frozen job used ${cpu(later) - cpu(frozen)} µs of CPU`);

  await ok({ type: 'thawJob', jobId: job.id });
  const thawed = await until('a thawed sample', () => samplesOf(job.id).find((s) => s.time > later.time && s.frozen === false));
  await until('CPU use again', () => samplesOf(job.id).find((s) => s.time > thawed.time && cpu(s) > cpu(thawed)));
  await ok({ type: 'terminateJob', jobId: job.id });
  await until('the busy child gone', () => (busy.exitCode !== null || busy.signalCode !== null ? true : undefined));
});

test('the group holding JobScope is never frozen, and unknown jobs are named', async () => {
  const root = await ok({ type: 'openJob', path: '/' });
  assert.match(await failure({ type: 'freezeJob', jobId: root.id }), /refusing to freeze job .*: its cgroup .* holds .*JobScope itself \(pid \d+\), which would stop with it \(EPERM\)/);
  await ok({ type: 'closeJob', jobId: root.id });
  assert.match(await failure({ type: 'thawJob', jobId: 424242 }), /No job with id 424242/);
  assert.match(await failure({ type: 'freezeJob', jobId: 'x' }), /jobId/);
});
