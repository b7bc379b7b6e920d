/**
 * What is recorded on one virtual cartridge, in memory: its tape files, each a list of
 * block runs ("N blocks of S bytes") and whether a filemark ends it. Pure bookkeeping
 * (no I/O): where block b of file f starts, where the end of data is, and how the
 * record changes when a drive writes, writes filemarks or erases somewhere.
 *
 * Invariant: only the last file can lack its filemark (it is the one being written or
 * the one a writer left without a filemark), and such a last file has blocks.
 */
import type { IndexedFile } from './library-files.js';

export interface TapeFile extends IndexedFile {
  /** Number of blocks and of bytes (sums over runs). */
  blocks: number;
  bytes: number;
}

export class TapeImage {
  readonly files: TapeFile[];
  /** Bytes of all blocks on the cartridge. */
  used: number;

  constructor(indexed: readonly IndexedFile[] = []) {
    this.files = indexed.map((f) => summed({ runs: f.runs.slice(), filemark: f.filemark }));
    if (this.files.length > 0) {
      const last = this.files[this.files.length - 1];
      if (!last.filemark && last.blocks === 0) this.files.pop();
    }
    this.used = this.files.reduce((n, f) => n + f.bytes, 0);
  }

  /** Files a drive can position to: every file that starts at BOT or after a filemark. */
  get filemarks(): number {
    const n = this.files.length;
    return n > 0 && !this.files[n - 1].filemark ? n - 1 : n;
  }

  /** The end of recorded data: after the last block of an unfinished file, else at a new file. */
  eod(): { file: number; block: number } {
    const n = this.files.length;
    if (n > 0 && !this.files[n - 1].filemark) return { file: n - 1, block: this.files[n - 1].blocks };
    return { file: n, block: 0 };
  }

  /** Byte offset of block b within file f (b may be the file's block count). */
  offsetOf(f: number, b: number): number {
    const file = this.files[f];
    if (!file) return 0;
    let off = 0;
    let left = b;
    const r = file.runs;
    for (let i = 0; i < r.length && left > 0; i += 2) {
      const take = Math.min(left, r[i]);
      off += take * r[i + 1];
      left -= take;
    }
    return off;
  }

  /** Puts (f, b) inside the recorded data (nearest position at or before the end). */
  clamp(f: number, b: number): { file: number; block: number } {
    const eod = this.eod();
    if (f > eod.file || (f === eod.file && b > eod.block)) return eod;
    const file = this.files[f];
    return { file: f, block: file ? Math.min(b, file.blocks) : 0 };
  }

  /**
   * Makes (f, b) the end of the recorded data: file f keeps its first b blocks and
   * loses its filemark, later files go. Returns the number of files before the cut.
   */
  cut(f: number, b: number): number {
    const before = this.files.length;
    if (f >= before) return before;
    for (let k = f + 1; k < before; k++) this.used -= this.files[k].bytes;
    this.files.length = f + 1;
    const file = this.files[f];
    if (b < file.blocks) {
      const runs: number[] = [];
      let left = b;
      for (let i = 0; i < file.runs.length && left > 0; i += 2) {
        const take = Math.min(left, file.runs[i]);
        runs.push(take, file.runs[i + 1]);
        left -= take;
      }
      file.runs = runs;
      this.used -= file.bytes;
      summed(file);
      this.used += file.bytes;
    }
    file.filemark = false;
    if (file.blocks === 0) this.files.pop();
    return before;
  }

  /** Appends `count` blocks of `size` bytes to file f, which is the last file or a new one. */
  addBlocks(f: number, size: number, count: number): void {
    let file = this.files[f];
    if (!file) {
      file = { runs: [], filemark: false, blocks: 0, bytes: 0 };
      this.files.push(file);
    }
    const r = file.runs;
    const last = r.length - 2;
    if (last >= 0 && r[last + 1] === size) r[last] += count;
    else r.push(count, size);
    file.blocks += count;
    file.bytes += count * size;
    this.used += count * size;
  }

  /** Ends file f (the last or a new one) with a filemark. */
  endFile(f: number): void {
    const file = this.files[f];
    if (file) file.filemark = true;
    else this.files.push({ runs: [], filemark: true, blocks: 0, bytes: 0 });
  }

  /**
   * Shortens the last file, f, to the whole blocks within its first `bytes` bytes (for
   * a data file found shorter than its index says). Keeps its filemark, if any.
   */
  shortenTo(f: number, bytes: number): void {
    const file = this.files[f];
    if (!file || f !== this.files.length - 1 || file.bytes <= bytes) return;
    let blocks = 0;
    let off = 0;
    const r = file.runs;
    for (let i = 0; i < r.length; i += 2) {
      const fit = Math.min(r[i], Math.floor((bytes - off) / r[i + 1]));
      blocks += fit;
      off += fit * r[i + 1];
      if (fit < r[i]) break;
    }
    const hadMark = file.filemark;
    this.cut(f, blocks);
    if (hadMark) this.endFile(f);
  }
}

function summed(f: IndexedFile & Partial<TapeFile>): TapeFile {
  let blocks = 0;
  let bytes = 0;
  for (let i = 0; i < f.runs.length; i += 2) {
    blocks += f.runs[i];
    bytes += f.runs[i] * f.runs[i + 1];
  }
  f.blocks = blocks;
  f.bytes = bytes;
  return f as TapeFile;
}
