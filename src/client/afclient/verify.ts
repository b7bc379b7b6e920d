/**
 * afclient -d: verify (compare) a stream with the file system. It reads like -x
 * (same sources, names and -r mapping) but writes nothing: each entry is
 * compared with what is found at its place — type, permission bits, mtime,
 * symlink target, hard link identity and file contents. Each difference is one
 * line `<name>: <what>` on stdout; with -v every compared name is printed too.
 * Entries of kinds we do not compare (raw contents, command output) are noted on
 * stderr and skipped. Names: those given, else -a or the names read on stdin;
 * when neither gives any, every entry is compared. Exit status 0 when all
 * agree, 1 when something differs, 14 when the stream is damaged, 5 when a name
 * asked for is not in the archive.
 */
import { argBytes } from '../arg-bytes.js';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { unpack } from '../../archive/unpacker.js';
import type { Entry } from '../../archive/records.js';
import { escapeName } from '../escape.js';
import { RestoreTarget, Refused } from '../restore-target.js';
import type { AfclientOptions } from './options.js';
import type { Output } from './session.js';
import { openSource } from './source.js';
import { Selection } from './select.js';
import { readNames } from './names.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { externalUnprocess } from '../../archive/records.js';
import { commandWords } from './extract-sinks.js';

/** Exit status of -d when at least one entry differs from the file system. */
export const DIFFERENCES_FOUND = 1;

const shownName = (b: Buffer): string => escapeName(b).toString('latin1');

type Kind = Exclude<Entry['kind'], 'end' | 'posixAcl' | 'information' | 'command' | 'filecontents'>;

function kindOf(st: fs.Stats): string {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isBlockDevice()) return 'blockdevice';
  if (st.isCharacterDevice()) return 'chardevice';
  if (st.isSocket()) return 'socket';
  return 'unknown';
}

/** Compares a file's contents piece by piece as the archive delivers them. */
class ContentCheck {
  private offset = 0;
  private differs = false;

  constructor(readonly fd: number) {}

  feed(data: Buffer): void {
    if (this.differs) return;
    const here = Buffer.alloc(data.length);
    let got = 0;
    while (got < data.length) {
      const n = fs.readSync(this.fd, here, got, data.length - got, this.offset + got);
      if (n === 0) break;
      got += n;
    }
    if (got < data.length || !here.equals(data)) this.differs = true;
    this.offset += data.length;
  }

  /** True when the contents are equal and the file has no bytes beyond the archived ones. */
  finish(): boolean {
    const probe = Buffer.alloc(1);
    const more = !this.differs && fs.readSync(this.fd, probe, 0, 1, this.offset) > 0;
    fs.closeSync(this.fd);
    return !this.differs && !more;
  }
}

