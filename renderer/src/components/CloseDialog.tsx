import { useState } from 'react';
import type { JobSummary } from '../../../electron/contract';
import { useActions } from '../hooks';
import { Dialog } from './Dialog';

/** Shown by "Close job" only while the job still has live processes. */
export function CloseDialog(props: { job: JobSummary; count: number; onClose: () => void }) {
  const actions = useActions();
  const [busy, setBusy] = useState(false);
  const { job, count } = props;
  async function close(terminateFirst: boolean) {
    setBusy(true);
    await actions.close(job, terminateFirst);
    props.onClose();
  }
  return (
    <Dialog title={`Close job ${job.name}`} onClose={props.onClose}>
      <p>
        Job {job.name} still has {count} live {count === 1 ? 'process' : 'processes'}.{' '}
        {job.created
          ? 'Its group can only be removed once they have exited.'
          : 'Closing only stops watching it; the processes keep running unless you terminate them.'}
      </p>
      <div className="dialog-buttons">
        <button type="button" onClick={props.onClose} autoFocus>
          Cancel
        </button>
        {!job.created && (
          <button type="button" disabled={busy} onClick={() => void close(false)}>
            Close and leave them running
          </button>
        )}
        <button type="button" className="danger" disabled={busy} onClick={() => void close(true)}>
          Terminate and close
        </button>
      </div>
    </Dialog>
  );
}
