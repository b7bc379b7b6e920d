/**
 * afclient -t: the entries of a stream, one line each (with -v the listing
 * lines of src/archive/listing.ts, else the bare names), optionally prefixed by
 * `cart.file: ` (-n). Damaged places are reported on stderr and skipped; the run
 * then ends with status 14.
 */
import { argBytes } from '../arg-bytes.js';
import type { Readable } from 'node:stream';
import { unpack } from '../../archive/unpacker.js';
import { listingLine } from '../../archive/listing.js';
import { escapeName } from '../escape.js';
import type { AfclientOptions } from './options.js';
import type { Output } from './session.js';
import { applyBackspaces, namePrefix, openSource } from './source.js';
import { Selection } from './select.js';

export async function runList(o: AfclientOptions, io: Output, stdin: Readable): Promise<number> {
  const sel = new Selection(o.names.length > 0 ? o.names.map(argBytes) : null);
  const source = await openSource(o, stdin);
  let problems = 0;
  try {
    const opts = { skipLeadingGarbage: o.skipGarbage, onRecordStart: (off: number) => source.recordStart(off) };
    for await (const ev of unpack(source.chunks(), opts)) {
      if (ev.type === 'end') break;
      if (ev.type === 'error') {
        io.err(ev.error.message);
        problems++;
        continue;
      }
      if (ev.type !== 'entry') continue;
      await source.settle();
      const e = ev.entry;
      if (e.kind === 'end' || e.kind === 'posixAcl') continue;
      if (e.kind === 'information') {
        if (o.verbose) {
          const prefix = Buffer.from(namePrefix(o, source, null, null), 'latin1');
          io.out(prefix.length > 0 ? Buffer.concat([prefix, applyBackspaces(e.text)]) : listingLine(e));
        }
        continue;
      }
      const name = e.kind === 'command' ? e.command : e.name;
      if (!sel.matches(name)) continue;
      const prefix = Buffer.from(namePrefix(o, source, 'uid' in e ? e.uid : null, 'mtime' in e ? e.mtime : null), 'latin1');
      io.out(Buffer.concat([prefix, o.verbose ? listingLine(e) : Buffer.concat([name, Buffer.from('\n')])]));
    }
  } catch (e) {
    await source.abort();
    throw e;
  }
  await source.close();
  for (const m of sel.missing()) {
    io.err(`${escapeName(m).toString('latin1')}: not found in the archive`);
  }
  if (problems > 0) return 14;
  return sel.missing().length > 0 ? 5 : 0;
}
