// The service's columnar history: samples read back exactly as pushed (every field, absent and null ones,
// any number a double can be), per-process rows on the newest SAMPLES_WITH_PROCESS_ROWS only, the window
// trimmed by time, and the rings' slots reused and resized across wrap-around without mixing rows up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JobSample } from '../contract';
import { SAMPLES_WITH_PROCESS_ROWS, withoutProcessRows } from '../sample-history';
import { ColumnRing, SampleStore } from './sample-store';

const JOB = 7;

/** Every field present: adding a field to JobSample (or a part of it) fails to compile here until it is kept. */
const everyField: Required<JobSample> = {
  jobId: JOB,
  time: 1_764_780_000_123,
  state: 'live',
  processor: { userTimeUs: 2 ** 40 + 3, kernelTimeUs: 255, totalProcesses: 65_536, activeProcesses: 0 },
  memory: { currentBytes: 2 ** 53 - 1, peakBytes: 4096, source: 'cgroup1', anonBytes: 1.5, fileBytes: -0 },
  privateWorkingSetBytes: 123_456_789,
  processes: [{ pid: 42, name: 'sleep', cpuTimeUs: 10, residentBytes: 1024 }],
  io: {
    tracking: 'on',
    readOps: 1,
    writeOps: 2 ** 32,
    readBytes: 2 ** 32 - 1,
    writeBytes: Number.NaN,
    devices: [
      { device: '254:0 (vda)', readOps: 3, writeOps: 4, readBytes: 5, writeBytes: 6 },
      { device: '8:0 (sda)', readOps: -1, writeOps: Infinity, readBytes: 0, writeBytes: 1e300 },
    ],
  },
  frozen: false,
  cpuThrottling: { periods: 100, throttledPeriods: 7, throttledTimeUs: 70_000 },
  members: { count: 1, residentBytes: 1024 },
};

/** What the history holds of a sample once it is no longer among the newest. */
const aged = (sample: JobSample): JobSample => withoutProcessRows(sample);

test('a sample with every field reads back equal, without its rows once older than the newest', () => {
  const store = new SampleStore(JOB, 60_000);
  store.push(everyField);
  assert.equal(store.toArray()[0], everyField, 'the newest sample is the object pushed');
  const later = Array.from({ length: SAMPLES_WITH_PROCESS_ROWS }, (_, i) => ({ ...everyField, time: everyField.time + i + 1 }));
  for (const sample of later) store.push(sample);
  assert.deepStrictEqual(store.toArray(), [aged(everyField), ...later]);
  assert.equal(store.toArray()[0]!.processes, undefined);
});

test('absent parts and null figures stay absent and null, not zero', () => {
  const store = new SampleStore(JOB, 60_000);
  const gone: JobSample = { jobId: JOB, time: 1000, state: 'gone' };
  const bare: JobSample = {
    jobId: JOB,
    time: 1001,
    state: 'live',
    memory: { currentBytes: 0, peakBytes: null, source: 'procfs', anonBytes: null, fileBytes: null },
    frozen: true,
  };
  const ioWithoutDevices: JobSample = {
    jobId: JOB,
    time: 1002,
    state: 'live',
    io: { tracking: 'unsupported', readOps: 0, writeOps: 0, readBytes: 0, writeBytes: 0, devices: [] },
  };
  const pushed = [gone, bare, ioWithoutDevices, { ...gone, time: 1003 }, { ...gone, time: 1004 }];
  for (const sample of pushed) store.push(sample);
  assert.deepStrictEqual(store.toArray(), pushed);
});

