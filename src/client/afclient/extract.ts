/**
 * afclient -x: restore entries of a stream below the working directory (-r) or
 * where their names point, through RestoreTarget's safety checks. Each entry that
 * cannot be restored (refused, damaged, a system call failing) is reported on
 * stderr and the run goes on; the exit status is then 14. Names asked for but not
 * in the archive give status 5. With `-` the raw stream goes to stdout instead.
 */
import { argBytes } from '../arg-bytes.js';
import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import { AfError } from '../../errors.js';
import { unpack } from '../../archive/unpacker.js';
import type { Entry } from '../../archive/records.js';
import { escapeName } from '../escape.js';
import { RestoreTarget, Refused } from '../restore-target.js';
import type { AfclientOptions } from './options.js';
import type { Output } from './session.js';
import { applyBackspaces, namePrefix, openSource } from './source.js';
import { Selection } from './select.js';
import { readNames, readNamesFile } from './names.js';
import { externalUnprocess } from '../../archive/records.js';
import { FdSink, ProcessSink, commandWords, restoreCommandOf, type DataSink } from './extract-sinks.js';
import { Progress } from './progress.js';

/** -A/-B (and -N) on extract: restore only entries whose mtime lies in [from, until). */
export function extractWindow(o: AfclientOptions): { from: number | null; until: number | null } {
  let from: number | null = o.after !== undefined ? Number(o.after.trim()) : null;
  if (from === null && o.newerThanFile !== undefined) {
    try {
      from = Math.floor(fs.statSync(o.newerThanFile).mtimeMs / 1000);
    } catch {
      from = null;
    }
  }
  return { from, until: o.before !== undefined ? Number(o.before.trim()) : null };
}

function inWindow(w: { from: number | null; until: number | null }, mtime: number): boolean {
  return (w.from === null || mtime >= w.from) && (w.until === null || mtime < w.until);
}

/** -o uid[:gid[:g1,...]]: as root, restore with the user's rights (effective ids). */
function switchIds(o: AfclientOptions, io: Output): void {
  if (o.owner === undefined) return;
  const [uid, gid, groups] = o.owner.split(':');
  if (process.geteuid?.() !== 0) {
    if (Number(uid) !== process.geteuid?.()) io.err(`warning: -o ${o.owner}: only root can take other user ids; restoring with our own`);
    return;
  }
  if (groups !== undefined) process.setgroups?.(groups.split(',').map(Number));
  else if (gid !== undefined) process.setgroups?.([Number(gid)]);
  if (gid !== undefined) process.setegid?.(Number(gid));
  process.seteuid?.(Number(uid));
}

const shownName = (b: Buffer): string => escapeName(b).toString('latin1');

async function runRaw(o: AfclientOptions, stdin: Readable, stdout: Writable): Promise<number> {
  const source = await openSource(o, stdin);
  try {
    for await (const c of source.chunks()) {
      if (!stdout.write(c)) await once(stdout, 'drain');
    }
  } catch (e) {
    await source.abort();
    throw e;
  }
  await source.close();
  return 0;
}

