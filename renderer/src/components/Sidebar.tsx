import { memo, useState } from 'react';
import type { JobSummary } from '../../../electron/contract';
import { useActions, useStore } from '../hooks';
import { latestSample, processCount } from '../store';
import { JobTree } from './JobTree';
import { NewJobDialog } from './NewJobDialog';
import { OpenJobDialog } from './OpenJobDialog';
import { RecordingsPanel } from './RecordingsPanel';

const JobItem = memo(function JobItem({ job, selected }: { job: JobSummary; selected: boolean }) {
  const actions = useActions();
  const count = useStore((s) => processCount(latestSample(s.data[job.id])));
  return (
    <li>
      <button
        type="button"
        className={selected ? 'job-item selected' : 'job-item'}
        aria-current={selected ? 'true' : undefined}
        onClick={() => actions.select(job.id)}
      >
        <span className="job-item-top">
          <span className="job-name">{job.name}</span>
          <span className={`badge badge-${job.state}`}>{job.state}</span>
        </span>
        <span className="job-path" title={job.path}>
          <span dir="ltr">{job.path || '(unnamed)'}</span>
        </span>
        <span className="job-count">
          {count == null ? '—' : `${count} ${count === 1 ? 'process' : 'processes'}`}
        </span>
      </button>
    </li>
  );
});

export function Sidebar() {
  const jobs = useStore((s) => s.jobs);
  // While a replay or the Compare view is shown, no live job is the current one.
  const selectedId = useStore((s) => (s.replay || s.comparing ? null : s.selectedId));
  const comparing = useStore((s) => s.comparing);
  const actions = useActions();
  const ready = useStore((s) => s.ready);
  const online = useStore((s) => s.connection.state === 'open');
  const [dialog, setDialog] = useState<'new' | 'open' | null>(null);

  return (
    <nav className="sidebar" aria-labelledby="jobs-heading">
      <div className="sidebar-head">
        <h2 id="jobs-heading">Jobs</h2>
        <div className="sidebar-buttons">
          <button type="button" className="primary" disabled={!online} onClick={() => setDialog('new')}>
            New job
          </button>
          <button type="button" disabled={!online} onClick={() => setDialog('open')}>
            Open job
          </button>
        </div>
      </div>
      <div className="sidebar-section-head">
        <h3 className="sidebar-section">Held jobs</h3>
        {jobs.length > 1 && (
          <button type="button" className="compare-toggle" aria-pressed={comparing} onClick={() => actions.compare(!comparing)}>
            Compare
          </button>
        )}
      </div>
      {jobs.length ? (
        <ul className="job-list" aria-label="Held jobs">
          {jobs.map((job) => (
            <JobItem key={job.id} job={job} selected={job.id === selectedId} />
          ))}
        </ul>
      ) : (
        ready && (
          <p className="sidebar-empty">
            No jobs held. <strong>New job</strong> creates an empty group; <strong>Open job</strong>, or a click on
            a group below, watches an existing one.
          </p>
        )
      )}
      <RecordingsPanel />
      <JobTree />
      {dialog === 'new' && <NewJobDialog onClose={() => setDialog(null)} />}
      {dialog === 'open' && <OpenJobDialog onClose={() => setDialog(null)} />}
    </nav>
  );
}
