/**
 * Which archive entries a -t/-x run wants: all of them (-a, or -t without
 * names), or those named (exactly, or lying below a named directory). A name
 * matches with or without its leading slashes. Remembers which names were found.
 */
const SLASH = 0x2f;

function stripLeading(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length && b[i] === SLASH) i++;
  return b.subarray(i);
}

function trimTrailing(b: Buffer): Buffer {
  let e = b.length;
  while (e > 1 && b[e - 1] === SLASH) e--;
  return b.subarray(0, e);
}

export class Selection {
  private readonly wanted: { name: Buffer; found: boolean }[];

  constructor(names: Buffer[] | null) {
    this.wanted = (names ?? []).map((n) => ({ name: stripLeading(trimTrailing(n)), found: false }));
    this.all = names === null;
  }

  readonly all: boolean;

  matches(name: Buffer): boolean {
    if (this.all) return true;
    const n = stripLeading(name);
    let hit = false;
    for (const w of this.wanted) {
      if (n.equals(w.name) || (n.length > w.name.length && n[w.name.length] === SLASH && n.subarray(0, w.name.length).equals(w.name))) {
        w.found = true;
        hit = true;
      }
    }
    return hit;
  }

  missing(): Buffer[] {
    return this.wanted.filter((w) => !w.found).map((w) => w.name);
  }
}
