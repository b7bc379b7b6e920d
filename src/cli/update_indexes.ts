#!/usr/bin/env node
/**
 * update_indexes: remove index lines of cartridges erased on the server.
 * The composition root is shared with the other backup programs (backup-program.ts).
 * See man/update_indexes.8.
 */
import { runBackupProgram } from './backup-program.js';

runBackupProgram('update_indexes', { interruptible: false });
