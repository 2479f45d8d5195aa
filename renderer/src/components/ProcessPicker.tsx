import { useRef, type KeyboardEvent } from 'react';
import type { ProcessInfo } from '../../../electron/contract';
import { formatBytes } from '../format';
import { useSorted } from '../sort';
import { SortHeader } from './SortHeader';

type Key = 'pid' | 'name' | 'commandLine' | 'user' | 'memory' | 'group';

interface Props {
  processes: ProcessInfo[];
  selected: ReadonlySet<number>;
  onToggle: (pids: number[], select: boolean) => void;
  /** Why a row cannot be attached, or null when it can. */
  refusal: (p: ProcessInfo) => string | null;
  jobGroup: string | null;
  /** Enter: attach what is selected. */
  onSubmit: () => void;
}

/**
 * The process table of the attach dialog. Keyboard: arrow keys move between rows, Space toggles the row,
 * Enter attaches. Rows that cannot be attached are disabled and say why.
 */
export function ProcessPicker(props: Props) {
  const body = useRef<HTMLTableSectionElement>(null);
  const { sorted, sort, toggle } = useSorted<ProcessInfo, Key>(
    props.processes,
    { key: 'pid', dir: 'ascending' },
    (p, k) => (k === 'memory' ? p.residentBytes : p[k]),
    (k) => (k === 'memory' ? 'descending' : 'ascending'),
  );
  const header = { sort, onSort: toggle };
  const choosable = sorted.filter((p) => props.refusal(p) === null);
  const allShownSelected = choosable.length > 0 && choosable.every((p) => props.selected.has(p.pid));

  function onKeyDown(e: KeyboardEvent<HTMLTableSectionElement>) {
    const boxes = [...(body.current?.querySelectorAll<HTMLInputElement>('input[type=checkbox]:not(:disabled)') ?? [])];
    const at = boxes.indexOf(document.activeElement as HTMLInputElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = at < 0 ? 0 : Math.min(boxes.length - 1, Math.max(0, at + (e.key === 'ArrowDown' ? 1 : -1)));
      boxes[next]?.focus();
      boxes[next]?.scrollIntoView({ block: 'nearest' });
    } else if (e.key === 'Enter') {
      e.preventDefault();
      props.onSubmit();
    }
  }

  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col" className="check">
            <input
              type="checkbox"
              aria-label="Select all shown processes"
              checked={allShownSelected}
              onChange={() => props.onToggle(choosable.map((p) => p.pid), !allShownSelected)}
              disabled={!choosable.length}
            />
          </th>
          <SortHeader label="PID" column="pid" numeric {...header} />
          <SortHeader label="Name" column="name" {...header} />
          <SortHeader label="User" column="user" {...header} />
          <SortHeader label="Memory" column="memory" numeric {...header} />
          <SortHeader label="Current cgroup" column="group" {...header} />
          <SortHeader label="Command line" column="commandLine" {...header} />
        </tr>
      </thead>
      <tbody ref={body} onKeyDown={onKeyDown}>
        {sorted.map((p) => {
          const refusal = props.refusal(p);
          const checked = props.selected.has(p.pid);
          return (
            <tr key={p.pid} className={refusal ? 'refused' : checked ? 'selected' : undefined}>
              <td className="check">
                <input
                  type="checkbox"
                  aria-label={`Select pid ${p.pid}`}
                  aria-describedby={refusal ? `why-${p.pid}` : undefined}
                  checked={checked}
                  disabled={refusal !== null}
                  onChange={() => props.onToggle([p.pid], !checked)}
                />
              </td>
              <td className="num">{p.pid}</td>
              <td className="name">
                {p.name}
                {refusal && (
                  <span id={`why-${p.pid}`} className="why">
                    Cannot attach: {refusal}
                  </span>
                )}
              </td>
              <td>{p.user}</td>
              <td className="num">{formatBytes(p.residentBytes)}</td>
              <td className="group" title={p.group}>
                {p.group}
                {props.jobGroup != null && p.group === props.jobGroup && <span className="badge badge-live"> this job</span>}
              </td>
              <td className="cmdline" title={p.commandLine}>
                {p.commandLine}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
