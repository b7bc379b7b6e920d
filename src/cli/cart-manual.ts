/**
 * Moves a person has to make for cart_ctl (spec §7.3): a cartridge goes into the
 * changer from a shelf, or out of it to a shelf. cart_ctl asks the operator through
 * the Mail-Program mechanism afserver uses (the text also goes to the var
 * directory's client_message), creates the changer-ready flag
 * /tmp/afbu_changerready.<locspec>, and waits until `changerready` (or anyone)
 * deletes it: the operator's "done".
 *
 * The wait ends with CHANGER_FAILED after Device-Unavailable-Give-Up-After-Min
 * minutes when that is set; a waiting cart_ctl that is interrupted leaves the flag
 * behind, which the next request simply re-creates.
 */
import { AfError } from '../errors.js';
import type { ServerConfig } from '../config/server-config.js';
import { locspec, type InstallPaths } from '../config/install-paths.js';
import { silentLogger } from '../log.js';
import { createReadyFlag, notifyOperator, signalCartridgeReady, waitForReady } from '../server/operator.js';
import { VarInventory } from '../server/var-inventory.js';
import type { VarDir } from '../state/var-dir.js';

/** The flag a waiting cart_ctl watches; `changerready` deletes it. */
export function changerReadyFlag(paths: InstallPaths): string {
  return `/tmp/afbu_changerready.${locspec(paths)}`;
}

export interface ManualMoveOptions {
  config: ServerConfig;
  varDir: VarDir;
  paths: InstallPaths;
  /** Told once the request is out (cart_ctl prints it on stderr). */
  onWaiting?: (flag: string) => void;
  /** How often the flag is looked at (default 1 s). */
  intervalMs?: number;
}

/**
 * Asks the operator to do `what` (one sentence, e.g. "Please put cartridge 3 from
 * shelf 2 into load port 1 of the changer /dev/sg0.") and waits for the answer.
 */
export async function askOperatorToMove(what: string, o: ManualMoveOptions): Promise<void> {
  const flag = changerReadyFlag(o.paths);
  createReadyFlag(flag);
  const text = `${what}\nWhen it is done, run changerready on the tape server host (it deletes ${flag}).\n`;
  await notifyOperator(
    {
      mailProgram: o.config.mailProgram,
      userToInform: o.config.userToInform,
      writeClientMessage: (t) => new VarInventory(o.varDir).writeClientMessage(t),
      log: silentLogger,
    },
    text,
  );
  o.onWaiting?.(flag);
  const giveUpMs = o.config.devUnavailGiveUpMin > 0 ? o.config.devUnavailGiveUpMin * 60_000 : 0;
  const done = await waitForReady(flag, { intervalMs: o.intervalMs ?? 1000, giveUpMs });
  if (!done) {
    signalCartridgeReady(flag);
    throw new AfError('CHANGER_FAILED', `the operator did not confirm within ${o.config.devUnavailGiveUpMin} minutes: ${what}`);
  }
}
