// The five limit inputs with their range errors shown as they are typed, and fields this host or job cannot
// take disabled with the reason beside them.
import { useId } from 'react';
import type { CpuMode, FieldKey, LimitsForm } from '../limits-form';

interface Props {
  form: LimitsForm;
  onChange: (form: LimitsForm) => void;
  errors: Partial<Record<FieldKey, string>>;
  unsupported: Partial<Record<FieldKey, string>>;
}

function NumberField(props: Props & { field: Exclude<FieldKey, 'cpu'>; label: string; hint: string; step?: string }) {
  const id = useId();
  const error = props.errors[props.field];
  const reason = props.unsupported[props.field];
  return (
    <div className="field">
      <label htmlFor={`${id}-input`}>{props.label}</label>
      <input
        id={`${id}-input`}
        type="number"
        inputMode="decimal"
        min="0"
        step={props.step ?? '1'}
        value={props.form[props.field]}
        placeholder="no limit"
        disabled={reason !== undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={id}
        onChange={(e) => props.onChange({ ...props.form, [props.field]: e.target.value })}
      />
      <small id={id} className={error ? 'field-error' : 'hint'}>
        {reason ? `Unavailable: ${reason}.` : (error ?? props.hint)}
      </small>
    </div>
  );
}

function CpuField(props: Props) {
  const id = useId();
  const error = props.errors.cpu;
  const reason = props.unsupported.cpu;
  const mode = props.form.cpuMode;
  return (
    <div className="field-pair">
      <label className="field">
        <span>CPU limit</span>
        <select
          value={mode}
          disabled={reason !== undefined}
          aria-describedby={id}
          onChange={(e) => props.onChange({ ...props.form, cpuMode: e.target.value as CpuMode, cpu: '' })}
        >
          <option value="none">No limit</option>
          <option value="rate">Cap (% of all CPUs)</option>
          <option value="weight">Weight (1–9)</option>
        </select>
      </label>
      {mode !== 'none' && (
        <label className="field">
          <span>{mode === 'rate' ? 'CPU cap (% of all CPUs)' : 'CPU weight (1–9)'}</span>
          <input
            type="number"
            inputMode="decimal"
            step={mode === 'rate' ? '0.01' : '1'}
            value={props.form.cpu}
            aria-invalid={error ? true : undefined}
            aria-describedby={id}
            onChange={(e) => props.onChange({ ...props.form, cpu: e.target.value })}
          />
        </label>
      )}
      <small id={id} className={error ? 'field-error' : 'hint'}>
        {reason
          ? `Unavailable: ${reason}.`
          : (error ??
            (mode === 'rate'
              ? 'A hard cap: 0.01–100 % of all CPUs together.'
              : mode === 'weight'
                ? 'A share under contention: 1 (least) to 9 (most); 5 is normal.'
                : 'A hard cap, or a weight relative to other groups.'))}
      </small>
    </div>
  );
}

export function LimitFields(props: Props) {
  return (
    <fieldset className="limit-fields">
      <legend>Limits</legend>
      <CpuField {...props} />
      <NumberField {...props} field="memory" label="Memory limit (MiB)" hint="The whole job’s memory; over it, the kernel kills a member." />
      <NumberField {...props} field="processes" label="Active processes" hint="At most this many processes (on Linux: tasks, threads included)." />
      <NumberField {...props} field="iops" label="IO operations per second" hint="Read and write operations per second, each." />
      <NumberField {...props} field="bandwidth" label="IO bandwidth (MiB/s)" step="0.01" hint="Read and write bytes per second, each." />
    </fieldset>
  );
}
