/**
 * The client var directory of full_backup / incr_backup (spec §6.3): file names,
 * and reading and writing the typed var files. The whole directory is guarded by
 * the client lock (client-lock.ts), so files are read plainly and replaced
 * atomically (writeAtomic) without per-file lock files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeAtomic } from '../../state/atomic-write.js';
import type { StateCodec } from '../../state/state-file.js';

export class ClientVarDir {
  constructor(readonly dir: string) {}

  file(name: string): string {
    return path.join(this.dir, name);
  }

  get num(): string {
    return this.file('num');
  }
  get part(): string {
    return this.file('part');
  }
  get oldmark(): string {
    return this.file('oldmark');
  }
  get newmark(): string {
    return this.file('newmark');
  }
  get oldmarkOrg(): string {
    return this.file('oldmark.org');
  }
  get levelTimestamps(): string {
    return this.file('level_timestamps');
  }
  get neededTapes(): string {
    return this.file('needed_tapes');
  }
  get startPositions(): string {
    return this.file('start_positions');
  }
  get serverIds(): string {
    return this.file('server_ids');
  }
  get indexAges(): string {
    return this.file('index_ages');
  }
  get saveEntries(): string {
    return this.file('save_entries');
  }
  get progress(): string {
    return this.file('progress');
  }

  ensure(): void {
    fs.mkdirSync(this.dir, { recursive: true });
  }

  /** The parsed file, or the codec's empty value when it does not exist. */
  read<T>(file: string, codec: StateCodec<T>): T {
    let text: string;
    try {
      text = fs.readFileSync(file, 'latin1');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return codec.empty();
      throw e;
    }
    return codec.parse(text, file);
  }

  async write<T>(file: string, codec: StateCodec<T>, value: T): Promise<void> {
    await writeAtomic(file, codec.format(value), { mode: 0o644 });
  }

  /** A positive number at the start of the file (afbackup's reading of num and part), else undefined. */
  readCounter(file: string): number | undefined {
    try {
      const m = /^\s*(\d+)/.exec(fs.readFileSync(file, 'latin1'));
      const n = m ? Number(m[1]) : 0;
      return n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  }

  exists(file: string): boolean {
    return fs.existsSync(file);
  }

  /** mtime in epoch seconds, or undefined. */
  mtime(file: string): number | undefined {
    try {
      return Math.floor(fs.statSync(file).mtimeMs / 1000);
    } catch {
      return undefined;
    }
  }
}
