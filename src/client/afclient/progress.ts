/**
 * The progress line of long -c/-x runs: entries, bytes and rate, redrawn at
 * most twice a second through Output.progress (the CLI shows it on stderr only
 * when stderr is a terminal; without that hook nothing is shown).
 */
import type { Output } from './session.js';

const INTERVAL_MS = 500;

function human(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} ${units[u]}` : `${v.toFixed(1)} ${units[u]}`;
}

export function progressText(verb: string, entries: number, bytes: number, seconds: number): string {
  const rate = seconds > 0 ? bytes / seconds : 0;
  return `${verb} ${entries} entries, ${human(bytes)}, ${human(Math.round(rate))}/s`;
}

export class Progress {
  private entries = 0;
  private bytes = 0;
  private readonly start = Date.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly io: Output, private readonly verb: string) {}

  add(entries: number, bytes: number): void {
    this.entries += entries;
    this.bytes += bytes;
    if (!this.io.progress) return;
    const now = Date.now();
    if (now - this.lastDraw < INTERVAL_MS) return;
    this.lastDraw = now;
    this.drawn = true;
    this.io.progress(progressText(this.verb, this.entries, this.bytes, (now - this.start) / 1000));
  }

  done(): void {
    if (this.drawn) this.io.progress?.(null);
    this.drawn = false;
  }
}
