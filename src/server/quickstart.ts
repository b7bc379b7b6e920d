/**
 * The quick start: a ready-to-run server directory for `npm start` on a fresh
 * machine: an afserver.conf over a virtual tape library, a key file (mode 0600),
 * a var directory and a log file. Existing files are kept, so a second start
 * serves the same library.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

export interface Quickstart {
  dir: string;
  configPath: string;
  keyFile: string;
  libraryDir: string;
  logFile: string;
}

export function writeQuickstart(dir: string): Quickstart {
  const q: Quickstart = {
    dir,
    configPath: path.join(dir, 'afserver.conf'),
    keyFile: path.join(dir, 'cryptkey'),
    libraryDir: path.join(dir, 'vtl'),
    logFile: path.join(dir, 'afserver.log'),
  };
  fs.mkdirSync(path.join(dir, 'var'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'rexec'), { recursive: true });
  if (!fs.existsSync(q.keyFile)) {
    // 22 characters of 6 bits each: the full 132 bits afbackup's DES key derivation uses.
    const key = crypto.randomBytes(24).toString('base64').replace(/[+/=]/g, 'x').slice(0, 22);
    fs.writeFileSync(q.keyFile, key, { mode: 0o600 });
  }
  if (!fs.existsSync(q.configPath)) {
    fs.writeFileSync(
      q.configPath,
      `# afserver.conf written by "afserver --quickstart": a virtual tape library of
# 8 cartridges of 1 GiB in ${q.libraryDir}. See afserver.conf(5).
Backup-Device:              vtl:${q.libraryDir}
Virtual-Cartridge-Capacity: 1G
Number Of Cartridges:       8
Cartridge-Handler:          1
Tape-Blocksize:             262144
Max Bytes Per File:         1000000000
Var-Directory:              ${path.join(dir, 'var')}
Tape-Pos-File:              %V/tapepos
Lock-file:                  %V/server.lock
Changer-Lockfile:           %V/changer.lock
Logging-file:               ${q.logFile}
Encryption-Key-File:        ${q.keyFile}
Authentication-Scheme:      des
Program-Directory:          ${path.join(dir, 'rexec')}
Device-Unavailable-Give-Up-After-Min: 2
Cart-Insert-Gracetime:      0
Mail-Program:               cat >> ${path.join(dir, 'operator-mail.txt')}
`,
    );
  }
  return q;
}
