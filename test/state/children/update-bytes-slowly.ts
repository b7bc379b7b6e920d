/** Test child: holds the exclusive lock of <vardir>/bytes_on_tape inside update(), prints "locked", waits until killed. */
import { VarDir } from '../../../src/state/var-dir.js';

const [dir] = process.argv.slice(2);
const vd = new VarDir(dir!);
await vd.bytesOnTape.update(async () => {
  process.stdout.write('locked\n');
  await new Promise(() => setInterval(() => undefined, 1 << 30));
});
