/** Test child: increments cartridge <cart>'s counter in <vardir>/tape_uses <times> times through VarDir. */
import { VarDir } from '../../../src/state/var-dir.js';
import * as tapeUses from '../../../src/state/tape-uses.js';

const [dir, cart, times] = process.argv.slice(2);
const vd = new VarDir(dir!, { lockTimeoutMs: 60_000 });
for (let i = 0; i < Number(times); i++) {
  await vd.tapeUses.update((m) => tapeUses.increment(m, Number(cart)));
}
process.stdout.write('done\n');
