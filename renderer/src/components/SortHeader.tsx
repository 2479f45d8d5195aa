import type { Sort } from '../sort';

export function SortHeader<K extends string>(props: {
  label: string;
  column: K;
  sort: Sort<K>;
  onSort: (key: K) => void;
  numeric?: boolean;
}) {
  const active = props.sort.key === props.column;
  return (
    <th aria-sort={active ? props.sort.dir : 'none'} className={props.numeric ? 'num' : undefined} scope="col">
      <button type="button" className="sort" onClick={() => props.onSort(props.column)}>
        {props.label}
        <span className={active ? 'sort-mark' : 'sort-mark idle'} aria-hidden="true">
          {active && props.sort.dir === 'descending' ? '▼' : '▲'}
        </span>
      </button>
    </th>
  );
}
