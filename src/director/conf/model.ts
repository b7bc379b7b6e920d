/**
 * One idea: the typed shape of a checked director configuration — one interface per
 * resource, with defaults already filled in and every name reference known to exist.
 *
 * Durations are whole seconds (fields ending in `Sec`); sizes are bytes. Every
 * resource remembers where it was defined (`at`) for later messages.
 */
import type { Level, RunSpec } from '../schedule/run-grammar.js';
import type { SourcePos } from './lexer.js';

export type { Level, RunSpec } from '../schedule/run-grammar.js';

export interface DirectorResource {
  readonly name: string;
  /** Where job history (`jobs/`) and other director state live. */
  readonly varDirectory: string;
  /** Jobs running at once over all tape servers (default 1). */
  readonly maxConcurrentJobs: number;
  readonly webhookUrl?: string;
  /** Messages resource for director-wide events. */
  readonly messages?: string;
  /** IANA zone the schedules are read in (default: the system's). */
  readonly timeZone?: string;
  /** A job's log file stops growing at this size (bytes; default 10 MiB). */
  readonly maxJobLogSize: number;
  /** Runs missed while the director was down: none, or the latest only (unset: latest). */
  readonly catchUp?: CatchUp;
  /** Seconds between two ticks of the daemon (unset: 60). */
  readonly tickIntervalSec?: number;
  /** On SIGTERM, running jobs get this long to finish before they are canceled (unset: 300). */
  readonly shutdownGraceSec?: number;
  /** Retention: also mark the tapes of each job's last good Full read-only (unset: false). */
  readonly lastFullReadOnly?: boolean;
  readonly at: SourcePos;
}

export type CatchUp = 'none' | 'latest';

export interface ClientResource {
  readonly name: string;
  readonly address: string;
  /** afbackup port for remote start (default 2988). */
  readonly port: number;
  /** Key file for authentication with the client's afbackup service. */
  readonly keyFile?: string;
  /** Program in the client's program directory started for a full backup (default `full_backup`). */
  readonly fullBackupCommand: string;
  /** Same for incremental (and differential) backups (default `incr_backup`). */
  readonly incrementalBackupCommand: string;
  /** true: the backup commands run on the director's host, not through remote start (unset: false). */
  readonly localBackup?: boolean;
  readonly enabled: boolean;
  readonly at: SourcePos;
}

export interface ScheduleRun {
  readonly spec: RunSpec;
  readonly at: SourcePos;
}

export interface ScheduleResource {
  readonly name: string;
  readonly runs: readonly ScheduleRun[];
  readonly enabled: boolean;
  readonly at: SourcePos;
}

/** A command run before or after a job; `onClient` means via the client's remote start. */
export interface JobCommand {
  readonly command: string;
  readonly when: 'before' | 'after';
  readonly onClient: boolean;
  /** `after` commands: run after a successful job (default true). */
  readonly onSuccess: boolean;
  /** `after` commands: run after a failed job (default false; RunAfterFailedJob sets it). */
  readonly onFailure: boolean;
  /** A failing `before` command fails the job (default true). */
  readonly failJobOnError: boolean;
}

export interface JobResource {
  readonly name: string;
  readonly client: string;
  readonly schedule?: string;
  /** Level when neither the schedule nor the operator names one (default Incremental). */
  readonly level: Level;
  /** Cartridge set for any level that has no set of its own. */
  readonly cartridgeSet?: number;
  readonly fullCartridgeSet?: number;
  readonly incrementalCartridgeSet?: number;
  readonly differentialCartridgeSet?: number;
  /** In order: RunBeforeJob, RunAfterJob, ClientRunBeforeJob, ClientRunAfterJob and RunScript blocks. */
  readonly commands: readonly JobCommand[];
  /** Cancel when not started this long after its scheduled time. */
  readonly maxStartDelaySec?: number;
  readonly maxRunTimeSec?: number;
  readonly rescheduleOnError: boolean;
  /** Default 30 minutes. */
  readonly rescheduleIntervalSec: number;
  /** Attempts after the first failure (default 3; 0 = none). */
  readonly rescheduleTimes: number;
  /** false (default): a second run of a job that is still running or queued is refused. */
  readonly allowDuplicateJobs: boolean;
  /** Lower runs first (default 10). */
  readonly priority: number;
  /** Due-based: run when the last successful backup is older than this. */
  readonly dueAfterSec?: number;
  /** Due-based: never start runs closer together than this. */
  readonly notMoreOftenThanSec?: number;
  /** Upgrade to Full when the last successful Full is older than this. */
  readonly maxFullIntervalSec?: number;
  /** Tape server whose concurrency limit the job counts against. */
  readonly tapeServer?: string;
  readonly messages?: string;
  /** Overrides the Director's Catch Up for this job. */
  readonly catchUp?: CatchUp;
  /** What the job saves, as the site describes it; a change makes the next run a Full. */
  readonly fileSelection?: readonly string[];
  /** Words added to the backup command line (e.g. `-c /etc/afbackup/client.conf`); part of the file selection. */
  readonly backupOptions?: string;
  /** The tapes a successful run of this job wrote are kept this long (retention). */
  readonly retentionSec?: number;
  readonly enabled: boolean;
  readonly at: SourcePos;
}

export interface TapeServerResource {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** Jobs writing to this server at once (default 1). */
  readonly maxConcurrentJobs: number;
  /** Key file afconsole passes to afclient (-k) to query this server. */
  readonly keyFile?: string;
  /**
   * The server's afserver.conf when it is readable on the director's host; afconsole
   * `list volumes` then reads the server's var directory (state files) directly.
   */
  readonly serverConfig?: string;
  readonly at: SourcePos;
}

export const MESSAGE_TYPES = [
  'all', 'fatal', 'error', 'warning', 'info', 'terminate', 'skipped', 'saved', 'notsaved',
  'restored', 'mount', 'security', 'alert', 'audit',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** `all, !skipped` = include all, exclude skipped. */
export interface MessageSelection {
  readonly include: readonly MessageType[];
  readonly exclude: readonly MessageType[];
}

export interface MailDestination extends MessageSelection {
  readonly address: string;
  /** true for `MailOnError`: mailed only when the job failed. */
  readonly onErrorOnly: boolean;
}

export interface MessagesResource {
  readonly name: string;
  /** Command that sends one mail, reading the message on standard input (unset: no mail is sent). */
  readonly mailCommand?: string;
  readonly mail: readonly MailDestination[];
  /** Types written to the job's log in the history (default all). */
  readonly jobLog: MessageSelection;
  readonly at: SourcePos;
}

export interface ConsoleResource {
  readonly name: string;
  readonly password?: string;
  readonly keyFile?: string;
  /** Each entry a name, `*all*`, or `!name`; empty = nothing allowed. */
  readonly clientAcl: readonly string[];
  readonly jobAcl: readonly string[];
  readonly commandAcl: readonly string[];
  readonly scheduleAcl: readonly string[];
  readonly at: SourcePos;
}

export interface DirectorConfig {
  /** The main file as given. */
  readonly file: string;
  readonly director: DirectorResource;
  readonly clients: ReadonlyMap<string, ClientResource>;
  readonly schedules: ReadonlyMap<string, ScheduleResource>;
  readonly jobs: ReadonlyMap<string, JobResource>;
  readonly tapeServers: ReadonlyMap<string, TapeServerResource>;
  readonly messages: ReadonlyMap<string, MessagesResource>;
  readonly consoles: ReadonlyMap<string, ConsoleResource>;
}
