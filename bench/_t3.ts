import { connectLatency } from './connect-latency.js';
import { installCleanupHandlers } from './util.js';
installCleanupHandlers();
const r = await connectLatency(Number(process.argv[2] ?? 5), (s) => console.log(s));
for (const x of r.rows) console.log(x.mode, x.median.toFixed(1), x.p95.toFixed(1), x.min.toFixed(1), x.first?.toFixed(1), x.samples.map((s) => s.toFixed(0)).join(' '));
console.log(r.unavailable);
