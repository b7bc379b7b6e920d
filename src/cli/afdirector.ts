#!/usr/bin/env node
/**
 * afdirector: the scheduling daemon (afdirector(8)). Reads afdirector.conf, starts
 * backups on clients by remote start (or locally), keeps the job history, the
 * scheduler state and retention in its var directory. Modes: --foreground (the
 * daemon loop), --once (one tick, for a timer), --check (the configuration only).
 * Log lines go to stderr, `<time> afdirector: <text>`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, say, parseCommandLine, STANDARD_OPTIONS, usage, answeredStandard } from './common.js';
import { loadDirectorConfig } from '../director/conf/validate.js';
import type { DirectorConfig } from '../director/conf/model.js';
import { nextRun } from '../director/schedule/evaluate.js';
import { isoWithOffset } from '../director/history/job-record.js';
import { clockFromEnv, fixedClock, parseInstant, systemClock, type Clock } from '../director/daemon/clock.js';
import { runForeground, runOnce } from '../director/daemon/director.js';
import { afclientBase } from '../director/runner/afclient-command.js';
import { candidate, strongest } from '../director/daemon/run-level.js';

const PROG = 'afdirector';
const DEFAULT_CONF = '/etc/afbackup/afdirector.conf';

const HELP = `Usage: afdirector [-c CONF] --foreground | --once [--now ISO] | --check
       afdirector --help | --version

The afbackup-ng director: runs the jobs of afdirector.conf on their schedules.

  -c, --config CONF  the configuration file (default ${DEFAULT_CONF})
  --foreground       run as a daemon in the foreground (systemd Type=simple);
                     SIGTERM/SIGINT: running jobs get the Shutdown Grace Period
                     to finish, then they are canceled (a second signal: at once)
  --once             one tick: queue due runs, take console requests, start what
                     may start, wait for those jobs to end, exit
  --now ISO          with --once: the tick's time (e.g. 2026-03-01T23:05:00+01:00)
  --check            read and check the configuration, print each job's next run
  --help             this text
  --version          the version

Environment: AF_AFCLIENT (the afclient command), AF_DIRECTOR_CLOCK (test hook:
"<start ISO>,<speed>", a compressed clock). See afdirector(8), afdirector.conf(5).
`;

function logLine(clock: Clock): (line: string) => void {
  return (line) => process.stderr.write(`${clock.now().toISOString()} ${PROG}: ${line.replace(/\n/g, ' ')}\n`);
}

function checkReport(cfg: DirectorConfig, now: Date): string {
  const tz = cfg.director.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const lines = [`${cfg.file}: configuration OK: ${cfg.jobs.size} job(s), ${cfg.clients.size} client(s), ${cfg.schedules.size} schedule(s), time zone ${tz}`];
  for (const job of cfg.jobs.values()) {
    let what = 'no schedule';
    if (!job.enabled) what = 'disabled';
    else if (job.schedule !== undefined) {
      // the earliest instant; Run lines that fall together give the daemon's level (run-level.ts)
      const runs = cfg.schedules.get(job.schedule)!.runs
        .map((r) => ({ r, at: nextRun(r.spec, now, tz) }))
        .filter((x): x is { r: (typeof x)['r']; at: Date } => x.at !== null)
        .map((x) => candidate(job, x.r.spec, x.at));
      const first = Math.min(...runs.map((x) => x.at.getTime()));
      const next = strongest(runs.filter((x) => x.at.getTime() === first));
      what = next ? `next run ${isoWithOffset(next.at, tz)} ${next.level}` : 'schedule never fires';
    }
    if (job.enabled && job.dueAfterSec !== undefined) {
      what = `${job.schedule !== undefined ? `${what}; ` : ''}due-based (after ${job.dueAfterSec} s without a good backup)`;
    }
    lines.push(`  job ${job.name}: ${what}`);
  }
  return `${lines.join('\n')}\n`;
}

runCli(PROG, async (argv) => {
  const { values, positionals } = parseCommandLine(argv, {
    ...STANDARD_OPTIONS,
    config: { type: 'string', short: 'c' },
    foreground: { type: 'boolean' },
    once: { type: 'boolean' },
    check: { type: 'boolean' },
    now: { type: 'string' },
  });
  if (answeredStandard(values, PROG, HELP)) return 0;
  if (positionals.length > 0) throw usage(`unexpected argument "${positionals[0]}"`);
  const modes = (['foreground', 'once', 'check'] as const).filter((m) => values[m]);
  if (modes.length !== 1) throw usage(modes.length === 0 ? 'say --foreground, --once or --check' : `--${modes[0]} and --${modes[1]} exclude each other`);
  if (values.now !== undefined && !values.once && !values.check) throw usage('--now goes with --once or --check');

  const cfg = await loadDirectorConfig(values.config ?? DEFAULT_CONF);
  const envClock = clockFromEnv(process.env.AF_DIRECTOR_CLOCK);
  const clock = values.now !== undefined ? fixedClock(parseInstant(values.now, '--now')) : envClock ?? systemClock;

  if (values.check) {
    process.stdout.write(checkReport(cfg, clock.now()));
    return 0;
  }
  const scriptDir = path.dirname(fileURLToPath(import.meta.url));
  const opts = { config: cfg, clock, afclient: afclientBase(scriptDir), log: logLine(clock) };

  if (values.once) {
    const r = await runOnce(opts);
    if (r === null) say(PROG, 'another director holds the lock on this var directory; tick skipped');
    return 0;
  }
  const stop = new AbortController();
  const hurry = new AbortController();
  const onSignal = (sig: string): void => {
    if (!stop.signal.aborted) {
      opts.log(`${sig}: stopping (a second signal cancels running jobs at once)`);
      stop.abort();
    } else if (!hurry.signal.aborted) {
      opts.log(`${sig} again: canceling running jobs now`);
      hurry.abort();
    }
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  await runForeground(opts, stop.signal, hurry.signal);
  return 0;
});
