'use strict';
// Rebuilds sampleJobs' JobSample objects (index.d.ts) from the addon's packed form: numbers in one
// Float64Array, strings in one NUL-separated string, in the order packSamples (src/addon.cc) writes them.
// A part of a sample (processor, memory, cpuThrottling, io, processes) equal to the same job's previous one
// is that previous object, compared before anything is made: most jobs are quiet on most ticks, and at
// 1000 jobs a tick the objects not made were most of the main process's garbage.
const MEMORY_SOURCES = ['cgroup2', 'cgroup1', 'procfs', 'job-object', 'process-sum'];
const IO_TRACKING = ['on', 'off', 'unsupported'];

/** Each job's previous live sample, by its Job object (gone with it). */
const previousSamples = new WeakMap();

const orNull = (v) => (Number.isNaN(v) ? null : v);

function unpackSamples([numbers, text], jobs) {
  const strings = text.split('\0');
  let i = 0;
  let k = 0;
  /** Whether the `keys.length` numbers at `i` are `before`'s values of `keys` (NaN packs null). */
  const packedIn = (before, keys) => {
    if (before === undefined) return false;
    for (let f = 0; f < keys.length; f++) {
      if (keys[f] === CODED) continue;
      const value = before[keys[f]];
      if (value === null ? !Number.isNaN(numbers[i + f]) : numbers[i + f] !== value) return false;
    }
    return true;
  };
  /** The next `count` rows of 3-4 numbers and one string, as `before` when every row is equal. */
  const rowsAt = (before, count, keys, name, make) => {
    let equal = before !== undefined && before.length === count;
    for (let r = 0; equal && r < count; r++) {
      equal = strings[k + r] === before[r][name];
      for (let f = 0; equal && f < keys.length; f++) equal = numbers[i + r * keys.length + f] === before[r][keys[f]];
    }
    if (equal) {
      i += count * keys.length;
      k += count;
      return before;
    }
    const out = new Array(count);
    for (let r = 0; r < count; r++) out[r] = make();
    return out;
  };
  const samples = [];
  while (i < numbers.length) {
    const job = jobs[samples.length];
    const jobId = numbers[i++];
    const time = numbers[i++];
    if (numbers[i++] === 1) {
      previousSamples.delete(job);
      samples.push({ jobId, time, state: 'gone' });
      continue;
    }
    const previous = previousSamples.get(job) ?? {};
    let processor = previous.processor;
    if (packedIn(processor, PROCESSOR)) {
      i += PROCESSOR.length;
    } else {
      processor = {
        userTimeUs: numbers[i++],
        kernelTimeUs: numbers[i++],
        totalProcesses: numbers[i++],
        activeProcesses: numbers[i++],
      };
    }
    let memory = previous.memory;
    if (memory !== undefined && MEMORY_SOURCES[numbers[i + 2]] === memory.source && packedIn(memory, MEMORY)) {
      i += MEMORY.length;
    } else {
      memory = {
        currentBytes: numbers[i++],
        peakBytes: orNull(numbers[i++]),
        source: MEMORY_SOURCES[numbers[i++]],
        anonBytes: orNull(numbers[i++]),
        fileBytes: orNull(numbers[i++]),
      };
    }
    const privateWorkingSetBytes = numbers[i++];
    const frozen = numbers[i++];
    let cpuThrottling;
    if (numbers[i++] === 1) {
      cpuThrottling = previous.cpuThrottling;
      if (packedIn(cpuThrottling, THROTTLING)) {
        i += THROTTLING.length;
      } else {
        cpuThrottling = { periods: numbers[i++], throttledPeriods: numbers[i++], throttledTimeUs: numbers[i++] };
      }
    }
    let io;
    const tracking = numbers[i++];
    if (tracking >= 0) {
      const before = previous.io;
      const totalsEqual = before !== undefined && IO_TRACKING[tracking] === before.tracking && packedIn(before, IO);
      const readOps = numbers[i++];
      const writeOps = numbers[i++];
      const readBytes = numbers[i++];
      const writeBytes = numbers[i++];
      const devices = rowsAt(before && before.devices, numbers[i++], DEVICE, 'device', () => ({
        device: strings[k++],
        readOps: numbers[i++],
        writeOps: numbers[i++],
        readBytes: numbers[i++],
        writeBytes: numbers[i++],
      }));
      io =
        totalsEqual && devices === before.devices
          ? before
          : {
              tracking: IO_TRACKING[tracking],
              readOps,
              writeOps,
              readBytes,
              writeBytes,
              devices,
            };
    }
    const processes = rowsAt(previous.processes, numbers[i++], MEMBER, 'name', () => ({
      pid: numbers[i++],
      name: strings[k++],
      cpuTimeUs: numbers[i++],
      residentBytes: numbers[i++],
    }));
    const sample = { jobId, time, state: 'live', processor, memory, privateWorkingSetBytes, processes };
    if (io) sample.io = io;
    if (frozen >= 0) sample.frozen = frozen === 1;
    if (cpuThrottling) sample.cpuThrottling = cpuThrottling;
    previousSamples.set(job, sample);
    samples.push(sample);
  }
  return samples;
}

// Each part's packed numbers, in packSamples' order. A coded string (memory's source) is compared by the
// caller: CODED only keeps the positions right.
const CODED = null;
const PROCESSOR = ['userTimeUs', 'kernelTimeUs', 'totalProcesses', 'activeProcesses'];
const MEMORY = ['currentBytes', 'peakBytes', CODED, 'anonBytes', 'fileBytes'];
const THROTTLING = ['periods', 'throttledPeriods', 'throttledTimeUs'];
const IO = ['readOps', 'writeOps', 'readBytes', 'writeBytes'];
const DEVICE = ['readOps', 'writeOps', 'readBytes', 'writeBytes'];
const MEMBER = ['pid', 'cpuTimeUs', 'residentBytes'];

module.exports = { unpackSamples };
