import { memo, useMemo } from 'react';
import type { JobSample } from '../../../electron/contract';
import { formatBytes, formatPercent } from '../format';
import { processCpu } from '../series';
import { useSorted } from '../sort';
import { SortHeader } from './SortHeader';

/** contract.ts does not re-export MemberProcess; this is the same type. */
type MemberProcess = NonNullable<JobSample['processes']>[number];
type Key = 'pid' | 'name' | 'cpu' | 'memory';
interface Row extends MemberProcess {
  cpu: number | null;
}
const NONE: MemberProcess[] = [];

/** One row; memoized on what it shows, so that a sample re-renders only the rows whose figures changed. */
const MemberRow = memo(
  function MemberRow({ row }: { row: Row }) {
    return (
      <tr>
        <td className="num">{row.pid}</td>
        <td>{row.name}</td>
        <td className="num">{formatPercent(row.cpu)}</td>
        <td className="num">{formatBytes(row.residentBytes)}</td>
      </tr>
    );
  },
  (a, b) => a.row.pid === b.row.pid && a.row.name === b.row.name && a.row.cpu === b.row.cpu && a.row.residentBytes === b.row.residentBytes,
);

export const MemberTable = memo(function MemberTable(props: { latest?: JobSample; previous?: JobSample }) {
  const rows = useMemo<Row[]>(() => {
    const cpu = processCpu(props.previous, props.latest);
    return (props.latest?.processes ?? NONE).map((p) => ({ ...p, cpu: cpu.get(p.pid) ?? null }));
  }, [props.latest, props.previous]);
  const { sorted, sort, toggle } = useSorted<Row, Key>(
    rows,
    { key: 'cpu', dir: 'descending' },
    (r, k) => (k === 'memory' ? r.residentBytes : r[k]),
    (k) => (k === 'cpu' || k === 'memory' ? 'descending' : 'ascending'),
  );
  const header = { sort, onSort: toggle };

  return (
    <section className="panel" aria-labelledby="members-title">
      <h3 id="members-title">Member processes ({rows.length})</h3>
      {rows.length === 0 ? (
        <p className="hint">
          No processes in this job. Use <strong>Attach processes</strong> to move running processes into it.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-labelledby="members-title">
            <thead>
              <tr>
                <SortHeader label="PID" column="pid" numeric {...header} />
                <SortHeader label="Name" column="name" {...header} />
                <SortHeader label="CPU %" column="cpu" numeric {...header} />
                <SortHeader label="Memory" column="memory" numeric {...header} />
              </tr>
            </thead>
            <tbody>
              {sorted.map((p) => (
                <MemberRow key={p.pid} row={p} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
});
