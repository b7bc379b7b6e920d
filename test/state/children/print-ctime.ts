/** Test child: prints ctime() of the epoch milliseconds given as argument (run with TZ set by the parent). */
import { ctime } from '../../../src/state/ctime.js';

process.stdout.write(ctime(new Date(Number(process.argv[2]))) + '\n');