export async function runExtract(o: AfclientOptions, io: Output, stdin: Readable, stdout: Writable): Promise<number> {
  if (o.raw) return runRaw(o, stdin, stdout);
  let names: Buffer[] | null = null;
  if (!o.all) {
    names = o.names.length > 0 ? o.names.map(argBytes) : o.namesFile !== undefined ? await readNamesFile(o.namesFile) : await readNames(stdin);
    if (names.length === 0) throw new AfError('USAGE', 'nothing to extract: give names, or -a for everything');
  }
  const sel = new Selection(names);
  switchIds(o, io);
  const target = new RestoreTarget({ relative: o.relative, overwrite: o.overwrite, owners: process.geteuid?.() === 0 && !o.ignoreOwner });
  const window = extractWindow(o);
  const source = await openSource(o, stdin);
  const progress = new Progress(io, 'restored');
  let problems = 0;
  let cur: { sink: DataSink; shown: Buffer } | null = null;
  const fail = (name: Buffer, why: string): void => {
    io.err(`${shownName(name)}: not restored: ${why}`);
    problems++;
  };
  const closeCurrent = (): void => {
    if (cur) {
      cur.sink.abort();
      cur = null;
    }
  };
  try {
    const opts = { skipLeadingGarbage: o.skipGarbage, onRecordStart: (off: number) => source.recordStart(off) };
    for await (const ev of unpack(source.chunks(), opts)) {
      if (ev.type === 'end') break;
      if (ev.type === 'error') {
        io.err(ev.error.message);
        problems++;
        closeCurrent();
        continue;
      }
      if (ev.type === 'data') {
        if (cur) {
          const c = cur;
          try {
            await c.sink.write(ev.data);
            progress.add(0, ev.data.length);
          } catch (err) {
            fail(c.shown, (err as Error).message);
            closeCurrent();
          }
        }
        continue;
      }
      if (ev.type === 'entryEnd') {
        if (cur) {
          const c = cur;
          cur = null;
          try {
            await c.sink.finish();
          } catch (err) {
            fail(c.shown, (err as Error).message);
          }
        }
        continue;
      }
      await source.settle();
      const e = ev.entry;
      if (e.kind === 'information') {
        if (o.verbose) io.out(Buffer.concat([Buffer.from(namePrefix(o, source, null, null), 'latin1'), applyBackspaces(e.text)]));
        continue;
      }
      if (e.kind === 'end' || e.kind === 'posixAcl') continue;
      if (e.kind === 'command') {
        if (!sel.matches(e.command)) continue;
        const restore = restoreCommandOf(e.command);
        if (o.verbose) io.out(Buffer.concat([Buffer.from(namePrefix(o, source, null, null), 'latin1'), e.command, Buffer.from('\n')]));
        if (restore === null) {
          fail(e.command, 'the entry names no restore command');
          continue;
        }
        cur = { sink: new ProcessSink(['/bin/sh', '-c', restore], `restore command of ${shownName(e.command)}`, null, null), shown: e.command };
        progress.add(1, 0);
        continue;
      }
      if (e.kind === 'filecontents') {
        if (!sel.matches(e.name) || !inWindow(window, e.mtime)) continue;
        try {
          const placed = target.prepare(e.name, false);
          if (o.verbose) io.out(Buffer.concat([Buffer.from(namePrefix(o, source, null, e.mtime), 'latin1'), placed.shown, Buffer.from('\n')]));
          const fd = fs.openSync(placed.path, 'w', 0o600);
          const after = externalUnprocess(e.unprocess);
          cur = {
            sink: after.length > 0 ? new ProcessSink(commandWords(after), `unprocessing ${shownName(e.name)}`, fd, null) : new FdSink(fd, () => undefined),
            shown: placed.shown,
          };
          progress.add(1, 0);
        } catch (err) {
          fail(e.name, (err as Error).message);
        }
        continue;
      }
      if (!sel.matches(e.name)) continue;
      if (e.kind !== 'directory' && !inWindow(window, e.mtime)) continue;
      try {
        const placed = target.prepare(e.name, e.kind === 'directory');
        if (o.verbose) io.out(Buffer.concat([Buffer.from(namePrefix(o, source, e.uid, e.mtime), 'latin1'), placed.shown, Buffer.from('\n')]));
        progress.add(1, 0);
        switch (e.kind) {
          case 'file': {
            const fd = target.createFile(placed.path);
            const after = externalUnprocess(e.unprocess);
            const done = (f: number): void => target.finishFile(f, e);
            cur = {
              sink: after.length > 0 ? new ProcessSink(commandWords(after), `unprocessing ${shownName(e.name)}`, fd, () => done(fd)) : new FdSink(fd, done),
              shown: placed.shown,
            };
            break;
          }
          case 'directory':
            target.makeDirectory(placed.path, placed.state, e);
            break;
          case 'symlink':
            target.makeSymlink(placed.path, e.target, e);
            break;
          case 'hardlink':
            target.makeHardlink(placed.path, e.target);
            break;
          case 'fifo':
            target.makeNode(placed.path, 'fifo', e);
            break;
          case 'blockdevice':
          case 'chardevice':
            target.makeNode(placed.path, e.kind, e, e.rdev);
            break;
          case 'socket':
            throw new Refused('sockets are not restored');
        }
      } catch (err) {
        fail(e.name, (err as Error).message);
      }
    }
  } catch (e) {
    closeCurrent();
    target.cleanup();
    await source.abort();
    throw e;
  }
  closeCurrent();
  progress.done();
  target.cleanup();
  await source.close();
  for (const m of sel.missing()) io.err(`${shownName(m)}: not found in the archive`);
  if (problems > 0) return 14;
  return sel.missing().length > 0 ? 5 : 0;
}