test('a sample of another job is refused with an error naming both', () => {
  const store = new SampleStore(JOB, 1000);
  assert.throws(() => store.push({ ...everyField, jobId: 8 }), /a sample of job 8 cannot go into job 7's history/);
  assert.equal(store.length, 0);
});

test('the window keeps the samples of its last spanMs and drops older ones, rows and devices with them', () => {
  const store = new SampleStore(JOB, 1000);
  const at = (time: number, devices: number): JobSample => ({
    ...everyField,
    time,
    io: { ...everyField.io, devices: Array.from({ length: devices }, (_, d) => ({ ...everyField.io.devices[0]!, readOps: time * 10 + d })) },
  });
  const pushed = [at(0, 1), at(400, 0), at(999, 3), at(1000, 2), at(1500, 1), at(2001, 2)];
  for (const sample of pushed) store.push(sample);
  // At 2001 the window starts at 1001: 1000 and older are gone.
  assert.deepStrictEqual(store.toArray(), [pushed[4]!, pushed[5]!]);
  store.push(at(2002, 0));
  assert.deepStrictEqual(store.toArray(), [aged(pushed[4]!), pushed[5]!, at(2002, 0)]);
  // A gap longer than the window leaves the new sample alone, with its rows.
  const late = at(10_000, 1);
  store.push(late);
  assert.deepStrictEqual(store.toArray(), [late]);
  // Exactly spanMs old is still inside.
  store.push(at(11_000, 2));
  assert.equal(store.length, 2);
});

test('a ring that wraps, then grows and shrinks while wrapped, keeps its rows in order', () => {
  const ring = new ColumnRing(2, 4);
  const model: number[][] = [];
  let next = 0;
  const append = (n: number) => {
    for (let i = 0; i < n; i += 1, next += 1) {
      const slot = ring.append();
      ring.set(slot, 0, next);
      ring.set(slot, 1, next * 1000.5);
      model.push([next, next * 1000.5]);
    }
  };
  const check = (what: string) => {
    const rows = Array.from({ length: ring.length }, (_, i) => [ring.get(ring.slot(i), 0), ring.get(ring.slot(i), 1)]);
    assert.deepStrictEqual(rows, model, what);
  };
  append(4); // capacity 4, full
  ring.drop(3);
  model.splice(0, 3);
  append(3); // the oldest row is at slot 3, the new ones wrap to slots 0..2
  assert.equal(ring.capacity, 4);
  assert.notEqual(ring.slot(0), 0, 'the oldest row is not at slot 0: the ring has wrapped');
  check('wrapped');
  append(5); // grows while wrapped
  assert.ok(ring.capacity > 4);
  check('grown from a wrapped state');
  ring.drop(7);
  model.splice(0, 7);
  check('shrunk');
  assert.ok(ring.capacity < 9, `under half used, it shrank (capacity ${ring.capacity})`);
  assert.throws(() => ring.drop(ring.length + 1), RangeError);
});

test('each column takes the narrowest array that holds its values, and widens when one does not fit', () => {
  const ring = new ColumnRing(1, 16);
  const values = [0, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, -1, 0.5, -0, Number.NaN, -Infinity];
  const bytes: number[] = [];
  for (const value of values) {
    ring.set(ring.append(), 0, value);
    bytes.push(ring.byteLength / ring.capacity);
  }
  assert.deepStrictEqual(bytes, [1, 1, 2, 2, 4, 4, 8, 8, 8, 8, 8, 8]);
  assert.deepStrictEqual(
    values.map((_, i) => ring.get(ring.slot(i), 0)),
    values,
  );
});

// Arbitrary samples: any part present or absent, any nullable figure null, numbers of every width. Plain
// objects only: strict deep equality tells a null-prototype object from the store's plain ones.
const plain = { noNullPrototype: true };
const num = fc.oneof(fc.nat(255), fc.nat(65_535), fc.nat(), fc.maxSafeNat(), fc.double(), fc.integer({ min: -(2 ** 31), max: -1 }));
const text = fc.oneof(fc.constantFrom('cgroup2', 'cgroup1', 'procfs', 'job-object', 'process-sum', 'on', 'off', 'unsupported'), fc.string());
const nullable = fc.option(num, { nil: null });
const sampleBody = fc.record(
  {
    state: fc.constantFrom('live' as const, 'gone' as const),
    processor: fc.record({ userTimeUs: num, kernelTimeUs: num, totalProcesses: num, activeProcesses: num }, plain),
    memory: fc.record(
      {
        currentBytes: num,
        peakBytes: nullable,
        source: text as fc.Arbitrary<NonNullable<JobSample['memory']>['source']>,
        anonBytes: nullable,
        fileBytes: nullable,
      },
      plain,
    ),
    privateWorkingSetBytes: num,
    processes: fc.array(fc.record({ pid: fc.nat(), name: fc.string(), cpuTimeUs: num, residentBytes: num }, plain), { maxLength: 3 }),
    io: fc.record(
      {
        tracking: text as fc.Arbitrary<NonNullable<JobSample['io']>['tracking']>,
        readOps: num,
        writeOps: num,
        readBytes: num,
        writeBytes: num,
        devices: fc.array(fc.record({ device: text, readOps: num, writeOps: num, readBytes: num, writeBytes: num }, plain), { maxLength: 4 }),
      },
      plain,
    ),
    frozen: fc.boolean(),
    cpuThrottling: fc.record({ periods: num, throttledPeriods: num, throttledTimeUs: num }, plain),
    members: fc.record({ count: num, residentBytes: num }, plain),
  },
  { requiredKeys: ['state'], noNullPrototype: true },
);
// Steps in ms: mostly within the window (span 50..2000), sometimes past it.
const step = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 5000 }));

test('any sequence of samples reads back as pushed, within the window, rows on the newest only', () => {
  fc.assert(
    fc.property(fc.integer({ min: 50, max: 2000 }), fc.array(fc.tuple(step, sampleBody), { maxLength: 120 }), (spanMs, steps) => {
      const store = new SampleStore(JOB, spanMs);
      const pushed: JobSample[] = [];
      let time = 1_764_780_000_000;
      for (const [ms, body] of steps) {
        time += ms;
        const sample: JobSample = { jobId: JOB, time, ...body };
        store.push(sample);
        pushed.push(sample);
        const held = pushed.filter((s) => s.time >= time - spanMs);
        const recent = held.length - SAMPLES_WITH_PROCESS_ROWS;
        assert.deepStrictEqual(
          store.toArray(),
          held.map((s, i) => (i < recent ? aged(s) : s)),
        );
      }
    }),
    { numRuns: 300 },
  );
});

test('a steady 15-minute history at 1 Hz stays within a quarter above the samples it holds', () => {
  const store = new SampleStore(JOB, 15 * 60 * 1000);
  const sample = withoutProcessRows(everyField);
  const capacities = new Set<number>();
  for (let s = 0; s < 3 * 900; s += 1) {
    store.push({ ...sample, time: s * 1000 });
    if (s > 900) capacities.add(store.capacity);
  }
  assert.equal(store.length, 901);
  assert.equal(capacities.size, 1, 'once full, the ring is not resized again');
  const [capacity] = capacities;
  assert.ok(capacity! >= 901 && capacity! <= 901 * 1.25 + 16, `capacity ${capacity} for 901 samples`);
});
