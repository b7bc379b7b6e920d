/**
 * Test helper: the server configuration of the vectors' capture (a directory as the
 * backup device, pseudo-cartridges vol.<n>), moved under a temporary root.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Variant } from '../protocol/fixtures.js';

export const FIXTURE_STATE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/state');

export function serverConf(root: string, variant: Variant): string {
  return `# The vectors' server.conf, moved under ${root}
Backup-Device:		${root}/tape/vol
Tape-Blocksize:		1024
Cartridge-Handler:	1
Number Of Cartridges:	10
Max Bytes Per File:	1048576
Max Bytes Per Tape:	10485760
Full Append Mode:	1
Variable Append Mode:	0
Reject Unlabeled Tapes:	0
Cart-Insert-Gracetime:	0
Device Unavail Send mail after min:	6
Device Unavail give up after min:	1
Device-Probe Interval:	1
SetFile-Command:	exit 0
SkipFiles-Command:	exit 0
Set-Cart-Command:	/bin/rm -f %d ; mkdir -p %d.%n ; ln -s %d.%n %d ; exit 0
Change-Cart-Command:	exit 0
Erase-Tape-Command:	/bin/rm -f %d/* ; exit 0
User To Inform:		root
Mail-Program:		cat >> ${root}/server-mail.txt
Var-Directory:		${root}/server-var
Tape-Pos-File:		%V/tapepos
Status-file:		%V/status
Lock-file:		%V/server.lock
Changer-Lockfile:	%V/changer.lock
Encryption-Key-File:	${root}/etc/cryptkey
Program-Directory:	${root}/rexec
ServerIdentifier:	vm:/srv/afdemo/etc/server.conf
Authentication-Scheme:	${variant}
`;
}
