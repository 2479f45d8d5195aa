// Recording files (JSON Lines): a header line, then one record per line, written with one append per batch
// of whole lines. A crash or a killed service can only leave a torn last line, which the reader skips and
// reports; every line before it stays readable. A write that fails (a full disk, an IO error) or a file
// deleted while recording throws a sentence naming the OS error and the path, after cutting the file back
// to its last whole line. Names are checked twice: by the contract's schema, and here by resolving the
// path, so nothing outside the recordings folder is ever created or read.
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import {
  RECORDING_EXTENSION,
  RECORDING_FORMAT,
  RECORDING_VERSION,
  type Recording,
  type RecordingHeader,
  type RecordingInfo,
  type RecordingRecord,
  type RecordingStatus,
} from '../contract';
import { addMemberTotals } from '../sample-history';

/** Replay sends a whole recording in one message: past this size, opening it is refused. */
export const MAX_RECORDING_BYTES = 256 << 20;

/** The path of `file` inside `dir`; throws when it would land anywhere else. */
export function recordingPath(dir: string, file: string): string {
  const resolved = path.resolve(dir, file);
  if (path.dirname(resolved) !== path.resolve(dir) || !file.endsWith(RECORDING_EXTENSION)) {
    throw new RangeError(`"${file}" is not a recording file name in ${dir}; give a bare name ending in ${RECORDING_EXTENSION}`);
  }
  return resolved;
}

/**
 * A failed file operation as a sentence: what the OS said, its error name, and the file, e.g. "no space left
 * on device (ENOSPC) writing /x/a.jsonl". Node's own message ("ENOSPC: no space left on device, write")
 * names no path for a write to a descriptor. Keeps `code` for the reply.
 */
function fileError(error: unknown, doing: string, file: string): Error & { code?: string } {
  const { code, syscall, message } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string') return error instanceof Error ? error : new Error(String(error));
  // "CODE: description, syscall 'path'": the description is the part between the first ": " and the syscall.
  const description = message.startsWith(`${code}: `) ? message.slice(code.length + 2).split(`, ${syscall ?? ''}`)[0] : message;
  return Object.assign(new Error(`${description} (${code}) ${doing} ${file}`), { code });
}

/** An open recording file; every write appends whole lines. */
export class RecordingWriter {
  /** Bytes of whole lines in the file: where a failed write cuts it back to. */
  private size = 0;

  private constructor(
    private fd: number | undefined,
    readonly path: string,
    readonly status: RecordingStatus,
  ) {}

  /** Creates `name`.jsonl in `dir` (never overwriting one) and writes its header. */
  static create(dir: string, name: string, header: Omit<RecordingHeader, 'type' | 'format' | 'version'>): RecordingWriter {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = `${name}${RECORDING_EXTENSION}`;
    const target = recordingPath(dir, file);
    let fd: number;
    try {
      fd = openSync(target, 'ax', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw Object.assign(new Error(`A recording named "${name}" already exists in ${dir}; choose another name`), { code: 'EEXIST' });
      }
      throw fileError(error, 'creating', target);
    }
    const writer = new RecordingWriter(fd, target, { file, startTime: header.time });
    try {
      writer.append([{ type: 'header', format: RECORDING_FORMAT, version: RECORDING_VERSION, ...header }]);
    } catch (error) {
      // Without a whole header line the file is not a recording: leave none behind (best effort; one that
      // stays is listed as unreadable, saying why).
      writer.close();
      try {
        unlinkSync(target);
      } catch {}
      throw error;
    }
    return writer;
  }

