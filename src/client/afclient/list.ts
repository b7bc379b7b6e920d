/**
 * afclient -t: the entries of a stream, one line each (with -v the listing
 * lines of src/archive/listing.ts, else the bare names), optionally prefixed by
 * `cart.file: ` (-n). Damaged places are reported on stderr and skipped; the run
 * then ends with status 14.
 */
import type { Readable } from 'node:stream';
import { unpack } from '../../archive/unpacker.js';
import { listingLine } from '../../archive/listing.js';
import { escapeName } from '../escape.js';
import type { AfclientOptions } from './options.js';
import type { Output } from './session.js';
import { openSource } from './source.js';
import { Selection } from './select.js';

export async function runList(o: AfclientOptions, io: Output, stdin: Readable): Promise<number> {
  const sel = new Selection(o.names.length > 0 ? o.names.map((n) => Buffer.from(n)) : null);
  const source = await openSource(o, stdin);
  let problems = 0;
  try {
    for await (const ev of unpack(source.chunks())) {
      if (ev.type === 'end') break;
      if (ev.type === 'error') {
        io.err(ev.error.message);
        problems++;
        continue;
      }
      if (ev.type !== 'entry') continue;
      const e = ev.entry;
      if (e.kind === 'end' || e.kind === 'posixAcl') continue;
      if (e.kind === 'information') {
        if (o.verbose) io.out(listingLine(e));
        continue;
      }
      const name = e.kind === 'command' ? e.command : e.name;
      if (!sel.matches(name)) continue;
      const prefix = o.positions && source.position !== null ? Buffer.from(`${source.position}: `) : Buffer.alloc(0);
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
