import { useState } from 'react';
import type { JobSummary, LimitsReport } from '../../../electron/contract';
import { useActions, useFormSubmit } from '../hooks';
import { changedLimits, formFromLimits, parseForm, reasonsFromReport } from '../limits-form';
import { BusyButton } from './BusyButton';
import { Dialog } from './Dialog';
import { LimitFields } from './LimitFields';

/** Changes the limits of a live job; only the fields the user changed are sent. */
export function EditLimitsDialog(props: { job: JobSummary; report: LimitsReport; onClose: () => void }) {
  const actions = useActions();
  const [form, setForm] = useState(() => formFromLimits(props.report.limits));
  const parsed = parseForm(form);
  const invalid = Object.keys(parsed.errors).length > 0;
  const changes = changedLimits(props.report.limits, parsed.limits);
  const unchanged = Object.keys(changes).length === 0;

  const { submit, error, busy } = useFormSubmit(() => actions.setLimits(props.job.id, changes), props.onClose, invalid || unchanged);

  return (
    <Dialog title={`Limits of ${props.job.name}`} onClose={props.onClose}>
      <form onSubmit={submit}>
        <p className="hint">Changes apply to the running job at once. Empty a field to remove that limit.</p>
        <LimitFields form={form} onChange={setForm} errors={parsed.errors} unsupported={reasonsFromReport(props.report)} />
        {error && (
          <p className="inline-error" role="alert">
            {error}
          </p>
        )}
        <div className="dialog-buttons">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <BusyButton type="submit" className="primary" busy={busy} disabled={invalid || unchanged}>
            Apply
          </BusyButton>
        </div>
      </form>
    </Dialog>
  );
}
