#!/usr/bin/env node
/**
 * changerready: tells a cart_ctl that waits for a manual move (a cartridge to put
 * into or take out of the changer) that the operator has done it, by deleting the
 * flag /tmp/afbu_changerready.<locspec> (changerready(8), spec §7.3). The program
 * body is shared with cartready (ready-flag.ts).
 */
import { changerReadyFlag } from './cart-manual.js';
import { runReadyFlagProgram } from './ready-flag.js';

runReadyFlagProgram({
  prog: 'changerready',
  flag: changerReadyFlag,
  purpose: `Tells a cart_ctl that waits for the operator (for example "Please put
cartridge 3 into load port 1") that the move is done: deletes the flag file
the waiting cart_ctl watches, and it goes on.`,
  nobodyWaiting: 'cart_ctl is waiting for a manual move',
  runAs: 'cart_ctl runs as',
});
