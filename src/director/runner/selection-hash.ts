/**
 * One idea: a short fingerprint of what a job saves — its File Selection lines and its
 * Backup Options — kept with each successful Full so that a changed selection makes
 * the next run a Full. Blanks at the ends of lines do not count; order does.
 */
import { createHash } from 'node:crypto';
import type { JobResource } from '../conf/model.js';

export function selectionHash(job: Pick<JobResource, 'fileSelection' | 'backupOptions'>): string {
  const text = JSON.stringify({ select: (job.fileSelection ?? []).map((l) => l.trim()), options: (job.backupOptions ?? '').trim() });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
