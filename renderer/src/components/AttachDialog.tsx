import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import type { AttachResult, JobSummary, ProcessInfo } from '../../../electron/contract';
import { formatBytes } from '../format';
import { useActions, useStore } from '../hooks';
import { useSorted } from '../sort';
import { Dialog } from './Dialog';
import { SortHeader } from './SortHeader';

type Key = 'pid' | 'name' | 'commandLine' | 'user' | 'memory' | 'group';
const NONE: ProcessInfo[] = [];

/** The job's cgroup as /proc/<pid>/cgroup names it: its path below the cgroup2 mount. */
function relativeGroup(path: string, mount: string | undefined): string | null {
  if (!mount || !path.startsWith(mount)) return null;
  return path.slice(mount.length) || '/';
}

export function AttachDialog({ job, onClose }: { job: JobSummary; onClose: () => void }) {
  const actions = useActions();
  const mount = useStore((s) => s.host?.cgroup2Mount);
  const jobGroup = relativeGroup(job.path, mount);
  const [processes, setProcesses] = useState<ProcessInfo[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
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

  const filtered = useMemo(() => {
    const q = query.trim().toLowerCase();
    const all = processes ?? NONE;
    if (!q) return all;
    return all.filter(
      (p) => String(p.pid).includes(q) || p.name.toLowerCase().includes(q) || p.commandLine.toLowerCase().includes(q),
    );
  }, [processes, query]);
  const { sorted, sort, toggle } = useSorted<ProcessInfo, Key>(
    filtered,
    { key: 'pid', dir: 'ascending' },
    (p, k) => (k === 'memory' ? p.residentBytes : p[k]),
    (k) => (k === 'memory' ? 'descending' : 'ascending'),
  );
  const header = { sort, onSort: toggle };

  const allShownSelected = sorted.length > 0 && sorted.every((p) => selected.has(p.pid));
  function toggleAll() {
    setSelected((prev) => {
      const next = new Set(prev);
      for (const p of sorted) {
        if (allShownSelected) next.delete(p.pid);
        else next.add(p.pid);
      }
      return next;
    });
  }
  function toggleOne(pid: number) {
    setSelected((prev) => {
      const next = new Set(prev);
      if (!next.delete(pid)) next.add(pid);
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
      <form onSubmit={attach} className="attach-form">
        <div className="attach-controls">
          <label className="field inline">
            <span>Search processes</span>
            <input
              type="search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              placeholder="name, pid or command line"
              autoFocus
              spellCheck={false}
            />
          </label>
          <span className="hint">
            {processes ? `${sorted.length} of ${processes.length} shown · ${n} selected` : 'Loading processes…'}
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
          <table className="table">
            <thead>
              <tr>
                <th scope="col" className="check">
                  <input
                    type="checkbox"
                    aria-label="Select all shown processes"
                    checked={allShownSelected}
                    onChange={toggleAll}
                    disabled={!sorted.length}
                  />
                </th>
                <SortHeader label="PID" column="pid" numeric {...header} />
                <SortHeader label="Name" column="name" {...header} />
                <SortHeader label="Command line" column="commandLine" {...header} />
                <SortHeader label="User" column="user" {...header} />
                <SortHeader label="Memory" column="memory" numeric {...header} />
                <SortHeader label="Current cgroup" column="group" {...header} />
              </tr>
            </thead>
            <tbody>
              {sorted.map((p) => (
                <tr key={p.pid} className={selected.has(p.pid) ? 'selected' : undefined}>
                  <td className="check">
                    <input
                      type="checkbox"
                      aria-label={`Select pid ${p.pid}`}
                      checked={selected.has(p.pid)}
                      onChange={() => toggleOne(p.pid)}
                    />
                  </td>
                  <td className="num">{p.pid}</td>
                  <td>{p.name}</td>
                  <td className="cmdline" title={p.commandLine}>
                    {p.commandLine}
                  </td>
                  <td>{p.user}</td>
                  <td className="num">{formatBytes(p.residentBytes)}</td>
                  <td className="group" title={p.group}>
                    {p.group}
                    {jobGroup != null && p.group === jobGroup && <span className="badge badge-live"> this job</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {processes && sorted.length === 0 && <p className="hint pad">No process matches “{query}”.</p>}
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
          <button type="submit" className="primary" disabled={busy || n === 0}>
            Attach {n} {n === 1 ? 'process' : 'processes'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
