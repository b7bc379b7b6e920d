import { InetdLauncher } from './inetd-launcher.js';
import { connectToBanner } from './connect-latency.js';
import { installCleanupHandlers, waitQuiet, median, makeScratch, writeServerSetup } from './util.js';
import fs from 'node:fs';
installCleanupHandlers();
const conf = writeServerSetup(makeScratch('t6')).configPath;
const bare = '/tmp/dc/bare.mjs';
fs.writeFileSync(bare, "import net from 'node:net'; const s = new net.Socket({ fd: 0, readable: true, writable: true }); s.on('error', () => process.exit(0)); s.end(Buffer.alloc(42, 65)); s.resume();\n");
const progs: Record<string, string[]> = {
  bare: [bare],
  dist: ['/work/main/dist/cli/afserver.js', conf],
  distFixedTimer: ['/tmp/dc/dist/cli/afserver.js', conf],
  bundle: ['/tmp/dc/bundle.mjs', conf],
};
const ls: Record<string, InetdLauncher> = {};
const res: Record<string, number[]> = {};
for (const [k, a] of Object.entries(progs)) { ls[k] = await InetdLauncher.start([process.execPath, ...a]); res[k] = []; }
const n = Number(process.argv[2] ?? 10);
for (let i = 0; i < n; i++) for (const k of Object.keys(progs)) {
  res[k]!.push(await connectToBanner(ls[k]!.port, 10000, null));
  const c = await ls[k]!.child(i, 5000);
  await waitQuiet(() => [c.pid!], 1, 5000);
}
for (const k of Object.keys(progs)) console.log(k.padEnd(16), 'median', median(res[k]!.slice(1)).toFixed(1), 'min', Math.min(...res[k]!).toFixed(1));
for (const l of Object.values(ls)) { for (const c of l.spawned) c.kill('SIGKILL'); await l.close(); }
process.exit(0);
