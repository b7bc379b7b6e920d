/**
 * User names for uids (the `%O` of afrestore -F), from /etc/passwd, read once.
 * A uid without an entry (or an unreadable file) has no name.
 */
import fs from 'node:fs';
import type { UserName } from './list-format.js';

export function passwdUserNames(file = '/etc/passwd'): UserName {
  let table: Map<number, string> | undefined;
  return (uid) => {
    if (!table) {
      table = new Map();
      try {
        for (const line of fs.readFileSync(file, 'latin1').split('\n')) {
          const f = line.split(':');
          if (f.length >= 3 && /^\d+$/.test(f[2]!) && !table.has(Number(f[2]))) table.set(Number(f[2]), f[0]!);
        }
      } catch {
        /* no names */
      }
    }
    return table.get(uid);
  };
}
