/**
 * The restore shell's loop: reads commands from stdin one line at a time (bytes,
 * so it works from a script or a pipe as well as from a terminal), runs them over
 * the tree of the selected records and, on `done`, runs the restore of the marked
 * entries and returns its status. `quit` or the end of input leave without
 * restoring (status 0). With `prompt` a `$ ` is written before each command.
 */
import type { Readable } from 'node:stream';
import type { CatalogRecord } from '../catalog.js';
import type { Output } from '../output.js';
import type { RestoreJob } from '../restore-run.js';
import { runCommand, type ShellState } from './commands.js';
import { buildTree } from './tree.js';
import { splitCommandLine } from './words.js';

export interface ShellDeps {
  readonly io: Output;
  readonly stdin: Readable;
  readonly restore: (jobs: RestoreJob[]) => Promise<number>;
  readonly prompt?: boolean;
}

async function* lines(input: Readable): AsyncGenerator<Buffer> {
  let rest = Buffer.alloc(0);
  for await (const chunk of input) {
    rest = Buffer.concat([rest, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, 'latin1')]);
    let at: number;
    while ((at = rest.indexOf(0x0a)) >= 0) {
      yield rest.subarray(0, at);
      rest = rest.subarray(at + 1);
    }
  }
  if (rest.length > 0) yield rest;
}

export async function runRestoreShell(records: readonly CatalogRecord[], d: ShellDeps): Promise<number> {
  const root = buildTree(records);
  const state: ShellState = { root, cwd: root, out: (b) => d.io.out(b), err: (l) => d.io.err(l) };
  d.io.out(`${records.length} entries in the tree. Mark what to restore, then "done" ("help" lists the commands).\n`);
  const ask = (): void => {
    if (d.prompt) d.io.out('$ ');
  };
  ask();
  for await (const line of lines(d.stdin)) {
    const outcome = runCommand(state, splitCommandLine(line));
    if (outcome.kind === 'quit') return 0;
    if (outcome.kind === 'restore') return d.restore(outcome.jobs);
    ask();
  }
  d.io.err('end of input: nothing restored');
  return 0;
}
