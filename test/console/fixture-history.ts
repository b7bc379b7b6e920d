/**
 * A job history for the console tests, written through JobHistory as the director
 * writes it: five jobs of two clients, two of them still running, with logs.
 */
import { JobHistory } from '../../src/director/history/store.js';

export async function writeHistory(varDir: string): Promise<JobHistory> {
  const h = new JobHistory(varDir);
  const base = { files: 0, bytes: 0, cartridges: [] as number[], tapeFiles: [] as { cartridge: number; file: number }[], reschedules: 0 };
  await h.create({ ...base, job: 'fileserver-backup', client: 'fileserver', level: 'Full', status: 'ok', scheduled: '2026-03-01T23:05:00+01:00', start: '2026-03-01T23:05:02+01:00', end: '2026-03-01T23:41:10+01:00', files: 1234, bytes: 987654321, cartridges: [1, 2], tapeFiles: [{ cartridge: 1, file: 4 }, { cartridge: 2, file: 1 }] });
  await h.create({ ...base, job: 'laptop-backup', client: 'laptop', level: 'Incremental', status: 'error', start: '2026-03-02T02:30:00+01:00', end: '2026-03-02T02:30:05+01:00', reschedules: 1, error: 'the client did not answer' });
  await h.create({ ...base, job: 'fileserver-backup', client: 'fileserver', level: 'Incremental', status: 'ok', start: '2026-03-02T23:05:01+01:00', end: '2026-03-02T23:10:00+01:00', files: 12, bytes: 4096, cartridges: [2], tapeFiles: [{ cartridge: 2, file: 2 }] });
  await h.create({ ...base, job: 'laptop-backup', client: 'laptop', level: 'Full', status: 'running', start: '2026-03-26T02:30:00+01:00' });
  await h.create({ ...base, job: 'fileserver-backup', client: 'fileserver', level: 'Incremental', status: 'running', start: '2026-03-26T11:00:00+01:00' });
  await h.appendLog(1, ['started Full of fileserver', 'saved 1234 files']);
  await h.appendLog(2, ['laptop.invalid: cannot connect']);
  return h;
}
