/**
 * The path patterns of afrestore: shell wildcards (`*`, `?`, `[...]`, `[!...]`,
 * backslash quoting) matched against the whole name, byte by byte. `*` also
 * matches `/`, as in afbackup. Without -p a pattern is a substring: it is matched
 * as `*<pattern>*`. With -i letters A-Z/a-z match either case. A name matches
 * with or without its leading slashes, so "-p srv/data/*" and "-p /srv/data/*"
 * both select "/srv/data/x". Names and patterns are bytes (Latin-1 survives).
 */

export interface PathPattern {
  readonly text: Buffer;
  /** True for -p: the pattern must match the whole name. */
  readonly exact: boolean;
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

/** Matches a bracket expression starting at p[i] (the '['); returns [matched, index after ']'] or undefined when unterminated. */
function bracket(p: Buffer, i: number, c: number, fold: boolean): [boolean, number] | undefined {
  let j = i + 1;
  let negate = false;
  if (p[j] === BANG || p[j] === CARET) {
    negate = true;
    j++;
  }
  let hit = false;
  let first = true;
  const cc = fold ? lower(c) : c;
  while (j < p.length && (first || p[j] !== CLOSE)) {
    first = false;
    let lo = p[j]!;
    if (lo === BACKSLASH && j + 1 < p.length) lo = p[++j]!;
    let hi = lo;
    if (p[j + 1] === DASH && j + 2 < p.length && p[j + 2] !== CLOSE) {
      hi = p[j + 2]!;
      if (hi === BACKSLASH && j + 3 < p.length) {
        hi = p[j + 3]!;
        j++;
      }
      j += 2;
    }
    j++;
    if (fold) {
      if ((cc >= lower(lo) && cc <= lower(hi)) || (c >= lo && c <= hi)) hit = true;
    } else if (c >= lo && c <= hi) hit = true;
  }
  if (j >= p.length) return undefined;
  return [hit !== negate, j + 1];
}

/** True when the whole of `name` matches the wildcard pattern `p`. */
export function globMatch(p: Buffer, name: Buffer, fold = false): boolean {
  let pi = 0;
  let ni = 0;
  let starP = -1;
  let starN = 0;
  while (ni < name.length) {
    if (pi < p.length) {
      const pc = p[pi]!;
      if (pc === STAR) {
        starP = pi++;
        starN = ni;
        continue;
      }
      if (pc === QUESTION) {
        pi++;
        ni++;
        continue;
      }
      if (pc === OPEN) {
        const r = bracket(p, pi, name[ni]!, fold);
        if (r !== undefined) {
          if (r[0]) {
            pi = r[1];
            ni++;
            continue;
          }
        } else if (name[ni] === OPEN) {
          pi++;
          ni++;
          continue;
        }
      } else {
        let lit = pc;
        let width = 1;
        if (pc === BACKSLASH && pi + 1 < p.length) {
          lit = p[pi + 1]!;
          width = 2;
        }
        const nc = name[ni]!;
        if (lit === nc || (fold && lower(lit) === lower(nc))) {
          pi += width;
          ni++;
          continue;
        }
      }
    }
    if (starP < 0) return false;
    pi = starP + 1;
    ni = ++starN;
  }
  while (pi < p.length && p[pi] === STAR) pi++;
  return pi === p.length;
}

function stripLeadingSlashes(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length && b[i] === SLASH) i++;
  return b.subarray(i);
}

/** True when `name` is selected by the pattern (see the file comment). */
export function patternMatches(pattern: PathPattern, name: Buffer, ignoreCase = false): boolean {
  const p = pattern.exact ? pattern.text : Buffer.concat([Buffer.of(STAR), pattern.text, Buffer.of(STAR)]);
  if (globMatch(p, name, ignoreCase)) return true;
  const bare = stripLeadingSlashes(name);
  if (bare.length !== name.length && globMatch(stripLeadingSlashes(p), bare, ignoreCase)) return true;
  return false;
}

/** True when any pattern selects the name (an empty list selects nothing). */
export function anyMatches(patterns: readonly PathPattern[], name: Buffer, ignoreCase = false): boolean {
  return patterns.some((p) => patternMatches(p, name, ignoreCase));
}
