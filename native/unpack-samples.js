'use strict';
// Rebuilds sampleJobs' JobSample objects (index.d.ts) from the addon's packed form: numbers in one
// Float64Array, strings in one NUL-separated string, in the order packSamples (src/addon.cc) writes them.
const MEMORY_SOURCES = ['cgroup2', 'cgroup1', 'procfs', 'job-object', 'process-sum'];
const IO_TRACKING = ['on', 'off', 'unsupported'];

function unpackSamples([numbers, text]) {
  const strings = text.split('\0');
  let i = 0;
  let k = 0;
  const orNull = (v) => (Number.isNaN(v) ? null : v);
  const samples = [];
  while (i < numbers.length) {
    const jobId = numbers[i++];
    const time = numbers[i++];
    if (numbers[i++] === 1) {
      samples.push({ jobId, time, state: 'gone' });
      continue;
    }
    const processor = {
      userTimeUs: numbers[i++],
      kernelTimeUs: numbers[i++],
      totalProcesses: numbers[i++],
      activeProcesses: numbers[i++],
    };
    const memory = {
      currentBytes: numbers[i++],
      peakBytes: orNull(numbers[i++]),
      source: MEMORY_SOURCES[numbers[i++]],
      anonBytes: orNull(numbers[i++]),
      fileBytes: orNull(numbers[i++]),
    };
    const privateWorkingSetBytes = numbers[i++];
    const frozen = numbers[i++];
    let cpuThrottling;
    if (numbers[i++] === 1) {
      cpuThrottling = { periods: numbers[i++], throttledPeriods: numbers[i++], throttledTimeUs: numbers[i++] };
    }
    let io;
    const tracking = numbers[i++];
    if (tracking >= 0) {
      io = {
        tracking: IO_TRACKING[tracking],
        readOps: numbers[i++],
        writeOps: numbers[i++],
        readBytes: numbers[i++],
        writeBytes: numbers[i++],
        devices: new Array(numbers[i++]),
      };
      for (let d = 0; d < io.devices.length; d++) {
        io.devices[d] = {
          device: strings[k++],
          readOps: numbers[i++],
          writeOps: numbers[i++],
          readBytes: numbers[i++],
          writeBytes: numbers[i++],
        };
      }
    }
    const processes = new Array(numbers[i++]);
    for (let p = 0; p < processes.length; p++) {
      processes[p] = { pid: numbers[i++], name: strings[k++], cpuTimeUs: numbers[i++], residentBytes: numbers[i++] };
    }
    const sample = { jobId, time, state: 'live', processor, memory, privateWorkingSetBytes, processes };
    if (io) sample.io = io;
    if (frozen >= 0) sample.frozen = frozen === 1;
    if (cpuThrottling) sample.cpuThrottling = cpuThrottling;
    samples.push(sample);
  }
  return samples;
}

module.exports = { unpackSamples };
