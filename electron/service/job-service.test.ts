// The service with the real addon, real cgroups and real child processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import * as native from '#native';
import { startTestService, until } from './test-support';

const { events, ok, failure, spawnChild } = startTestService();

test('a created job samples its attached processes and reports their exits', async () => {
  const job = await ok({ type: 'createJob', name: `service-test-${process.pid}` });
  assert.equal(job.state, 'live');
  assert.ok(existsSync(job.path), `${job.path} should exist`);
  assert.ok(events.some((event) => event.jobs?.some((held) => held.id === job.id)), 'clients hear of the new job');

  const busy = spawnChild('process.stdin.once("data", () => process.exit(5)); for (let t = Date.now(); Date.now() - t < 600;);');
  const sleeper = spawnChild('setInterval(() => {}, 1000)');
  const exited = spawn('true');
  await new Promise((resolve) => exited.once('exit', resolve));
  const attach = await ok({ type: 'attach', jobId: job.id, pids: [busy.pid!, sleeper.pid!, exited.pid!] });
  assert.deepEqual(attach.attached.sort(), [busy.pid!, sleeper.pid!].sort());
  assert.equal(attach.failed.length, 1);
  assert.equal(attach.failed[0].pid, exited.pid);
  assert.match(attach.failed[0].error, new RegExp(`pid ${exited.pid}\\b.*exited`));

  const sample = await until('a sample with both members', () =>
    events
      .flatMap((event) => event.samples)
      .find((s) => s.jobId === job.id && s.processes?.length === 2 && s.processor!.userTimeUs > 0),
  );
  assert.equal(sample.state, 'live');
  // The cgroup is charged only for memory allocated after joining; the members' resident sets hold the rest.
  const resident = sample.processes!.reduce((sum, p) => sum + p.residentBytes, 0);
  assert.ok(resident > 20 << 20, `two node processes hold ${resident} bytes, expected over 20 MiB`);
  assert.ok(sample.memory!.currentBytes >= 0);
  assert.equal(sample.memory!.source, native.hostInfo().memorySource);

  busy.stdin!.write('exit\n');
  const exit = await until('EXIT_PROCESS of the busy child', () =>
    events.flatMap((event) => event.notifications).find((n) => n.kind === 'EXIT_PROCESS' && n.pid === busy.pid),
  );
  assert.equal(exit.exitCode, 5);
  assert.equal(exit.jobId, job.id);

  const history = await ok({ type: 'getHistory', jobId: job.id });
  assert.ok(history.samples.length >= 1);
  assert.ok(history.notifications.some((n) => n.kind === 'NEW_PROCESS' && n.pid === sleeper.pid));

  assert.match(await failure({ type: 'closeJob', jobId: job.id }), /process/i, 'closing a job with members is refused');
  await ok({ type: 'terminateJob', jobId: job.id });
  await until('ACTIVE_PROCESS_ZERO', () =>
    events.flatMap((event) => event.notifications).find((n) => n.kind === 'ACTIVE_PROCESS_ZERO' && n.jobId === job.id),
  );
  // Past the poller's once-a-second re-read of cgroup.procs: a dying multi-threaded process must not be
  // mistaken for a newcomer, so each pid joined exactly once and left exactly once.
  await new Promise((resolve) => setTimeout(resolve, 1300));
  const log = (await ok({ type: 'getHistory', jobId: job.id })).notifications;
  for (const pid of [busy.pid, sleeper.pid]) {
    assert.deepEqual(
      log.filter((n) => n.pid === pid).map((n) => n.kind),
      pid === busy.pid ? ['NEW_PROCESS', 'EXIT_PROCESS'] : ['NEW_PROCESS', 'ABNORMAL_EXIT_PROCESS'],
    );
  }
  await ok({ type: 'closeJob', jobId: job.id });
  assert.equal(existsSync(job.path), false, 'closing a created job removes its cgroup');
  assert.match(await failure({ type: 'getHistory', jobId: job.id }), /No job with id/);
});

