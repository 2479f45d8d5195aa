import { useState } from 'react';
import { useActions, useFormSubmit, useStore } from '../hooks';
import { Dialog } from './Dialog';
import { FormFooter } from './FormFooter';

/** Starts recording this session to a named file in the recordings folder. */
export function RecordDialog({ onClose }: { onClose: () => void }) {
  const actions = useActions();
  const dir = useStore((s) => s.recordingsDir);
  const [name, setName] = useState('');

  const { submit, error, busy } = useFormSubmit(() => actions.startRecording(name.trim() || undefined), onClose);

  return (
    <Dialog title="Record session" onClose={onClose}>
      <form onSubmit={submit}>
        <p className="hint">
          Saves every sample, notification and command of this session to a JSON Lines file in <code>{dir}</code> until
          you stop recording. Replay it later from the Recordings list.
        </p>
        <label className="field">
          <span>Recording name (optional)</span>
          <input value={name} onChange={(e) => setName(e.target.value)} autoFocus spellCheck={false} placeholder="recording-date-time" />
        </label>
        <FormFooter error={error} onCancel={onClose} submitLabel="Start recording" busy={busy} />
      </form>
    </Dialog>
  );
}
