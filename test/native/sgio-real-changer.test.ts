/**
 * The MediaChanger contract against a real SCSI medium changer, only when asked:
 *
 *   AF_TEST_CHANGER=/dev/sgN        the changer's SCSI generic node (required)
 *   AF_TEST_CHANGER_DRIVE=/dev/nstM the no-rewind node of the changer's drive 1 (required)
 *
 * The library must be in the contract's starting state: at least two full slots holding
 * SCRATCH cartridges (the contract writes a block to one of them), an empty slot, and
 * drive 1 empty. Without both variables the test is skipped and says why.
 */
import { test } from 'node:test';
import { NativeDrive } from '../../src/device/native/native-drive.js';
import { ScsiChanger } from '../../src/device/native/scsi-changer.js';
import { runChangerContract } from '../device/changer-contract.js';

const changer = process.env.AF_TEST_CHANGER;
const drive = process.env.AF_TEST_CHANGER_DRIVE;

if (changer && drive) {
  runChangerContract(`real SCSI changer ${changer}`, async () => {
    const d = new NativeDrive(drive);
    return {
      changer: new ScsiChanger(changer),
      drive: () => d,
      spec: { device: drive, changerDevice: changer },
      cleanup: async () => {
        await d.close();
      },
    };
  });
} else {
  test('MediaChanger contract on a real SCSI changer', (t) => {
    t.skip('set AF_TEST_CHANGER=/dev/sgN and AF_TEST_CHANGER_DRIVE=/dev/nstM (scratch cartridges!) to run it against hardware');
  });
}
