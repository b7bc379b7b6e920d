/**
 * The commands of the restore shell, in the manner of Bareos's restore tree:
 * move about the saved tree, mark what is to come back, then `done`. Each
 * command gets its words (bytes) and the shell state and returns whether the
 * shell goes on, or the restore jobs to run (`done`). Output is bytes; names are
 * printed escaped as in the index. Marking a directory marks everything below
 * it; `unmark` undoes it the same way. When a marked directory still has an
 * unmarked entry below it, the directory itself is not handed to afclient
 * (afclient would restore the whole subtree); its children that are marked are.
 */
import { escapeName } from '../../escape.js';
import type { CatalogRecord } from '../catalog.js';
import { groupByTapeFile } from '../groups.js';
import { ctimeText } from '../list-format.js';
import { formatNeededTapes, neededTapes } from '../needed-tapes.js';
import { globMatch } from '../pattern.js';
import type { RestoreJob } from '../restore-run.js';
import { expand, resolve, type TreeNode } from './tree.js';

export interface ShellState {
  readonly root: TreeNode;
  cwd: TreeNode;
  readonly out: (b: Buffer | string) => void;
  readonly err: (line: string) => void;
}

export type Outcome = { kind: 'continue' } | { kind: 'quit' } | { kind: 'restore'; jobs: RestoreJob[] };

const CONTINUE: Outcome = { kind: 'continue' };
const nl = Buffer.of(0x0a);
const shown = (b: Buffer): Buffer => escapeName(b);

function entries(n: TreeNode): TreeNode[] {
  return [...n.walk()].filter((x) => x.record !== undefined);
}

function setMark(state: ShellState, words: Buffer[], mark: boolean): Outcome {
  if (words.length === 0) {
    state.err(`${mark ? 'mark' : 'unmark'}: give the names or patterns of the entries`);
    return CONTINUE;
  }
  let changed = 0;
  for (const w of words) {
    const hits = expand(state.cwd, w);
    if (hits.length === 0) {
      state.err(`${shown(w).toString('latin1')}: no such entry`);
      continue;
    }
    for (const h of hits) {
      for (const n of h.walk()) {
        if (n.marked !== mark && n.record) changed++;
        n.marked = mark;
      }
    }
  }
  state.out(`${changed} ${changed === 1 ? 'file' : 'files'} ${mark ? 'marked' : 'unmarked'}.\n`);
  return CONTINUE;
}

