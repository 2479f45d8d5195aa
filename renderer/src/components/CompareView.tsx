// Several held jobs' CPU and memory charts side by side, over the same time window as the job view.
import { memo, useEffect, useState } from 'react';
import type { JobSummary } from '../../../electron/contract';
import { useActions, useStore } from '../hooks';
import { useChartWindow } from './chart-parts';
import { CpuChart } from './CpuChart';
import { MemoryChart } from './MemoryChart';

// Beyond this many, each job's charts get too small to read; more can be picked by hand.
const PICKED_AT_FIRST = 8;
const NONE: never[] = [];

const CompareCard = memo(function CompareCard({ job }: { job: JobSummary }) {
  const actions = useActions();
  const samples = useStore((s) => s.data[job.id]?.samples ?? NONE);
  const notifications = useStore((s) => s.data[job.id]?.notifications ?? NONE);
  const fallbackSource = useStore((s) => s.host?.memorySource);
  const limitBytes = useStore((s) => s.limits[job.id]?.limits.memoryBytes ?? null);
  const { domain, shown, markers } = useChartWindow(samples, notifications);
  // The store holds only what events brought since the page loaded (or reconnected) for jobs not selected.
  const loads = useStore((s) => s.loads);
  useEffect(() => void actions.loadHistory(job.id), [actions, job.id, loads]);
  const prefix = `job${job.id}-`;
  return (
    <article className="compare-card" aria-labelledby={`${prefix}title`}>
      <h3 id={`${prefix}title`}>
        <button type="button" className="link" title="Open this job" onClick={() => actions.select(job.id)}>
          {job.name}
        </button>
      </h3>
      <div className="charts">
        <CpuChart idPrefix={prefix} samples={shown} domain={domain} markers={markers} />
        <MemoryChart
          idPrefix={prefix}
          samples={shown}
          source={samples[samples.length - 1]?.memory?.source ?? fallbackSource}
          limitBytes={limitBytes}
          domain={domain}
          markers={markers}
        />
      </div>
    </article>
  );
});

export function CompareView() {
  const jobs = useStore((s) => s.jobs);
  const [picked, setPicked] = useState<ReadonlySet<number>>(() => new Set(jobs.slice(0, PICKED_AT_FIRST).map((j) => j.id)));
  const toggle = (id: number, on: boolean) =>
    setPicked((was) => {
      const next = new Set(was);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const shown = jobs.filter((j) => picked.has(j.id));
  return (
    <section className="compare-view" aria-labelledby="compare-title">
      <h2 id="compare-title">Compare jobs</h2>
      <fieldset className="compare-picks">
        <legend>Jobs shown</legend>
        {jobs.map((job) => (
          <label key={job.id}>
            <input type="checkbox" checked={picked.has(job.id)} onChange={(e) => toggle(job.id, e.target.checked)} /> {job.name}
          </label>
        ))}
      </fieldset>
      {shown.length === 0 ? (
        <p className="hint">Pick the jobs to show above.</p>
      ) : (
        <div className="compare-grid">
          {shown.map((job) => (
            <CompareCard key={job.id} job={job} />
          ))}
        </div>
      )}
    </section>
  );
}
