/**
 * One idea: the director-wide message file `<vardir>/messages` — written by the
 * director (append), read by `afconsole messages` — and each console's read
 * position in `<vardir>/console/<console>.msgpos`.
 *
 * One message per line, six fields separated by one TAB:
 *
 *   <time>  <type>  <jobid>  <job>  <client>  <text>
 *
 *   time    ISO 8601 with offset, to the second (2026-03-01T23:05:02+01:00)
 *   type    a Messages type: fatal error warning info terminate skipped saved
 *           notsaved restored mount security alert audit
 *   jobid   the job's history id, or "-" for a director-wide message
 *   job     the Job name, or "-"
 *   client  the Client name, or "-"
 *   text    the message; backslash, TAB and line ends written as \\ \t \n \r
 *
 * Lines are appended with one write each (O_APPEND), so lines of concurrent
 * writers never mix. A line that does not have six fields is shown as it is, with
 * type "unknown". The position file holds `<byte offset> <inode>`; when the message
 * file was replaced (other inode) or truncated (shorter than the offset), reading
 * starts again at its beginning.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeAtomic } from '../../state/atomic-write.js';
import { isMissing, stateIo } from '../../state/state-errors.js';

export interface DirectorMessage {
  readonly time: string;
  readonly type: string;
  readonly jobid: number | null;
  readonly job: string | null;
  readonly client: string | null;
  readonly text: string;
}

export function messagesPath(varDirectory: string): string {
  return path.join(varDirectory, 'messages');
}

export function positionPath(varDirectory: string, consoleName: string): string {
  return path.join(varDirectory, 'console', `${encodeURIComponent(consoleName)}.msgpos`);
}

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

function unesc(s: string): string {
  return s.replace(/\\([\\tnr])/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}

/** The name fields must not hold a TAB or a line end; "-" means none. */
function field(v: string | number | null): string {
  if (v === null) return '-';
  const s = String(v);
  if (s === '' || /[\t\n\r]/.test(s)) throw new TypeError(`message field ${JSON.stringify(s)} cannot be written`);
  return s;
}

export function formatMessage(m: DirectorMessage): string {
  return `${field(m.time)}\t${field(m.type)}\t${field(m.jobid)}\t${field(m.job)}\t${field(m.client)}\t${esc(m.text)}\n`;
}

export function parseMessageLine(line: string): DirectorMessage {
  const f = line.split('\t');
  if (f.length < 6 || (f[2] !== '-' && !/^\d+$/.test(f[2]!))) return { time: '', type: 'unknown', jobid: null, job: null, client: null, text: line };
  const opt = (s: string): string | null => (s === '-' ? null : s);
  return { time: f[0]!, type: f[1]!, jobid: f[2] === '-' ? null : Number(f[2]), job: opt(f[3]!), client: opt(f[4]!), text: unesc(f.slice(5).join('\t')) };
}

/** Appends one message (for the director). */
export async function appendMessage(varDirectory: string, m: DirectorMessage): Promise<void> {
  const file = messagesPath(varDirectory);
  try {
    await fs.promises.appendFile(file, formatMessage(m), { mode: 0o640 });
  } catch (err) {
    throw stateIo('append to', file, err);
  }
}

interface Position {
  readonly offset: number;
  readonly inode: number;
}

async function readPosition(varDirectory: string, consoleName: string): Promise<Position> {
  try {
    const text = await fs.promises.readFile(positionPath(varDirectory, consoleName), 'utf8');
    const m = /^(\d+) (\d+)\s*$/.exec(text);
    return m ? { offset: Number(m[1]), inode: Number(m[2]) } : { offset: 0, inode: 0 };
  } catch (err) {
    if (isMissing(err)) return { offset: 0, inode: 0 };
    throw stateIo('read', positionPath(varDirectory, consoleName), err);
  }
}

/**
 * The messages after this console's position; with `markRead` the position moves to
 * the end of the last whole line read. `all` reads from the beginning.
 */
export async function readNewMessages(varDirectory: string, consoleName: string, opts: { markRead: boolean; all?: boolean }): Promise<DirectorMessage[]> {
  const file = messagesPath(varDirectory);
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(file, 'r');
  } catch (err) {
    if (isMissing(err)) return [];
    throw stateIo('read', file, err);
  }
  let data: Buffer;
  let inode: number;
  let start: number;
  try {
    const st = await fh.stat();
    inode = st.ino;
    const pos = opts.all ? { offset: 0, inode } : await readPosition(varDirectory, consoleName);
    start = pos.inode === inode && pos.offset <= st.size ? pos.offset : 0;
    const buf = Buffer.alloc(st.size - start);
    const { bytesRead } = await fh.read(buf, 0, buf.length, start);
    data = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const end = data.lastIndexOf(0x0a) + 1; // a line still being written waits for the next look
  const lines = data.subarray(0, end).toString('utf8').split('\n').filter((l) => l !== '');
  if (opts.markRead) {
    const dir = path.dirname(positionPath(varDirectory, consoleName));
    await fs.promises.mkdir(dir, { recursive: true, mode: 0o750 }).catch((err: unknown) => {
      throw stateIo('create the directory', dir, err);
    });
    await writeAtomic(positionPath(varDirectory, consoleName), `${start + end} ${inode}\n`, { mode: 0o640 });
  }
  return lines.map(parseMessageLine);
}
