// Recording when writing fails for real: the recordings folder on a 64 KiB tmpfs that a filler file fills
// (the kernel answers ENOSPC), and the recording file deleted while recording. Each time the recording
// stops, the file keeps only whole lines, every client hears why in a sentence naming the OS error and the
// path, and the service goes on sampling. Needs root (mount).
//
// Not tested: a recording file made read-only (chmod) while recording. The service writes through the
// descriptor it opened, which a later chmod does not affect, so no record is lost that way.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import type { RecordingFailure, RecordingRecord } from '../contract';
import { needsRoot as skip, startTestService, terminateAndClose, until } from './test-support';

const disk = `/tmp/rec-full-${process.pid}`;
const recordingsDir = path.join(disk, 'recordings');
const filler = path.join(disk, 'filler');
if (!skip) {
  mkdirSync(disk, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', disk]);
}

const { service, events, ok, failure } = startTestService({ recordingsDir }, { skip });
// Registered after the service's own after(), so it runs once the service has closed its files.
after(() => {
  if (skip) return;
  execFileSync('umount', [disk]);
  rmSync(disk, { recursive: true, force: true });
});

/** Fills the disk: writes the filler file until the kernel says ENOSPC. */
function fillDisk(): void {
  const fd = openSync(filler, 'a');
  try {
    for (;;) writeSync(fd, Buffer.alloc(4096, 'x'));
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
}

/** Every line of the file, each of which must be a whole JSON record (no torn last line). */
function wholeLines(file: string): RecordingRecord[] {
  const text = readFileSync(path.join(recordingsDir, file), 'utf8');
  assert.ok(text.endsWith('\n'), 'the file ends with a whole line');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as RecordingRecord);
}

const failureEvent = (file: string): RecordingFailure | undefined =>
  events.find((e) => e.recordingFailure?.file === file)?.recordingFailure;

// A job of its own with one sleeper: small samples of a known size, whatever else runs on the machine (the
// test's own cgroup can be the root, whose samples list every process and would not fit the disk).
async function sleeperJob(name: string): Promise<number> {
  const job = await ok({ type: 'createJob', name: `${name}-${process.pid}` });
  await ok({ type: 'launch', jobId: job.id, file: 'sleep', args: ['60'] });
  return job.id;
}

test('a recording that cannot start on a full disk is refused with the OS error, and leaves no file', { skip }, async () => {
  mkdirSync(recordingsDir, { recursive: true });
  fillDisk();
  try {
    const error = await failure({ type: 'startRecording', name: 'no-room' });
    assert.equal(error, `no space left on device (ENOSPC) writing ${path.join(recordingsDir, 'no-room.jsonl')}`);
    assert.equal(existsSync(path.join(recordingsDir, 'no-room.jsonl')), false);
    assert.equal((await ok({ type: 'getState' })).recording, null);
  } finally {
    rmSync(filler);
  }
});

test('a deleted recording file stops the recording at stopRecording, saying so', { skip }, async () => {
  // No job held: nothing is written between the header and the end record.
  const { file } = await ok({ type: 'startRecording', name: 'deleted-idle' });
  rmSync(path.join(recordingsDir, file));
  const expected = `Recording stopped: the file was deleted (ENOENT) writing ${path.join(recordingsDir, file)}. The file keeps every record written before.`;
  assert.equal(await failure({ type: 'stopRecording' }), expected);
  const state = await ok({ type: 'getState' });
  assert.equal(state.recording, null);
  assert.deepEqual(state.recordingFailure, { file, time: state.recordingFailure!.time, error: expected, code: 'ENOENT' });
  assert.deepEqual(failureEvent(file), state.recordingFailure);
});

test('a recording file deleted while samples are written stops the recording; sampling goes on', { skip }, async () => {
  const jobId = await sleeperJob('rec-fault');
  try {
    const { file } = await ok({ type: 'startRecording', name: 'deleted-live' });
    rmSync(path.join(recordingsDir, file));
    const failed = await until('the recording failure', () => failureEvent(file));
    assert.equal(failed.code, 'ENOENT');
    assert.match(failed.error, /^Recording stopped: the file was deleted \(ENOENT\) writing \/tmp\/rec-full-\d+\/recordings\/deleted-live\.jsonl\./);
    const after = events.indexOf(events.find((e) => e.recordingFailure === failed)!);
    await until('samples after the failure', () => events.slice(after + 1).some((e) => e.samples.some((s) => s.jobId === jobId)));
  } finally {
    await terminateAndClose(service, jobId);
  }
});

test('a disk that fills while recording stops the recording at its last whole line; sampling goes on', { skip }, async () => {
  const jobId = await sleeperJob('rec-fault');
  try {
    const { file } = await ok({ type: 'startRecording', name: 'full' });
    await until('samples on disk', () => wholeLines(file).some((r) => r.type === 'sample'));
    fillDisk();
    // The file's last page still has room for a few samples; then a write fails.
    const failed = await until('the recording failure', () => failureEvent(file), 30_000);
    assert.equal(failed.code, 'ENOSPC');
    assert.equal(
      failed.error,
      `Recording stopped: no space left on device (ENOSPC) writing ${path.join(recordingsDir, file)}. The file keeps every record written before.`,
    );
    assert.equal(events.find((e) => e.recordingFailure === failed)!.recording, null);
    const state = await ok({ type: 'getState' });
    assert.equal(state.recording, null);
    assert.deepEqual(state.recordingFailure, failed);

    // Whole lines only, and the reader agrees: an interrupted recording with nothing skipped.
    const lines = wholeLines(file);
    const opened = await ok({ type: 'openRecording', file });
    assert.equal(opened.warning, undefined);
    assert.equal(opened.info.complete, false);
    assert.equal(opened.records.length, lines.length - 1);
    assert.ok(opened.records.some((r) => r.type === 'sample'), 'the samples written before the disk filled are kept');

    // The service carries on: samples keep coming, and once there is room a new recording starts clean.
    const at = events.findIndex((e) => e.recordingFailure === failed);
    await until('samples after the failure', () => events.slice(at + 1).some((e) => e.samples.some((s) => s.jobId === jobId)));
    rmSync(filler);
    const again = await ok({ type: 'startRecording', name: 'after-full' });
    assert.equal((await ok({ type: 'getState' })).recordingFailure, null);
    assert.ok(events.some((e) => e.recording?.file === again.file && e.recordingFailure === undefined));
    await ok({ type: 'stopRecording' });
  } finally {
    await terminateAndClose(service, jobId);
  }
});
