// Recording and reading back with the real service, real cgroups and real processes: what a recording
// holds against what the service emitted, a torn last line, refused names and paths, and a service killed
// (SIGKILL) in the middle of recording. Needs root.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import * as native from '#native';
import type { CommandReply, RecordingRecord, RecordingStatus } from '../contract';
import { needsRoot as skip, startTestService, until } from './test-support';

const root = mkdtempSync('/tmp/rec-test-');
const recordingsDir = path.join(root, 'recordings');
after(() => rmSync(root, { recursive: true, force: true }));

const { events, ok, failure, spawnChild } = startTestService({ recordingsDir }, { skip });

const linesOf = (file: string): RecordingRecord[] =>
  readFileSync(path.join(recordingsDir, file), 'utf8')
    .split('\n')
    .slice(0, -1) // a torn last line, if any
    .map((line) => JSON.parse(line) as RecordingRecord);

test('a recording holds the samples, notifications and user actions of a real job, as they happened', { skip }, async () => {
  const status = await ok({ type: 'startRecording', name: `record-${process.pid}` });
  assert.equal(status.file, `record-${process.pid}.jsonl`);
  assert.deepEqual((await ok({ type: 'getState' })).recording, status);
  assert.ok(events.some((e) => e.recording?.file === status.file), 'clients hear that recording started');

  const job = await ok({ type: 'createJob', name: `record-job-${process.pid}` });
  const child = spawnChild('process.stdin.once("data", () => process.exit(3)); setInterval(() => {}, 1000);');
  await ok({ type: 'attach', jobId: job.id, pids: [child.pid!] });
  await ok({ type: 'setLimits', jobId: job.id, changes: { memoryBytes: 256 << 20 } });
  await until('a sample with the child as member', () =>
    events.flatMap((e) => e.samples).find((s) => s.jobId === job.id && s.processes?.some((p) => p.pid === child.pid)),
  );
  child.stdin!.write('go\n');
  const exit = await until('the child exit', () =>
    events.flatMap((e) => e.notifications).find((n) => n.kind === 'EXIT_PROCESS' && n.pid === child.pid),
  );
  assert.equal(exit.exitCode, 3);
  const refused = await failure({ type: 'terminateJob', jobId: 424242 });
  await until('ACTIVE_PROCESS_ZERO', () => events.flatMap((e) => e.notifications).find((n) => n.kind === 'ACTIVE_PROCESS_ZERO' && n.jobId === job.id));
  await ok({ type: 'closeJob', jobId: job.id });
  const info = await ok({ type: 'stopRecording' });
  assert.equal((await ok({ type: 'getState' })).recording, null);
  assert.ok(events.some((e) => e.recording === null), 'clients hear that recording stopped');

  const [header, ...records] = linesOf(status.file);
  assert.equal(header.type, 'header');
  if (header.type !== 'header') return;
  assert.equal(header.version, 1);
  assert.equal(header.time, status.startTime);
  assert.deepEqual(header.host, native.hostInfo());
  assert.deepEqual(header.jobs, [], 'no job was held when recording started');

  // Every sample and notification of the job that the service emitted is in the file, in order.
  const emittedSamples = events.flatMap((e) => e.samples).filter((s) => s.jobId === job.id);
  const recordedSamples = records.flatMap((r) => (r.type === 'sample' && r.sample.jobId === job.id ? [r.sample] : []));
  assert.deepEqual(recordedSamples, emittedSamples);
  const emittedNotifications = events.flatMap((e) => e.notifications).filter((n) => n.jobId === job.id);
  const recordedNotifications = records.flatMap((r) => (r.type === 'notification' && r.notification.jobId === job.id ? [r.notification] : []));
  assert.deepEqual(recordedNotifications, emittedNotifications);
  assert.ok(recordedNotifications.some((n) => n.kind === 'EXIT_PROCESS' && n.pid === child.pid && n.exitCode === 3));

  // The user's commands, with their answers, including the refused one; reads are not recorded.
  const actions = records.flatMap((r) => (r.type === 'action' ? [r] : []));
  assert.deepEqual(actions.map((a) => a.command.type), ['createJob', 'attach', 'setLimits', 'terminateJob', 'closeJob']);
  assert.deepEqual(actions[0].reply, { ok: true, result: job });
  assert.deepEqual(actions[1].reply, { ok: true, result: { attached: [child.pid], failed: [] } });
  assert.deepEqual(actions[3].reply, { ok: false, error: refused });
  // Limits: the new job's, then the changed ones.
  const limits = records.flatMap((r) => (r.type === 'limits' ? [r] : []));
  assert.equal(limits.length, 2);
  assert.equal(limits[1].report.limits.memoryBytes, 256 << 20);
  assert.ok(records.some((r) => r.type === 'jobs' && r.jobs.some((j) => j.id === job.id)));
  assert.ok(records.some((r) => r.type === 'jobs' && !r.jobs.some((j) => j.id === job.id)), 'the close is recorded');
  assert.equal(records.at(-1)!.type, 'end');

  assert.deepEqual(info, {
    file: status.file,
    sizeBytes: readFileSync(path.join(recordingsDir, status.file)).length,
    startTime: status.startTime,
    durationMs: records.at(-1)!.time - status.startTime,
    jobs: [job.name],
    complete: true,
  });
  const opened = await ok({ type: 'openRecording', file: status.file });
  assert.deepEqual(opened.header, header);
  assert.deepEqual(opened.records, records);
  assert.equal(opened.warning, undefined);
  assert.deepEqual((await ok({ type: 'listRecordings' })).recordings.find((r) => r.file === status.file), info);
});

