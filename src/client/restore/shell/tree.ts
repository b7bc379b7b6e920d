/**
 * The directory tree the restore shell walks: built from the selected records'
 * names (bytes, split at `/`), one node per path component. A node that is
 * itself a saved entry carries its record; directories that were not saved
 * themselves (the parents of the saved tree) are plain nodes. Each node has a
 * mark. Paths are resolved relative to a current node with `.`, `..` and a
 * leading `/`; globs (pattern.ts) match one component at a time. Pure.
 */
import type { CatalogRecord } from '../catalog.js';
import { globMatch } from '../pattern.js';

const SLASH = 0x2f;

export class TreeNode {
  readonly children = new Map<string, TreeNode>();
  record: CatalogRecord | undefined;
  marked = false;

  constructor(
    readonly name: Buffer,
    readonly parent: TreeNode | undefined,
  ) {}

  /** True when the node has children (it is shown as a directory). */
  get isDirectory(): boolean {
    return this.children.size > 0;
  }

  /** The absolute path, bytes. */
  path(): Buffer {
    const parts: Buffer[] = [];
    for (let n: TreeNode | undefined = this; n && n.parent; n = n.parent) parts.unshift(n.name);
    return Buffer.concat([Buffer.of(SLASH), ...parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.of(SLASH), p]))]);
  }

  /** Children sorted by their bytes. */
  sortedChildren(): TreeNode[] {
    return [...this.children.values()].sort((a, b) => Buffer.compare(a.name, b.name));
  }

  /** This node and everything below it, depth first, parents first. */
  *walk(): Generator<TreeNode> {
    yield this;
    for (const c of this.sortedChildren()) yield* c.walk();
  }
}

/** Splits a name at slashes, dropping empty and `.` components. */
export function components(name: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= name.length; i++) {
    if (i === name.length || name[i] === SLASH) {
      const c = name.subarray(start, i);
      if (c.length > 0 && !(c.length === 1 && c[0] === 0x2e)) out.push(c);
      start = i + 1;
    }
  }
  return out;
}

/** The tree of the records (one version per name: the caller reduces duplicates). */
export function buildTree(records: readonly CatalogRecord[]): TreeNode {
  const root = new TreeNode(Buffer.alloc(0), undefined);
  for (const r of records) {
    let n = root;
    for (const c of components(r.name)) {
      const key = c.toString('latin1');
      let next = n.children.get(key);
      if (!next) {
        next = new TreeNode(Buffer.from(c), n);
        n.children.set(key, next);
      }
      n = next;
    }
    if (n !== root) n.record = r;
  }
  return root;
}

function rootOf(n: TreeNode): TreeNode {
  let r = n;
  while (r.parent) r = r.parent;
  return r;
}

const isDotDot = (c: Buffer): boolean => c.length === 2 && c[0] === 0x2e && c[1] === 0x2e;

/** The node a path names (no wildcards), or undefined. */
export function resolve(cwd: TreeNode, path: Buffer): TreeNode | undefined {
  let n: TreeNode | undefined = path[0] === SLASH ? rootOf(cwd) : cwd;
  for (const c of components(path)) {
    if (!n) return undefined;
    n = isDotDot(c) ? (n.parent ?? n) : n.children.get(c.toString('latin1'));
  }
  return n;
}

/** The nodes a path with wildcards (in any component) names. */
export function expand(cwd: TreeNode, pattern: Buffer, ignoreCase = false): TreeNode[] {
  let current: TreeNode[] = [pattern[0] === SLASH ? rootOf(cwd) : cwd];
  for (const c of components(pattern)) {
    const next: TreeNode[] = [];
    for (const n of current) {
      if (isDotDot(c)) next.push(n.parent ?? n);
      else if (!/[*?[]/.test(c.toString('latin1'))) {
        const hit = n.children.get(c.toString('latin1'));
        if (hit) next.push(hit);
      } else {
        for (const child of n.sortedChildren()) if (globMatch(c, child.name, ignoreCase)) next.push(child);
      }
    }
    current = [...new Set(next)];
  }
  return current;
}
