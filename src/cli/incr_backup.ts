#!/usr/bin/env node
/**
 * incr_backup: save what changed since the last backup (afbackup's incr_backup).
 * The composition root is shared with the other backup programs (backup-program.ts).
 * See man/incr_backup.8.
 */
import { runBackupProgram } from './backup-program.js';

runBackupProgram('incr_backup', { interruptible: true });