test('a torn last line is skipped and reported; damage anywhere else is refused with the line number', { skip }, async () => {
  const { file } = await ok({ type: 'startRecording', name: `torn-source-${process.pid}` });
  await ok({ type: 'setInterval', intervalMs: 200 });
  await ok({ type: 'stopRecording' });
  const whole = await ok({ type: 'openRecording', file });

  copyFileSync(path.join(recordingsDir, file), path.join(recordingsDir, 'torn.jsonl'));
  appendFileSync(path.join(recordingsDir, 'torn.jsonl'), '{"type":"sample","time":17');
  const torn = await ok({ type: 'openRecording', file: 'torn.jsonl' });
  assert.match(torn.warning!, /last line \(26 bytes\) was incomplete.*skipped/);
  assert.deepEqual(torn.records, whole.records);
  assert.equal(torn.info.complete, true);

  const lines = readFileSync(path.join(recordingsDir, file), 'utf8').split('\n');
  writeFileSync(path.join(recordingsDir, 'damaged.jsonl'), [lines[0], lines[1], '{oops', ...lines.slice(2)].join('\n'));
  assert.match(await failure({ type: 'openRecording', file: 'damaged.jsonl' }), /"damaged.jsonl" is damaged: line 3 is not JSON/);
  writeFileSync(path.join(recordingsDir, 'foreign.jsonl'), '{"hello":1}\n');
  assert.match(await failure({ type: 'openRecording', file: 'foreign.jsonl' }), /does not start with a JobScope recording header/);
  const newer = JSON.stringify({ ...JSON.parse(lines[0]), version: 2 });
  writeFileSync(path.join(recordingsDir, 'newer.jsonl'), `${newer}\n`);
  assert.match(await failure({ type: 'openRecording', file: 'newer.jsonl' }), /format version 2; this JobScope reads version 1/);

  const listed = await ok({ type: 'listRecordings' });
  assert.ok(listed.recordings.some((r) => r.file === 'torn.jsonl'));
  assert.deepEqual(listed.unreadable.map((u) => u.file).sort(), ['damaged.jsonl', 'foreign.jsonl', 'newer.jsonl']);
  for (const name of ['damaged.jsonl', 'foreign.jsonl', 'newer.jsonl']) rmSync(path.join(recordingsDir, name));
});

