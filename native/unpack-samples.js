'use strict';
// Rebuilds sampleJobs' JobSample objects (index.d.ts) from the addon's packed form: numbers in one
// Float64Array, strings in one NUL-separated string, in the order packSamples (src/addon.cc) writes them.
// A part of a sample (processor, memory, cpuThrottling, io, processes) equal to the same job's previous one
// is that previous object: most jobs are quiet on most ticks, and at 1000 jobs a tick the objects not made
// were most of the main process's garbage. Rows are compared where they are packed, before any is made.
const MEMORY_SOURCES = ['cgroup2', 'cgroup1', 'procfs', 'job-object', 'process-sum'];
const IO_TRACKING = ['on', 'off', 'unsupported'];

/** Each job's previous live sample, by its Job object (gone with it). */
const previousSamples = new WeakMap();

const orNull = (v) => (Number.isNaN(v) ? null : v);

function unpackSamples([numbers, text], jobs) {
  const strings = text.split('\0');
  let i = 0;
  let k = 0;
  /** Whether the next `count` device rows (4 numbers and a name each) are `before`'s. */
  const sameDevices = (before, count) => {
    if (before === undefined || before.length !== count) return false;
    for (let r = 0, at = i; r < count; r++, at += 4) {
      const d = before[r];
      const same =
        d.device === strings[k + r] && d.readOps === numbers[at] && d.writeOps === numbers[at + 1] &&
        d.readBytes === numbers[at + 2] && d.writeBytes === numbers[at + 3];
      if (!same) return false;
    }
    return true;
  };
  /** Whether the next `count` member rows (3 numbers and a name each) are `before`'s. */
  const sameMembers = (before, count) => {
    if (before === undefined || before.length !== count) return false;
    for (let r = 0, at = i; r < count; r++, at += 3) {
      const p = before[r];
      const same = p.name === strings[k + r] && p.pid === numbers[at] && p.cpuTimeUs === numbers[at + 1] && p.residentBytes === numbers[at + 2];
      if (!same) return false;
    }
    return true;
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

    const userTimeUs = numbers[i++];
    const kernelTimeUs = numbers[i++];
    const totalProcesses = numbers[i++];
    const activeProcesses = numbers[i++];
    let processor = previous.processor;
    const sameProcessor =
      processor !== undefined && processor.userTimeUs === userTimeUs && processor.kernelTimeUs === kernelTimeUs &&
      processor.totalProcesses === totalProcesses && processor.activeProcesses === activeProcesses;
    if (!sameProcessor) processor = { userTimeUs, kernelTimeUs, totalProcesses, activeProcesses };

    const currentBytes = numbers[i++];
    const peakBytes = orNull(numbers[i++]);
    const source = MEMORY_SOURCES[numbers[i++]];
    const anonBytes = orNull(numbers[i++]);
    const fileBytes = orNull(numbers[i++]);
    let memory = previous.memory;
    const sameMemory =
      memory !== undefined && memory.currentBytes === currentBytes && memory.peakBytes === peakBytes &&
      memory.source === source && memory.anonBytes === anonBytes && memory.fileBytes === fileBytes;
    if (!sameMemory) memory = { currentBytes, peakBytes, source, anonBytes, fileBytes };

    const privateWorkingSetBytes = numbers[i++];
    const frozen = numbers[i++];
    let cpuThrottling;
    if (numbers[i++] === 1) {
      const periods = numbers[i++];
      const throttledPeriods = numbers[i++];
      const throttledTimeUs = numbers[i++];
      cpuThrottling = previous.cpuThrottling;
      const same =
        cpuThrottling !== undefined && cpuThrottling.periods === periods &&
        cpuThrottling.throttledPeriods === throttledPeriods && cpuThrottling.throttledTimeUs === throttledTimeUs;
      if (!same) cpuThrottling = { periods, throttledPeriods, throttledTimeUs };
    }

    let io;
    const trackingCode = numbers[i++];
    if (trackingCode >= 0) {
      const tracking = IO_TRACKING[trackingCode];
      const readOps = numbers[i++];
      const writeOps = numbers[i++];
      const readBytes = numbers[i++];
      const writeBytes = numbers[i++];
      const deviceCount = numbers[i++];
      const before = previous.io;
      let devices;
      if (sameDevices(before && before.devices, deviceCount)) {
        devices = before.devices;
        i += deviceCount * 4;
        k += deviceCount;
      } else {
        devices = new Array(deviceCount);
        for (let d = 0; d < deviceCount; d++) {
          devices[d] = { device: strings[k++], readOps: numbers[i++], writeOps: numbers[i++], readBytes: numbers[i++], writeBytes: numbers[i++] };
        }
      }
      const same =
        before !== undefined && before.devices === devices && before.tracking === tracking && before.readOps === readOps &&
        before.writeOps === writeOps && before.readBytes === readBytes && before.writeBytes === writeBytes;
      io = same ? before : { tracking, readOps, writeOps, readBytes, writeBytes, devices };
    }

    const memberCount = numbers[i++];
    let processes;
    if (sameMembers(previous.processes, memberCount)) {
      processes = previous.processes;
      i += memberCount * 3;
      k += memberCount;
    } else {
      processes = new Array(memberCount);
      for (let p = 0; p < memberCount; p++) {
        processes[p] = { pid: numbers[i++], name: strings[k++], cpuTimeUs: numbers[i++], residentBytes: numbers[i++] };
      }
    }

    const sample = { jobId, time, state: 'live', processor, memory, privateWorkingSetBytes, processes };
    if (io) sample.io = io;
    if (frozen >= 0) sample.frozen = frozen === 1;
    if (cpuThrottling) sample.cpuThrottling = cpuThrottling;
    previousSamples.set(job, sample);
    samples.push(sample);
  }
  return samples;
}

module.exports = { unpackSamples };
