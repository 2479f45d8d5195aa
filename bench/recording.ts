// What recording adds to a sampling tick: the service's own records for one tick of N jobs (eventRecords),
// appended to a real recording file with RecordingWriter, timed against the native sample of the same tick.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as native from '#native';
import { eventRecords } from '../electron/service/job-service';
import { RecordingWriter } from '../electron/service/recording';
import type { JobSet } from './jobs';
import { median, percentile } from './lib';

export interface RecordingResult {
  n: number;
  ticks: number;
  sampleUs: number;
  appendMedianUs: number;
  appendP95Us: number;
  bytesPerTick: number;
}

export function measureRecording(set: JobSet, ticks: number): RecordingResult {
  const dir = mkdtempSync(path.join(tmpdir(), 'jobscope-bench-recording-'));
  try {
    const writer = RecordingWriter.create(dir, 'bench', { time: Date.now(), host: native.hostInfo(), intervalMs: 1000, jobs: [] });
    const sampleUs: number[] = [];
    const appendUs: number[] = [];
    for (let tick = 0; tick < ticks; tick++) {
      const t0 = performance.now();
      const samples = native.sampleJobs(set.jobs);
      const t1 = performance.now();
      writer.append(eventRecords({ time: Date.now(), samples, notifications: [] }));
      appendUs.push((performance.now() - t1) * 1000);
      sampleUs.push((t1 - t0) * 1000);
    }
    const headerBytes = statSync(path.join(dir, 'bench.jsonl')).size;
    writer.finish(Date.now());
    return {
      n: set.jobs.length,
      ticks,
      sampleUs: median(sampleUs),
      appendMedianUs: median(appendUs),
      appendP95Us: percentile(appendUs, 95),
      bytesPerTick: headerBytes / ticks,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
