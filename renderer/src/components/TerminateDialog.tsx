import { useState } from 'react';
import type { JobSummary } from '../../../electron/contract';
import { useActions, useStore } from '../hooks';
import { Dialog } from './Dialog';

export function TerminateDialog(props: { job: JobSummary; count: number; onClose: () => void }) {
  const actions = useActions();
  const linux = useStore((s) => s.host?.platform !== 'win32');
  const [busy, setBusy] = useState(false);
  async function terminate() {
    setBusy(true);
    await actions.terminate(props.job.id);
    props.onClose();
  }
  return (
    <Dialog title="Terminate job" onClose={props.onClose}>
      <p>
        Terminate job {props.job.name}? Every process in it ({props.count}) will be killed.
      </p>
      {linux && <p className="hint">On Linux the processes are killed with SIGKILL; they cannot clean up.</p>}
      <div className="dialog-buttons">
        <button type="button" onClick={props.onClose} autoFocus>
          Cancel
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void terminate()}>
          Terminate
        </button>
      </div>
    </Dialog>
  );
}
