/**
 * One idea: every kind of mistake in a director configuration is a CONFIG_SYNTAX
 * error that names the file, the line and the offending word.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfText } from '../../src/director/conf/parser.js';
import { loadDirectorConfig, validateConfig } from '../../src/director/conf/validate.js';
import { isAfError } from '../../src/errors.js';

const FIX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/director');

const HEAD = 'Director { Name = d; Var Directory = /v }\nClient { Name = c1; Address = h1 }\nSchedule { Name = S; Run = Full sun at 1:00 }\n';

function load(body: string): void {
  validateConfig(parseConfText(HEAD + body, 'bad.conf'), 'bad.conf');
}

/** Asserts the error and returns its detail; `line` counts from the first line of `body` (HEAD has 3). */
function fails(body: string, line: number, word: string, what: RegExp): void {
  assert.throws(() => load(body), (err: unknown) => {
    assert.ok(isAfError(err, 'CONFIG_SYNTAX'), String(err));
    const d = err.detail!;
    assert.match(d, new RegExp(`^"bad\\.conf" line ${line + 3}: `), d);
    assert.ok(d.endsWith(`, near "${word}"`), d);
    assert.match(d, what);
    return true;
  });
}

const cases: [name: string, body: string, line: number, word: string, what: RegExp][] = [
  ['unknown resource', '\nStorage {\n Name = x\n}\n', 2, 'Storage', /unknown resource type/],
  ['unknown key', 'Job {\n Name = j\n Client = c1\n Clinet Run Before Job = x\n}\n', 4, 'Clinet Run Before Job', /unknown key/],
  ['unknown nested block', 'Client {\n Name = c2\n Address = h\n Foo {\n }\n}\n', 4, 'Foo', /unknown block/],
  ['missing }', 'Job {\n Name = j\n Client = c1\n', 1, 'Job', /not closed/],
  ['stray }', '}\n', 1, '}', /without a matching/],
  ['missing =', 'Job {\n Name j\n}\n', 2, 'Name j', /expected "=" or "\{"/],
  ['no value', 'Job {\n Name =\n}\n', 2, 'Name', /no value/],
  ['unclosed string', 'Job {\n Name = "j\n}\n', 2, '"j', /not closed/],
  ['bad duration', 'Job {\n Name = j\n Client = c1\n Max Start Delay = 3 fortnights\n}\n', 4, '3 fortnights', /unknown time unit "fortnights"/],
  ['bad yes/no', 'Job {\n Name = j; Client = c1; Reschedule On Error = sometimes\n}\n', 2, 'sometimes', /yes or no/],
  ['bad port', 'Client { Name = c2; Address = h; Port = 70000 }\n', 1, '70000', /from 1 to 65535/],
  ['unknown client', 'Job {\n Name = j\n Client = nosuch\n}\n', 3, 'nosuch', /Client "nosuch" is not defined/],
  ['unknown schedule', 'Job {\n Name = j; Client = c1\n Schedule = Weekly\n}\n', 3, 'Weekly', /Schedule "Weekly" is not defined/],
  ['unknown messages', 'Job {\n Name = j; Client = c1\n Messages = M\n}\n', 3, 'M', /Messages "M" is not defined/],
  ['duplicate client name', 'Client {\n Name = c1\n Address = other\n}\n', 2, 'c1', /second Client named "c1".*line 2/],
  ['repeated key', 'Client {\n Name = c2\n Address = a\n Address = b\n}\n', 4, 'Address', /given twice.*first on line 6/],
  ['Run without a time', 'Schedule {\n Name = T\n Run = Full mon-fri\n}\n', 3, 'Full mon-fri', /no time of day/],
  ['Run with an unknown word', 'Schedule {\n Name = T\n Run = Full mon-fry at 1:00\n}\n', 3, 'fry', /unknown word "fry" at column 17/],
  ['missing required key', '\nJob {\n Name = j\n}\n', 2, 'Job', /needs "Client ="/],
  ['bad message type', 'Messages {\n Name = M\n Mail = a@b = all, !chatter\n}\n', 3, 'a@b = all, !chatter', /unknown message type "!chatter"/],
  ['directive outside a resource', 'Name = x\n', 1, 'Name', /outside of any resource/],
  ['console without secret', 'Console {\n Name = op\n}\n', 1, 'op', /Password/],
  ['bad level', 'Job { Name = j; Client = c1; Level = Partial }\n', 1, 'Partial', /Full, Incremental or Differential/],
];

for (const [name, body, line, word, what] of cases) {
  test(`error: ${name}`, () => fails(body, line, word, what));
}

test('error: a second Director', () => {
  assert.throws(() => load('Director { Name = e; Var Directory = /w }\n'), /"bad\.conf" line 4: a second Director resource .*near "Director"/);
});

test('error: several tape servers and a job that names none', () => {
  fails('TapeServer { Name = t1; Address = a }\nTapeServer { Name = t2; Address = b }\nJob { Name = j; Client = c1 }\n', 3, 'j', /needs "Tape Server ="/);
});

test('error: no Director at all', () => {
  assert.throws(() => validateConfig(parseConfText('Client { Name = c; Address = h }\n', 'x.conf'), 'x.conf'), /"x\.conf" line 1: no Director resource/);
});

test('errors in included files name the included file', async () => {
  await assert.rejects(loadDirectorConfig(path.join(FIX, 'include/bad-inner.conf')), (err: unknown) => {
    assert.ok(isAfError(err, 'CONFIG_SYNTAX'));
    assert.match(err.detail!, /^".*include\/broken\.conf" line 3: unknown key "Adress" in Client, near "Adress"$/);
    return true;
  });
  await assert.rejects(loadDirectorConfig(path.join(FIX, 'include/self.conf')), /line 2: the file includes itself, near "self\.conf"/);
  await assert.rejects(loadDirectorConfig(path.join(FIX, 'include/none.conf')), /"[^"]*none\.conf": cannot read the file \(ENOENT\)/);
});
