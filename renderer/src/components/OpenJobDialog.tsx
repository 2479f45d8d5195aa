import { useState } from 'react';
import { useActions, useFormSubmit, useStore } from '../hooks';
import { Dialog } from './Dialog';
import { FormFooter } from './FormFooter';

export function OpenJobDialog({ onClose }: { onClose: () => void }) {
  const actions = useActions();
  const host = useStore((s) => s.host);
  const windows = host?.platform === 'win32';
  const [path, setPath] = useState('');

  const { submit, error, busy } = useFormSubmit(() => actions.openJob(path.trim()), onClose);

  const example = `${host?.cgroup2Mount ?? '/sys/fs/cgroup'}/system.slice/nginx.service`;
  return (
    <Dialog title="Open job" onClose={onClose}>
      <form onSubmit={submit}>
        <p className="hint">
          {windows
            ? 'Watches an existing named job object. Closing it later only stops watching.'
            : 'Watches an existing cgroup v2 directory. Closing it later only stops watching; the cgroup stays.'}
        </p>
        <label className="field">
          <span>{windows ? 'Job object name' : 'cgroup path'}</span>
          <input
            value={path}
            onChange={(e) => setPath(e.target.value)}
            autoFocus
            required
            spellCheck={false}
            placeholder={windows ? 'Global\\MyJob' : example}
          />
        </label>
        {!windows && (
          <p className="hint">An absolute path, or one relative to the cgroup root such as /user.slice.</p>
        )}
        <FormFooter error={error} onCancel={onClose} submitLabel="Open" busy={busy} disabled={!path.trim()} />
      </form>
    </Dialog>
  );
}
