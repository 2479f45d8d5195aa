import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { AttachResult, JobSummary, ProcessInfo } from '../../../electron/contract';
import { isKernelThread, whyNotAttachable } from '../attachable';
import { useActions, useStore } from '../hooks';
import { BusyButton } from './BusyButton';
import { Dialog } from './Dialog';
import { ProcessPicker } from './ProcessPicker';

const NONE: ProcessInfo[] = [];

/** The job's cgroup as /proc/<pid>/cgroup names it: its path below the cgroup2 mount. */
function relativeGroup(path: string, mount: string | undefined): string | null {
  if (!mount || !path.startsWith(mount)) return null;
  return path.slice(mount.length) || '/';
}

export function AttachDialog({ job, onClose }: { job: JobSummary; onClose: () => void }) {
  const actions = useActions();
  const mount = useStore((s) => s.host?.cgroup2Mount);
  const linux = useStore((s) => s.host?.platform !== 'win32');
  const servicePid = useStore((s) => s.servicePid);
  const jobGroup = relativeGroup(job.path, mount);
  const form = useRef<HTMLFormElement>(null);
  const refusal = useCallback((p: ProcessInfo) => whyNotAttachable(p, { servicePid, jobGroup, linux }), [servicePid, jobGroup, linux]);
  const [processes, setProcesses] = useState<ProcessInfo[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  // Kernel threads are most of a Linux process list and none can be attached: hidden unless asked for.
  const [showKernelThreads, setShowKernelThreads] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [result, setResult] = useState<AttachResult | null>(null);
  const [attachError, setAttachError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      setProcesses(await actions.listProcesses());
    } catch (err) {
      setLoadError(err instanceof Error ? err.message : String(err));
    }
  }, [actions]);
  useEffect(() => void load(), [load]);

  const kernelThreads = useMemo(() => (processes ?? NONE).filter((p) => isKernelThread(p, linux)).length, [processes, linux]);
  const filtered = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (processes ?? NONE).filter(
      (p) =>
        (showKernelThreads || !isKernelThread(p, linux)) &&
        (!q || String(p.pid).includes(q) || p.name.toLowerCase().includes(q) || p.commandLine.toLowerCase().includes(q)),
    );
  }, [processes, query, showKernelThreads, linux]);
  function toggle(pids: number[], select: boolean) {
    setSelected((prev) => {
      const next = new Set(prev);
      for (const pid of pids) {
        if (select) next.add(pid);
        else next.delete(pid);
      }
      return next;
    });
  }

  async function attach(e: FormEvent) {
    e.preventDefault();
    const pids = [...selected].sort((a, b) => a - b);
    if (!pids.length) return;
    setBusy(true);
    setAttachError(null);
    setResult(null);
    try {
      const r = await actions.attach(job.id, pids);
      if (r.failed.length === 0) {
        actions.toast('info', `Attached ${r.attached.length === 1 ? 'pid' : 'pids'} ${r.attached.join(', ')} to job ${job.name}.`);
        onClose();
        return;
      }
      setResult(r);
      setSelected(new Set(r.failed.map((f) => f.pid)));
      void load();
    } catch (err) {
      setAttachError(err instanceof Error ? err.message : String(err));
    }
    setBusy(false);
  }

  const n = selected.size;
  return (
    <Dialog title={`Attach processes to ${job.name}`} onClose={onClose} wide>
      <form ref={form} onSubmit={attach} className="attach-form">
        <div className="attach-controls">
          <label className="field inline">
            <span>Search processes</span>
            <input
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              placeholder="name, pid or command line"
              onKeyDown={(e) => {
                // Down from the search box goes into the list, where arrows, Space and Enter work.
                if (e.key !== 'ArrowDown') return;
                e.preventDefault();
                form.current?.querySelector<HTMLInputElement>('tbody input[type=checkbox]:not(:disabled)')?.focus();
              }}
              autoFocus
              spellCheck={false}
            />
          </label>
          {kernelThreads > 0 && (
            <label className="field inline">
              <input type="checkbox" checked={showKernelThreads} onChange={(e) => setShowKernelThreads(e.target.checked)} />
              <span>Show kernel threads ({kernelThreads})</span>
            </label>
          )}
          <span className="hint">
            {processes ? `${filtered.length} of ${processes.length} shown · ${n} selected` : 'Loading processes…'}
          </span>
          <button type="button" onClick={() => void load()}>
            Refresh
          </button>
        </div>
        {loadError && (
          <p className="inline-error" role="alert">
            Could not list processes: {loadError}
          </p>
        )}
        <div className="table-wrap attach-table">
          <ProcessPicker
            processes={filtered}
            selected={selected}
            onToggle={toggle}
            refusal={refusal}
            jobGroup={jobGroup}
            onSubmit={() => form.current?.requestSubmit()}
          />
          {processes && filtered.length === 0 && <p className="hint pad">No process matches “{query}”.</p>}
        </div>
        {attachError && (
          <p className="inline-error" role="alert">
            Could not attach: {attachError}
          </p>
        )}
        {result && (
          <div className="attach-result">
            {result.attached.length > 0 && (
              <p role="status">
                Attached {result.attached.length === 1 ? 'pid' : 'pids'} {result.attached.join(', ')}.
              </p>
            )}
            <div role="alert">
              <p>
                {result.failed.length === 1 ? '1 process' : `${result.failed.length} processes`} could not be
                attached:
              </p>
              <ul>
                {result.failed.map((f) => (
                  <li key={f.pid}>
                    pid {f.pid}: {f.error}
                  </li>
                ))}
              </ul>
            </div>
          </div>
        )}
        <div className="dialog-buttons">
          <button type="button" onClick={onClose}>
            Close
          </button>
          <BusyButton type="submit" className="primary" busy={busy} disabled={n === 0}>
            Attach {n} {n === 1 ? 'process' : 'processes'}
          </BusyButton>
        </div>
      </form>
    </Dialog>
  );
}
