import { runOurs } from './data-path.js';
import { installCleanupHandlers } from './util.js';
installCleanupHandlers();
try { console.log(await runOurs(262144, 2 ** 24)); } catch (e) { console.log((e as Error).message); }
