/**
 * Rewriting a cartridge label while it is copied (spec §5.2, copy_tape): the
 * copy gets the target's number as its primary number, keeps the source's
 * secondary number (so a copy of a copy still stands in for the original), and
 * records where and when it was copied (`Copy from:` once, `Duplicating time:`
 * replaced on every copy). Pure: takes the first block of the label file and
 * returns a block of the same length; anything that is not a label is returned
 * unchanged.
 */

const MAGIC = "AF's backup system\n\nINFO HEADER";

export interface LabelRewrite {
  target: number;
  /** `<server>%<port>` of the source. */
  copyFrom: string;
  /** ctime-style time of the copy. */
  time: string;
}

function setField(text: string, key: string, value: string, after: string | null): string {
  const re = new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\t+[^\\n]*$`, 'm');
  const tabs = key.length + 1 >= 16 ? '\t' : key.length + 1 >= 8 ? '\t\t' : '\t\t\t';
  const line = `${key}:${tabs}${value}`;
  if (re.test(text)) return text.replace(re, line);
  if (after !== null) {
    const at = new RegExp(`^${after}:\\t+[^\\n]*\\n\\n?`, 'm').exec(text);
    if (at) {
      const end = at.index + at[0].length;
      return `${text.slice(0, end)}${line}\n\n${text.slice(end)}`;
    }
  }
  return `${text.replace(/\n*$/, '\n\n')}${line}\n`;
}

export function rewriteLabel(block: Buffer, r: LabelRewrite): Buffer {
  const nul = block.indexOf(0);
  const text = block.subarray(0, nul < 0 ? block.length : nul).toString('latin1');
  if (!text.includes(MAGIC)) return block;
  const primary = /^Cartridge number:\t+(\d+)/m.exec(text);
  if (!primary) return block;
  const secondary = /^2nd cartridge number:\t+(\d+)/m.exec(text);
  const keep = secondary ? secondary[1]! : primary[1]!;
  let t = text.replace(/^Cartridge number:\t+\d+/m, `Cartridge number:\t${r.target}`);
  t = setField(t, '2nd cartridge number', keep, 'Cartridge number');
  if (!/^Copy from:/m.test(t)) t = setField(t, 'Copy from', r.copyFrom, 'Labeling time');
  t = setField(t, 'Duplicating time', r.time, 'Copy from');
  const out = Buffer.alloc(block.length);
  Buffer.from(t, 'latin1').copy(out, 0, 0, Math.min(block.length, t.length));
  return out;
}
