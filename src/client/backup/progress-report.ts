/**
 * ReportProgress (spec §6.3): `<vardir>/progress` holds `<done> <total> <percent>`
 * while a backup runs. The amounts are estimates in bytes: each selected entry
 * counts its size (regular files) plus its name length plus 50 for the packer
 * overhead. The file is rewritten at most every two seconds and a last time at
 * the end with 100 %. Written atomically so a reader never sees half a line.
 */
import fs from 'node:fs';

export function entryVolume(nameLength: number, size: number): number {
  return size + nameLength + 50;
}

/** `<done> <total> <percent with two decimals>\n`; done is capped at total. */
export function progressLine(done: number, total: number): string {
  const t = total > 0 ? total : 1;
  const d = Math.min(done, t);
  return `${Math.round(d)} ${Math.round(t)} ${((d / t) * 100).toFixed(2)}\n`;
}

export class ProgressReporter {
  private done = 0;
  private last = 0;

  constructor(
    private readonly file: string,
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {}

  private write(text: string): void {
    const tmp = `${this.file}.new`;
    try {
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, this.file);
    } catch {
      /* progress is advisory: a failed write must not stop the backup */
    }
  }

  start(): void {
    this.last = this.now();
    this.write(progressLine(0, this.total));
  }

  add(amount: number): void {
    this.done += amount;
    const t = this.now();
    if (t - this.last >= 2000) {
      this.last = t;
      this.write(progressLine(this.done, this.total));
    }
  }

  finish(): void {
    const d = this.done > 0 ? this.done : 1;
    this.write(progressLine(d, d));
  }
}
