/**
 * One idea: check the generic tree of a director configuration against what each
 * resource may say, and build the typed DirectorConfig from it — unknown resources
 * and keys, repeated keys, bad values, duplicate names and references to resources
 * that do not exist are all CONFIG_SYNTAX errors naming file, line and the word.
 */
import { parseSize } from '../../config/size.js';
import { AfError, isAfError } from '../../errors.js';
import { parseRun, type Level } from '../schedule/run-grammar.js';
import { confError, type SourcePos } from './lexer.js';
import { normalizeKey, parseConfFile, type ConfBlock, type ConfDirective, type ConfItem, type ParseOptions } from './parser.js';
import {
  MESSAGE_TYPES,
  type CatchUp, type ClientResource, type ConsoleResource, type DirectorConfig, type DirectorResource, type JobCommand,
  type JobResource, type MailDestination, type MessageSelection, type MessageType, type MessagesResource,
  type ScheduleResource, type ScheduleRun, type TapeServerResource,
} from './model.js';
import { readDuration, readInt, readList, readYesNo, type Read } from './values.js';

const DEFAULT_PORT = 2988;

/**
 * The directives of one block, checked against the keys it may hold. Keys are given
 * in their display spelling; `repeat` lists those that may appear more than once.
 */
class Directives {
  private readonly byKey = new Map<string, ConfDirective[]>();
  readonly blocks: ConfBlock[] = [];
  private readonly display = new Map<string, string>();

  constructor(readonly block: ConfBlock, keys: readonly string[], repeat: readonly string[] = [], blockTypes: readonly string[] = []) {
    for (const k of [...keys, ...repeat]) this.display.set(normalizeKey(k), k);
    const repeatable = new Set(repeat.map(normalizeKey));
    const allowedBlocks = new Set(blockTypes.map(normalizeKey));
    for (const item of block.items) {
      if (item.kind === 'block') {
        if (!allowedBlocks.has(item.key)) throw confError(item.pos, `unknown block "${item.name}" in ${block.name}`, item.name);
        this.blocks.push(item);
        continue;
      }
      if (!this.display.has(item.key)) throw confError(item.pos, `unknown key "${item.name}" in ${block.name}`, item.name);
      const list = this.byKey.get(item.key) ?? [];
      if (list.length > 0 && !repeatable.has(item.key)) {
        throw confError(item.pos, `"${item.name}" is given twice in ${block.name} (first on line ${list[0]!.pos.line})`, item.name);
      }
      list.push(item);
      this.byKey.set(item.key, list);
    }
  }

  all(key: string): ConfDirective[] {
    return this.byKey.get(normalizeKey(key)) ?? [];
  }

  one(key: string): ConfDirective | undefined {
    return this.all(key)[0];
  }

  /** The directive, or an error at the block's line when it is missing. */
  need(key: string): ConfDirective {
    const d = this.one(key);
    if (!d) throw confError(this.block.pos, `${this.block.name} needs "${key} ="`, this.block.name);
    return d;
  }

  /** Converts an optional directive's value; errors name the value. */
  get<T>(key: string, read: (text: string) => Read<T>): T | undefined {
    const d = this.one(key);
    return d ? convert(d, read) : undefined;
  }

  str(key: string): string | undefined {
    return this.one(key)?.value.text;
  }
}

function convert<T>(d: ConfDirective, read: (text: string) => Read<T>): T {
  const r = read(d.value.text);
  if (!r.ok) throw confError(d.pos, `"${d.name}": ${r.why}`, d.value.text);
  return r.value;
}

const nonEmpty = (t: string): Read<string> => (t.trim() === '' ? { ok: false, why: 'must not be empty' } : { ok: true, value: t });
const duration = readDuration;
const yesNo = readYesNo;
const count = (min: number, max?: number) => (t: string): Read<number> => readInt(t, min, max);
const port = count(1, 65535);
const cartSet = count(1);
const size = (t: string): Read<number> => {
  try {
    return { ok: true, value: parseSize(t) };
  } catch (err) {
    if (isAfError(err, 'CONFIG_SYNTAX')) return { ok: false, why: 'not a size such as "10 MiB"' };
    throw err;
  }
};
const LEVEL_WORDS: Record<string, Level> = { full: 'Full', incremental: 'Incremental', differential: 'Differential' };
const level = (t: string): Read<Level> => {
  const l = LEVEL_WORDS[t.trim().toLowerCase()];
  return l ? { ok: true, value: l } : { ok: false, why: 'expected Full, Incremental or Differential' };
};
const url = (t: string): Read<string> => (/^https?:\/\/\S+$/i.test(t.trim()) ? { ok: true, value: t.trim() } : { ok: false, why: 'expected an http:// or https:// URL' });

