import { useState, type FormEvent } from 'react';
import { useActions } from '../hooks';
import { Dialog } from './Dialog';

export function NewJobDialog({ onClose }: { onClose: () => void }) {
  const actions = useActions();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await actions.createJob(name.trim() || undefined);
      onClose();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  }

  return (
    <Dialog title="New job" onClose={onClose}>
      <form onSubmit={submit}>
        <p className="hint">
          Creates an empty group (a cgroup on Linux, a job object on Windows). Attach running processes to it
          afterwards.
        </p>
        <label className="field">
          <span>Name (optional)</span>
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoFocus
            spellCheck={false}
            aria-describedby="new-job-name-hint"
          />
        </label>
        <p className="hint" id="new-job-name-hint">
          1–64 letters, digits, “.”, “_” or “-”. Leave empty for a generated name.
        </p>
        {error && (
          <p className="inline-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Create
          </button>
        </div>
      </form>
    </Dialog>
  );
}
