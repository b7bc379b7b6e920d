/**
 * The afserver device lock (Lock-file, spec §8) as one session holds it: taken
 * lazily by the first command that touches the device, waited for with growing
 * pauses (1, 2, ... 30 s) up to Device-Unavailable-Give-Up-After-Min, kept until
 * the session ends. A kernel lock underneath, so a killed server leaves none.
 */
import { AfError } from '../errors.js';
import type { Logger } from '../log.js';
import { tryAcquire, type DeviceIntent, type DeviceLockHandle, type DeviceLockHolder } from '../state/device-lock.js';

export class DeviceLockManager {
  private handle: DeviceLockHandle | null = null;

  constructor(
    private readonly path: string,
    private readonly o: { giveUpMin: number; log: Logger; sleep?: (ms: number) => Promise<void>; onLongWait?: () => void; sendMailMin?: number },
  ) {}

  get held(): boolean {
    return this.handle !== null;
  }

  /** Takes the lock once without waiting: null when taken, else who holds it. */
  async tryOnce(intent: DeviceIntent): Promise<DeviceLockHolder | null> {
    if (this.handle) {
      if (intent === 'w' && this.handle.intent === 'r') await this.handle.setIntent('w');
      return null;
    }
    const r = await tryAcquire(this.path, intent);
    if ('held' in r) {
      this.handle = r.held;
      return null;
    }
    return r.busy;
  }

  /** Takes the lock, waiting as afbackup does; SERVICEINUSE when giving up. */
  async acquire(intent: DeviceIntent): Promise<void> {
    const sleep = this.o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const start = Date.now();
    let pause = 1;
    let mailed = false;
    for (;;) {
      const busy = await this.tryOnce(intent);
      if (!busy) return;
      const waited = Date.now() - start;
      if (this.o.giveUpMin > 0 && waited >= this.o.giveUpMin * 60_000) {
        throw new AfError('SERVICEINUSE', `the device lock "${this.path}" is held by process ${busy.pid ?? 'unknown'}`);
      }
      if (!mailed && this.o.sendMailMin && waited >= this.o.sendMailMin * 60_000) {
        mailed = true;
        this.o.onLongWait?.();
      }
      this.o.log.info({ holder: busy.pid, intent: busy.intent }, 'waiting for the device lock');
      const left = this.o.giveUpMin > 0 ? this.o.giveUpMin * 60_000 - waited : Infinity;
      await sleep(Math.max(50, Math.min(pause * 1000, left)));
      pause = Math.min(pause + 1, 30);
    }
  }

  async release(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    if (h) await h.release();
  }
}