export async function runVerify(o: AfclientOptions, io: Output, stdin: Readable): Promise<number> {
  let names: Buffer[] | null = null;
  if (o.names.length > 0) names = o.names.map(argBytes);
  else if (!o.all && o.archiveFile !== '-') {
    const read = await readNames(stdin);
    if (read.length > 0) names = read;
  }
  const sel = new Selection(names);
  const mapper = new RestoreTarget({ relative: o.relative, overwrite: false, owners: false });
  const source = await openSource(o, stdin);
  let differences = 0;
  let problems = 0;
  let content: { check: ContentCheck; name: Buffer; proc?: { child: ChildProcess; closed: Promise<number> } } | null = null;
  const differ = (name: Buffer, what: string): void => {
    io.out(`${shownName(name)}: ${what}\n`);
    differences++;
  };
  const dropContent = (): void => {
    if (content?.proc) content.proc.child.kill('SIGTERM');
    if (content) {
      try {
        fs.closeSync(content.check.fd);
      } catch {
        /* already closed */
      }
      content = null;
    }
  };
  try {
    for await (const ev of unpack(source.chunks(), { skipLeadingGarbage: o.skipGarbage })) {
      if (ev.type === 'end') break;
      if (ev.type === 'error') {
        io.err(ev.error.message);
        problems++;
        dropContent();
        continue;
      }
      if (ev.type === 'data') {
        if (content?.proc) {
          const stdin = content.proc.child.stdin!;
          if (!stdin.destroyed && !stdin.write(ev.data)) await Promise.race([once(stdin, 'drain'), content.proc.closed]);
        } else content?.check.feed(ev.data);
        continue;
      }
      if (ev.type === 'entryEnd') {
        if (content) {
          const c = content;
          content = null;
          if (c.proc) {
            c.proc.child.stdin!.end();
            const code = await c.proc.closed;
            if (code !== 0) {
              io.err(`${shownName(c.name)}: contents not verified: the unprocess command exited with status ${code}`);
              problems++;
              c.check.finish();
              continue;
            }
          }
          if (!c.check.finish()) differ(c.name, 'contents differ');
        }
        continue;
      }
      const e = ev.entry;
      if (e.kind === 'end' || e.kind === 'posixAcl' || e.kind === 'information') continue;
      if (e.kind === 'command' || e.kind === 'filecontents') {
        const n = e.kind === 'command' ? e.command : e.name;
        if (sel.matches(n)) io.err(`${shownName(n)}: not verified: raw contents and command output are not compared`);
        continue;
      }
      if (!sel.matches(e.name)) continue;
      // Entries saved "not to be verified" (`//./..` names, such as full_backup's start position file).
      if (e.noVerify) continue;
      let where: Buffer;
      try {
        where = mapper.place(e.name).path;
      } catch (err) {
        if (!(err instanceof Refused)) throw err;
        io.err(`${shownName(e.name)}: not verified: ${err.message}`);
        problems++;
        continue;
      }
      if (o.verbose) io.out(`${shownName(e.name)}\n`);
      const st = fs.lstatSync(where, { throwIfNoEntry: false });
      if (!st) {
        differ(e.name, 'missing');
        continue;
      }
      const kind: Kind = e.kind;
      if (e.kind === 'hardlink') {
        let first: fs.Stats | undefined;
        try {
          first = fs.lstatSync(mapper.place(e.target).path, { throwIfNoEntry: false });
        } catch (err) {
          if (!(err instanceof Refused)) throw err;
        }
        if (!first || first.ino !== st.ino || first.dev !== st.dev) differ(e.name, `not a hard link to ${shownName(e.target)}`);
        continue;
      }
      const found = kindOf(st);
      if (found !== kind) {
        differ(e.name, `type differs (archive: ${kind}, file system: ${found})`);
        continue;
      }
      if ((st.mode & 0o7777) !== (e.mode & 0o7777)) {
        differ(e.name, `mode differs (archive: ${(e.mode & 0o7777).toString(8)}, file system: ${(st.mode & 0o7777).toString(8)})`);
      }
      // Symlink times are not restored by afbackup; directory times change with their contents.
      if (kind !== 'symlink' && kind !== 'directory' && Math.floor(st.mtimeMs / 1000) !== e.mtime) {
        differ(e.name, `mtime differs (archive: ${e.mtime}, file system: ${Math.floor(st.mtimeMs / 1000)})`);
      }
      if (e.kind === 'symlink') {
        const target = fs.readlinkSync(where, { encoding: 'buffer' });
        if (!target.equals(e.target)) differ(e.name, `symlink target differs (archive: ${shownName(e.target)}, file system: ${shownName(target)})`);
      } else if ((e.kind === 'blockdevice' || e.kind === 'chardevice') && st.rdev !== e.rdev) {
        differ(e.name, 'device number differs');
      } else if (e.kind === 'file') {
        let check: ContentCheck;
        try {
          check = new ContentCheck(fs.openSync(where, 'r'));
        } catch (err) {
          differ(e.name, `cannot be read: ${(err as Error).message}`);
          continue;
        }
        const after = externalUnprocess(e.unprocess);
        if (after.length === 0) content = { check, name: e.name };
        else {
          // The archived bytes go through the unprocess command; its output is compared.
          const argv = commandWords(after);
          const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] });
          child.stdin!.on('error', () => undefined);
          child.stdout!.on('data', (b: Buffer) => check.feed(b));
          const closed = new Promise<number>((resolve) => {
            child.once('error', () => resolve(127));
            child.once('close', (code) => resolve(code ?? 1));
          });
          content = { check, name: e.name, proc: { child, closed } };
        }
      }
    }
  } catch (err) {
    dropContent();
    await source.abort();
    throw err;
  }
  dropContent();
  await source.close();
  for (const m of sel.missing()) io.err(`${shownName(m)}: not found in the archive`);
  if (problems > 0) return 14;
  if (differences > 0) return DIFFERENCES_FOUND;
  return sel.missing().length > 0 ? 5 : 0;
}
