import { useId, useState } from 'react';
import type { JobSummary } from '../../../electron/contract';
import { useActions, useFormSubmit } from '../hooks';
import { parseNumber } from '../limits-form';
import { Dialog } from './Dialog';
import { FormFooter } from './FormFooter';

type Key = 'cpuPercent' | 'memoryMiB' | 'ioKiBps' | 'children' | 'durationS';
const FIELDS: { key: Key; label: string; what: string; min: number; max: number; hint: string }[] = [
  { key: 'cpuPercent', label: 'CPU load (% of one CPU)', what: 'The CPU load', min: 0, max: 100, hint: 'Over a CPU cap, the chart shows throttling.' },
  { key: 'memoryMiB', label: 'Memory (MiB)', what: 'The memory', min: 0, max: 65_536, hint: 'Held and touched, so it is really charged.' },
  { key: 'ioKiBps', label: 'Disk writes (KiB/s)', what: 'The write rate', min: 0, max: 1_048_576, hint: 'Synced writes to a temporary file.' },
  { key: 'children', label: 'Child processes', what: 'The number of children', min: 0, max: 1024, hint: 'Idle copies, one every 200 ms: past the process limit they fail.' },
  { key: 'durationS', label: 'Duration (s)', what: 'The duration', min: 1, max: 86_400, hint: 'Then it exits (its children too).' },
];
const DEFAULTS: Record<Key, string> = { cpuPercent: '50', memoryMiB: '16', ioKiBps: '0', children: '0', durationS: '60' };

function Field(props: { label: string; value: string; error?: string; hint: string; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={`${id}-input`}>{props.label}</label>
      <input
        id={`${id}-input`}
        type="number"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={id}
        required
      />
      <small id={id} className={props.error ? 'field-error' : 'hint'}>
        {props.error ?? props.hint}
      </small>
    </div>
  );
}

/** Runs JobScope's load generator in the job, to watch CPU, memory, IO and process limits trip. */
export function LoadgenDialog({ job, onClose }: { job: JobSummary; onClose: () => void }) {
  const actions = useActions();
  const [values, setValues] = useState(DEFAULTS);
  const [grow, setGrow] = useState(false);

  const errors: Partial<Record<Key, string>> = {};
  const numbers = {} as Record<Key, number>;
  for (const f of FIELDS) {
    const parsed = parseNumber(values[f.key], f.what, f.min, f.max, true);
    if (typeof parsed === 'string') errors[f.key] = parsed;
    else if (parsed === null) errors[f.key] = `${f.what} is required.`;
    else numbers[f.key] = parsed;
  }
  const invalid = Object.keys(errors).length > 0;

  const { submit, error, busy } = useFormSubmit(() => actions.launchLoadgen(job.id, { ...numbers, grow }), onClose, invalid);

  return (
    <Dialog title={`Load generator in ${job.name}`} onClose={onClose}>
      <form onSubmit={submit}>
        <p className="hint">Starts JobScope’s own load generator inside this job, so you can watch each limit trip.</p>
        <div className="form-grid">
          {FIELDS.map((f) => (
            <Field
              key={f.key}
              label={f.label}
              value={values[f.key]}
              error={errors[f.key]}
              hint={f.hint}
              onChange={(v) => setValues({ ...values, [f.key]: v })}
            />
          ))}
          <label className="field inline">
            <input type="checkbox" checked={grow} onChange={(e) => setGrow(e.target.checked)} />
            <span>Grow memory by that much every second</span>
          </label>
        </div>
        <FormFooter error={error} onCancel={onClose} submitLabel="Start" busy={busy} disabled={invalid} />
      </form>
    </Dialog>
  );
}
