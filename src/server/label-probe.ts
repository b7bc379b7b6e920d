/**
 * Reading the label on file 0 of a tape whose block size is not known: rewind and
 * read one block with each candidate size (the given ones first, then the usual
 * ones of spec §5.2) until a read succeeds. Shared by afserver and label_tape.
 */
import type { TapeDrive } from '../device/tape-drive.js';
import { isAfError } from '../errors.js';
import { labelSize, parseLabel, PROBE_BLOCK_SIZES, type Label } from './label.js';

/** What file 0 of a tape holds. */
export interface TapeLabelRead {
  /** The first block read, or null when the tape is blank (nothing before a filemark or end of data). */
  block: Buffer | null;
  /** The block as an afbackup label, or null when it is none. */
  label: Label | null;
}

/**
 * Reads the label on physical file 0 the way afserver does: rewind and read one
 * block with each candidate block size (the given ones first, then the usual
 * sizes) until a read succeeds. Leaves the tape rewound. The drive must be open.
 */
export async function readTapeLabel(drive: TapeDrive, firstSizes: readonly number[]): Promise<TapeLabelRead> {
  const tried = new Set<number>();
  let block: Buffer | null = null;
  for (const bs of [...firstSizes, ...PROBE_BLOCK_SIZES]) {
    if (tried.has(bs) || !(bs > 0)) continue;
    tried.add(bs);
    await drive.rewind();
    await drive.setBlockSize(bs);
    const buf = Buffer.alloc(Math.max(bs, labelSize(bs)));
    let r;
    try {
      r = await drive.readBlock(buf);
    } catch (e) {
      if (isAfError(e, 'BLOCK_TOO_SMALL')) continue;
      throw e;
    }
    if (r.kind === 'data' && r.bytes > 0) block = buf.subarray(0, r.bytes);
    break;
  }
  await drive.rewind();
  return { block, label: block ? parseLabel(block) : null };
}
