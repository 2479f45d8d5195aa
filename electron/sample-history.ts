// What a history keeps of each sample, shared by the service and the renderer (which bundles this file, so
// it imports nothing at run time). Per-process rows are what makes a sample big (one row per member), and
// the views need them only on the newest samples; charts and exports read the members' totals instead.
import type { JobSample, MemberProcess, MemberTotals } from './contract';

/** The member table shows the newest sample's rows, with each row's CPU % taken from the sample before. */
export const SAMPLES_WITH_PROCESS_ROWS = 2;

/** Each member list's totals: the addon hands a quiet job's unchanged list over again (unpack-samples.js). */
const totalsOfMembers = new WeakMap<readonly MemberProcess[], MemberTotals>();

/** Adds the members' totals to the sample (the addon gives live samples a member list), in place, and returns it. */
export function addMemberTotals(sample: JobSample): JobSample {
  const processes = sample.processes;
  if (processes === undefined) return sample;
  let totals = totalsOfMembers.get(processes);
  if (totals === undefined) {
    let residentBytes = 0;
    for (const p of processes) residentBytes += p.residentBytes;
    totals = { count: processes.length, residentBytes };
    totalsOfMembers.set(processes, totals);
  }
  sample.members = totals;
  return sample;
}

/** The sample as history keeps it once it is older than the newest SAMPLES_WITH_PROCESS_ROWS: its totals, no rows. */
export function withoutProcessRows(sample: JobSample): JobSample {
  if (sample.processes === undefined) return sample;
  const { processes: _rows, ...kept } = sample;
  return kept;
}
