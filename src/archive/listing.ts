/**
 * The line `afclient -t -v` prints for one entry, as raw bytes.
 *
 * Checked against the golden listings for regular files, symlinks, hard links,
 * directories and the INFORMATION header (printed as is, no newline). The forms
 * for FIFOs, sockets, devices, raw contents and command output were not captured
 * and print the bare name (the command string for command output).
 */
import type { Entry } from './records.js';

const NL = Buffer.from('\n');
const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** The listing bytes for an entry; empty for records that list nothing (ACL, end mark). */
export function listingLine(e: Entry): Buffer {
  switch (e.kind) {
    case 'file':
      return e.unprocess.length > 0
        ? Buffer.concat([e.name, b('  (to be uncompressed by '), e.unprocess, b(')'), NL])
        : Buffer.concat([e.name, NL]);
    case 'symlink':
      return Buffer.concat([e.name, b('@  (symbolic link to '), e.target, b(')'), NL]);
    case 'hardlink':
      return Buffer.concat([e.name, b('=  (link to '), e.target, b(')'), NL]);
    case 'directory':
      return Buffer.concat([e.name, b('/'), NL]);
    case 'information':
      return e.text;
    case 'fifo':
    case 'socket':
    case 'blockdevice':
    case 'chardevice':
    case 'filecontents':
      return Buffer.concat([e.name, NL]);
    case 'command':
      return Buffer.concat([e.command, NL]);
    case 'posixAcl':
    case 'end':
      return Buffer.alloc(0);
  }
}

/** The whole listing of a sequence of entries. */
export function listing(entries: Iterable<Entry>): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) parts.push(listingLine(e));
  return Buffer.concat(parts);
}