function listing(state: ShellState, words: Buffer[], long: boolean): Outcome {
  let nodes: TreeNode[];
  if (words.length === 0) nodes = state.cwd.sortedChildren();
  else {
    nodes = [];
    for (const w of words) {
      const exact = resolve(state.cwd, w);
      const hits = exact && exact.isDirectory && !/[*?[]/.test(w.toString('latin1')) ? exact.sortedChildren() : expand(state.cwd, w);
      if (hits.length === 0) state.err(`${shown(w).toString('latin1')}: no such entry`);
      nodes.push(...hits);
    }
  }
  for (const n of nodes) {
    const name = Buffer.concat([shown(n.name), Buffer.from(n.isDirectory ? '/' : '')]);
    if (!long) {
      state.out(Buffer.concat([Buffer.from(n.marked ? '*' : ''), name, nl]));
      continue;
    }
    const r = n.record;
    const cols = [
      n.marked ? '*' : ' ',
      r?.mtime !== undefined ? ctimeText(r.mtime) : '-'.padEnd(24),
      String(r?.uid ?? '-').padStart(5),
      r ? `${r.host}%${r.port}!${r.cart}.${r.file}` : '-',
    ].join(' ');
    state.out(Buffer.concat([Buffer.from(`${cols} `), name, nl]));
  }
  return CONTINUE;
}

/** The restore jobs of the marked entries (see the file comment). */
export function markedJobs(root: TreeNode): RestoreJob[] {
  const chosen: CatalogRecord[] = [];
  for (const n of root.walk()) {
    if (!n.marked || !n.record) continue;
    if (n.isDirectory && entries(n).some((x) => !x.marked)) continue;
    chosen.push(n.record);
  }
  chosen.sort((a, b) => a.seq - b.seq);
  return groupByTapeFile(chosen).map((g) => ({ host: g.host, port: g.port, cart: g.cart, file: g.file, names: g.records.map((r) => r.name) }));
}

export const HELP = `Commands:
  cd <dir>             change the current directory (.., /, relative or absolute)
  ls [pattern...]      list the current directory (* = marked, / = directory)
  dir [pattern...]     list with mtime, owner and tape position
  pwd                  print the current directory
  mark <pattern...>    mark entries to restore (directories with everything below)
  unmark <pattern...>  unmark entries
  lsmark               list the marked entries below the current directory
  count                count all and marked entries
  find <pattern...>    find entries anywhere in the tree by name
  estimate             the tape files and cartridges the marked entries need
  done                 restore the marked entries and leave
  quit                 leave without restoring
  help                 this text
Names may be quoted ("a b") and use the escapes of the index (\\n, \\351, ...).
`;

export function runCommand(state: ShellState, words: Buffer[]): Outcome {
  const [cmdWord, ...args] = words;
  if (!cmdWord) return CONTINUE;
  const cmd = cmdWord.toString('latin1');
  switch (cmd) {
    case 'cd': {
      const target = args[0] === undefined ? state.root : resolve(state.cwd, args[0]);
      if (!target) state.err(`${shown(args[0]!).toString('latin1')}: no such directory`);
      else if (target !== state.root && !target.isDirectory) state.err(`${shown(args[0]!).toString('latin1')}: not a directory`);
      else state.cwd = target;
      return CONTINUE;
    }
    case 'pwd': {
      const p = state.cwd.path();
      state.out(Buffer.concat([Buffer.from('cwd is: '), shown(p), Buffer.from(p.length > 1 ? '/' : ''), nl]));
      return CONTINUE;
    }
    case 'ls':
      return listing(state, args, false);
    case 'dir':
      return listing(state, args, true);
    case 'mark':
    case 'add':
      return setMark(state, args, true);
    case 'unmark':
    case 'delete':
      return setMark(state, args, false);
    case 'lsmark':
      for (const n of entries(state.cwd)) if (n.marked) state.out(Buffer.concat([Buffer.from('*'), shown(n.path()), nl]));
      return CONTINUE;
    case 'count': {
      const all = entries(state.root);
      const marked = all.filter((n) => n.marked).length;
      state.out(`${all.length} total files/directories. ${marked} marked to be restored.\n`);
      return CONTINUE;
    }
    case 'find': {
      if (args.length === 0) {
        state.err('find: give the name patterns to look for');
        return CONTINUE;
      }
      for (const n of state.root.walk()) {
        if (n === state.root || !args.some((a) => globMatch(a, n.name))) continue;
        state.out(Buffer.concat([Buffer.from(n.marked ? '*' : ''), shown(n.path()), Buffer.from(n.isDirectory ? '/' : ''), nl]));
      }
      return CONTINUE;
    }
    case 'estimate': {
      const jobs = markedJobs(state.root);
      const records = entries(state.root).filter((n) => n.marked).map((n) => n.record!);
      state.out(`${records.length} marked to be restored from ${jobs.length} tape ${jobs.length === 1 ? 'file' : 'files'}.\n`);
      state.out(formatNeededTapes(neededTapes(records)));
      return CONTINUE;
    }
    case 'done': {
      const jobs = markedJobs(state.root);
      if (jobs.length === 0) {
        state.err('No files are marked; nothing restored (quit to leave, mark to choose)');
        return CONTINUE;
      }
      return { kind: 'restore', jobs };
    }
    case 'quit':
    case 'exit':
    case 'q':
      return { kind: 'quit' };
    case 'help':
    case '?':
      state.out(HELP);
      return CONTINUE;
    default:
      state.err(`${cmd}: unknown command (help lists the commands)`);
      return CONTINUE;
  }
}
