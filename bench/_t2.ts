import { runOurs } from './data-path.js';
import { installCleanupHandlers } from './util.js';
installCleanupHandlers();
const bs = Number(process.argv[2] ?? 262144);
const o = await runOurs(bs, 2 ** 29);
console.log(bs, o, (o.bytes / 1e6 / (o.closeMs / 1000)).toFixed(0));
