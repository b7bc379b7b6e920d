/**
 * `client_message`: the text of the last message to the operator. Its mtime is the
 * time of the message: `afclient -m` shows a message only when that mtime is not
 * older than the server's clock at its first poll, so a new message always gets
 * a later mtime than the previous one (the writer waits for the next second, as
 * afbackup does).
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeAtomic } from './atomic-write.js';
import { lockPathFor, withLock } from './file-lock.js';
import { isMissing, stateIo } from './state-errors.js';
import type { StateCodec } from './state-file.js';

export interface ClientMessage {
  /** mtime of the file, Unix epoch seconds. */
  readonly mtimeSec: number;
  readonly text: string;
}

/** The content is free text: parsing and formatting are the identity. */
export const codec: StateCodec<string> = {
  parse: (text) => text,
  format: (text) => text,
  empty: () => '',
};

export class ClientMessageFile {
  readonly lockPath: string;

  constructor(
    readonly path: string,
    private readonly opts: { lockTimeoutMs?: number } = {},
  ) {
    this.lockPath = lockPathFor(path);
  }

  private lockOpts() {
    return this.opts.lockTimeoutMs === undefined ? {} : { timeoutMs: this.opts.lockTimeoutMs };
  }

  /** The message and its time, or null when no message was ever written. */
  read(): Promise<ClientMessage | null> {
    return withLock(this.lockPath, 'sh', async () => {
      let handle: fs.promises.FileHandle;
      try {
        handle = await fs.promises.open(this.path, 'r');
      } catch (err) {
        if (isMissing(err)) return null;
        throw stateIo('open', this.path, err);
      }
      try {
        const st = await handle.stat();
        const text = await handle.readFile({ encoding: 'latin1' });
        return { mtimeSec: Math.floor(st.mtimeMs / 1000), text };
      } catch (err) {
        throw stateIo('read', this.path, err);
      } finally {
        await handle.close().catch(() => undefined);
      }
    }, this.lockOpts());
  }

  /** Replaces the message; its mtime becomes a second later than the previous message's. */
  write(text: string): Promise<void> {
    return withLock(this.lockPath, 'ex', async () => {
      for (;;) {
        let mtimeSec: number;
        try {
          mtimeSec = Math.floor((await fs.promises.stat(this.path)).mtimeMs / 1000);
        } catch (err) {
          if (isMissing(err)) break;
          throw stateIo('inspect', this.path, err);
        }
        const now = Date.now();
        if (mtimeSec < Math.floor(now / 1000)) break;
        await sleep((mtimeSec + 1) * 1000 - now + 5);
      }
      await writeAtomic(this.path, text, { mode: 0o600 });
    }, this.lockOpts());
  }
}
