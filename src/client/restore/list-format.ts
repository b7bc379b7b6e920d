/**
 * afrestore -l output. Without -F each record is its escaped name and a newline.
 * With -F the format string is expanded per record: `%n` name (escaped), `%b` base
 * name, `%O` owner's user name (else the number), `%o` uid, `%m` mtime (epoch),
 * `%M` mtime as ctime text, `%t` backup start (epoch), `%T` the same as text,
 * `%h` server, `%p` port, `%c` cartridge, `%f` tape file, `%%` a percent sign.
 * C escapes in the format (`\n`, `\t`, `\\`, `\"`, `\ooo`) are interpreted; names
 * stay escaped. No newline is added: the format has to end in `\n`. Unknown
 * values (an index without owners or times) print as `-`. Pure: the user name
 * lookup is passed in. Output is bytes (Latin-1 names survive).
 */
import { escapeName, unescapeName } from '../escape.js';
import type { CatalogRecord } from './catalog.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** ctime(3) text without the newline, local time: `Wed Nov 25 12:37:05 2026`. */
export function ctimeText(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

function baseName(name: Buffer): Buffer {
  let end = name.length;
  while (end > 1 && name[end - 1] === 0x2f) end--;
  const at = name.lastIndexOf(0x2f, end - 1);
  return name.subarray(at + 1, end);
}

export type UserName = (uid: number) => string | undefined;

/** Expands one format for one record. */
export function formatRecord(format: Buffer, r: CatalogRecord, userName: UserName = () => undefined): Buffer {
  const fmt = unescapeName(format);
  const parts: Buffer[] = [];
  let start = 0;
  const text = (s: string): Buffer => Buffer.from(s, 'latin1');
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== 0x25 || i + 1 >= fmt.length) continue;
    const c = String.fromCharCode(fmt[i + 1]!);
    let v: Buffer | undefined;
    switch (c) {
      case 'n': v = escapeName(r.name); break;
      case 'b': v = escapeName(baseName(r.name)); break;
      case 'o': v = text(r.uid !== undefined ? String(r.uid) : '-'); break;
      case 'O': v = text(r.uid !== undefined ? (userName(r.uid) ?? String(r.uid)) : '-'); break;
      case 'm': v = text(r.mtime !== undefined ? String(r.mtime) : '-'); break;
      case 'M': v = text(r.mtime !== undefined ? ctimeText(r.mtime) : '-'); break;
      case 't': v = text(r.backupTime !== undefined ? String(r.backupTime) : '-'); break;
      case 'T': v = text(r.backupText ?? (r.backupTime !== undefined ? ctimeText(r.backupTime) : '-')); break;
      case 'h': v = text(r.host); break;
      case 'p': v = text(String(r.port)); break;
      case 'c': v = text(String(r.cart)); break;
      case 'f': v = text(String(r.file)); break;
      case '%': v = text('%'); break;
    }
    if (v === undefined) continue;
    parts.push(fmt.subarray(start, i), v);
    start = i + 2;
    i++;
  }
  parts.push(fmt.subarray(start));
  return Buffer.concat(parts);
}

/** The -l output of a list of records. */
export function formatListing(records: readonly CatalogRecord[], format: Buffer | undefined, userName?: UserName): Buffer {
  return Buffer.concat(
    records.map((r) => (format === undefined ? Buffer.concat([escapeName(r.name), Buffer.of(0x0a)]) : formatRecord(format, r, userName))),
  );
}
