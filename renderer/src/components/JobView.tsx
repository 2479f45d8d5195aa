import { useState } from 'react';
import type { JobSummary } from '../../../electron/contract';
import { formatBytes } from '../format';
import { useActions, useStore } from '../hooks';
import { latestSample, processCount } from '../store';
import { AttachDialog } from './AttachDialog';
import { CloseDialog } from './CloseDialog';
import { CpuChart } from './CpuChart';
import { LaunchDialog } from './LaunchDialog';
import { LimitsPanel } from './LimitsPanel';
import { LoadgenDialog } from './LoadgenDialog';
import { MemberTable } from './MemberTable';
import { MemoryChart } from './MemoryChart';
import { NotificationLog } from './NotificationLog';
import { TerminateDialog } from './TerminateDialog';

const NO_SAMPLES: never[] = [];

export function JobView({ job }: { job: JobSummary }) {
  const actions = useActions();
  const samples = useStore((s) => s.data[job.id]?.samples ?? NO_SAMPLES);
  const notifications = useStore((s) => s.data[job.id]?.notifications ?? NO_SAMPLES);
  const online = useStore((s) => s.connection.state === 'open');
  const fallbackSource = useStore((s) => s.host?.memorySource);
  const memoryLimit = useStore((s) => s.limits[job.id]?.limits.memoryBytes ?? null);
  const [dialog, setDialog] = useState<'attach' | 'launch' | 'loadgen' | 'terminate' | 'close' | null>(null);

  const latest = latestSample({ samples, notifications });
  const previous = samples.length > 1 ? samples[samples.length - 2] : undefined;
  const count = processCount(latest) ?? 0;
  const live = job.state === 'live';

  function close() {
    if (count > 0 && live) setDialog('close');
    else void actions.close(job);
  }

  return (
    <section className="job-view" aria-labelledby="job-title">
      <header className="job-head">
        <div className="job-title">
          <h2 id="job-title">
            {job.name} <span className={`badge badge-${job.state}`}>{job.state}</span>
          </h2>
          <code className="job-path-full">{job.path || '(unnamed job object)'}</code>
          <span className="hint">{job.created ? 'Created by JobScope' : 'Opened (watched only)'}</span>
        </div>
        <div className="toolbar" role="toolbar" aria-label="Job actions">
          <button type="button" disabled={!live || !online} onClick={() => setDialog('attach')}>
            Attach processes
          </button>
          <button type="button" disabled={!live || !online} onClick={() => setDialog('launch')}>
            Launch program
          </button>
          <button type="button" disabled={!live || !online} onClick={() => setDialog('loadgen')}>
            Load generator
          </button>
          <button type="button" className="danger" disabled={!live || !online} onClick={() => setDialog('terminate')}>
            Terminate
          </button>
          <button type="button" disabled={!online} onClick={close}>
            Close job
          </button>
        </div>
      </header>

      {!live && (
        <p className="banner" role="note">
          This job’s group no longer exists (it was removed outside JobScope). Close it to drop it from the list.
        </p>
      )}

      <dl className="stats" aria-label="Current figures">
        <div>
          <dt>Processes</dt>
          <dd>{latest?.processor ? count : '—'}</dd>
        </div>
        <div>
          <dt>Ever in job</dt>
          <dd>{latest?.processor?.totalProcesses ?? '—'}</dd>
        </div>
        <div>
          <dt title="Memory charged to the job (what a memory limit counts)">
            {latest?.memory?.source === 'procfs' ? 'Memory' : 'Memory charged'}
          </dt>
          <dd>{formatBytes(latest?.memory?.currentBytes)}</dd>
        </div>
        <div>
          <dt title="Sum of the members' resident sets, including memory allocated before they joined">Resident</dt>
          <dd>{latest?.processes ? formatBytes(latest.processes.reduce((sum, p) => sum + p.residentBytes, 0)) : '—'}</dd>
        </div>
        <div>
          <dt>Peak memory</dt>
          <dd>{formatBytes(latest?.memory?.peakBytes)}</dd>
        </div>
      </dl>

      <div className="charts">
        <CpuChart samples={samples} />
        <MemoryChart samples={samples} source={latest?.memory?.source ?? fallbackSource} limitBytes={memoryLimit} />
      </div>

      <LimitsPanel job={job} />

      <MemberTable latest={latest} previous={previous} />
      <NotificationLog notifications={notifications} />

      {dialog === 'attach' && <AttachDialog job={job} onClose={() => setDialog(null)} />}
      {dialog === 'launch' && <LaunchDialog job={job} onClose={() => setDialog(null)} />}
      {dialog === 'loadgen' && <LoadgenDialog job={job} onClose={() => setDialog(null)} />}
      {dialog === 'terminate' && <TerminateDialog job={job} count={count} onClose={() => setDialog(null)} />}
      {dialog === 'close' && <CloseDialog job={job} count={count} onClose={() => setDialog(null)} />}
    </section>
  );
}
