/**
 * The statistics of a create run and the report file -V writes at the end
 * (spec §6.1; full_backup reads it). The layout, line for line:
 *
 *   Backup statistics:
 *   ==================
 *   <blank>
 *   Client Identifier:             <id>
 *   <blank>
 *   Exit Status:                   <0, or 1 when the run was broken off>
 *   <blank>
 *   Start-Time:                    <ctime-style date>
 *   End-Time:                      <ctime-style date>
 *   <blank>
 *   Backup Server:                 <host>
 *   Backup Port:                   <port>
 *   First Cartridge used:          <n>
 *   First Tapefile accessed:       <n>
 *   Last Cartridge used:           <n>
 *   Last Tapefile accessed:        <n>
 *   Used Cartridges:               <ranges, e.g. 1-3,5>
 *   <blank>
 *   Stored filesystem entries:     <n>
 *   Bytes written to media:        <packer stream bytes, without the padding>
 *   Sum of filesizes:              <bytes of the saved regular files and raw contents>
 *   Sum of compressed filesizes:   <stored bytes of those that were processed>
 *   Sum of uncompressed filesizes: <bytes of those stored as they are>
 *   Total compression factor:      <x.xx>   (only when something was processed)
 *   Real compression factor:       <x.xx>   (likewise)
 *   <blank>
 *
 * Labels are padded to 31 columns. The dates look like `Wed Nov 25 12:37:05 2026`.
 */
import { formatRanges } from '../../config/ranges.js';
import { writeAtomic } from '../../state/atomic-write.js';

export class Stats {
  readonly startDate = ctimeOf(new Date());
  endDate = '';
  firstCart = 0;
  firstFile = 0;
  lastCart = 0;
  lastFile = 0;
  readonly usedCarts = new Set<number>();
  entries = 0;
  bytesSaved = 0;
  sumFileSizes = 0;
  sumCompressed = 0;
  sumUncompressed = 0;
  private sawPosition = false;

  /** A write position the server told (`i`). */
  position(cart: number, file: number): void {
    if (!this.sawPosition) {
      this.firstCart = cart;
      this.firstFile = file;
      this.sawPosition = true;
    }
    this.lastCart = cart;
    this.lastFile = file;
    this.usedCarts.add(cart);
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Wed Nov 25 12:37:05 2026` in local time (what ctime() prints, without the newline). */
export function ctimeOf(d: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}

function line(label: string, value: string | number): string {
  return `${label.padEnd(31)}${value}\n`;
}

export function reportText(s: Stats, o: { clientId: string; host: string; port: number; exitStatus: number }): string {
  let t = 'Backup statistics:\n==================\n\n';
  t += line('Client Identifier:', o.clientId) + '\n';
  t += line('Exit Status:', o.exitStatus) + '\n';
  t += line('Start-Time:', s.startDate);
  t += line('End-Time:', s.endDate) + '\n';
  t += line('Backup Server:', o.host);
  t += line('Backup Port:', o.port);
  t += line('First Cartridge used:', s.firstCart);
  t += line('First Tapefile accessed:', s.firstFile);
  t += line('Last Cartridge used:', s.lastCart);
  t += line('Last Tapefile accessed:', s.lastFile);
  t += line('Used Cartridges:', formatRanges([...s.usedCarts])) + '\n';
  t += line('Stored filesystem entries:', s.entries);
  t += line('Bytes written to media:', s.bytesSaved);
  t += line('Sum of filesizes:', s.sumFileSizes);
  t += line('Sum of compressed filesizes:', s.sumCompressed);
  t += line('Sum of uncompressed filesizes:', s.sumUncompressed);
  if (s.sumCompressed > 0) {
    t += line('Total compression factor:', (s.sumFileSizes / (s.sumCompressed + s.sumUncompressed)).toFixed(2));
    t += line('Real compression factor:', ((s.sumFileSizes - s.sumUncompressed) / s.sumCompressed).toFixed(2));
  }
  return t + '\n';
}

export async function writeReport(file: string, text: string): Promise<void> {
  await writeAtomic(file, Buffer.from(text), { mode: 0o600 });
}
