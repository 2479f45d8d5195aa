// The machine's job tree from listJobs' flat entries: children by parent, and the filter that keeps
// matches with the ancestors that lead to them.
import type { JobTreeEntry } from '../../electron/contract';

export interface TreeNode {
  entry: JobTreeEntry;
  children: TreeNode[];
}

export function buildTree(entries: JobTreeEntry[]): TreeNode[] {
  const nodes = new Map(entries.map((entry) => [entry.path, { entry, children: [] as TreeNode[] }]));
  const roots: TreeNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.entry.parent === null ? undefined : nodes.get(node.entry.parent);
    (parent ? parent.children : roots).push(node);
  }
  for (const node of nodes.values()) node.children.sort((a, b) => a.entry.name.localeCompare(b.entry.name));
  return roots;
}

/** The nodes whose name or path contains `query`, with their ancestors; every node when it is empty. */
export function filterTree(nodes: TreeNode[], query: string): TreeNode[] {
  const q = query.trim().toLowerCase();
  if (!q) return nodes;
  const out: TreeNode[] = [];
  for (const node of nodes) {
    const children = filterTree(node.children, q);
    if (children.length > 0 || node.entry.path.toLowerCase().includes(q) || node.entry.name.toLowerCase().includes(q)) {
      out.push({ entry: node.entry, children });
    }
  }
  return out;
}

/** Paths to show expanded at first: the root and the ancestors of held jobs. */
export function initiallyExpanded(entries: JobTreeEntry[]): Set<string> {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const out = new Set(entries.filter((e) => e.parent === null).map((e) => e.path));
  for (const e of entries) {
    if (e.heldJobId === null) continue;
    for (let p = e.parent; p !== null; p = byPath.get(p)?.parent ?? null) out.add(p);
  }
  return out;
}
