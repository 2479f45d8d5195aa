// Table sorting shared by the member and process tables.
import { useMemo, useState } from 'react';

export type SortDir = 'ascending' | 'descending';
export interface Sort<K extends string> {
  key: K;
  dir: SortDir;
}

export function useSorted<T, K extends string>(
  rows: T[],
  initial: Sort<K>,
  value: (row: T, key: K) => string | number | null | undefined,
  /** Direction of a column's first click; default ascending. */
  firstDir: (key: K) => SortDir = () => 'ascending',
): { sorted: T[]; sort: Sort<K>; toggle: (key: K) => void } {
  const [sort, setSort] = useState(initial);
  const sorted = useMemo(() => {
    const sign = sort.dir === 'ascending' ? 1 : -1;
    return rows.slice().sort((a, b) => {
      const x = value(a, sort.key);
      const y = value(b, sort.key);
      if (x == null || y == null) return x == null ? (y == null ? 0 : 1) : -1;
      if (typeof x === 'number' && typeof y === 'number') return (x - y) * sign;
      return String(x).localeCompare(String(y), undefined, { numeric: true }) * sign;
    });
    // `value` is a pure accessor: rows and sort alone decide the order.
  }, [rows, sort]);
  const toggle = (key: K) =>
    setSort((s) =>
      s.key === key
        ? { key, dir: s.dir === 'ascending' ? 'descending' : 'ascending' }
        : { key, dir: firstDir(key) },
    );
  return { sorted, sort, toggle };
}
