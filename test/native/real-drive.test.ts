/**
 * The TapeDrive contract against a real st drive, when AF_TEST_TAPE names its no-rewind
 * node (e.g. AF_TEST_TAPE=/dev/nst0). DESTRUCTIVE: before each test the tape is rewound
 * and erased (short erase), so use a scratch cartridge. Skipped otherwise.
 * Capacity and write protection are not tested (a real cartridge has neither switch).
 */
import { test } from 'node:test';
import { NativeDrive } from '../../src/device/native/native-drive.js';
import { runDriveContract } from '../device/drive-contract.js';

const dev = process.env.AF_TEST_TAPE;

if (!dev) {
  test('TapeDrive contract on a real drive', (t) => {
    t.skip('set AF_TEST_TAPE=/dev/nstN (a scratch cartridge: it is erased) to run the contract on real hardware');
  });
} else {
  runDriveContract(
    `real drive ${dev}`,
    async () => {
      const blank = new NativeDrive(dev);
      await blank.open();
      await blank.setBlockSize(0);
      await blank.rewind();
      await blank.erase();
      await blank.close();
      const drive = new NativeDrive(dev);
      return { drive, spec: { device: dev }, cleanup: async () => drive.close() };
    },
    { keepsBlockBoundaries: true },
  );
}
