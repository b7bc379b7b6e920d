/** Test child: takes the device lock <path> with intent <r|w>, prints "held" (or "busy") and waits until killed. */
import { tryAcquire, type DeviceIntent } from '../../../src/state/device-lock.js';

const [lockPath, intent] = process.argv.slice(2);
const r = await tryAcquire(lockPath!, intent as DeviceIntent);
process.stdout.write('held' in r ? 'held\n' : 'busy\n');
setInterval(() => undefined, 1 << 30);