  /** Appends the records as one write of whole lines; throws a fileError when they cannot all be written. */
  append(records: RecordingRecord[]): void {
    const fd = this.fd;
    if (fd === undefined || records.length === 0) return;
    // A deleted file still takes writes (its descriptor is open), but nobody could ever read them.
    if (fstatSync(fd).nlink === 0) {
      throw Object.assign(new Error(`the file was deleted (ENOENT) writing ${this.path}`), { code: 'ENOENT' });
    }
    const bytes = Buffer.from(records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    let done = 0;
    try {
      // writeSync may write less than asked (a signal, the last free block); loop until all of it is down.
      while (done < bytes.length) done += writeSync(fd, bytes, done);
    } catch (error) {
      this.cutToWholeLines(fd, bytes, done);
      throw fileError(error, 'writing', this.path);
    }
    this.size += bytes.length;
  }

  /** After a write that stopped `done` bytes into `bytes`: drops the torn line, keeps the whole ones before it. */
  private cutToWholeLines(fd: number, bytes: Buffer, done: number): void {
    const whole = done === 0 ? 0 : bytes.lastIndexOf(0x0a, done - 1) + 1;
    try {
      ftruncateSync(fd, this.size + whole);
      this.size += whole;
    } catch {
      // Best effort: a torn last line that stays is skipped (and reported) by readRecording.
    }
  }

  /** Writes the end record and closes the file. */
  finish(time: number): void {
    if (this.fd === undefined) return;
    try {
      this.append([{ type: 'end', time }]);
    } finally {
      this.close();
    }
  }

  /** Closes without an end record (the file then reads as interrupted). */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Reads a recording; a torn last line is skipped with a warning, any other damage is an error naming the line. */
export function readRecording(dir: string, file: string): Recording {
  const target = recordingPath(dir, file);
  const stat = lstatSync(target, { throwIfNoEntry: false });
  if (!stat) throw Object.assign(new Error(`There is no recording "${file}" in ${dir}`), { code: 'ENOENT' });
  // A link could point anywhere; recordings are the regular files JobScope wrote.
  if (!stat.isFile()) throw new Error(`"${file}" in ${dir} is not a regular file, so it is not opened as a recording`);
  if (stat.size > MAX_RECORDING_BYTES) {
    throw new RangeError(`"${file}" is ${stat.size} bytes; recordings over ${MAX_RECORDING_BYTES} bytes are not opened for replay`);
  }
  const fd = openSync(target, 'r');
  let text: string;
  try {
    // The size read through the same descriptor, so a file swapped after lstat is still bounded.
    if (fstatSync(fd).size > MAX_RECORDING_BYTES) throw new RangeError(`"${file}" grew past ${MAX_RECORDING_BYTES} bytes while being opened`);
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  const lines = text.split('\n');
  // Everything after the last newline is a line whose write never finished.
  const torn = lines.pop()!;
  const parse = (line: string, index: number): RecordingRecord => {
    try {
      return JSON.parse(line) as RecordingRecord;
    } catch {
      throw new SyntaxError(`"${file}" is damaged: line ${index + 1} is not JSON`);
    }
  };
  if (lines.length === 0) throw new SyntaxError(`"${file}" has no complete header line; it is not a JobScope recording`);
  const header = parse(lines[0], 0);
  if (header.type !== 'header' || header.format !== RECORDING_FORMAT) {
    throw new SyntaxError(`"${file}" does not start with a JobScope recording header`);
  }
  if (header.version !== RECORDING_VERSION) {
    throw new RangeError(`"${file}" is recording format version ${String(header.version)}; this JobScope reads version ${RECORDING_VERSION}`);
  }
  const records = lines.slice(1).map((line, i) => {
    const record = parse(line, i + 1);
    if (typeof record !== 'object' || record === null || typeof record.type !== 'string' || typeof record.time !== 'number') {
      throw new SyntaxError(`"${file}" is damaged: line ${i + 2} is not a record with a type and a time`);
    }
    // Recordings made before samples carried `members` get them here, so a replay charts them the same.
    if (record.type === 'sample') addMemberTotals(record.sample);
    return record as Exclude<RecordingRecord, RecordingHeader>;
  });
  const jobs = new Map(header.jobs.map((job) => [job.id, job.name]));
  for (const record of records) if (record.type === 'jobs') for (const job of record.jobs) jobs.set(job.id, job.name);
  const info: RecordingInfo = {
    file,
    sizeBytes: stat.size,
    startTime: header.time,
    durationMs: (records.at(-1)?.time ?? header.time) - header.time,
    jobs: [...jobs.values()],
    complete: records.at(-1)?.type === 'end',
  };
  return {
    info,
    header,
    records,
    ...(torn === ''
      ? {}
      : { warning: `The last line (${Buffer.byteLength(torn)} bytes) was incomplete, as a crash leaves it, and was skipped` }),
  };
}

/** Every recording in `dir`, newest first; a missing folder has none. */
export function listRecordings(dir: string): { recordings: RecordingInfo[]; unreadable: { file: string; error: string }[] } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { recordings: [], unreadable: [] };
    throw error;
  }
  const recordings: RecordingInfo[] = [];
  const unreadable: { file: string; error: string }[] = [];
  for (const file of names.filter((name) => name.endsWith(RECORDING_EXTENSION))) {
    try {
      recordings.push(readRecording(dir, file).info);
    } catch (error) {
      unreadable.push({ file, error: error instanceof Error ? error.message : String(error) });
    }
  }
  recordings.sort((a, b) => b.startTime - a.startTime);
  return { recordings, unreadable };
}
