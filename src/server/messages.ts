/**
 * Server messages (MESSAGETEXT, `afclient -M`, spec §2): one message per line,
 * keywords matched case-insensitively by prefix, processing stops at the first
 * failure. Returns the status byte for the client.
 */
import type { VarDir } from '../state/var-dir.js';
import * as precious from '../state/precious-tapes.js';
import * as readonly from '../state/readonly-tapes.js';
import * as bytesOnTape from '../state/bytes-on-tape.js';
import * as cartridgeOrder from '../state/cartridge-order.js';
import * as tapepos from '../state/tapepos.js';
import { readRanges, type RangeList } from '../state/range-list.js';
import { toAfError, ERRORS } from '../errors.js';
import type { Logger } from '../log.js';

export interface MessageContext {
  varDir: VarDir;
  /** Deletes the cartridge-ready flag. */
  cartridgeReady(): void;
  log: Logger;
}

const UNRECOGNIZED = 0xf7;

/** Splits `<client-id> <rest>`; the id may be double-quoted. */
export function splitClientId(text: string): { id: string; rest: string } {
  const t = text.trim();
  if (t.startsWith('"')) {
    const end = t.indexOf('"', 1);
    if (end > 0) return { id: t.slice(1, end), rest: t.slice(end + 1).trim() };
  }
  const m = /^(\S+)\s*(.*)$/.exec(t);
  return m ? { id: m[1]!, rest: m[2]! } : { id: '', rest: '' };
}

function tapeList(text: string, log: Logger): RangeList | null {
  const word = text.trim().split(/\s+/)[0] ?? '';
  if (text.trim() !== word) log.warn({ garbage: text.trim().slice(word.length) }, 'ignoring text after the tape list');
  if (word === '') return [];
  const r = readRanges(word);
  return r.ok ? r.ranges : null;
}

/** Applies every line; the status of the first failing one, or 0. */
export async function applyMessages(text: Buffer, ctx: MessageContext): Promise<number> {
  const v = ctx.varDir;
  const lines = text.toString('latin1').split('\n').map((l) => l.replace(/\r$/, ''));
  for (const line of lines) {
    if (line.trim() === '') continue;
    const lower = line.toLowerCase();
    const arg = (kw: string) => line.slice(kw.length);
    try {
      if (lower.startsWith('precioustapes:')) {
        const { id, rest } = splitClientId(arg('precioustapes:'));
        const tapes = tapeList(rest, ctx.log);
        if (!id || tapes === null) return UNRECOGNIZED;
        await v.preciousTapes.update((m) => (tapes.length === 0 ? precious.deleteClient(m, id) : precious.setClient(m, id, tapes)));
      } else if (lower.startsWith('reusetapes:')) {
        const tapes = tapeList(arg('reusetapes:'), ctx.log);
        if (tapes === null) return UNRECOGNIZED;
        await v.preciousTapes.update((m) => precious.removeTapes(m, tapes));
        await v.cartridgeOrder.update((m) => cartridgeOrder.invalidateSuccessors(m, tapes));
        await v.bytesOnTape.update((m) => bytesOnTape.deleteTapes(m, tapes));
        await v.tapepos.update((m) => tapepos.resetSetsOnTapes(m, tapes));
      } else if (lower.startsWith('tapesreadonly:')) {
        const tapes = tapeList(arg('tapesreadonly:'), ctx.log);
        if (tapes === null) return UNRECOGNIZED;
        await v.readonlyTapes.update((m) => readonly.add(m, tapes));
      } else if (lower.startsWith('tapesreadwrite:')) {
        const tapes = tapeList(arg('tapesreadwrite:'), ctx.log);
        if (tapes === null) return UNRECOGNIZED;
        await v.readonlyTapes.update((m) => readonly.remove(m, tapes));
      } else if (lower.trim() === 'cartridgeready') {
        ctx.cartridgeReady();
      } else if (lower.startsWith('deleteclient:')) {
        const { id } = splitClientId(arg('deleteclient:'));
        await v.preciousTapes.update((m) => precious.deleteClient(m, id));
      } else {
        ctx.log.info({ message: line }, 'Got Message (unrecognized)');
        return UNRECOGNIZED;
      }
      ctx.log.info({ message: line }, 'server message applied');
    } catch (e) {
      const err = toAfError(e);
      ctx.log.error({ err: e, message: line }, 'server message failed');
      return err.status ?? ERRORS.FATAL_ERROR.status;
    }
  }
  return 0;
}