const catchUp = (t: string): Read<CatchUp> => {
  const v = t.trim().toLowerCase();
  return v === 'none' || v === 'latest' ? { ok: true, value: v } : { ok: false, why: 'expected None or Latest' };
};
const positiveDuration = (t: string): Read<number> => {
  const r = duration(t);
  return r.ok && r.value < 1 ? { ok: false, why: 'must be at least one second' } : r;
};
/** `{ field: v }` when v is given, else nothing (so unset keys stay absent from the model). */
const optional = <K extends string, T>(field: K, v: T | undefined): { [P in K]?: T } =>
  (v === undefined ? {} : { [field]: v }) as { [P in K]?: T };

/** `Name =` of a resource: required, non-empty, no blanks at the ends. */
function nameOf(d: Directives): { name: string; pos: SourcePos } {
  const dir = d.need('Name');
  return { name: convert(dir, nonEmpty), pos: dir.pos };
}

function enabledOf(d: Directives): boolean {
  return d.get('Enabled', yesNo) ?? true;
}

function buildDirector(b: ConfBlock): DirectorResource {
  const d = new Directives(b, ['Name', 'Var Directory', 'Maximum Concurrent Jobs', 'Webhook URL', 'Messages', 'Time Zone', 'Max Job Log Size', 'Description',
    'Catch Up', 'Tick Interval', 'Shutdown Grace Period', 'Last Full Read Only']);
  const { name } = nameOf(d);
  const webhookUrl = d.get('Webhook URL', url);
  const messages = d.str('Messages');
  const timeZone = d.get('Time Zone', (t) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: t });
      return { ok: true, value: t };
    } catch {
      return { ok: false, why: 'not a known IANA time zone' };
    }
  });
  return {
    name,
    varDirectory: convert(d.need('Var Directory'), nonEmpty),
    maxConcurrentJobs: d.get('Maximum Concurrent Jobs', count(1)) ?? 1,
    ...(webhookUrl !== undefined ? { webhookUrl } : {}),
    ...(messages !== undefined ? { messages } : {}),
    ...(timeZone !== undefined ? { timeZone } : {}),
    maxJobLogSize: d.get('Max Job Log Size', size) ?? 10 * 1024 * 1024,
    ...optional('catchUp', d.get('Catch Up', catchUp)),
    ...optional('tickIntervalSec', d.get('Tick Interval', positiveDuration)),
    ...optional('shutdownGraceSec', d.get('Shutdown Grace Period', duration)),
    ...optional('lastFullReadOnly', d.get('Last Full Read Only', yesNo)),
    at: b.pos,
  };
}

function buildClient(b: ConfBlock): ClientResource {
  const d = new Directives(b, ['Name', 'Address', 'Port', 'Key File', 'Full Backup Command', 'Incremental Backup Command', 'Enabled', 'Description', 'Local Backup']);
  const { name } = nameOf(d);
  const keyFile = d.str('Key File');
  return {
    name,
    address: convert(d.need('Address'), nonEmpty),
    port: d.get('Port', port) ?? DEFAULT_PORT,
    ...(keyFile !== undefined ? { keyFile } : {}),
    fullBackupCommand: d.get('Full Backup Command', nonEmpty) ?? 'full_backup',
    incrementalBackupCommand: d.get('Incremental Backup Command', nonEmpty) ?? 'incr_backup',
    ...optional('localBackup', d.get('Local Backup', yesNo)),
    enabled: enabledOf(d),
    at: b.pos,
  };
}

function buildSchedule(b: ConfBlock): ScheduleResource {
  const d = new Directives(b, ['Name', 'Enabled', 'Description'], ['Run']);
  const { name } = nameOf(d);
  const runs: ScheduleRun[] = d.all('Run').map((r) => {
    try {
      return { spec: parseRun(r.value.text), at: r.pos };
    } catch (err) {
      if (!isAfError(err, 'CONFIG_SYNTAX')) throw err;
      // parseRun counts columns within the value; report the column in the file line instead
      const shift = r.value.pos.col - 1 + (r.value.quoted ? 1 : 0);
      const what = (err.detail ?? err.message)
        .replace(/^Run "[^"]*": /, '')
        .replace(/ at column (\d+)$/, (_m, c: string) => ` at column ${Number(c) + shift}`);
      // parseRun names the offending word (with its column) when there is one; otherwise the whole line is at fault
      const word = (/ at column \d+$/.test(what) ? /"([^"]+)"/.exec(what)?.[1] : undefined) ?? r.value.text;
      throw confError(r.pos, `Run: ${what}`, word);
    }
  });
  return { name, runs, enabled: enabledOf(d), at: b.pos };
}

