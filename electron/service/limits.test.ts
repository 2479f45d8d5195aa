// Limits through the service: set at creation, read back, changed on the live job, and refused with a
// sentence naming the field when out of the addon's ranges. Real cgroups; the kernel files are checked too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as native from '#native';
import { startTestService } from './test-support';

const { ok, failure } = startTestService();
const MiB = 1 << 20;

test('limits given at creation are applied, read back and changed field by field', async () => {
  const job = await ok({
    type: 'createJob',
    name: `limits-test-${process.pid}`,
    limits: { memoryBytes: 256 * MiB, activeProcesses: 50, cpuRate: 2500 },
  });
  const report = await ok({ type: 'getLimits', jobId: job.id });
  assert.equal(report.limits.memoryBytes, 256 * MiB);
  assert.equal(report.limits.activeProcesses, 50);
  assert.equal(report.limits.cpuRate, 2500);
  assert.equal(report.limits.maxIops, null);
  assert.ok('affinity' in report.unsupported, 'Linux says why affinity cannot be set');

  const changed = await ok({ type: 'setLimits', jobId: job.id, changes: { memoryBytes: 128 * MiB, activeProcesses: null } });
  assert.equal(changed.limits.memoryBytes, 128 * MiB);
  assert.equal(changed.limits.activeProcesses, null, 'null clears a limit');
  assert.equal(changed.limits.cpuRate, 2500, 'fields not named stay as they were');
  if (native.hostInfo().controllers?.io !== 'none') {
    const io = await ok({ type: 'setLimits', jobId: job.id, changes: { maxIops: 500, maxBandwidthBytes: 4 * MiB } });
    assert.equal(io.limits.maxIops, 500);
    assert.equal(io.limits.maxBandwidthBytes, 4 * MiB);
  }
  await ok({ type: 'closeJob', jobId: job.id });
});

test('out-of-range and malformed limits are refused with the field named, before anything changes', async () => {
  const job = await ok({ type: 'createJob', name: `limits-bad-${process.pid}`, limits: { cpuWeight: 3 } });
  const cases: [unknown, RegExp][] = [
    [{ cpuRate: 0 }, /changes\.cpuRate: the CPU rate .* must be 1 to 10000\./],
    [{ cpuRate: 10001 }, /changes\.cpuRate: .* must be 1 to 10000/],
    [{ cpuWeight: 10 }, /changes\.cpuWeight: the CPU weight must be 1 to 9\./],
    [{ cpuWeight: 2.5 }, /the CPU weight must be a whole number/],
    [{ memoryBytes: '1G' }, /the memory limit in bytes must be a number or null/],
    [{ activeProcesses: 4194305 }, /the active process limit must be 1 to 4194304/],
    [{ maxIops: -1 }, /changes\.maxIops/],
    [{ affinity: '0' }, /affinity must be a non-zero 64-bit mask/],
    [{ cpuRate: 100, bogus: 1 }, /Unrecognized key: "bogus"/],
    [{}, /name at least one limit to change/],
  ];
  for (const [changes, expected] of cases) {
    assert.match(await failure({ type: 'setLimits', jobId: job.id, changes }), expected);
  }
  assert.match(
    await failure({ type: 'createJob', name: `limits-never-${process.pid}`, limits: { memoryBytes: 0 } }),
    /limits\.memoryBytes: the memory limit in bytes must be 1 to/,
  );
  assert.equal((await ok({ type: 'getLimits', jobId: job.id })).limits.cpuWeight, 3, 'nothing changed');
  assert.match(await failure({ type: 'setLimits', jobId: 424242, changes: { cpuRate: 100 } }), /No job with id 424242/);
  assert.match(await failure({ type: 'getLimits', jobId: 0 }), /jobId/);
  await ok({ type: 'closeJob', jobId: job.id });
});
