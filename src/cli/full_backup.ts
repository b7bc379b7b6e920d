#!/usr/bin/env node
/**
 * full_backup: save the configured entries completely (afbackup's full_backup).
 * The composition root is shared with the other backup programs (backup-program.ts).
 * See man/full_backup.8.
 */
import { runBackupProgram } from './backup-program.js';

runBackupProgram('full_backup', { interruptible: true });
