/**
 * The two ways a state file fails: its text is wrong (STATE_SYNTAX, naming the file,
 * the line number, what is wrong and the line itself) or the file system refused
 * (STATE_IO). Every state module builds its errors here so the wording is uniform.
 */
import { AfError } from '../errors.js';

/** Shows a line with control bytes made visible, so a TAB or CR in a message is not invisible. */
export function visibleLine(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\\') out += '\\\\';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/** `"<file>" line <n>: <what>, "<line>"` as a STATE_SYNTAX error. */
export function stateSyntax(file: string, line: number, what: string, text: string): AfError {
  return new AfError('STATE_SYNTAX', `"${file}" line ${line}: ${what}, "${visibleLine(text)}"`);
}

/** Wraps a failed file-system call on a state file into STATE_IO. */
export function stateIo(action: string, file: string, err: unknown): AfError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = code ?? (err instanceof Error ? err.message : String(err));
  return new AfError('STATE_IO', `cannot ${action} "${file}": ${reason}`, { cause: err });
}

/** True when a Node file-system error means "no such file". */
export function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
