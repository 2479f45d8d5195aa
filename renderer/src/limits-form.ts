// The limits form shared by "New job" and "Edit limits": text fields in the units people think in (% of all
// CPUs, MiB, MiB/s), checked against the addon's ranges as they are typed, and converted to JobLimits.
import type { HostInfo, JobLimits, LimitsReport } from '../../electron/contract';

export type CpuMode = 'none' | 'rate' | 'weight';
export type FieldKey = 'cpu' | 'memory' | 'processes' | 'iops' | 'bandwidth';

export interface LimitsForm {
  cpuMode: CpuMode;
  cpu: string;
  memory: string;
  processes: string;
  iops: string;
  bandwidth: string;
}

/** The fields of JobLimits this form edits. */
export type FormLimits = Pick<
  JobLimits,
  'cpuRate' | 'cpuWeight' | 'memoryBytes' | 'activeProcesses' | 'maxIops' | 'maxBandwidthBytes'
>;

const MiB = 1024 * 1024;
const MAX_MIB = Math.floor(Number.MAX_SAFE_INTEGER / MiB);

export const EMPTY_FORM: LimitsForm = { cpuMode: 'none', cpu: '', memory: '', processes: '', iops: '', bandwidth: '' };

/** Trims a float for an input field: 25 not 25.000. */
const text = (n: number | null, scale = 1): string => (n == null ? '' : String(Number((n / scale).toFixed(2))));

export function formFromLimits(l: FormLimits): LimitsForm {
  return {
    cpuMode: l.cpuRate != null ? 'rate' : l.cpuWeight != null ? 'weight' : 'none',
    cpu: l.cpuRate != null ? text(l.cpuRate, 100) : l.cpuWeight != null ? String(l.cpuWeight) : '',
    memory: text(l.memoryBytes, MiB),
    processes: text(l.activeProcesses),
    iops: text(l.maxIops),
    bandwidth: text(l.maxBandwidthBytes, MiB),
  };
}

/** Parses one field: null when empty (no limit), a string when it is not a number in [min, max]. */
export function parseNumber(value: string, what: string, min: number, max: number, integer: boolean): number | null | string {
  const t = value.trim();
  if (t === '') return null;
  const n = Number(t);
  if (!Number.isFinite(n)) return `${what} must be a number.`;
  if (integer && !Number.isInteger(n)) return `${what} must be a whole number.`;
  if (n < min || n > max) return `${what} must be ${min} to ${max}.`;
  return n;
}

export interface ParsedForm {
  limits: FormLimits;
  errors: Partial<Record<FieldKey, string>>;
}

export function parseForm(form: LimitsForm): ParsedForm {
  const errors: ParsedForm['errors'] = {};
  const take = (key: FieldKey, result: number | null | string, scale: number): number | null => {
    if (typeof result === 'string') {
      errors[key] = result;
      return null;
    }
    return result == null ? null : Math.max(1, Math.round(result * scale));
  };
  const cpuText = form.cpuMode === 'none' ? '' : form.cpu;
  const cpu =
    form.cpuMode === 'weight'
      ? take('cpu', parseNumber(cpuText, 'The CPU weight', 1, 9, true), 1)
      : take('cpu', parseNumber(cpuText, 'The CPU cap', 0.01, 100, false), 100);
  if (form.cpuMode !== 'none' && cpuText.trim() === '') errors.cpu = 'Enter a value, or choose “No limit”.';
  return {
    limits: {
      cpuRate: form.cpuMode === 'rate' ? cpu : null,
      cpuWeight: form.cpuMode === 'weight' ? cpu : null,
      memoryBytes: take('memory', parseNumber(form.memory, 'The memory limit', 1, MAX_MIB, true), MiB),
      activeProcesses: take('processes', parseNumber(form.processes, 'The process limit', 1, 4_194_304, true), 1),
      maxIops: take('iops', parseNumber(form.iops, 'The IOPS limit', 1, Number.MAX_SAFE_INTEGER, true), 1),
      maxBandwidthBytes: take('bandwidth', parseNumber(form.bandwidth, 'The bandwidth limit', 0.01, MAX_MIB, false), MiB),
    },
    errors,
  };
}

/** Only the fields that differ from `current`: what setLimits should send. */
export function changedLimits(current: FormLimits, next: FormLimits): Partial<FormLimits> {
  const out: Partial<FormLimits> = {};
  for (const key of Object.keys(next) as (keyof FormLimits)[]) {
    if (next[key] !== current[key]) out[key] = next[key];
  }
  return out;
}

/** Only the limits that are set: what createJob should send. */
export function limitsToCreate(limits: FormLimits): Partial<FormLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v != null));
}

const FIELD_LIMITS: Record<FieldKey, (keyof JobLimits)[]> = {
  cpu: ['cpuRate', 'cpuWeight'],
  memory: ['memoryBytes'],
  processes: ['activeProcesses'],
  iops: ['maxIops'],
  bandwidth: ['maxBandwidthBytes'],
};

/** Why a live job cannot take each field, from its limits report. */
export function reasonsFromReport(report: LimitsReport): Partial<Record<FieldKey, string>> {
  const out: Partial<Record<FieldKey, string>> = {};
  for (const [field, keys] of Object.entries(FIELD_LIMITS) as [FieldKey, (keyof JobLimits)[]][]) {
    const reason = keys.map((k) => report.unsupported[k]).find((r) => r !== undefined);
    if (reason) out[field] = reason;
  }
  return out;
}

const CONTROLLER: Record<FieldKey, keyof NonNullable<HostInfo['controllers']>> = {
  cpu: 'cpu',
  memory: 'memory',
  processes: 'pids',
  iops: 'io',
  bandwidth: 'io',
};

/** Why a new job on this host cannot take each field: a controller neither cgroup version offers. */
export function reasonsFromHost(host: HostInfo | null): Partial<Record<FieldKey, string>> {
  const out: Partial<Record<FieldKey, string>> = {};
  if (!host?.controllers) return out;
  for (const [field, controller] of Object.entries(CONTROLLER) as [FieldKey, keyof typeof host.controllers][]) {
    if (host.controllers[controller] === 'none') {
      out[field] = `this host has no ${controller} controller available to JobScope's jobs (neither cgroup v2 nor v1)`;
    }
  }
  return out;
}
