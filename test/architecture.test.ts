/**
 * The architecture, checked: imports between the layers of src/ point down only
 * (ARCHITECTURE.md's table, as this repo keeps it in README.md), and nothing under
 * server/, protocol/, device/ or state/ writes to the console or to stdout/stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');

/** What each layer may import (besides itself). Top-level files are layers of their own. */
const MAY_IMPORT: Record<string, string[]> = {
  'errors.ts': [],
  'version.ts': [],
  'log.ts': ['errors.ts'],
  'native.ts': ['errors.ts'],
  config: ['errors.ts'],
  protocol: ['errors.ts'],
  archive: ['errors.ts'],
  device: ['errors.ts', 'log.ts', 'native.ts'],
  state: ['errors.ts', 'config', 'native.ts'],
  server: ['errors.ts', 'log.ts', 'native.ts', 'version.ts', 'config', 'protocol', 'device', 'state'],
  client: ['errors.ts', 'log.ts', 'version.ts', 'config', 'protocol', 'archive', 'state'],
  director: ['errors.ts', 'log.ts', 'version.ts', 'config', 'state', 'client'],
  cli: ['*'],
};

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

function layerOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length === 1 ? rel[0]! : rel[0]!;
}

test('imports point down the layers only', () => {
  const bad: string[] = [];
  for (const f of files(SRC)) {
    const layer = layerOf(f);
    const allowed = MAY_IMPORT[layer];
    assert.ok(allowed, `${path.relative(SRC, f)}: ${layer} is not a known layer (add it to the table)`);
    const text = fs.readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'";]*?from\s+['"](\.[^'"]+)['"]/g)) {
      const target = path.resolve(path.dirname(f), m[1]!.replace(/\.js$/, '.ts'));
      if (!target.startsWith(SRC)) continue;
      const to = layerOf(target);
      if (to === layer || allowed.includes('*') || allowed.includes(to)) continue;
      bad.push(`${path.relative(SRC, f)} imports ${path.relative(SRC, target)} (${layer} -> ${to})`);
    }
  }
  assert.deepEqual(bad, []);
});

test('no console or stdout/stderr writes below the CLI layer', () => {
  const bad: string[] = [];
  for (const f of files(SRC)) {
    if (['cli', 'client', 'director'].includes(layerOf(f))) continue;
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    lines.forEach((l, i) => {
      if (/\bconsole\.|process\.(stdout|stderr)\b/.test(l) && !l.trim().startsWith('*') && !l.trim().startsWith('//')) bad.push(`${path.relative(SRC, f)}:${i + 1}: ${l.trim()}`);
    });
  }
  assert.deepEqual(bad, []);
});

test('every source file starts by saying what it is for', () => {
  const bad = files(SRC).filter((f) => !/^(#![^\n]*\n)?\/\*\*|^(#![^\n]*\n)?\/\//.test(fs.readFileSync(f, 'utf8')));
  assert.deepEqual(bad.map((f) => path.relative(SRC, f)), []);
});
