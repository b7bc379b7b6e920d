#!/usr/bin/env node
/**
 * afconsole: the director's console (afconsole(1)). Runs one bconsole-style command
 * given as arguments, or one command per line from standard input, or prompts with
 * `*` on a terminal. With --json every command prints exactly one JSON document
 * (schema "afconsole/1", see the manual page). Errors: one stderr line each; exit
 * status from the error table (40 for a command the console may not use).
 *
 * Test hook: AF_CONSOLE_NOW (ISO 8601) pins the clock `status scheduler` starts from.
 */
import path from 'node:path';
import readline from 'node:readline';
import { askYesNo, parseCommandLine, positiveOption, say, runCli, STANDARD_OPTIONS, stdinIsTerminal, usage, answeredStandard } from './common.js';
import { AfError } from '../errors.js';
import { defaultInstallPaths } from '../config/install-paths.js';
import { loadDirectorConfig } from '../director/conf/validate.js';
import { selectConsole } from '../director/console/acl.js';
import type { ConsoleContext, ConsoleWorld } from '../director/console/context.js';
import { programCommand, runCaptured, runInherited } from '../director/console/programs.js';
import { executeArgv, executeLine, type Outcome } from '../director/console/session.js';

const PROG = 'afconsole';

const HELP = `Usage: afconsole [-c CONF] [-n CONSOLE] [--json] [--timeout SECONDS] [COMMAND ...]

Runs one director console command given as arguments; without one, reads
commands from standard input, one per line, or prompts with "*" on a terminal.

Options:
  -c, --config CONF   the director configuration (default ${path.join(defaultInstallPaths().confdir, 'afdirector.conf')})
  -n, --name CONSOLE  the Console resource whose ACLs apply (default: the
                      unrestricted console "*default*")
      --json          print one JSON document per command (schema afconsole/1)
      --timeout SECS  default time limit for "wait"
      --help          this text
      --version       the version

Commands (type "help" for the list with what this console may use):
  status director | status scheduler [days=N] [job=NAME] | status client=NAME
  list jobs [client=NAME] [job=NAME] [status=S] [last] [limit=N]
  list joblog jobid=N | list volumes [server=NAME]
  run job=NAME [level=L] [yes] | wait [jobid=N] [timeout=S] | cancel jobid=N
  messages [all] | estimate job=NAME [listing] | restore [client=NAME] [-- afrestore args]
  help | quit
`;

function writeOutcome(o: Outcome, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(o.document)}\n`);
  else if (o.text) process.stdout.write(o.text);
  if (o.error !== undefined) say(PROG, o.error);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, {
    ...STANDARD_OPTIONS,
    config: { type: 'string', short: 'c', multiple: true },
    name: { type: 'string', short: 'n', multiple: true },
    json: { type: 'boolean' },
    timeout: { type: 'string' },
  });
  if (answeredStandard(values, PROG, HELP)) return 0;
  // Given twice is refused rather than "the last wins", so that a sudo rule that fixes
  // -c and -n cannot be undone by appending another -c or -n.
  if ((values.config?.length ?? 0) > 1) throw usage('-c is given more than once');
  if ((values.name?.length ?? 0) > 1) throw usage('-n is given more than once');
  const confFile = values.config?.[0] ?? path.join(defaultInstallPaths().confdir, 'afdirector.conf');
  const waitTimeoutSec = values.timeout !== undefined ? positiveOption(values.timeout, '--timeout') : undefined;
  const pinned = process.env.AF_CONSOLE_NOW;
  if (pinned !== undefined && Number.isNaN(Date.parse(pinned))) throw usage(`AF_CONSOLE_NOW is not a date: "${pinned}"`);
  const config = await loadDirectorConfig(confFile);
  const access = selectConsole(config, values.name?.[0]);
  const oneCommand = positionals.length > 0;
  const fromStdin = !oneCommand && !stdinIsTerminal();
  const world: ConsoleWorld = {
    now: () => (pinned !== undefined ? new Date(pinned) : new Date()),
    sleep: (ms) => new Promise((res) => setTimeout(res, ms)),
    afclient: (args) => runCaptured([...programCommand('afclient'), ...args]),
    afrestore: (args, capture) =>
      capture ? runCaptured([...programCommand('afrestore'), ...args], 24 * 3600_000) : runInherited([...programCommand('afrestore'), ...args], !fromStdin),
    ...(oneCommand && stdinIsTerminal() ? { confirm: askYesNo } : {}),
    pollMs: Number(process.env.AF_CONSOLE_POLL_MS) > 0 ? Number(process.env.AF_CONSOLE_POLL_MS) : 1000,
  };
  const ctx: ConsoleContext = {
    config,
    access,
    varDirectory: config.director.varDirectory,
    timeZone: config.director.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    json: values.json === true,
    ...(waitTimeoutSec !== undefined ? { waitTimeoutSec } : {}),
    world,
  };

  if (oneCommand) {
    const o = await executeArgv(ctx, positionals);
    writeOutcome(o, ctx.json);
    return o.status;
  }

  if (fromStdin) {
    // One command per line; every line runs; the exit status is the first failure's.
    let first = 0;
    const rl = readline.createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity });
    for await (const line of rl) {
      const o = await executeLine(ctx, line);
      if (!o) continue;
      writeOutcome(o, ctx.json);
      if (o.status !== 0 && first === 0) first = o.status;
      if (o.quit) break;
    }
    rl.close();
    process.stdin.destroy(); // after quit: do not wait for the rest of the input
    return first;
  }

  // Interactive: a "*" prompt as in bconsole; "run" without yes asks on the same terminal.
  // Lines are taken from one queue, so an answer typed ahead is not lost.
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true, prompt: '*' });
  const queue: string[] = [];
  let waiting: ((line: string | null) => void) | undefined;
  let ended = false;
  rl.on('line', (line) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(line);
    } else queue.push(line);
  });
  rl.on('close', () => {
    ended = true;
    waiting?.(null);
    waiting = undefined;
  });
  const next = (prompt: string): Promise<string | null> => {
    rl.setPrompt(prompt);
    rl.prompt();
    if (queue.length > 0) return Promise.resolve(queue.shift()!);
    if (ended) return Promise.resolve(null);
    return new Promise((res) => (waiting = res));
  };
  const ask = async (q: string): Promise<boolean> => /^\s*y/i.test((await next(q)) ?? '');
  const interactive: ConsoleContext = { ...ctx, world: { ...world, confirm: ask } };
  let last = 0;
  for (;;) {
    const line = await next('*');
    if (line === null) break;
    const o = await executeLine(interactive, line);
    if (o) {
      writeOutcome(o, ctx.json);
      last = o.status;
      if (o.quit) break;
    }
  }
  rl.close();
  process.stdin.destroy();
  process.stdout.write('\n');
  return last;
}

runCli(PROG, async (argv) => {
  try {
    return await main(argv);
  } catch (e) {
    if (e instanceof AfError && e.code === 'CONFIG_ERROR') throw new AfError('CONFIG_SYNTAX', e.detail, { cause: e });
    throw e;
  }
});
