/**
 * The pure parts of afrestore -e/-ee/-f/-E: the backup numbers of a
 * start-positions copy and the tape files of one of them, the newest restore
 * info of a client in `afclient -I` output, the cartridges of -E, and the index
 * file names -f asks for.
 */
process.env.TZ = 'UTC';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backupNumbers, indexNames, newestOnTape, positionsOf, scanCartridges } from '../../src/client/restore/emergency.js';
import { formatInformationHeader } from '../../src/client/files/restore-info.js';

const info = { clientId: 'c1', server: 'srv', port: 2988, cart: 1, file: 9, startPositionsPath: '/tmp/afbsp_x' };

test('start-positions copy: numbers newest first, the tape files of a chosen one', () => {
  const text = '1.1/1: srv -1 1 1\n1.1/1: srv -1 1 2\n2.1/1: srv 2988 1 3\n2.1/1: srv 2988 1 4\n2.1/1: srv 2988 1 4\n';
  assert.deepEqual(backupNumbers(text), [2, 1]);
  assert.deepEqual(positionsOf(text, info).map((p) => `${p.port}:${p.cart}.${p.file}`), ['2988:1.3', '2988:1.4']);
  assert.deepEqual(positionsOf(text, { ...info, port: 4000 }, 1).map((p) => `${p.port}:${p.cart}.${p.file}`), ['4000:1.1', '4000:1.2'], 'port -1: the info\'s');
});

test('-E: the newest header of this client in the tape listing', () => {
  const header = (id: string, time: string, file: number): string =>
    `1.${file}: ${formatInformationHeader({ checked: { time, info: { ...info, clientId: id, file } }, number: 1, hostname: 'h' })}`;
  const listing = [
    header('c1', 'Mon Nov 23 10:00:00 2026', 1),
    header('c1', 'Wed Nov 25 10:00:00 2026', 2),
    header('other', 'Thu Nov 26 10:00:00 2026', 3),
    header('c1', 'Tue Nov 24 10:00:00 2026', 4),
    '1.5:\n',
  ].join('');
  const found = newestOnTape(listing, 'c1');
  assert.equal(found?.info.file, 2);
  assert.equal(found?.time, 'Wed Nov 25 10:00:00 2026');
  assert.equal(newestOnTape(listing, 'nobody'), undefined);
});

test('-E cartridges and -f index names', () => {
  assert.deepEqual(scanCartridges(['3', '1-2', '2,5']), [3, 1, 2, 5]);
  assert.deepEqual(scanCartridges([]), []);
  assert.throws(() => scanCartridges(['x']), { code: 'USAGE' });
  assert.throws(() => scanCartridges(['1-']), { code: 'USAGE' });
  assert.deepEqual(indexNames('/srv/var/backup_log.', '/srv', 2).map(String), [
    'var/backup_log.1', 'var/backup_log.1.z', 'var/.backup_log.1.z',
    'var/backup_log.2', 'var/backup_log.2.z', 'var/.backup_log.2.z',
  ]);
  assert.deepEqual(indexNames('/var/lib/afbackup/backup_log.', '/', 1).map(String), ['var/lib/afbackup/backup_log.1', 'var/lib/afbackup/backup_log.1.z', 'var/lib/afbackup/.backup_log.1.z']);
  assert.deepEqual(indexNames('/elsewhere/idx.', '/home', 1).map(String)[0], '/elsewhere/idx.1', 'outside the root: as it is');
});
