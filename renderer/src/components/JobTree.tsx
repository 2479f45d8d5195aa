import { memo, useDeferredValue, useMemo, useState } from 'react';
import { useActions, useStore } from '../hooks';
import { buildTree, filterTree, initiallyExpanded, type TreeNode } from '../tree';
import { BusyButton } from './BusyButton';

const TreeItem = memo(function TreeItem(props: {
  node: TreeNode;
  expanded: ReadonlySet<string>;
  forceOpen: boolean;
  onToggle: (path: string) => void;
}) {
  const actions = useActions();
  const { entry, children } = props.node;
  const open = props.forceOpen || props.expanded.has(entry.path);
  const held = entry.heldJobId !== null;
  const name = entry.parent === null ? '/ (root)' : entry.name;
  const count = `${entry.processCount} ${entry.processCount === 1 ? 'process' : 'processes'}`;
  return (
    <li>
      <div className={held ? 'tree-row held' : 'tree-row'}>
        {children.length > 0 ? (
          <button
            type="button"
            className="tree-toggle"
            aria-expanded={open}
            aria-label={`${open ? 'Collapse' : 'Expand'} ${name}`}
            onClick={() => props.onToggle(entry.path)}
          >
            {open ? '▾' : '▸'}
          </button>
        ) : (
          <span className="tree-toggle" />
        )}
        <button
          type="button"
          className="tree-open"
          title={held ? `${entry.path} (held: click to show)` : `${entry.path} (click to open and watch)`}
          onClick={() => void actions.openFromTree(entry.path, entry.heldJobId)}
        >
          <span className="tree-name">{name}</span>
          {held && <span className="badge badge-held">held</span>}
          <span className="tree-count">{count}</span>
        </button>
      </div>
      {open && children.length > 0 && (
        <ul>
          {children.map((child) => (
            <TreeItem key={child.entry.path} {...props} node={child} />
          ))}
        </ul>
      )}
    </li>
  );
});

/** Every group on the machine; opening one holds it as a job. */
export function JobTree() {
  const actions = useActions();
  // Deferred: on a machine with thousands of groups, rendering the refreshed tree (every few seconds) is
  // long work that must not hold back the events arriving meanwhile.
  const entries = useDeferredValue(useStore((s) => s.tree));
  const online = useStore((s) => s.connection.state === 'open');
  const [query, setQuery] = useState('');
  const [toggled, setToggled] = useState<ReadonlySet<string> | null>(null);
  const [refreshing, setRefreshing] = useState(false);
  const roots = useMemo(() => filterTree(buildTree(entries ?? []), query), [entries, query]);
  const expanded = useMemo(() => toggled ?? initiallyExpanded(entries ?? []), [toggled, entries]);

  function toggle(path: string) {
    const next = new Set(expanded);
    if (!next.delete(path)) next.add(path);
    setToggled(next);
  }
  async function refresh() {
    setRefreshing(true);
    await actions.refreshTree();
    setRefreshing(false);
  }

  return (
    <section className="job-tree" aria-labelledby="tree-heading">
      <div className="tree-head">
        <h3 id="tree-heading">All groups</h3>
        <BusyButton type="button" busy={refreshing} disabled={!online} onClick={() => void refresh()}>
          Refresh
        </BusyButton>
      </div>
      <input
        type="search"
        aria-label="Filter groups"
        placeholder="Filter by name or path"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        spellCheck={false}
      />
      {entries === null ? (
        <p className="sidebar-empty">Loading the machine’s groups…</p>
      ) : roots.length === 0 ? (
        <p className="sidebar-empty">{query ? `No group matches “${query}”.` : 'No groups found.'}</p>
      ) : (
        <ul className="tree" aria-label="Groups on this machine">
          {roots.map((node) => (
            <TreeItem key={node.entry.path} node={node} expanded={expanded} forceOpen={query.trim() !== ''} onToggle={toggle} />
          ))}
        </ul>
      )}
    </section>
  );
}
