// History stays small however many members a job has: a job of 201 real processes (swarm.c) in a real
// cgroup, sampled every 100 ms for 60 ticks under the default 15-minute history, holds per-process rows on
// its newest samples only, and every older sample keeps its members' totals exactly as the rows summed.
// Needs root and a C compiler.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import type { JobSample } from '../contract';
import { SAMPLES_WITH_PROCESS_ROWS } from '../sample-history';
import { buildSwarm, needsRoot as skip, startTestService, swarmMade, until } from './test-support';

const CHILDREN = 200;
const MEMBERS = CHILDREN + 1;
const TICKS = 60;
const { events, ok } = startTestService({ intervalMs: 100 }, { skip });

test(`a job of ${MEMBERS} members over ${TICKS} ticks holds per-process rows on its newest ${SAMPLES_WITH_PROCESS_ROWS} samples only`, { skip }, async (t) => {
  const tmp = mkdtempSync('/tmp/jobscope-history-');
  const job = await ok({ type: 'createJob', name: `history-${process.pid}` });
  const swarm = (await ok({ type: 'launch', jobId: job.id, file: buildSwarm(tmp), args: ['hold', String(CHILDREN), `${tmp}/ready`] })).pid;
  t.after(() => {
    try {
      process.kill(swarm, 'SIGKILL'); // its children die with it
    } catch {
      // released below already
    }
    rmSync(tmp, { recursive: true, force: true });
  });
  assert.equal(await swarmMade(`${tmp}/ready`), CHILDREN);
  const emitted = (): JobSample[] => events.flatMap((e) => e.samples).filter((s) => s.jobId === job.id);
  const full = (): number => emitted().filter((s) => s.processes?.length === MEMBERS).length;
  await until(`${TICKS} samples with every member`, () => full() >= TICKS, 60_000);

  const { samples } = await ok({ type: 'getHistory', jobId: job.id });
  assert.ok(samples.length >= TICKS, `the 15-minute history holds all ${samples.length} samples`);
  const rows = samples.reduce((sum, s) => sum + (s.processes?.length ?? 0), 0);
  t.diagnostic(`${samples.length} samples held, ${rows} per-process rows among them (events carried ${full() * MEMBERS})`);
  assert.equal(rows, SAMPLES_WITH_PROCESS_ROWS * MEMBERS, 'rows of the newest samples only, each with every member');
  assert.deepEqual(
    samples.map((s) => s.processes !== undefined),
    samples.map((_, i) => i >= samples.length - SAMPLES_WITH_PROCESS_ROWS),
  );
  // Every held sample was emitted with its rows: its totals are what those rows add up to.
  const sent = new Map(emitted().map((s) => [s.time, s]));
  for (const held of samples) {
    const rowsSent = sent.get(held.time)?.processes;
    assert.ok(rowsSent, `the sample of ${held.time} was emitted with its rows`);
    assert.deepEqual(held.members, { count: rowsSent.length, residentBytes: rowsSent.reduce((sum, p) => sum + p.residentBytes, 0) });
  }
  assert.ok(samples.filter((s) => s.members?.count === MEMBERS).length >= TICKS, 'old samples still count every member');

  process.kill(swarm, 'SIGUSR1');
  await until('the swarm to leave the job', () => emitted().at(-1)?.members?.count === 0, 30_000);
  await ok({ type: 'closeJob', jobId: job.id });
});
