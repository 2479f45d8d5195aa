// A job's sample history in the service, held column by column in typed arrays rather than as JobSample
// objects: an object of ~25 numbers in 6 nested objects costs ~700 bytes of heap, so a 15-minute history of
// 1000 jobs at 1 Hz was ~600 MiB. Every number is kept in the narrowest of Uint8, Uint16, Uint32 and
// Float64 that holds it exactly (widened when a value needs it), absent and null fields are flags, strings
// are indexes into a per-job table: samples read back equal to what was pushed, minus the per-process rows
// of all but the newest SAMPLES_WITH_PROCESS_ROWS (sample-history.ts), which are kept as pushed.
import type { JobSample } from '../contract';
import { SAMPLES_WITH_PROCESS_ROWS } from '../sample-history';

type Storage = Uint8Array | Uint16Array | Uint32Array | Float64Array;
const WIDTHS = [Uint8Array, Uint16Array, Uint32Array, Float64Array] as const;
const FLOAT64 = 3;

/** The index in WIDTHS of the narrowest array that holds `value` exactly (-0, fractions, NaN: Float64). */
function widthOf(value: number): number {
  if (value >>> 0 !== value || (value === 0 && 1 / value < 0)) return FLOAT64;
  return value <= 0xff ? 0 : value <= 0xffff ? 1 : 2;
}

/**
 * A FIFO of rows of numbers, each column in its own typed array used as a ring. Capacity grows by a quarter
 * when full (at least `minGrowth` rows) and shrinks when under half used, so it follows what the window holds
 * whatever the sampling interval, never more than a quarter above it after growing.
 */
export class ColumnRing {
  private readonly columns: Storage[];
  private readonly widths: number[];
  private head = 0;
  private count = 0;

  constructor(
    columns: number,
    private readonly minGrowth = 16,
  ) {
    this.columns = Array.from({ length: columns }, () => new Uint8Array(0));
    this.widths = new Array<number>(columns).fill(0);
  }

  get length(): number {
    return this.count;
  }

  get capacity(): number {
    return this.columns[0]!.length;
  }

  /** Bytes of the typed arrays' contents. */
  get byteLength(): number {
    return this.columns.reduce((sum, column) => sum + column.byteLength, 0);
  }

  /** Adds a row at the end and returns its slot; every column of it holds a stale value until set. */
  append(): number {
    if (this.count === this.capacity) this.resize(this.count + Math.max(this.minGrowth, this.count >> 2));
    const slot = (this.head + this.count) % this.capacity;
    this.count += 1;
    return slot;
  }

  /** Drops the `rows` oldest rows. */
  drop(rows: number): void {
    if (rows <= 0) return;
    if (rows > this.count) throw new RangeError(`cannot drop ${rows} rows of ${this.count}`);
    this.count -= rows;
    this.head = this.count === 0 ? 0 : (this.head + rows) % this.capacity;
    if (this.count < this.capacity >> 1 && this.capacity > this.minGrowth) this.resize(this.count + (this.count >> 2));
  }

  /** The slot of the i-th oldest row. */
  slot(i: number): number {
    return (this.head + i) % this.capacity;
  }

  get(slot: number, column: number): number {
    return this.columns[column]![slot]!;
  }

  set(slot: number, column: number, value: number): void {
    if (this.widths[column]! < FLOAT64) {
      const width = widthOf(value);
      if (width > this.widths[column]!) this.widen(column, width);
    }
    this.columns[column]![slot] = value;
  }

  private widen(column: number, width: number): void {
    const wider = new WIDTHS[width](this.capacity);
    wider.set(this.columns[column]!);
    this.columns[column] = wider;
    this.widths[column] = width;
  }

  /** Moves the rows to new arrays of `capacity` slots, oldest at slot 0. */
  private resize(capacity: number): void {
    const end = this.head + this.count;
    for (const [c, old] of this.columns.entries()) {
      const moved = new WIDTHS[this.widths[c]!](capacity);
      if (end <= old.length) {
        moved.set(old.subarray(this.head, end));
      } else {
        moved.set(old.subarray(this.head));
        moved.set(old.subarray(0, end - old.length), old.length - this.head);
      }
      this.columns[c] = moved;
    }
    this.head = 0;
  }
}

// The sample's columns.
const TIME = 0;
const STATE = 1; // string
const FLAGS = 2;
const USER_TIME = 3;
const KERNEL_TIME = 4;
const TOTAL_PROCESSES = 5;
const ACTIVE_PROCESSES = 6;
const CURRENT_BYTES = 7;
const PEAK_BYTES = 8;
const SOURCE = 9; // string
const ANON_BYTES = 10;
const FILE_BYTES = 11;
const PRIVATE_WS = 12;
const PERIODS = 13;
const THROTTLED_PERIODS = 14;
const THROTTLED_TIME = 15;
const TRACKING = 16; // string
const READ_OPS = 17;
const WRITE_OPS = 18;
const READ_BYTES = 19;
const WRITE_BYTES = 20;
const DEVICES = 21; // how many rows of `devices` are this sample's
const MEMBER_COUNT = 22;
const MEMBER_BYTES = 23;
const SAMPLE_COLUMNS = 24;

