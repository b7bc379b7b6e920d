/**
 * The path patterns of afrestore: shell wildcards (`*`, `?`, `[...]`, `[!...]`,
 * backslash quoting) matched against the whole name, byte by byte. `*` also
 * matches `/`, as in afbackup. Without -p a pattern is a substring: it is matched
 * as `*<pattern>*`. With -i letters A-Z/a-z match either case. A name matches
 * with or without its leading slashes, so "-p srv/data/*" and "-p /srv/data/*"
 * both select "/srv/data/x". Names and patterns are bytes (Latin-1 survives).
 */

import { globMatch as matchBytes } from '../byte-glob.js';

export interface PathPattern {
  readonly text: Buffer;
  /** True for -p: the pattern must match the whole name. */
  readonly exact: boolean;
}

const STAR = 0x2a;
const SLASH = 0x2f;

/** True when the whole of `name` matches the wildcard pattern `p` (`*` crosses `/`). */
export function globMatch(p: Buffer, name: Buffer, fold = false): boolean {
  return matchBytes(p, name, { fold });
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
