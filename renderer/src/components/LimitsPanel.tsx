import { useState } from 'react';
import type { JobSummary } from '../../../electron/contract';
import { formatBytes, formatCpuLimit, formatLimit } from '../format';
import { useStore } from '../hooks';
import { EditLimitsDialog } from './EditLimitsDialog';

/** The job's current limits as the kernel reports them, and the way to change them. */
export function LimitsPanel({ job }: { job: JobSummary }) {
  const report = useStore((s) => s.limits[job.id]);
  const online = useStore((s) => s.connection.state === 'open');
  const [editing, setEditing] = useState(false);
  const l = report?.limits;
  return (
    <section className="panel" aria-labelledby="limits-title">
      <div className="panel-head">
        <h3 id="limits-title">Limits</h3>
        <button type="button" disabled={!report || !online || job.state !== 'live'} onClick={() => setEditing(true)}>
          Edit limits
        </button>
      </div>
      {!l ? (
        <p className="hint">Reading the job’s limits…</p>
      ) : (
        <dl className="limits" aria-labelledby="limits-title">
          <div>
            <dt>CPU</dt>
            <dd>{formatCpuLimit(l.cpuRate, l.cpuWeight)}</dd>
          </div>
          <div>
            <dt>Memory</dt>
            <dd>{formatLimit(l.memoryBytes, formatBytes)}</dd>
          </div>
          <div>
            <dt>Active processes</dt>
            <dd>{formatLimit(l.activeProcesses, String)}</dd>
          </div>
          <div>
            <dt>IO operations</dt>
            <dd>{formatLimit(l.maxIops, (v) => `${v} /s`)}</dd>
          </div>
          <div>
            <dt>IO bandwidth</dt>
            <dd>{formatLimit(l.maxBandwidthBytes, (v) => `${formatBytes(v)}/s`)}</dd>
          </div>
        </dl>
      )}
      {report && report.ioDevices.length > 0 && (
        <p className="hint">IO limits apply to {report.ioDevices.join(', ')}.</p>
      )}
      {editing && report && <EditLimitsDialog job={job} report={report} onClose={() => setEditing(false)} />}
    </section>
  );
}
