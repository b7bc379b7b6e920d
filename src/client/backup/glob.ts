/**
 * Shell-style wildcard matching on raw bytes, as the selection walk needs it for
 * DirsToBackup entries, FilesToSkip / DirsToSkip patterns and exclude-list files.
 *
 * `*` matches any run of bytes except `/`, `?` one byte except `/`, `[...]` one byte
 * of a set (`[!...]` / `[^...]` negate, `a-z` ranges), and a backslash makes the
 * next byte literal. Names and patterns are Buffers, so a Latin-1 name matches a
 * Latin-1 pattern byte for byte. expandPattern() resolves a path pattern against
 * the file system component by component (hidden names only match a leading `.`).
 */
import fs from 'node:fs';

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const DOT = 0x2e;

export function hasWildcards(pattern: Uint8Array): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const b = pattern[i];
    if (b === BACKSLASH) i++;
    else if (b === STAR || b === QUESTION || b === OPEN) return true;
  }
  return false;
}

/** Matches one bracket expression at p[at] (the `[`) against byte c; returns [matched, index after `]`] or null if not a valid set. */
function bracket(p: Uint8Array, at: number, c: number): [boolean, number] | null {
  let i = at + 1;
  let negate = false;
  if (p[i] === 0x21 || p[i] === 0x5e) {
    negate = true;
    i++;
  }
  let matched = false;
  let first = true;
  while (i < p.length && (first || p[i] !== CLOSE)) {
    first = false;
    let lo = p[i]!;
    if (lo === BACKSLASH && i + 1 < p.length) lo = p[++i]!;
    let hi = lo;
    if (p[i + 1] === 0x2d && i + 2 < p.length && p[i + 2] !== CLOSE) {
      hi = p[i + 2]!;
      if (hi === BACKSLASH && i + 3 < p.length) {
        hi = p[i + 3]!;
        i++;
      }
      i += 2;
    }
    if (c >= lo && c <= hi) matched = true;
    i++;
  }
  if (i >= p.length) return null;
  return [matched !== negate, i + 1];
}

/** True when the whole `name` matches `pattern` (`/` is matched only by `/`). */
export function matchGlob(pattern: Uint8Array, name: Uint8Array): boolean {
  let p = 0;
  let n = 0;
  let starP = -1;
  let starN = -1;
  while (n < name.length) {
    const c = name[n]!;
    if (p < pattern.length) {
      const pc = pattern[p]!;
      if (pc === STAR) {
        starP = p++;
        starN = n;
        continue;
      }
      if (pc === QUESTION && c !== SLASH) {
        p++;
        n++;
        continue;
      }
      if (pc === OPEN && c !== SLASH) {
        const r = bracket(pattern, p, c);
        if (r && r[0]) {
          p = r[1];
          n++;
          continue;
        }
        if (!r && c === OPEN) {
          p++;
          n++;
          continue;
        }
      } else if (pc === BACKSLASH && p + 1 < pattern.length) {
        if (pattern[p + 1] === c) {
          p += 2;
          n++;
          continue;
        }
      } else if (pc !== QUESTION && pc !== OPEN && pc === c) {
        p++;
        n++;
        continue;
      }
    }
    // Mismatch: let the last star take one more byte (never a slash).
    if (starP >= 0 && name[starN] !== SLASH) {
      p = starP + 1;
      n = ++starN;
      continue;
    }
    return false;
  }
  while (p < pattern.length && pattern[p] === STAR) p++;
  return p === pattern.length;
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