function buildRunScript(b: ConfBlock): JobCommand {
  const d = new Directives(b, ['Command', 'Runs When', 'Runs On Client', 'Runs On Success', 'Runs On Failure', 'Fail Job On Error']);
  const when = d.get('Runs When', (t): Read<'before' | 'after'> => {
    const v = t.trim().toLowerCase();
    return v === 'before' || v === 'after' ? { ok: true, value: v } : { ok: false, why: 'expected Before or After' };
  }) ?? 'before';
  return {
    command: convert(d.need('Command'), nonEmpty),
    when,
    onClient: d.get('Runs On Client', yesNo) ?? true,
    onSuccess: d.get('Runs On Success', yesNo) ?? true,
    onFailure: d.get('Runs On Failure', yesNo) ?? false,
    failJobOnError: d.get('Fail Job On Error', yesNo) ?? true,
  };
}

interface Ref {
  readonly kind: 'Client' | 'Schedule' | 'TapeServer' | 'Messages';
  readonly name: string;
  readonly directive: ConfDirective;
}

const JOB_COMMAND_KEYS: Record<string, Omit<JobCommand, 'command'>> = {
  runbeforejob: { when: 'before', onClient: false, onSuccess: true, onFailure: false, failJobOnError: true },
  runafterjob: { when: 'after', onClient: false, onSuccess: true, onFailure: false, failJobOnError: true },
  runafterfailedjob: { when: 'after', onClient: false, onSuccess: false, onFailure: true, failJobOnError: true },
  clientrunbeforejob: { when: 'before', onClient: true, onSuccess: true, onFailure: false, failJobOnError: true },
  clientrunafterjob: { when: 'after', onClient: true, onSuccess: true, onFailure: false, failJobOnError: true },
};

function buildJob(b: ConfBlock, refs: Ref[]): JobResource {
  const d = new Directives(
    b,
    ['Name', 'Client', 'Schedule', 'Level', 'Cartridge Set', 'Full Cartridge Set', 'Incremental Cartridge Set',
      'Differential Cartridge Set', 'Max Start Delay', 'Max Run Time', 'Reschedule On Error', 'Reschedule Interval',
      'Reschedule Times', 'Allow Duplicate Jobs', 'Priority', 'Due After', 'Not More Often Than', 'Max Full Interval',
      'Tape Server', 'Messages', 'Enabled', 'Description', 'Catch Up', 'Backup Options', 'Retention'],
    ['File Selection', 'Run Before Job', 'Run After Job', 'Run After Failed Job', 'Client Run Before Job', 'Client Run After Job'],
    ['Run Script'],
  );
  const { name } = nameOf(d);
  const ref = (kind: Ref['kind'], key: string): string | undefined => {
    const dir = d.one(key);
    if (!dir) return undefined;
    const target = convert(dir, nonEmpty);
    refs.push({ kind, name: target, directive: dir });
    return target;
  };
  const client = ref('Client', 'Client');
  if (client === undefined) d.need('Client');
  const schedule = ref('Schedule', 'Schedule');
  const tapeServer = ref('TapeServer', 'Tape Server');
  const messages = ref('Messages', 'Messages');

  const commands: JobCommand[] = [];
  for (const item of b.items) {
    if (item.kind === 'block') {
      commands.push(buildRunScript(item));
    } else {
      const shape = JOB_COMMAND_KEYS[item.key];
      if (shape) commands.push({ command: convert(item, nonEmpty), ...shape });
    }
  }

  const opt = <K extends string, T>(field: K, v: T | undefined): { [P in K]?: T } =>
    (v === undefined ? {} : { [field]: v }) as { [P in K]?: T };

  return {
    name,
    client: client!,
    ...opt('schedule', schedule),
    level: d.get('Level', level) ?? 'Incremental',
    ...opt('cartridgeSet', d.get('Cartridge Set', cartSet)),
    ...opt('fullCartridgeSet', d.get('Full Cartridge Set', cartSet)),
    ...opt('incrementalCartridgeSet', d.get('Incremental Cartridge Set', cartSet)),
    ...opt('differentialCartridgeSet', d.get('Differential Cartridge Set', cartSet)),
    commands,
    ...opt('maxStartDelaySec', d.get('Max Start Delay', duration)),
    ...opt('maxRunTimeSec', d.get('Max Run Time', duration)),
    rescheduleOnError: d.get('Reschedule On Error', yesNo) ?? false,
    rescheduleIntervalSec: d.get('Reschedule Interval', duration) ?? 1800,
    rescheduleTimes: d.get('Reschedule Times', count(0)) ?? 3,
    allowDuplicateJobs: d.get('Allow Duplicate Jobs', yesNo) ?? false,
    priority: d.get('Priority', count(1, 1000)) ?? 10,
    ...opt('dueAfterSec', d.get('Due After', duration)),
    ...opt('notMoreOftenThanSec', d.get('Not More Often Than', duration)),
    ...opt('maxFullIntervalSec', d.get('Max Full Interval', duration)),
    ...opt('tapeServer', tapeServer),
    ...opt('messages', messages),
    ...opt('catchUp', d.get('Catch Up', catchUp)),
    ...opt('fileSelection', d.all('File Selection').length > 0 ? d.all('File Selection').map((x) => convert(x, nonEmpty)) : undefined),
    ...opt('backupOptions', d.get('Backup Options', nonEmpty)),
    ...opt('retentionSec', d.get('Retention', duration)),
    enabled: enabledOf(d),
    at: b.pos,
  };
}

