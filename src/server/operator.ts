/**
 * Talking to the operator: the message mailed through Mail-Program and kept in
 * the var directory's client_message file (what `afclient -m` shows), and the
 * cartridge-ready flag file that a waiting server watches (`cartready` or the
 * `CartridgeReady` server message delete it).
 */
import fs from 'node:fs';
import { runShell } from './shell-command.js';
import { expandMailProgram } from '../config/command-template.js';
import type { Logger } from '../log.js';

export interface OperatorOptions {
  mailProgram: string | undefined;
  userToInform: string;
  remoteUser?: string;
  remoteHost?: string;
  /** Writes the client_message file. */
  writeClientMessage(text: string): Promise<void>;
  log: Logger;
}

export async function notifyOperator(o: OperatorOptions, text: string): Promise<void> {
  o.log.warn({ operator: text }, 'message to the operator');
  try {
    await o.writeClientMessage(text);
  } catch (e) {
    o.log.error({ err: e }, 'cannot write client_message');
  }
  if (!o.mailProgram) return;
  const cmd = expandMailProgram(o.mailProgram, { u: o.userToInform, U: o.remoteUser, H: o.remoteHost });
  const r = await runShell(cmd, { input: text });
  if (r.code !== 0) o.log.error({ cmd, code: r.code, output: r.output.toString('latin1') }, 'Mail-Program failed');
}

export function createReadyFlag(flag: string): void {
  fs.writeFileSync(flag, `${process.pid}\n`, { mode: 0o644 });
}

export function readyFlagExists(flag: string): boolean {
  return fs.existsSync(flag);
}

/** Deletes the flag: the operator says the cartridge is in. True if a flag was there. */
export function signalCartridgeReady(flag: string): boolean {
  try {
    fs.unlinkSync(flag);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the flag is deleted or probe() says the wanted medium is there.
 * Gives up (returns false) after giveUpMs (0 = never).
 */
export async function waitForReady(flag: string, opts: { intervalMs: number; giveUpMs: number; probe?: () => Promise<boolean> }): Promise<boolean> {
  const start = Date.now();
  for (;;) {
    if (!readyFlagExists(flag)) return true;
    if (opts.probe && (await opts.probe())) {
      signalCartridgeReady(flag);
      return true;
    }
    if (opts.giveUpMs > 0 && Date.now() - start >= opts.giveUpMs) return false;
    await sleep(Math.max(opts.intervalMs, 100));
  }
}
