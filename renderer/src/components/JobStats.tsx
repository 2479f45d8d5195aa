import type { JobSample } from '../../../electron/contract';
import { formatBytes } from '../format';

/** The latest figures in big type. */
export function JobStats({ latest, count }: { latest: JobSample | undefined; count: number }) {
  return (
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
        <dd>{latest?.members ? formatBytes(latest.members.residentBytes) : '—'}</dd>
      </div>
      <div>
        <dt>Peak memory</dt>
        <dd>{formatBytes(latest?.memory?.peakBytes)}</dd>
      </div>
    </dl>
  );
}
