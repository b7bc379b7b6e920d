/**
 * The afbackup tape label: the text block on physical file 0 of every cartridge
 * (spec §5.2). Pure: format a label for a cartridge and parse one read from tape.
 */

export const LABEL_MAGIC = "AF's backup system\n\nINFO HEADER";
export const PROGRAM_VERSION = '3.5.8';
export const AUTO_LABEL_COMMENT = '<labeled automatically>';

export interface Label {
  cartridge: number;
  /** The "2nd cartridge number" (the copy source); equals cartridge normally. */
  secondCartridge: number;
  labelingTime: string;
  blockSize: number | null;
  programVersion: string | null;
  comment: string | null;
  /** Fields added by copy_tape, kept as read. */
  copyFrom: string | null;
  duplicatingTime: string | null;
}

/** Size of the label record: the smallest multiple of the block size that holds 500 bytes. */
export function labelSize(blockSize: number): number {
  const bs = blockSize > 0 ? blockSize : 512;
  return Math.ceil(500 / bs) * bs;
}

/** The label record for a cartridge, NUL-padded to labelSize(blockSize). */
export function formatLabel(l: { cartridge: number; secondCartridge?: number; labelingTime: string; blockSize: number; comment?: string }): Buffer {
  const text =
    `\n${LABEL_MAGIC}\n\n` +
    `Cartridge number:\t${l.cartridge}\n\n` +
    `2nd cartridge number:\t${l.secondCartridge ?? l.cartridge}\n\n` +
    `Labeling time:\t\t${l.labelingTime}\n\n` +
    `Tape Blocksize:\t\t${l.blockSize}\n\n` +
    `Program version:\t${PROGRAM_VERSION}\n\n` +
    `Comment:\t\t${(l.comment ?? AUTO_LABEL_COMMENT).slice(0, 256)}\n`;
  const body = Buffer.from(text, 'latin1');
  const out = Buffer.alloc(Math.max(labelSize(l.blockSize), body.length + 1));
  body.copy(out);
  return out;
}

function field(text: string, name: string): string | null {
  const at = text.indexOf(`\n${name}:`);
  if (at < 0) return null;
  const start = at + name.length + 2;
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? undefined : end).replace(/^[\t ]+/, '').trimEnd();
}

/** Parses a label record; null when the block is not an afbackup label. */
export function parseLabel(block: Buffer): Label | null {
  const nul = block.indexOf(0);
  const text = block.subarray(0, nul < 0 ? block.length : nul).toString('latin1');
  if (!text.includes(LABEL_MAGIC)) return null;
  const cart = field(text, 'Cartridge number');
  if (cart === null || !/^\d+/.test(cart)) return null;
  const cartridge = parseInt(cart, 10);
  const second = field(text, '2nd cartridge number');
  const bs = field(text, 'Tape Blocksize');
  return {
    cartridge,
    secondCartridge: second && /^\d+/.test(second) ? parseInt(second, 10) : cartridge,
    labelingTime: field(text, 'Labeling time') ?? '',
    blockSize: bs && /^\d+/.test(bs) ? parseInt(bs, 10) : null,
    programVersion: field(text, 'Program version'),
    comment: field(text, 'Comment'),
    copyFrom: field(text, 'Copy from'),
    duplicatingTime: field(text, 'Duplicating time'),
  };
}

/** Block sizes tried when reading a label of unknown block size, after the configured and ever-used ones. */
export const PROBE_BLOCK_SIZES = [2048, 1024, 512, 32768, 65536, 10240, 8192, 131072];

/** A label as a JSON object for scripts (its text fields decoded from the bytes on tape as UTF-8). */
export function labelToJson(device: string, l: Label): Record<string, unknown> {
  const text = (s: string | null) => (s === null ? null : Buffer.from(s, 'latin1').toString('utf8'));
  return {
    device,
    cartridge: l.cartridge,
    secondCartridge: l.secondCartridge,
    labelingTime: text(l.labelingTime),
    blockSize: l.blockSize,
    programVersion: text(l.programVersion),
    comment: text(l.comment),
    copyFrom: text(l.copyFrom),
    duplicatingTime: text(l.duplicatingTime),
  };
}
