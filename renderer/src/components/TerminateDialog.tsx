import { useState } from 'react';
import type { JobSummary } from '../../../electron/contract';
import { useActions, useStore } from '../hooks';
import { BusyButton } from './BusyButton';
import { Dialog } from './Dialog';

export function TerminateDialog(props: { job: JobSummary; count: number; onClose: () => void }) {
  const actions = useActions();
  // Only Windows can give the killed processes an exit code; Linux kills with SIGKILL.
  const windows = useStore((s) => s.host?.platform === 'win32');
  const [exitCode, setExitCode] = useState('1');
  const [busy, setBusy] = useState(false);
  const code = Number(exitCode);
  const codeValid = !windows || (exitCode.trim() !== '' && Number.isInteger(code) && code >= 0 && code <= 0xffffffff);
  async function terminate() {
    setBusy(true);
    await actions.terminate(props.job.id, windows ? code : undefined);
    props.onClose();
  }
  return (
    <Dialog title="Terminate job" onClose={props.onClose}>
      <p>
        Terminate job {props.job.name}? Every process in it ({props.count}) will be killed.
      </p>
      {windows ? (
        <div className="field">
          <label htmlFor="terminate-exit-code">Exit code</label>
          <input
            id="terminate-exit-code"
            type="number"
            value={exitCode}
            onChange={(e) => setExitCode(e.target.value)}
            aria-invalid={codeValid ? undefined : true}
            aria-describedby="terminate-exit-code-hint"
          />
          <small id="terminate-exit-code-hint" className={codeValid ? 'hint' : 'field-error'}>
            {codeValid ? 'What each killed process reports as its exit code.' : 'The exit code must be a whole number from 0 to 4294967295.'}
          </small>
        </div>
      ) : (
        <p className="hint">On Linux the processes are killed with SIGKILL; they cannot clean up.</p>
      )}
      <div className="dialog-buttons">
        <button type="button" onClick={props.onClose} autoFocus>
          Cancel
        </button>
        <BusyButton type="button" className="danger" busy={busy} disabled={!codeValid} onClick={() => void terminate()}>
          Terminate
        </BusyButton>
      </div>
    </Dialog>
  );
}
