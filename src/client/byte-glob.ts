/**
 * One idea: shell-style wildcards matched against names as raw bytes, the one
 * matcher of the client programs. `*` matches any run of bytes, `?` one byte,
 * `[...]` one byte of a set (`[!...]` / `[^...]` negate, `a-z` ranges; an
 * unterminated `[` is an ordinary byte), and a backslash makes the next byte
 * literal. Names and patterns are bytes, so a Latin-1 name matches a Latin-1
 * pattern exactly.
 *
 * Two switches cover the callers: `pathname` (as fnmatch's FNM_PATHNAME: `*`, `?`
 * and sets never match `/`; the backup selection walk) and `fold` (letters A-Z/a-z
 * match either case; afrestore -i). afrestore's patterns leave `pathname` off, so
 * there `*` crosses directories, as in afbackup.
 */

export interface GlobOptions {
  /** `/` is matched only by a `/` in the pattern. */
  readonly pathname?: boolean;
  /** ASCII letters match either case. */
  readonly fold?: boolean;
}

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BANG = 0x21;
const CARET = 0x5e;
const BACKSLASH = 0x5c;
const DASH = 0x2d;
const SLASH = 0x2f;

const lower = (b: number): number => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b);

/** True when the pattern has a wildcard that is not quoted by a backslash. */
export function hasWildcards(pattern: Uint8Array): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const b = pattern[i];
    if (b === BACKSLASH) i++;
    else if (b === STAR || b === QUESTION || b === OPEN) return true;
  }
  return false;
}

/** The set at p[at] (the `[`) against byte c: [matched, index after `]`], or null when unterminated. */
function bracket(p: Uint8Array, at: number, c: number, fold: boolean): [boolean, number] | null {
  let i = at + 1;
  let negate = false;
  if (p[i] === BANG || p[i] === CARET) {
    negate = true;
    i++;
  }
  let hit = false;
  let first = true;
  const cc = lower(c);
  while (i < p.length && (first || p[i] !== CLOSE)) {
    first = false;
    let lo = p[i]!;
    if (lo === BACKSLASH && i + 1 < p.length) lo = p[++i]!;
    let hi = lo;
    if (p[i + 1] === DASH && i + 2 < p.length && p[i + 2] !== CLOSE) {
      hi = p[i + 2]!;
      if (hi === BACKSLASH && i + 3 < p.length) {
        hi = p[i + 3]!;
        i++;
      }
      i += 2;
    }
    i++;
    if ((c >= lo && c <= hi) || (fold && cc >= lower(lo) && cc <= lower(hi))) hit = true;
  }
  if (i >= p.length) return null;
  return [hit !== negate, i + 1];
}

/** True when the whole `name` matches `pattern`. */
export function globMatch(pattern: Uint8Array, name: Uint8Array, o: GlobOptions = {}): boolean {
  const pathname = o.pathname === true;
  const fold = o.fold === true;
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
      if (pc === QUESTION) {
        if (!(pathname && c === SLASH)) {
          p++;
          n++;
          continue;
        }
      } else if (pc === OPEN) {
        const r = pathname && c === SLASH ? [false, 0] as const : bracket(pattern, p, c, fold);
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
      } else {
        let lit = pc;
        let width = 1;
        if (pc === BACKSLASH && p + 1 < pattern.length) {
          lit = pattern[p + 1]!;
          width = 2;
        }
        if (lit === c || (fold && lower(lit) === lower(c))) {
          p += width;
          n++;
          continue;
        }
      }
    }
    // Mismatch: the last star takes one more byte (never a slash with `pathname`).
    if (starP >= 0 && !(pathname && name[starN] === SLASH)) {
      p = starP + 1;
      n = ++starN;
      continue;
    }
    return false;
  }
  while (p < pattern.length && pattern[p] === STAR) p++;
  return p === pattern.length;
}
