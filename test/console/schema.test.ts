/**
 * The JSON Schema in etc/afconsole.schema.json and the documents afconsole prints
 * agree: every command's document (success, non-zero result and error forms), made
 * against a prepared director, validates against the schema with a small validator
 * (type, const, enum, properties, required, additionalProperties, items, oneOf,
 * $ref), and every command in the command table has its definition in the schema.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { COMMANDS } from '../../src/director/console/session.js';
import { writeDirectorStatus } from '../../src/director/spool/director-status.js';
import { appendMessage } from '../../src/director/console/messages-file.js';
import { makeServerDir, type ServerDir } from '../server/e2e-helpers.js';
import { fakeWorld, makeCtx, makeDirectorDir, ROOT, run, type DirectorDir } from './helpers.js';
import { writeHistory } from './fixture-history.js';

type Schema = Record<string, any>;
const schema: Schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'etc/afconsole.schema.json'), 'utf8'));

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Problems of `v` against `s` (empty = valid). */
function check(v: unknown, s: Schema, at = '$'): string[] {
  if (s.$ref) return check(v, schema.$defs[s.$ref.replace('#/$defs/', '')], at);
  if (s.oneOf) {
    const ok = s.oneOf.filter((alt: Schema) => check(v, alt, at).length === 0).length;
    return ok === 1 ? [] : [`${at}: matches ${ok} of oneOf`];
  }
  const out: string[] = [];
  if ('const' in s && v !== s.const) out.push(`${at}: ${JSON.stringify(v)} is not ${JSON.stringify(s.const)}`);
  if (s.enum && !s.enum.includes(v)) out.push(`${at}: ${JSON.stringify(v)} not in enum`);
  if (s.type) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const t = typeOf(v);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return [`${at}: ${t} is not ${types.join('|')}`];
  }
  if (typeOf(v) === 'object' && s.properties) {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) out.push(`${at}: missing ${r}`);
    for (const [k, val] of Object.entries(o)) {
      if (s.properties[k]) out.push(...check(val, s.properties[k], `${at}.${k}`));
      else if (s.additionalProperties === false) out.push(`${at}: unexpected ${k}`);
    }
  }
  if (Array.isArray(v) && s.items) v.forEach((x, i) => out.push(...check(x, s.items, `${at}[${i}]`)));
  return out;
}

let d: DirectorDir;
let server: ServerDir;
before(async () => {
  server = makeServerDir('', { carts: 3 });
  fs.writeFileSync(path.join(server.var, 'bytes_on_tape'), '1: 2048 1 0 1774562400\n');
  d = await makeDirectorDir({ serverConf: server.conf });
  fs.writeFileSync(path.join(d.dir, 'afclient.conf'), `RootDirectory: ${d.dir}\nDirsToBackup: var\nVarDirectory: ${d.dir}/clientvar\n`);
  await writeHistory(d.varDir);
  await writeDirectorStatus(d.varDir, { pid: process.pid, mode: 'foreground', started: '2026-03-26T10:00:00+01:00', lastTick: '2026-03-26T12:00:00+01:00', version: '0.1.0' });
  await appendMessage(d.varDir, { time: '2026-03-26T12:01:00+01:00', type: 'info', jobid: null, job: null, client: null, text: 'hello' });
});
after(() => {
  d.cleanup();
  server.cleanup();
});

test('every command in the table has its definition in the schema', () => {
  for (const c of COMMANDS) assert.ok(schema.$defs[`cmd_${c.name.replace(/ /g, '_')}`], c.name);
});

const LINES = [
  'status director', 'status scheduler days=3', 'status client=fileserver', 'list jobs', 'list jobs last',
  'list joblog jobid=1', 'list volumes', 'run job=laptop-backup yes', 'run job=laptop-backup', 'wait jobid=1',
  'wait jobid=4 timeout=0', 'cancel jobid=5', 'messages', 'estimate job=laptop-backup listing', 'estimate job=workstation-backup listing', 'restore client=laptop x',
  'help', 'quit', 'lsit', 'list joblog jobid=77', 'run job="x', 'status client=laptop',
];

for (const line of LINES) {
  test(`the document of "${line}" matches the schema`, async () => {
    const world = fakeWorld('2026-03-26T12:00:00Z', line === 'status client=laptop' ? { afclient: async () => ({ exit: 52, stdout: '', stderr: 'no\n' }) } : {});
    const o = await run(makeCtx(d, { json: true, world }), line);
    const doc = JSON.parse(JSON.stringify(o.document));
    assert.deepEqual(check(doc, schema), [], JSON.stringify(doc));
    assert.equal(doc.ok, o.status === 0);
  });
}

test('the validator itself rejects an extra member, a wrong type and a missing member', async () => {
  const o = await run(makeCtx(d, { json: true }), 'list jobs');
  const doc = JSON.parse(JSON.stringify(o.document));
  assert.deepEqual(check(doc, schema), []);
  assert.notDeepEqual(check({ ...doc, extra: 1 }, schema), []);
  assert.notDeepEqual(check({ ...doc, jobs: [{ ...doc.jobs[0], id: '1' }] }, schema), []);
  const { problems: _p, ...missing } = doc;
  assert.notDeepEqual(check(missing, schema), []);
});
