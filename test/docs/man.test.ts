/**
 * Checks the manual pages under man/.
 *
 * - Every page passes `mandoc -Tlint` without a single message. mandoc's levels are STYLE,
 *   WARNING, ERROR, UNSUPP, BADARG and SYSERR; WARNING and above always fail. STYLE messages
 *   fail too, because every page is clean today: if a future page has a STYLE message that
 *   cannot be avoided, add it to ALLOWED_STYLE with the reason instead of loosening the check.
 * - Every page passes `groff -t -man -ww -z` silently (tbl tables included).
 * - Every program in package.json "bin" has a page in section 1 or 8, and every program page
 *   has the sections an administrator looks for.
 * - Each page's .TH line matches its file name, references to pages shipped here use the
 *   right section, and exit statuses listed in program pages exist in src/errors.ts.
 *
 * mandoc is not optional: if it is missing the test fails and says how to install it (CI
 * installs it with apt-get), it never skips.
 *
 * Run: node --import tsx --test test/docs/man.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERRORS } from '../../src/errors.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const manDir = path.join(root, 'man');

/** STYLE messages accepted on purpose, as "file: message" substrings, each with its reason. */
const ALLOWED_STYLE: ReadonlyArray<{ match: string; reason: string }> = [];

const SECTIONS_OF_PROGRAM_PAGES = [
  'NAME',
  'SYNOPSIS',
  'DESCRIPTION',
  'OPTIONS',
  'EXIT STATUS',
  'FILES',
  'EXAMPLES',
  'SEE ALSO',
];

interface Page {
  file: string;
  name: string;
  section: string;
  text: string;
}

function listPages(): Page[] {
  const pages: Page[] = [];
  for (const file of fs.readdirSync(manDir).sort()) {
    const m = /^(.+)\.([1-9])$/.exec(file);
    if (!m) continue;
    pages.push({ file, name: m[1]!, section: m[2]!, text: fs.readFileSync(path.join(manDir, file), 'utf8') });
  }
  return pages;
}

function tool(cmd: string, args: string[]) {
  return spawnSync(cmd, args, { encoding: 'utf8', cwd: manDir });
}

function requireTool(cmd: string, install: string): void {
  const r = tool(cmd, ['-V']);
  const missing = r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT';
  assert.ok(!missing, `"${cmd}" is not installed, but the man page checks need it: ${install}`);
}

/** The lines of the named .SH section, up to the next .SH. */
function section(text: string, title: string): string[] | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l === `.SH ${title}` || l === `.SH "${title}"`);
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && l.startsWith('.SH'));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

const pages = listPages();

test('man/ holds the pages the project promises', () => {
  const have = new Set(pages.map((p) => p.file));
  for (const want of [
    'afserver.8',
    'afserver.conf.5',
    'afbackup-state.5',
    'afbackup-protocol.7',
    'cartis.8',
    'cartready.8',
    'label_tape.8',
  ]) {
    assert.ok(have.has(want), `man/${want} is missing`);
  }
});

test('every page is clean under mandoc -Tlint', () => {
  requireTool('mandoc', 'apt-get install -y mandoc');
  const problems: string[] = [];
  for (const page of pages) {
    const r = tool('mandoc', ['-Tlint', '-W', 'style', page.file]);
    const out = `${r.stdout}${r.stderr}`;
    for (const line of out.split('\n')) {
      if (!line.trim()) continue;
      const m = /^mandoc: [^:]+:\d+:\d+: (STYLE|WARNING|ERROR|UNSUPP|BADARG|SYSERR): /.exec(line);
      const level = m?.[1] ?? 'UNPARSED';
      if (level === 'STYLE' && ALLOWED_STYLE.some((a) => line.includes(a.match))) continue;
      problems.push(level === 'UNPARSED' ? `unexpected mandoc output: ${line}` : line);
    }
    // mandoc's exit status: 0 clean, 1 style, 2 warning, 3 error, 4 unsupported, 5/6 fatal.
    if (r.status !== 0 && problems.length === 0 && !(r.status === 1 && ALLOWED_STYLE.length > 0)) {
      problems.push(`mandoc exited with status ${r.status} for ${page.file} without a parsable message`);
    }
  }
  assert.deepEqual(problems, [], `mandoc -Tlint found problems:\n${problems.join('\n')}`);
});

