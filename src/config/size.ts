/**
 * Byte sizes written with an optional binary suffix: `512`, `64K`, `10 GiB`, `1.5T`.
 *
 * K, M, G and T multiply by powers of 1024; a trailing `B` or `iB` is accepted and
 * means the same; case does not matter. Fractions are allowed and the result is
 * rounded down to whole bytes. Used by our own virtual-library keys.
 */
import { AfError } from '../errors.js';

const FACTORS: Record<string, number> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

/** Parses a size; throws CONFIG_SYNTAX naming the text when it is not one. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) throw new AfError('CONFIG_SYNTAX', `bad size "${text.trim()}" (expected a number with an optional K, M, G or T)`);
  const bytes = Math.floor(Number(m[1]) * FACTORS[m[2]!.toLowerCase()]!);
  if (!Number.isSafeInteger(bytes)) throw new AfError('CONFIG_SYNTAX', `size "${text.trim()}" is too large`);
  return bytes;
}
