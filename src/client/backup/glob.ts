/**
 * Wildcards as the selection walk needs them for DirsToBackup entries, FilesToSkip /
 * DirsToSkip patterns and exclude-list files: the client's byte matcher
 * (../byte-glob.ts) with `/` matched only by `/`. expandPattern() resolves a path pattern against
 * the file system component by component (hidden names only match a leading `.`).
 */
import fs from 'node:fs';
import { globMatch, hasWildcards } from '../byte-glob.js';

const SLASH = 0x2f;
const DOT = 0x2e;
const BACKSLASH = 0x5c;

export { hasWildcards };

/** True when the whole `name` matches `pattern` (`/` is matched only by `/`). */
export function matchGlob(pattern: Uint8Array, name: Uint8Array): boolean {
  return globMatch(pattern, name, { pathname: true });
}

function splitSlash(b: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= b.length; i++) {
    if (i === b.length || b[i] === SLASH) {
      parts.push(b.subarray(start, i));
      start = i + 1;
    }
  }
  return parts;
}

function unescape(b: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    if (b[i] === BACKSLASH && i + 1 < b.length) i++;
    out.push(b[i]!);
  }
  return Buffer.from(out);
}

/**
 * The existing paths a pattern names, in sorted byte order per component (like
 * glob(3)). A pattern without wildcards is returned as it is when it exists (lstat).
 * Relative patterns are resolved against the current directory.
 */
export function expandPattern(pattern: Buffer): Buffer[] {
  if (!hasWildcards(pattern)) {
    const plain = unescape(pattern);
    try {
      fs.lstatSync(plain);
      return [plain];
    } catch {
      return [];
    }
  }
  const parts = splitSlash(pattern);
  let prefixes: Buffer[] = [parts[0]!.length === 0 ? Buffer.from('/') : Buffer.alloc(0)];
  let startAt = 0;
  if (parts[0]!.length === 0) startAt = 1;
  for (let k = startAt; k < parts.length; k++) {
    const comp = parts[k]!;
    if (comp.length === 0) continue;
    const next: Buffer[] = [];
    for (const prefix of prefixes) {
      const join = (c: Buffer): Buffer =>
        prefix.length === 0 ? c : prefix[prefix.length - 1] === SLASH ? Buffer.concat([prefix, c]) : Buffer.concat([prefix, Buffer.of(SLASH), c]);
      if (!hasWildcards(comp)) {
        const candidate = join(unescape(comp));
        try {
          fs.lstatSync(candidate);
          next.push(candidate);
        } catch {
          /* no such entry */
        }
        continue;
      }
      let names: Buffer[];
      try {
        names = fs.readdirSync(prefix.length === 0 ? '.' : prefix, { encoding: 'buffer' });
      } catch {
        continue;
      }
      names.sort(Buffer.compare);
      for (const n of names) {
        if (n[0] === DOT && comp[0] !== DOT) continue;
        if (matchGlob(comp, n)) next.push(join(n));
      }
    }
    prefixes = next;
  }
  return prefixes;
}
