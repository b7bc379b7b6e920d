/** Test child: takes a <kind> lock on <lockfile>, prints "locked" and waits until killed. */
import { withLock, type LockKind } from '../../../src/state/file-lock.js';

const [lockPath, kind] = process.argv.slice(2);
await withLock(lockPath!, kind as LockKind, async () => {
  process.stdout.write('locked\n');
  await new Promise(() => setInterval(() => undefined, 1 << 30));
});
