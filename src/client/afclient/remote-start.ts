/**
 * afclient -X "prog args": ask the server to start a program from its
 * Program-Directory and wait for it (`!` `|` `X`, spec §1.8). The request goes
 * out with suppress-output 0, so the reply carries the program's exit status and
 * its captured stdout+stderr. The output is printed as received (with -n each
 * line gets a `<host>: ` prefix) and the run exits with the remote exit status.
 * A refusal by the server (for example '=' for a program outside the
 * Program-Directory) becomes the AfError of that status byte.
 */
import { argBytes } from '../arg-bytes.js';
import { AfError } from '../../errors.js';
import type { AfclientOptions } from './options.js';
import { goodbye, openSession, type Output } from './session.js';

/** The request's length field is one byte; afbackup allows at most 250 command bytes. */
export const MAX_COMMAND_BYTES = 250;

/** Puts `prefix` before every line of `output` (a last line without newline included). */
export function prefixLines(output: Buffer, prefix: string): Buffer {
  if (output.length === 0) return output;
  const parts: Buffer[] = [];
  const head = Buffer.from(prefix);
  let start = 0;
  while (start < output.length) {
    const nl = output.indexOf(0x0a, start);
    const end = nl < 0 ? output.length : nl + 1;
    parts.push(head, output.subarray(start, end));
    start = end;
  }
  if (output[output.length - 1] !== 0x0a) parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

export async function runRemoteStart(o: AfclientOptions, io: Output): Promise<number> {
  const command = argBytes(o.program ?? '');
  if (command.toString().trim().length === 0) throw new AfError('USAGE', '-X needs the program to start');
  if (command.length > MAX_COMMAND_BYTES) {
    throw new AfError('USAGE', `-X: the command is ${command.length} bytes, at most ${MAX_COMMAND_BYTES} are allowed`);
  }
  const { conn } = await openSession(o);
  let exit: number;
  try {
    const r = await conn.call({ name: 'CLIENTBACKUP', suppressOutput: false, command });
    if (r.kind !== 'clientBackup') throw new AfError('PROTOCOL_ERROR', 'unexpected reply to |');
    if (r.status !== 0) {
      const why = r.output.length > 0 ? `${command.toString()}: ${r.output.toString().trim()}` : command.toString();
      throw AfError.fromStatus(r.status, `remote start refused: ${why}`);
    }
    exit = r.exit;
    io.out(o.positions ? prefixLines(r.output, `${o.host}: `) : r.output);
  } catch (e) {
    await conn.close();
    throw e;
  }
  await goodbye(conn);
  return exit;
}