function buildTapeServer(b: ConfBlock): TapeServerResource {
  const d = new Directives(b, ['Name', 'Address', 'Port', 'Maximum Concurrent Jobs', 'Key File', 'Server Config', 'Description']);
  const { name } = nameOf(d);
  const keyFile = d.get('Key File', nonEmpty);
  const serverConfig = d.get('Server Config', nonEmpty);
  return {
    name,
    address: convert(d.need('Address'), nonEmpty),
    port: d.get('Port', port) ?? DEFAULT_PORT,
    maxConcurrentJobs: d.get('Maximum Concurrent Jobs', count(1)) ?? 1,
    ...(keyFile !== undefined ? { keyFile } : {}),
    ...(serverConfig !== undefined ? { serverConfig } : {}),
    at: b.pos,
  };
}

const TYPES = new Set<string>(MESSAGE_TYPES);

function selection(t: string): Read<MessageSelection> {
  const list = readList(t);
  if (!list.ok) return list;
  const include: MessageType[] = [];
  const exclude: MessageType[] = [];
  for (const raw of list.value) {
    const neg = raw.startsWith('!');
    const w = (neg ? raw.slice(1) : raw).trim().toLowerCase();
    if (!TYPES.has(w)) return { ok: false, why: `unknown message type "${raw}" (known: ${MESSAGE_TYPES.join(', ')})` };
    (neg ? exclude : include).push(w as MessageType);
  }
  return { ok: true, value: { include, exclude } };
}

function mailDestination(onErrorOnly: boolean) {
  return (t: string): Read<MailDestination> => {
    const eq = t.indexOf('=');
    if (eq < 0) return { ok: false, why: 'expected "address = types"' };
    const address = t.slice(0, eq).trim();
    if (address === '') return { ok: false, why: 'no mail address before "="' };
    const sel = selection(t.slice(eq + 1));
    if (!sel.ok) return sel;
    return { ok: true, value: { address, onErrorOnly, ...sel.value } };
  };
}

function buildMessages(b: ConfBlock): MessagesResource {
  const d = new Directives(b, ['Name', 'Mail Command', 'Job Log', 'Description'], ['Mail', 'Mail On Error']);
  const { name } = nameOf(d);
  const mailCommand = d.str('Mail Command');
  const mail: MailDestination[] = [];
  for (const item of b.items) {
    if (item.kind !== 'directive') continue;
    if (item.key === 'mail') mail.push(convert(item, mailDestination(false)));
    if (item.key === 'mailonerror') mail.push(convert(item, mailDestination(true)));
  }
  return {
    name,
    ...(mailCommand !== undefined ? { mailCommand } : {}),
    mail,
    jobLog: d.get('Job Log', selection) ?? { include: ['all'], exclude: [] },
    at: b.pos,
  };
}

function buildConsole(b: ConfBlock): ConsoleResource {
  const d = new Directives(b, ['Name', 'Password', 'Key File', 'Client ACL', 'Job ACL', 'Command ACL', 'Schedule ACL', 'Description']);
  const { name } = nameOf(d);
  const password = d.str('Password');
  const keyFile = d.str('Key File');
  if (password === undefined && keyFile === undefined) throw confError(b.pos, `Console "${name}" needs "Password =" or "Key File ="`, name);
  return {
    name,
    ...(password !== undefined ? { password } : {}),
    ...(keyFile !== undefined ? { keyFile } : {}),
    clientAcl: d.get('Client ACL', readList) ?? [],
    jobAcl: d.get('Job ACL', readList) ?? [],
    commandAcl: d.get('Command ACL', readList) ?? [],
    scheduleAcl: d.get('Schedule ACL', readList) ?? [],
    at: b.pos,
  };
}