// An IO device's columns.
const DEVICE = 0; // string
const DEVICE_READ_OPS = 1;
const DEVICE_WRITE_OPS = 2;
const DEVICE_READ_BYTES = 3;
const DEVICE_WRITE_BYTES = 4;
const DEVICE_COLUMNS = 5;

// FLAGS: which optional parts a sample has, and which nullable numbers are not null.
const HAS_PROCESSOR = 1 << 0;
const HAS_MEMORY = 1 << 1;
const HAS_PEAK = 1 << 2;
const HAS_ANON = 1 << 3;
const HAS_FILE = 1 << 4;
const HAS_PRIVATE_WS = 1 << 5;
const HAS_IO = 1 << 6;
const HAS_FROZEN = 1 << 7;
const FROZEN = 1 << 8;
const HAS_THROTTLING = 1 << 9;
const HAS_MEMBERS = 1 << 10;

/** One job's samples of the last `spanMs` milliseconds, oldest first; samples arrive in time order. */
export class SampleStore {
  private readonly rows = new ColumnRing(SAMPLE_COLUMNS);
  /** Every sample's IO devices, in sample order: the oldest sample's come first. */
  private readonly devices = new ColumnRing(DEVICE_COLUMNS);
  /** The newest samples as pushed, per-process rows and all (also in `rows`). */
  private readonly recent: JobSample[] = [];
  private readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();

  constructor(
    readonly jobId: number,
    private readonly spanMs: number,
  ) {}

  get length(): number {
    return this.rows.length;
  }

  /** Samples it has room for before it must grow. */
  get capacity(): number {
    return this.rows.capacity;
  }

  push(sample: JobSample): void {
    if (sample.jobId !== this.jobId) throw new Error(`a sample of job ${sample.jobId} cannot go into job ${this.jobId}'s history`);
    this.trim(sample.time - this.spanMs);
    const rows = this.rows;
    const at = rows.append();
    let flags = 0;
    rows.set(at, TIME, sample.time);
    rows.set(at, STATE, this.stringId(sample.state));
    const { processor, memory, io, cpuThrottling, members } = sample;
    if (processor) {
      flags |= HAS_PROCESSOR;
      rows.set(at, USER_TIME, processor.userTimeUs);
      rows.set(at, KERNEL_TIME, processor.kernelTimeUs);
      rows.set(at, TOTAL_PROCESSES, processor.totalProcesses);
      rows.set(at, ACTIVE_PROCESSES, processor.activeProcesses);
    }
    if (memory) {
      flags |= HAS_MEMORY;
      rows.set(at, CURRENT_BYTES, memory.currentBytes);
      rows.set(at, SOURCE, this.stringId(memory.source));
      if (memory.peakBytes !== null) {
        flags |= HAS_PEAK;
        rows.set(at, PEAK_BYTES, memory.peakBytes);
      }
      if (memory.anonBytes !== null) {
        flags |= HAS_ANON;
        rows.set(at, ANON_BYTES, memory.anonBytes);
      }
      if (memory.fileBytes !== null) {
        flags |= HAS_FILE;
        rows.set(at, FILE_BYTES, memory.fileBytes);
      }
    }
    if (sample.privateWorkingSetBytes !== undefined) {
      flags |= HAS_PRIVATE_WS;
      rows.set(at, PRIVATE_WS, sample.privateWorkingSetBytes);
    }
    if (io) {
      flags |= HAS_IO;
      rows.set(at, TRACKING, this.stringId(io.tracking));
      rows.set(at, READ_OPS, io.readOps);
      rows.set(at, WRITE_OPS, io.writeOps);
      rows.set(at, READ_BYTES, io.readBytes);
      rows.set(at, WRITE_BYTES, io.writeBytes);
      rows.set(at, DEVICES, io.devices.length);
      for (const device of io.devices) {
        const d = this.devices.append();
        this.devices.set(d, DEVICE, this.stringId(device.device));
        this.devices.set(d, DEVICE_READ_OPS, device.readOps);
        this.devices.set(d, DEVICE_WRITE_OPS, device.writeOps);
        this.devices.set(d, DEVICE_READ_BYTES, device.readBytes);
        this.devices.set(d, DEVICE_WRITE_BYTES, device.writeBytes);
      }
    }
    if (sample.frozen !== undefined) flags |= HAS_FROZEN | (sample.frozen ? FROZEN : 0);
    if (cpuThrottling) {
      flags |= HAS_THROTTLING;
      rows.set(at, PERIODS, cpuThrottling.periods);
      rows.set(at, THROTTLED_PERIODS, cpuThrottling.throttledPeriods);
      rows.set(at, THROTTLED_TIME, cpuThrottling.throttledTimeUs);
    }
    if (members) {
      flags |= HAS_MEMBERS;
      rows.set(at, MEMBER_COUNT, members.count);
      rows.set(at, MEMBER_BYTES, members.residentBytes);
    }
    rows.set(at, FLAGS, flags);
    this.recent.push(sample);
    if (this.recent.length > SAMPLES_WITH_PROCESS_ROWS) this.recent.shift();
  }

