// What a history keeps of each sample, shared by the service and the renderer (which bundles this file, so
// it imports nothing at run time). Per-process rows are what makes a sample big (one row per member), and
// the views need them only on the newest samples; charts and exports read the members' totals instead.
import type { JobSample } from './contract';

/** The member table shows the newest sample's rows, with each row's CPU % taken from the sample before. */
export const SAMPLES_WITH_PROCESS_ROWS = 2;

/** The sample with its members' totals added (the addon gives live samples a member list). */
export function withMemberTotals(sample: JobSample): JobSample {
  if (sample.processes === undefined) return sample;
  const residentBytes = sample.processes.reduce((sum, p) => sum + p.residentBytes, 0);
  return { ...sample, members: { count: sample.processes.length, residentBytes } };
}

/** The sample as history keeps it once it is older than the newest SAMPLES_WITH_PROCESS_ROWS: its totals, no rows. */
export function withoutProcessRows(sample: JobSample): JobSample {
  if (sample.processes === undefined) return sample;
  const { processes: _rows, ...kept } = sample;
  return kept;
}