/** Adds a named resource to its map, refusing a second one of the same name. */
function addNamed<T extends { name: string; at: SourcePos }>(map: Map<string, T>, r: T, b: ConfBlock, what: string): void {
  const prev = map.get(r.name);
  if (prev) {
    const nameDir = b.items.find((i): i is ConfDirective => i.kind === 'directive' && i.key === 'name');
    throw confError(nameDir?.pos ?? b.pos, `a second ${what} named "${r.name}" (the first is on line ${prev.at.line} of "${prev.at.file}")`, r.name);
  }
  map.set(r.name, r);
}

/** Builds and checks the typed configuration from parsed items of `file`. */
export function validateConfig(items: readonly ConfItem[], file: string): DirectorConfig {
  let director: DirectorResource | undefined;
  let directorBlock: ConfBlock | undefined;
  const clients = new Map<string, ClientResource>();
  const schedules = new Map<string, ScheduleResource>();
  const jobs = new Map<string, JobResource>();
  const tapeServers = new Map<string, TapeServerResource>();
  const messages = new Map<string, MessagesResource>();
  const consoles = new Map<string, ConsoleResource>();
  const refs: Ref[] = [];

  for (const item of items) {
    if (item.kind === 'directive') throw confError(item.pos, `"${item.name}" outside of any resource`, item.name);
    switch (item.key) {
      case 'director':
        if (directorBlock) throw confError(item.pos, `a second Director resource (the first is on line ${directorBlock.pos.line} of "${directorBlock.pos.file}")`, item.name);
        directorBlock = item;
        director = buildDirector(item);
        break;
      case 'client': addNamed(clients, buildClient(item), item, 'Client'); break;
      case 'schedule': addNamed(schedules, buildSchedule(item), item, 'Schedule'); break;
      case 'job': addNamed(jobs, buildJob(item, refs), item, 'Job'); break;
      case 'tapeserver': addNamed(tapeServers, buildTapeServer(item), item, 'TapeServer'); break;
      case 'messages': addNamed(messages, buildMessages(item), item, 'Messages'); break;
      case 'console': addNamed(consoles, buildConsole(item), item, 'Console'); break;
      default:
        throw confError(item.pos, `unknown resource type "${item.name}" (known: Director, Client, Schedule, Job, TapeServer, Messages, Console)`, item.name);
    }
  }
  if (!director || !directorBlock) throw confError({ file, line: 1 }, 'no Director resource', file);

  if (director.messages !== undefined && !messages.has(director.messages)) {
    const dir = directorBlock.items.find((i): i is ConfDirective => i.kind === 'directive' && i.key === 'messages')!;
    throw confError(dir.pos, `Messages "${director.messages}" is not defined`, director.messages);
  }
  const known: Record<Ref['kind'], ReadonlyMap<string, unknown>> = { Client: clients, Schedule: schedules, TapeServer: tapeServers, Messages: messages };
  for (const r of refs) {
    if (!known[r.kind].has(r.name)) throw confError(r.directive.pos, `${r.kind} "${r.name}" is not defined`, r.name);
  }

  // With exactly one tape server, jobs that name none count against it; with several, each job must choose.
  const onlyServer = tapeServers.size === 1 ? [...tapeServers.keys()][0]! : undefined;
  for (const [name, job] of jobs) {
    if (job.tapeServer !== undefined) continue;
    if (onlyServer !== undefined) jobs.set(name, { ...job, tapeServer: onlyServer });
    else if (tapeServers.size > 1) throw confError(job.at, `Job "${name}" needs "Tape Server =" because there are ${tapeServers.size} tape servers`, name);
  }

  return { file, director, clients, schedules, jobs, tapeServers, messages, consoles };
}

/** Reads, parses and checks a director configuration file (and the files it includes). */
export async function loadDirectorConfig(file: string, opts: ParseOptions = {}): Promise<DirectorConfig> {
  let items: ConfItem[];
  try {
    items = parseConfFile(file, opts);
  } catch (err) {
    if (isAfError(err)) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new AfError('CONFIG_SYNTAX', `"${file}": cannot read the file (${code})`);
  }
  return validateConfig(items, file);
}
