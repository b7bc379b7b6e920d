/**
 * Restores never follow a link planted by an earlier entry of the same archive,
 * also when the link replaced (-u) something in a directory already found safe
 * earlier in the run: the remembered safe directories are forgotten whenever the
 * extraction removes anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { END_MARK, archivePadding, encodeDataSync, encodeRecord } from '../../src/archive/packer.js';
import { afclient } from './helpers.js';

const head = (name: string, mode: number) => ({ name: Buffer.from(name), mode, mtime: 1_500_000_000, uid: 0, gid: 0 });

test('a symlink that replaced a file (-u) is not followed by later entries', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-links-'));
  try {
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(outside);
    const file = (name: string, text: string) =>
      encodeDataSync({ ...head(name, 0o100644), kind: 'file', crc: false, unprocess: Buffer.alloc(0), size: text.length }, Buffer.from(text));
    const parts = [
      file('d/a', 'first\n'),
      file('d/c', 'second\n'),
      encodeRecord({ ...head('d/a', 0o120777), kind: 'symlink', target: Buffer.from(outside) }),
      file('d/a/b', 'must not land outside\n'),
      END_MARK,
    ];
    const body = Buffer.concat(parts);
    fs.writeFileSync(path.join(dir, 'a.af'), Buffer.concat([body, archivePadding(body.length)]));
    fs.mkdirSync(path.join(dir, 'out'));
    const r = await afclient(['-x', '-a', '-u', '-f', path.join(dir, 'a.af')], { cwd: path.join(dir, 'out') });
    assert.notEqual(r.status, 0, 'the refused entry is reported in the exit status');
    assert.deepEqual(fs.readdirSync(outside), [], 'nothing was written through the link');
    assert.ok(r.err.some((l) => /symbolic link/.test(l)), r.err.join('\n'));
    assert.equal(fs.readlinkSync(path.join(dir, 'out', 'd', 'a')), outside, 'the link itself was restored');
    assert.equal(fs.readFileSync(path.join(dir, 'out', 'd', 'c'), 'utf8'), 'second\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