test('every page is silent under groff -ww', () => {
  requireTool('groff', 'apt-get install -y groff-base');
  const problems: string[] = [];
  for (const page of pages) {
    const r = tool('groff', ['-t', '-man', '-ww', '-z', page.file]);
    const out = `${r.stdout}${r.stderr}`.trim();
    if (r.status !== 0 || out) problems.push(`${page.file} (status ${r.status}): ${out}`);
  }
  assert.deepEqual(problems, [], `groff reported:\n${problems.join('\n')}`);
});

test('each .TH names its own file and section', () => {
  for (const page of pages) {
    const th = page.text.split('\n').find((l) => l.startsWith('.TH '));
    assert.ok(th, `${page.file} has no .TH line`);
    const [, title, sec] = /^\.TH\s+(\S+)\s+(\S+)/.exec(th)!;
    assert.equal(title, page.name.toUpperCase(), `${page.file}: .TH title`);
    assert.equal(sec, page.section, `${page.file}: .TH section`);
  }
});

test('every program in package.json "bin" has a page with the usual sections', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    bin?: Record<string, string> | string;
    name: string;
  };
  const bin = typeof pkg.bin === 'string' ? { [pkg.name]: pkg.bin } : (pkg.bin ?? {});
  const programs = Object.keys(bin);
  assert.ok(programs.length > 0, 'package.json lists no programs in "bin"');
  for (const program of programs) {
    const page = pages.find((p) => p.name === program && (p.section === '1' || p.section === '8'));
    assert.ok(page, `program "${program}" from package.json "bin" has no page man/${program}.1 or man/${program}.8`);
    for (const title of SECTIONS_OF_PROGRAM_PAGES) {
      assert.ok(section(page.text, title), `man/${page.file} has no ${title} section`);
    }
    const name = section(page.text, 'NAME')!.join(' ');
    assert.match(name, new RegExp(`^${program.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\\\- `), `man/${page.file}: NAME`);
  }
});

test('exit statuses documented in program pages exist in src/errors.ts', () => {
  // 0 (success) and 1 (any other error) are not rows of the error table.
  const known = new Set<number>([0, 1, ...Object.values(ERRORS).map((row) => row.exit)]);
  let checked = 0;
  for (const page of pages.filter((p) => p.section === '1' || p.section === '8')) {
    const lines = section(page.text, 'EXIT STATUS');
    if (!lines) continue;
    const tableStart = lines.indexOf('.TS');
    const tableEnd = lines.indexOf('.TE');
    assert.ok(tableStart >= 0 && tableEnd > tableStart, `man/${page.file}: EXIT STATUS has no table`);
    const statuses = lines
      .slice(tableStart, tableEnd)
      .map((l) => /^(\d+);/.exec(l)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number);
    assert.ok(statuses.includes(0), `man/${page.file}: EXIT STATUS does not document 0`);
    for (const status of statuses) {
      assert.ok(known.has(status), `man/${page.file}: exit status ${status} is not in src/errors.ts`);
      checked++;
    }
  }
  assert.ok(checked > 0, 'no exit status was found in any program page');
});

test('references to pages shipped here use their section', () => {
  const shipped = new Map(pages.map((p) => [p.name, p.section]));
  const problems: string[] = [];
  for (const page of pages) {
    for (const m of page.text.matchAll(/^\.BR\s+(\S+)\s+\((\d)\)/gm)) {
      const sec = shipped.get(m[1]!);
      if (sec !== undefined && sec !== m[2]) problems.push(`${page.file}: ${m[1]}(${m[2]}) should be ${m[1]}(${sec})`);
    }
  }
  assert.deepEqual(problems, []);
});
