import { InetdLauncher } from './inetd-launcher.js';
import { connectToBanner } from './connect-latency.js';
import { installCleanupHandlers, waitExit, now } from './util.js';
const AFSERVER = process.env.AFS ?? '/work/main/dist/cli/afserver.js';
installCleanupHandlers();
const conf = process.argv[2]!;
const extra = (process.env.AF_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const l = await InetdLauncher.start([process.execPath, ...extra, AFSERVER, conf]);
for (let i = 0; i < Number(process.argv[3] ?? 1); i++) {
  const ms = await connectToBanner(l.port);
  const t = now();
  const c = await l.child(i, 5000);
  await waitExit(c, 10000);
  console.log('banner', ms.toFixed(1), 'ms; exit after close', (now() - t).toFixed(0), 'ms');
}
await l.close();
