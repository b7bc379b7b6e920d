/**
 * One idea: everything a console command needs, passed in one value — the checked
 * configuration, the console's ACLs, the director's var directory and time zone,
 * and the outside world (clock, programs, confirmation on a terminal), so that
 * tests can pin the clock and replace the programs.
 */
import type { DirectorConfig } from '../conf/model.js';
import type { ConsoleAccess } from './acl.js';
import type { ProgramResult } from './programs.js';
import type { JsonObject } from './schema.js';
import type { Word } from './tokenize.js';

export interface ConsoleWorld {
  now(): Date;
  sleep(ms: number): Promise<void>;
  /** Runs afclient with these arguments, output captured. */
  afclient(args: readonly string[]): Promise<ProgramResult>;
  /** Runs afrestore; `capture` false hands it the terminal. */
  afrestore(args: readonly string[], capture: boolean): Promise<ProgramResult>;
  /** Asks a yes/no question on the terminal; undefined when there is no terminal to ask on. */
  confirm?: (question: string) => Promise<boolean>;
  /** Milliseconds between two looks at the history in `wait` (default 1000). */
  readonly pollMs?: number;
}

export interface ConsoleContext {
  readonly config: DirectorConfig;
  readonly access: ConsoleAccess;
  readonly varDirectory: string;
  /** The director's zone (Time Zone =, else the system's). */
  readonly timeZone: string;
  readonly json: boolean;
  /** Default for `wait` when no timeout= is given (seconds; undefined = no limit). */
  readonly waitTimeoutSec?: number;
  readonly world: ConsoleWorld;
}

/** What one command produced: the JSON body, the text for a person, and its exit status. */
export interface CommandResult {
  readonly body: JsonObject;
  readonly text: string;
  /** 0 unless told; a non-zero status makes the document's "ok" false. */
  readonly status?: number;
}

/** The arguments of a command after its keywords, checked against what it accepts. */
export interface CommandArgs {
  /** key=value arguments by lower-cased key. */
  readonly values: ReadonlyMap<string, Word>;
  /** Bare words by lower-cased text. */
  readonly flags: ReadonlySet<string>;
  /** Every word after the keywords, in order (restore passes them on). */
  readonly rest: readonly Word[];
}
