/**
 * openDevice: which backend each kind of Backup-Device name gets, and the clear
 * refusals for the ones not served (yet).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_VIRTUAL_LIBRARY, openDevice } from '../../src/device/open-device.js';
import { DirectoryDrive } from '../../src/device/directory/directory-drive.js';
import { isAfError } from '../../src/errors.js';
import { scratchDir } from './helpers.js';

function throwsCode(fn: () => unknown, code: string, detail?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isAfError(e), String(e));
    assert.equal(e.code, code, e.message);
    if (detail) assert.match(e.detail ?? '', detail);
    return true;
  });
}

test('vtl:<dir> creates the library on first use with the given shape, then opens it', async () => {
  const root = scratchDir('open-vtl');
  try {
    const dir = path.join(root, 'lib');
    const dev = openDevice({ device: `vtl:${dir}` }, { virtual: { capacity: 1 << 30, earlyWarning: 1 << 20, slots: 4, drives: 2 } });
    assert.equal(dev.kind, 'virtual');
    assert.equal(dev.drive.name, `vtl:${dir}`);
    assert.ok(dev.changer);
    assert.equal((await dev.changer.inventory()).length, 2 + 4 + 1);
    assert.match(fs.readFileSync(path.join(dir, 'library.conf'), 'utf8'), /^capacity 1G$/m);
    // Opened again (options no longer matter), drive 2 by number or by name.
    const second = openDevice({ device: `vtl:${dir}`, drive: 1 }, { virtual: { capacity: 5, earlyWarning: 0, slots: 1, drives: 1 } });
    assert.equal(second.drive.name, `vtl:${dir}=2`);
    assert.equal(openDevice({ device: `vtl:${dir}=2` }).drive.name, `vtl:${dir}=2`);
    throwsCode(() => openDevice({ device: `vtl:${dir}=2`, drive: 0 }), 'CONFIG_ERROR');
    throwsCode(() => openDevice({ device: `vtl:${dir}`, drive: 2 }), 'DEVICE_MISSING');
    throwsCode(() => openDevice({ device: 'vtl:' }), 'CONFIG_ERROR');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('vtl:<dir> without options gets the default library', async () => {
  const root = scratchDir('open-vtl-default');
  try {
    const dev = openDevice({ device: `vtl:${root}/lib` });
    const inv = await dev.changer!.inventory();
    assert.equal(inv.filter((e) => e.kind === 'slot').length, DEFAULT_VIRTUAL_LIBRARY.slots);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a directory, or a dangling symlink, is a directory device', () => {
  const root = scratchDir('open-dir');
  try {
    const dev = openDevice({ device: root });
    assert.equal(dev.kind, 'directory');
    assert.ok(dev.drive instanceof DirectoryDrive);
    assert.equal(dev.drive.name, root);
    assert.equal(dev.changer, undefined);
    const link = path.join(root, 'dev');
    fs.symlinkSync(path.join(root, 'vol.1'), link);
    assert.equal(openDevice({ device: link }).kind, 'directory');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a character device gets the native st drive; files and missing paths are refused', () => {
  assert.equal(openDevice({ device: '/dev/null' }).kind, 'native');
  const root = scratchDir('open-other');
  try {
    fs.writeFileSync(path.join(root, 'tape.img'), '');
    throwsCode(() => openDevice({ device: path.join(root, 'tape.img') }), 'CONFIG_ERROR', /regular file/);
    throwsCode(() => openDevice({ device: path.join(root, 'missing') }), 'DEVICE_MISSING');
    throwsCode(() => openDevice({ device: '-' }), 'DEVICE_MISSING');
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
