// What a held sample costs the service's history: real samples of N jobs, pushed tick after tick into one
// SampleStore per job (the service's columns), against the same samples held as objects the way the
// service held them before (the newest two with their per-process rows, older ones with the members'
// totals instead; parts a quiet job's samples share with the tick before are held once, as sampleJobs
// hands them over). Memory is the V8 heap plus ArrayBuffer contents after a full collection, before and
// after filling, divided by the samples held.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as native from '#native';
import type { JobSample } from '../electron/contract';
import { SAMPLES_WITH_PROCESS_ROWS, addMemberTotals, withoutProcessRows } from '../electron/sample-history';
import { SampleStore } from '../electron/service/sample-store';
import type { JobSet } from './jobs';

export interface HistoryResult {
  jobs: number;
  members: number;
  samples: number;
  columnBytesPerSample: number;
  objectBytesPerSample: number;
}

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
function heldBytes(): number {
  collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Bytes per sample that `hold` keeps of `ticks` ticks of the set's real samples. */
function bytesPerSample(set: JobSet, ticks: number, hold: (samples: JobSample[]) => void): number {
  const before = heldBytes();
  for (let tick = 0; tick < ticks; tick++) hold(native.sampleJobs(set.jobs).map(addMemberTotals));
  return (heldBytes() - before) / (ticks * set.jobs.length);
}

export function measureHistory(set: JobSet, ticks: number): HistoryResult {
  // Both are kept alive until both are measured, so neither is collected under the other's reading.
  const stores = new Map(set.jobs.map((job) => [job.id, new SampleStore(job.id, 15 * 60 * 1000)]));
  const columnBytesPerSample = bytesPerSample(set, ticks, (samples) => {
    for (const sample of samples) stores.get(sample.jobId)!.push(sample);
  });
  const objects = new Map<number, JobSample[]>(set.jobs.map((job) => [job.id, []]));
  const objectBytesPerSample = bytesPerSample(set, ticks, (samples) => {
    for (const sample of samples) {
      const held = objects.get(sample.jobId)!;
      held.push(sample);
      const aged = held.length - 1 - SAMPLES_WITH_PROCESS_ROWS;
      if (aged >= 0) held[aged] = withoutProcessRows(held[aged]!);
    }
  });
  const held = [...stores.values()].reduce((sum, store) => sum + store.length, 0);
  if (held !== ticks * set.jobs.length) throw new Error(`the stores hold ${held} samples, not the ${ticks * set.jobs.length} pushed`);
  return {
    jobs: set.jobs.length,
    members: set.children.length / set.jobs.length,
    samples: held,
    columnBytesPerSample,
    objectBytesPerSample,
  };
}
