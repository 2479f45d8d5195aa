import { useState } from 'react';
import { useActions, useFormSubmit, useStore } from '../hooks';
import { EMPTY_FORM, limitsToCreate, parseForm, reasonsFromHost } from '../limits-form';
import { Dialog } from './Dialog';
import { FormFooter } from './FormFooter';
import { LimitFields } from './LimitFields';

export function NewJobDialog({ onClose }: { onClose: () => void }) {
  const actions = useActions();
  const host = useStore((s) => s.host);
  const [name, setName] = useState('');
  const [form, setForm] = useState(EMPTY_FORM);
  const parsed = parseForm(form);
  const invalid = Object.keys(parsed.errors).length > 0;

  const { submit, error, busy } = useFormSubmit(
    () => actions.createJob(name.trim() || undefined, limitsToCreate(parsed.limits)),
    onClose,
    invalid,
  );

  return (
    <Dialog title="New job" onClose={onClose}>
      <form onSubmit={submit}>
        <p className="hint">
          Creates an empty group (a cgroup on Linux, a job object on Windows). Attach running processes to it or
          launch programs in it afterwards.
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
        <LimitFields form={form} onChange={setForm} errors={parsed.errors} unsupported={reasonsFromHost(host)} />
        <FormFooter error={error} onCancel={onClose} submitLabel="Create" busy={busy} disabled={invalid} />
      </form>
    </Dialog>
  );
}