  /** The samples held, oldest first: the newest as pushed, the others rebuilt without per-process rows. */
  toArray(): JobSample[] {
    const out = new Array<JobSample>(this.rows.length);
    const rebuilt = out.length - this.recent.length;
    let device = 0;
    for (let i = 0; i < rebuilt; i += 1) {
      out[i] = this.sampleAt(i, device);
      device += this.deviceCount(i);
    }
    for (let i = rebuilt; i < out.length; i += 1) out[i] = this.recent[i - rebuilt]!;
    return out;
  }

  /** Drops the samples taken before `oldest`. */
  private trim(oldest: number): void {
    const rows = this.rows;
    let expired = 0;
    let devices = 0;
    while (expired < rows.length && rows.get(rows.slot(expired), TIME) < oldest) {
      devices += this.deviceCount(expired);
      expired += 1;
    }
    rows.drop(expired);
    this.devices.drop(devices);
    // The recent samples are the newest rows: those among the expired go too.
    if (this.recent.length > rows.length) this.recent.splice(0, this.recent.length - rows.length);
  }

  private deviceCount(i: number): number {
    const slot = this.rows.slot(i);
    return this.rows.get(slot, FLAGS) & HAS_IO ? this.rows.get(slot, DEVICES) : 0;
  }

  private stringId(value: string): number {
    let id = this.stringIds.get(value);
    if (id === undefined) {
      id = this.strings.push(value) - 1;
      this.stringIds.set(value, id);
    }
    return id;
  }

  /** The i-th oldest sample, whose IO devices start at row `device` of `devices`; keys in the addon's order. */
  private sampleAt(i: number, device: number): JobSample {
    const rows = this.rows;
    const at = rows.slot(i);
    const get = (column: number) => rows.get(at, column);
    const flags = get(FLAGS);
    const sample: JobSample = { jobId: this.jobId, time: get(TIME), state: this.strings[get(STATE)] as JobSample['state'] };
    if (flags & HAS_PROCESSOR) {
      sample.processor = {
        userTimeUs: get(USER_TIME),
        kernelTimeUs: get(KERNEL_TIME),
        totalProcesses: get(TOTAL_PROCESSES),
        activeProcesses: get(ACTIVE_PROCESSES),
      };
    }
    if (flags & HAS_MEMORY) {
      sample.memory = {
        currentBytes: get(CURRENT_BYTES),
        peakBytes: flags & HAS_PEAK ? get(PEAK_BYTES) : null,
        source: this.strings[get(SOURCE)] as NonNullable<JobSample['memory']>['source'],
        anonBytes: flags & HAS_ANON ? get(ANON_BYTES) : null,
        fileBytes: flags & HAS_FILE ? get(FILE_BYTES) : null,
      };
    }
    if (flags & HAS_PRIVATE_WS) sample.privateWorkingSetBytes = get(PRIVATE_WS);
    if (flags & HAS_IO) {
      const devices = new Array<NonNullable<JobSample['io']>['devices'][number]>(get(DEVICES));
      for (let d = 0; d < devices.length; d += 1) {
        const slot = this.devices.slot(device + d);
        devices[d] = {
          device: this.strings[this.devices.get(slot, DEVICE)]!,
          readOps: this.devices.get(slot, DEVICE_READ_OPS),
          writeOps: this.devices.get(slot, DEVICE_WRITE_OPS),
          readBytes: this.devices.get(slot, DEVICE_READ_BYTES),
          writeBytes: this.devices.get(slot, DEVICE_WRITE_BYTES),
        };
      }
      sample.io = {
        tracking: this.strings[get(TRACKING)] as NonNullable<JobSample['io']>['tracking'],
        readOps: get(READ_OPS),
        writeOps: get(WRITE_OPS),
        readBytes: get(READ_BYTES),
        writeBytes: get(WRITE_BYTES),
        devices,
      };
    }
    if (flags & HAS_FROZEN) sample.frozen = (flags & FROZEN) !== 0;
    if (flags & HAS_THROTTLING) {
      sample.cpuThrottling = { periods: get(PERIODS), throttledPeriods: get(THROTTLED_PERIODS), throttledTimeUs: get(THROTTLED_TIME) };
    }
    if (flags & HAS_MEMBERS) sample.members = { count: get(MEMBER_COUNT), residentBytes: get(MEMBER_BYTES) };
    return sample;
  }
}
