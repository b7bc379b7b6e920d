/**
 * One idea: `estimate job=NAME [listing]` — what a Full backup of the job would
 * save: number of entries, bytes of regular files and, with `listing`, the names.
 * For a local client (`Local Backup = yes`) the client's own selection is run over
 * this host's file system (estimate-local.ts). For a remote client the client is
 * asked through remote start: its Full Backup Command with `--estimate --json`
 * (estimate-remote.ts). "source" in the document says which.
 */
import { AfError, toAfError } from '../../../errors.js';
import { configFileOf, estimateLocal } from '../estimate-local.js';
import { estimateArgs, estimateCommand, parseRemoteEstimate } from '../estimate-remote.js';
import { humanBytes } from '../render.js';
import { stringArg, type CommandSpec } from './spec.js';

/** A file name for people and JSON: UTF-8 when it is, else with \xNN for the bytes that are not. */
export function showName(name: Buffer): string {
  const text = name.toString('utf8');
  if (!text.includes('\uFFFD')) return text;
  let out = '';
  for (const b of name) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
}

export const estimate: CommandSpec = {
  name: 'estimate',
  keywords: ['estimate'],
  acl: 'estimate',
  usage: 'estimate job=NAME [listing]',
  summary: 'what a Full backup of a job would save (local, or asked of the client)',
  values: ['job'],
  flags: ['listing'],
  required: ['job'],
  async run(ctx, args) {
    const name = stringArg(args, 'job')!;
    if (!ctx.access.allowsJob(name)) throw ctx.access.denied(`job=${name} is not allowed`);
    const job = ctx.config.jobs.get(name);
    if (!job) throw new AfError('NOT_FOUND', `job=${name}: no such Job in ${ctx.config.file}`);
    if (!ctx.access.allowsClient(job.client)) throw ctx.access.denied(`job=${name} belongs to a client this console may not use`);
    const client = ctx.config.clients.get(job.client);
    const listing = args.flags.has('listing');
    if (!client) throw new AfError('NOT_FOUND', `job=${name}: its client "${job.client}" is not in ${ctx.config.file}`);
    if (!client.localBackup) {
      const head = { job: name, client: job.client, level: 'Full', listing, source: 'remote' };
      const command = estimateCommand(client, job);
      const where = `"${job.client}" (${client.address}:${client.port})`;
      const configFile = configFileOf(job.backupOptions) ?? null;
      let est;
      try {
        est = parseRemoteEstimate(command, await ctx.world.afclient(estimateArgs(client, job)), where);
      } catch (e) {
        const err = toAfError(e);
        return {
          body: { supported: false, ...head, configFile, files: null, bytes: null, names: null, verbatim: null, warnings: [], reason: err.message },
          text: `Job "${name}": ${err.message}\n`,
          status: err.exitCode,
        };
      }
      const names = listing ? est.names.map(showName) : null;
      const body = { supported: true, ...head, configFile, files: est.files, bytes: est.bytes, names, verbatim: [], warnings: est.warnings, reason: null };
      let text = `Job "${name}" (client ${where}, asked: ${command}): a Full backup would save ${est.files} entries, ${est.bytes} bytes (${humanBytes(est.bytes)})\n`;
      if (names) text += names.map((n) => `${n}\n`).join('');
      for (const w of est.warnings) text += `client: ${w}\n`;
      return { body, text };
    }
    const head = { job: name, client: job.client, level: 'Full', listing, source: 'local' };
    let est;
    try {
      est = await estimateLocal(configFileOf(job.backupOptions), { listing });
    } catch (e) {
      const reason = toAfError(e).message;
      return {
        body: { supported: false, ...head, configFile: configFileOf(job.backupOptions) ?? null, files: null, bytes: null, names: null, verbatim: null, warnings: [], reason },
        text: `Job "${name}": ${reason}\n`,
        status: toAfError(e).exitCode,
      };
    }
    const names = est.names?.map(showName) ?? null;
    const body = { supported: true, ...head, configFile: est.configFile, files: est.files, bytes: est.bytes, names, verbatim: est.verbatim, warnings: est.warnings, reason: null };
    let text = `Job "${name}" (client "${job.client}", ${est.configFile ?? 'built-in defaults'}): a Full backup would save ${est.files} entries, ${est.bytes} bytes (${humanBytes(est.bytes)})\n`;
    for (const v of est.verbatim) text += `  also, as it is: ${v}\n`;
    if (names) text += names.map((n) => `${n}\n`).join('');
    for (const w of est.warnings) text += `warning: ${w}\n`;
    return { body, text };
  },
};
