/**
 * One idea: notification by mail through a Messages resource's Mail Command — the
 * afbackup Mail-Program mechanism: a command run by /bin/sh that gets the message on
 * standard input. Before the shell sees it, these patterns are replaced (each value
 * single-quoted for the shell):
 *   %r  the recipient address        %j  the job name      %c  the client
 *   %i  the job id                   %l  the level         %e  the status (ok, error, canceled)
 *   %s  a subject line ("afdirector: job fileserver-backup ok")
 *   %%  a single %
 * One mail per Mail / Mail On Error destination whose message types select the
 * event (ok = "terminate", error = "error", canceled = "warning"); Mail On Error
 * destinations only for errors.
 */
import type { MailDestination, MessagesResource, MessageType } from '../conf/model.js';
import { runChild } from './child.js';

export interface MailEvent {
  readonly id: number;
  readonly job: string;
  readonly client: string;
  readonly level: string;
  readonly status: 'ok' | 'error' | 'canceled';
  readonly body: string;
}

const TYPE_OF: Record<MailEvent['status'], MessageType> = { ok: 'terminate', error: 'error', canceled: 'warning' };

function quote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

export function expandMailCommand(template: string, e: MailEvent, recipient: string): string {
  const values: Record<string, string> = {
    r: recipient, j: e.job, c: e.client, i: String(e.id), l: e.level, e: e.status, s: mailSubject(e),
  };
  return template.replace(/%(.)/g, (m, k: string) => (k === '%' ? '%' : values[k] !== undefined ? quote(values[k]) : m));
}

export function mailSubject(e: MailEvent): string {
  return `afdirector: job ${e.job} (${e.id}) ${e.status}`;
}

export function selects(d: MailDestination, status: MailEvent['status']): boolean {
  if (d.onErrorOnly && status !== 'error') return false;
  const t = TYPE_OF[status];
  const inc = d.include.includes('all') || d.include.includes(t);
  return inc && !d.exclude.includes(t);
}

/** The recipients a job's end is mailed to. */
export function recipientsFor(m: MessagesResource, status: MailEvent['status']): string[] {
  return m.mail.filter((d) => selects(d, status)).map((d) => d.address);
}

/** Sends the mails; resolves with one problem text per mail command that failed. */
export async function sendMails(m: MessagesResource, e: MailEvent): Promise<string[]> {
  if (m.mailCommand === undefined) return [];
  const problems: string[] = [];
  for (const to of recipientsFor(m, e.status)) {
    const cmd = expandMailCommand(m.mailCommand, e, to);
    const text = `To: ${to}\nSubject: ${mailSubject(e)}\n\n${e.body}\n`;
    const r = await runChild(['/bin/sh', '-c', cmd], () => undefined, { stdin: text }).done;
    if (r.code !== 0) problems.push(`mail command for ${to} failed (${r.spawnError ?? (r.signal ?? `exit ${r.code}`)})`);
  }
  return problems;
}
