/**
 * Which file system type a device number belongs to, for FilesystemTypes rules.
 *
 * The table comes from /proc/self/mountinfo (major:minor and type of every mount);
 * lstat's `dev` is split into major and minor the way glibc does. Without that file
 * (not Linux) every lookup answers undefined, and the rules then never apply.
 */
import fs from 'node:fs';

export type FsTypeOf = (dev: number) => string | undefined;

/** The major and minor numbers of a Linux dev_t. */
export function splitDev(dev: number): { major: number; minor: number } {
  const big = BigInt(dev);
  const major = Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn));
  const minor = Number((big & 0xffn) | ((big >> 12n) & ~0xffn));
  return { major, minor };
}

/** Parses mountinfo text into a map `major:minor` → type (the first mount of a device wins). */
export function parseMountinfo(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (dash < 0 || fields.length < dash + 2) continue;
    const devField = fields[2];
    const type = fields[dash + 1];
    if (!devField || !type || out.has(devField)) continue;
    out.set(devField, type);
  }
  return out;
}

/** A lookup over the mounts of this process; read once. */
export function mountTypeLookup(mountinfo = '/proc/self/mountinfo'): FsTypeOf {
  let table: Map<string, string>;
  try {
    table = parseMountinfo(fs.readFileSync(mountinfo, 'utf8'));
  } catch {
    table = new Map();
  }
  return (dev) => {
    const { major, minor } = splitDev(dev);
    return table.get(`${major}:${minor}`);
  };
}
