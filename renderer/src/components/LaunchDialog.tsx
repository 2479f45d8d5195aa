import { useState } from 'react';
import type { JobSummary } from '../../../electron/contract';
import { splitArgs } from '../args';
import { useActions, useFormSubmit } from '../hooks';
import { Dialog } from './Dialog';
import { FormFooter } from './FormFooter';

/** Starts a program inside the job, so it is a member from its first instruction. */
export function LaunchDialog({ job, onClose }: { job: JobSummary; onClose: () => void }) {
  const actions = useActions();
  const [file, setFile] = useState('');
  const [argsLine, setArgsLine] = useState('');
  const [cwd, setCwd] = useState('');
  const split = splitArgs(argsLine);
  const argsError = 'error' in split ? split.error : null;

  const args = 'args' in split ? split.args : [];
  const { submit, error, busy } = useFormSubmit(
    () => actions.launch(job.id, file.trim(), args, cwd.trim() || undefined),
    onClose,
    argsError !== null || !file.trim(),
  );

  return (
    <Dialog title={`Launch a program in ${job.name}`} onClose={onClose}>
      <form onSubmit={submit} className="stack">
        <label className="field">
          <span>Command</span>
          <input value={file} onChange={(e) => setFile(e.target.value)} autoFocus required spellCheck={false} placeholder="/usr/bin/stress or a name in PATH" />
        </label>
        <div className="field">
          <label htmlFor="launch-args">Arguments</label>
          <input
            id="launch-args"
            value={argsLine}
            onChange={(e) => setArgsLine(e.target.value)}
            spellCheck={false}
            aria-invalid={argsError ? true : undefined}
            aria-describedby="launch-args-hint"
            placeholder={'--flag "a value with spaces"'}
          />
          <small id="launch-args-hint" className={argsError ? 'field-error' : 'hint'}>
            {argsError ?? 'Separated by spaces; quote an argument that contains spaces.'}
          </small>
        </div>
        <label className="field">
          <span>Working directory</span>
          <input value={cwd} onChange={(e) => setCwd(e.target.value)} spellCheck={false} placeholder="JobScope's own" />
        </label>
        <p className="hint">Its output is discarded. Its pid appears in the notification log as it joins the job.</p>
        <FormFooter error={error} onCancel={onClose} submitLabel="Launch" busy={busy} disabled={!file.trim() || argsError !== null} />
      </form>
    </Dialog>
  );
}
