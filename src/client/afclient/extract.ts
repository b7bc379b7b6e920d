/**
 * afclient -x: restore entries of a stream below the working directory (-r) or
 * where their names point, through RestoreTarget's safety checks. Each entry that
 * cannot be restored (refused, damaged, a system call failing) is reported on
 * stderr and the run goes on; the exit status is then 14. Names asked for but not
 * in the archive give status 5. With `-` the raw stream goes to stdout instead.
 */
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
import { openSource } from './source.js';
import { Selection } from './select.js';
import { readNames } from './names.js';

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
    names = o.names.length > 0 ? o.names.map((n) => Buffer.from(n)) : await readNames(stdin);
    if (names.length === 0) throw new AfError('USAGE', 'nothing to extract: give names, or -a for everything');
  }
  const sel = new Selection(names);
  const target = new RestoreTarget({ relative: o.relative, overwrite: o.overwrite, owners: process.getuid?.() === 0 });
  const source = await openSource(o, o.archiveFile === '-' ? stdin : stdin);
  let problems = 0;
  let cur: { fd: number; entry: Extract<Entry, { kind: 'file' }>; shown: Buffer } | null = null;
  const fail = (name: Buffer, why: string): void => {
    io.err(`${shownName(name)}: not restored: ${why}`);
    problems++;
  };
  const closeCurrent = (): void => {
    if (cur) {
      try {
        fs.closeSync(cur.fd);
      } catch {
        /* already reported */
      }
      cur = null;
    }
  };
  try {
    for await (const ev of unpack(source.chunks())) {
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
            let off = 0;
            while (off < ev.data.length) off += fs.writeSync(c.fd, ev.data, off);
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
          try {
            target.finishFile(c.fd, c.entry);
          } catch (err) {
            fail(c.shown, (err as Error).message);
          }
          closeCurrent();
        }
        continue;
      }
      const e = ev.entry;
      if (e.kind === 'end' || e.kind === 'posixAcl' || e.kind === 'information') continue;
      if (e.kind === 'command' || e.kind === 'filecontents') {
        const n = e.kind === 'command' ? e.command : e.name;
        if (sel.matches(n)) io.err(`${shownName(n)}: not restored: raw contents and command output are not supported yet`);
        continue;
      }
      if (!sel.matches(e.name)) continue;
      try {
        const placed = target.prepare(e.name, e.kind === 'directory');
        if (o.verbose) io.out(Buffer.concat([placed.shown, Buffer.from('\n')]));
        switch (e.kind) {
          case 'file':
            if (e.unprocess.length > 0 && !(e.unprocess.length === 1 && e.unprocess[0] === 0x2e)) {
              throw new Refused(`its uncompress command "${e.unprocess.toString('latin1')}" is not supported yet`);
            }
            cur = { fd: target.createFile(placed.path), entry: e, shown: placed.shown };
            break;
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
  target.cleanup();
  await source.close();
  for (const m of sel.missing()) io.err(`${shownName(m)}: not found in the archive`);
  if (problems > 0) return 14;
  return sel.missing().length > 0 ? 5 : 0;
}