test('malformed commands get readable errors and change nothing', async () => {
  const state = await ok({ type: 'getState' });
  assert.equal(state.servicePid, process.pid);
  const before = state.jobs;
  assert.match(await failure(null), /Invalid command/);
  assert.match(await failure({ type: 'nope' }), /Invalid command/);
  assert.match(await failure({ type: 'attach', jobId: 1, pids: [0] }), /pids/);
  assert.match(await failure({ type: 'attach', jobId: 1, pids: [1.5] }), /pids/);
  assert.match(await failure({ type: 'createJob', name: '../escape' }), /job name/);
  assert.match(await failure({ type: 'createJob', name: '...' }), /job name/);
  assert.match(await failure({ type: 'createJob', name: 'x', extra: true }), /Invalid command/);
  assert.match(await failure({ type: 'openJob', path: '/etc' }), /\/etc/);
  assert.match(await failure({ type: 'terminateJob', jobId: 424242 }), /No job with id 424242/);
  assert.deepEqual((await ok({ type: 'getState' })).jobs, before);
});

test('init and JobScope itself are never attached, and a job holding them is never terminated', async () => {
  const job = await ok({ type: 'createJob', name: `guard-test-${process.pid}` });
  const attach = await ok({ type: 'attach', jobId: job.id, pids: [1, process.pid] });
  assert.deepEqual(attach.attached, []);
  assert.match(attach.failed.find((f) => f.pid === 1)!.error, /pid 1 cannot be attached: it is init/);
  assert.match(attach.failed.find((f) => f.pid === process.pid)!.error, /JobScope itself/);
  await ok({ type: 'closeJob', jobId: job.id });

  const root = await ok({ type: 'openJob', path: '/' });
  assert.match(await failure({ type: 'terminateJob', jobId: root.id }), /refusing to terminate job \/: its cgroup .* holds init \(pid 1\)/);
  await ok({ type: 'closeJob', jobId: root.id });
  assert.ok(existsSync(root.path), 'closing an opened job leaves its cgroup alone');
});

test('listJobs shows every group with its process count, nesting, and which ones are held', async () => {
  const job = await ok({ type: 'createJob', name: `tree-test-${process.pid}` });
  const sleeper = spawnChild('setInterval(() => {}, 1000)');
  await ok({ type: 'attach', jobId: job.id, pids: [sleeper.pid!] });
  const tree = await ok({ type: 'listJobs' });
  const entry = tree.find((e) => e.path === job.path);
  assert.ok(entry, `${job.path} is in the tree`);
  assert.equal(entry.heldJobId, job.id);
  assert.equal(entry.processCount, 1);
  const parent = tree.find((e) => e.path === entry.parent);
  assert.ok(parent, 'its parent is in the tree too');
  assert.equal(tree.filter((e) => e.parent === null).length, 1, 'one root');
  assert.match(await failure({ type: 'listJobs', all: true }), /Unrecognized key: "all"/);
  await ok({ type: 'terminateJob', jobId: job.id });
  await until('the sleeper gone', () => (sleeper.signalCode !== null ? true : undefined));
  await until('the job empty', () =>
    events.flatMap((e) => e.notifications).find((n) => n.kind === 'ACTIVE_PROCESS_ZERO' && n.jobId === job.id),
  );
  await ok({ type: 'closeJob', jobId: job.id });
});

test('the sampling interval changes at once, within 100-60000 ms', async () => {
  const job = await ok({ type: 'createJob', name: `interval-test-${process.pid}` });
  assert.deepEqual(await ok({ type: 'setInterval', intervalMs: 100 }), { intervalMs: 100 });
  assert.equal((await ok({ type: 'getState' })).intervalMs, 100);
  const since = Date.now();
  // Ticks may run late on a busy machine, never early: two samples closer than the old 200 ms prove it.
  await until('two samples under 150 ms apart', () => {
    const times = events.flatMap((e) => e.samples).filter((s) => s.jobId === job.id && s.time >= since).map((s) => s.time);
    return times.some((t, i) => i > 0 && t - times[i - 1] < 150) ? true : undefined;
  });
  for (const [intervalMs, expected] of [
    [99, /intervalMs: the sampling interval must be 100 to 60000 ms\./],
    [60_001, /must be 100 to 60000 ms/],
    [250.5, /must be a whole number of milliseconds/],
    ['1s', /must be a number of milliseconds/],
  ] as const) {
    assert.match(await failure({ type: 'setInterval', intervalMs }), expected);
  }
  assert.equal((await ok({ type: 'setInterval', intervalMs: 200 })).intervalMs, 200);
  await ok({ type: 'closeJob', jobId: job.id });
});
