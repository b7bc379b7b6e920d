/**
 * Parser for the golden wire transcripts (`.hex` files of the vectors): chunk lines
 * `> hex` (client->server) and `< hex` (server->client), item annotations
 * `# > @n ...` / `# < @n ...`, and other `#` comments. Pure: takes the file text.
 */
import { AfError } from '../errors.js';
import { join as joinBytes } from './bytes.js';

export type Direction = '>' | '<';

export interface TranscriptChunk {
  dir: Direction;
  bytes: Buffer;
}

/** One `# > @n text` annotation: a protocol item starting at byte n of its direction's stream. */
export interface TranscriptItem {
  dir: Direction;
  offset: number;
  /** The annotation after the offset, without the repetition suffix. */
  text: string;
  /** Number of identical consecutive items this line stands for (the `[xK ...]` suffix); 1 without it. */
  count: number;
  /** Size in bytes of each repeated item (from the suffix); null without it. */
  size: number | null;
}

export interface Transcript {
  /** The leading comment lines (before the first chunk or item), without their "# " prefix. */
  header: string[];
  /** All client->server chunks concatenated. */
  c2s: Buffer;
  /** All server->client chunks concatenated. */
  s2c: Buffer;
  chunks: TranscriptChunk[];
  items: TranscriptItem[];
  /** Every other comment line after the header (continuations, EOF notes), without "# ". */
  comments: string[];
}

const CHUNK = /^([<>]) ([0-9a-fA-F]*)$/;
const ITEM = /^# ([<>]) @(\d+) (.*?)(?:\s+\[x(\d+) consecutive identical items, each (\d+) bytes\])?$/;

function bad(lineNo: number, detail: string): never {
  throw new AfError('PROTOCOL_ERROR', `transcript line ${lineNo}: ${detail}`);
}

export function parseTranscript(text: string): Transcript {
  const header: string[] = [];
  const chunks: TranscriptChunk[] = [];
  const items: TranscriptItem[] = [];
  const comments: string[] = [];
  let inHeader = true;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const lineNo = i + 1;
    if (line === '') return;
    const chunk = CHUNK.exec(line);
    if (chunk) {
      inHeader = false;
      const hex = chunk[2]!;
      if (hex.length % 2 !== 0) bad(lineNo, 'odd number of hex digits');
      chunks.push({ dir: chunk[1] as Direction, bytes: Buffer.from(hex, 'hex') });
      return;
    }
    if (!line.startsWith('#')) bad(lineNo, 'neither a chunk nor a comment');
    const item = ITEM.exec(line);
    if (item) {
      inHeader = false;
      items.push({
        dir: item[1] as Direction,
        offset: Number(item[2]),
        text: item[3]!,
        count: item[4] === undefined ? 1 : Number(item[4]),
        size: item[5] === undefined ? null : Number(item[5]),
      });
      return;
    }
    const body = line.replace(/^# ?/, '');
    (inHeader ? header : comments).push(body);
  });
  const join = (dir: Direction): Buffer => joinBytes(chunks.filter((c) => c.dir === dir).map((c) => c.bytes));
  return { header, c2s: join('>'), s2c: join('<'), chunks, items, comments };
}

/** The items with every `[xK ...]` repetition expanded into K items of count 1 at their own offsets. */
export function expandItems(items: readonly TranscriptItem[]): TranscriptItem[] {
  const out: TranscriptItem[] = [];
  for (const it of items) {
    if (it.count === 1 || it.size === null) {
      out.push(it);
      continue;
    }
    for (let k = 0; k < it.count; k++) out.push({ ...it, offset: it.offset + k * it.size, count: 1, size: it.size });
  }
  return out;
}
