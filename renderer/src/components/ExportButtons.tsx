import type { JobSample, JobSummary, Notification } from '../../../electron/contract';
import { download, historyCsv, historyJson } from '../export';

/** Downloads the history the view holds (up to the service's history span). */
export function ExportButtons(props: { job: JobSummary; samples: JobSample[]; notifications: Notification[] }) {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const base = `${props.job.name}-${stamp}`;
  const empty = props.samples.length === 0;
  return (
    <div className="export-buttons" role="group" aria-label="Export history">
      <button type="button" disabled={empty} onClick={() => download(`${base}.csv`, 'text/csv', historyCsv(props.samples))}>
        Export CSV
      </button>
      <button
        type="button"
        disabled={empty}
        onClick={() => download(`${base}.json`, 'application/json', historyJson(props.job, props.samples, props.notifications))}
      >
        Export JSON
      </button>
    </div>
  );
}
