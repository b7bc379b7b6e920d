#!/usr/bin/env node
/**
 * cartready: tells a tape server waiting for the operator that the cartridge is in,
 * by deleting the cartridge-ready flag /tmp/afbu_cartready.<locspec> (cartready(8)).
 * The program body is shared with changerready (ready-flag.ts).
 */
import { cartReadyFlag } from '../server/server-context.js';
import { runReadyFlagProgram } from './ready-flag.js';

runReadyFlagProgram({
  prog: 'cartready',
  flag: cartReadyFlag,
  purpose: `Tells a tape server that waits for the operator (for example "Please insert
cartridge number 7") that the cartridge is ready: deletes the flag file the
waiting session watches, and the session goes on.`,
  nobodyWaiting: 'session is waiting for a cartridge',
  runAs: 'the server runs as',
});
