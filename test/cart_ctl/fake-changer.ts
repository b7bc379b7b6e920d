/**
 * A command-driven changer for the tests: a virtual tape library whose cartridges are
 * moved by a pretend mtx (fake-mtx.mjs behind a small shell wrapper that holds the
 * library's state.lck), and a changer.conf with the shipped mtx variant's shape.
 * Because the pretend mtx edits the library's own slots and drives files, the
 * library's drives (and another process opening `vtl:<dir>`) see what it moves.
 *
 * Layout in a temporary directory:
 *   lib/            the library (5 slots, 2 drives, 1 port, cartridges 1-3 in slots 1-3)
 *   bin/mtx         the wrapper
 *   changer.conf    Move ... Command lines and `List Tape Labels Command: mtx -f %D status`
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVirtualLibrary, type VirtualLibrary } from '../../src/device/virtual/library.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const FAKE_SLOTS = 5;

export interface FakeChanger {
  root: string;
  lib: VirtualLibrary;
  /** The library directory: the changer device (%D). */
  device: string;
  conf: string;
  mtx: string;
  /** Rewrites changer.conf with extra lines (later lines win). */
  confWith(extra: string): void;
  cleanup(): Promise<void>;
}

export function makeFakeChanger(root = fs.mkdtempSync(path.join(os.tmpdir(), 'af-cmdchg-'))): FakeChanger {
  const device = path.join(root, 'lib');
  const lib = createVirtualLibrary(device, { slots: FAKE_SLOTS, drives: 2, ports: 1, cartridges: 3, capacity: 4 << 20, earlyWarning: 1 << 16, syncOnClose: false });
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin);
  const mtx = path.join(bin, 'mtx');
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(mtx, `#!/bin/sh\n# pretend mtx: -f <library dir> ...\nexec flock "$2/state.lck" ${q(process.execPath)} ${q(path.join(here, 'fake-mtx.mjs'))} "$@"\n`, { mode: 0o755 });
  const conf = path.join(root, 'changer.conf');
  const base = [
    '# changer.conf for the pretend mtx',
    `Move Slot To Drive Command:     ${mtx} -f %D load %n %M`,
    `Move Drive To Slot Command:     ${mtx} -f %D unload %N %m`,
    `Move Slot To Slot Command:      ${mtx} -f %D transfer %n %N`,
    `Move Slot To Loadport Command:  ${mtx} -f %D transfer %n $((${FAKE_SLOTS} + %N))`,
    `Move Loadport To Slot Command:  ${mtx} -f %D transfer $((${FAKE_SLOTS} + %n)) %N`,
    `Move Loadport To Loadport Command: ${mtx} -f %D transfer $((${FAKE_SLOTS} + %n)) $((${FAKE_SLOTS} + %N))`,
    `List Tape Labels Command:       ${mtx} -f %D status`,
  ].join('\n');
  const confWith = (extra: string): void => fs.writeFileSync(conf, `${base}\n${extra}\n`);
  confWith('');
  return {
    root,
    lib,
    device,
    conf,
    mtx,
    confWith,
    cleanup: async () => {
      for (const n of [1, 2]) await lib.drive(n).close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