test('names and paths outside the recordings folder are refused with the reason', { skip }, async () => {
  for (const [command, expected] of [
    [{ type: 'startRecording', name: '../escape' }, /name: a recording name is 1-64 letters/],
    [{ type: 'startRecording', name: '..' }, /not dots alone/],
    [{ type: 'startRecording', name: 'a'.repeat(65) }, /1-64/],
    [{ type: 'openRecording', file: '../../etc/passwd' }, /file: a recording is named by its file .* no folders/],
    [{ type: 'openRecording', file: '/etc/shadow.jsonl' }, /no folders/],
    [{ type: 'openRecording', file: 'notes.txt' }, /then "\.jsonl"/],
    [{ type: 'openRecording', file: '..jsonl' }, /no folders/],
    [{ type: 'openRecording', file: 'sub/../x.jsonl' }, /no folders/],
    [{ type: 'openRecording', file: 'missing.jsonl' }, /There is no recording "missing.jsonl" in /],
    [{ type: 'stopRecording' }, /Nothing is being recorded/],
  ] as const) {
    assert.match(await failure(command), expected);
  }
  // A link inside the folder that points out of it is not followed.
  symlinkSync('/etc/hostname', path.join(recordingsDir, 'link.jsonl'));
  assert.match(await failure({ type: 'openRecording', file: 'link.jsonl' }), /"link.jsonl" in .* is not a regular file/);
  rmSync(path.join(recordingsDir, 'link.jsonl'));

  const name = `twice-${process.pid}`;
  await ok({ type: 'startRecording', name });
  assert.match(await failure({ type: 'startRecording' }), new RegExp(`Already recording to ${name}\\.jsonl`));
  await ok({ type: 'stopRecording' });
  assert.match(await failure({ type: 'startRecording', name }), new RegExp(`A recording named "${name}" already exists`));
});

/** The service in a child process (service-child.ts), and a way to send it commands. */
async function startServiceChild() {
  const child = fork(path.join(__dirname, 'service-child.ts'), [recordingsDir], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  after(() => child.kill('SIGKILL'));
  const replies = new Map<number, CommandReply>();
  let ready = false;
  child.on('message', (message: { ready?: true; id?: number; reply?: CommandReply }) => {
    if (message.ready) ready = true;
    else replies.set(message.id!, message.reply!);
  });
  let nextId = 0;
  const command = async (sent: object): Promise<unknown> => {
    const id = ++nextId;
    child.send({ id, command: sent });
    const reply = await until(`the child's answer to ${JSON.stringify(sent)}`, () => replies.get(id), 10_000);
    if (!reply.ok) assert.fail(reply.error);
    return reply.result;
  };
  await until('the child service', () => ready, 20_000);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { child, command, exited };
}

test('a service killed while recording leaves a file that is valid up to its last complete record', { skip }, async () => {
  const { child, command, exited } = await startServiceChild();
  const { file } = (await command({ type: 'startRecording', name: `killed-${process.pid}` })) as RecordingStatus;
  // This test's own cgroup: opened, not created, so the killed service leaves no cgroup behind.
  const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'))!.slice(3);
  await command({ type: 'openJob', path: native.hostInfo().cgroup2Mount + (own === '/' ? '' : own) });
  const samplesOnDisk = () => linesOf(file).filter((r) => r.type === 'sample').length;
  await until('ten samples on disk', () => samplesOnDisk() >= 10, 10_000);
  child.kill('SIGKILL');
  await exited;
  const before = samplesOnDisk();

  const opened = await ok({ type: 'openRecording', file });
  assert.equal(opened.info.complete, false, 'no end record: the recording was interrupted');
  if (opened.warning !== undefined) assert.match(opened.warning, /incomplete/);
  assert.equal(opened.records.filter((r) => r.type === 'sample').length, before);
  assert.ok(opened.records.some((r) => r.type === 'action' && r.command.type === 'openJob' && r.reply.ok));
  assert.ok(opened.info.durationMs > 0);
  // And the folder still takes new recordings, as a restarted service would make them.
  await ok({ type: 'startRecording', name: `after-kill-${process.pid}` });
  await ok({ type: 'stopRecording' });
});

test('a service stopped as serve mode stops it (SIGTERM) closes its recording with an end record', { skip }, async () => {
  const { child, command, exited } = await startServiceChild();
  const { file } = (await command({ type: 'startRecording', name: `stopped-${process.pid}` })) as RecordingStatus;
  await command({ type: 'setInterval', intervalMs: 500 });
  child.kill('SIGTERM');
  await exited;
  const opened = await ok({ type: 'openRecording', file });
  assert.equal(opened.info.complete, true);
  assert.equal(opened.warning, undefined);
  assert.deepEqual(opened.records.map((r) => r.type), ['action', 'end']);
});
