// A pretend mtx(1) for the tests: it works on the "slots" and "drives" files of an
// afbackup-ng virtual tape library, so that a library moved by this program and the
// library's own drives and changer see the same cartridges. Plain JavaScript, so it
// starts fast. Called through the "mtx" shell wrapper, which holds the library's
// state.lck while it runs.
//
//   mtx -f <dir> status
//   mtx -f <dir> load <storage element> [<drive from 0>]
//   mtx -f <dir> unload <storage element> [<drive from 0>]
//   mtx -f <dir> transfer <storage element> <storage element>
//
// Storage elements are numbered as mtx does: the slots from 1, then the
// import/export ports.
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
if (args[0] !== '-f' || args.length < 3) die('usage: mtx -f <device> <command> [args]');
const dir = args[1];
const [cmd, ...rest] = args.slice(2);

function die(msg, code = 1) {
  process.stderr.write(`${msg}\n`);
  process.exit(code);
}

function lines(name) {
  return fs
    .readFileSync(path.join(dir, name), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(/\s+/));
}

function save(name, text) {
  const tmp = path.join(dir, `${name}.fake-mtx.tmp`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, path.join(dir, name));
}

const conf = Object.fromEntries(lines('library.conf').map((w) => [w[0], w[1]]));
const nSlots = Number(conf.slots);
const nDrives = Number(conf.drives ?? 1);
const nPorts = Number(conf.ports ?? 0);

// storage[i] = barcode or null, i = mtx number - 1 (slots, then ports)
const storage = new Array(nSlots + nPorts).fill(null);
for (const [kind, n, what] of lines('slots')) {
  const i = kind === 'slot' ? Number(n) - 1 : nSlots + Number(n) - 1;
  storage[i] = what === 'empty' ? null : what;
}
const drives = Array.from({ length: nDrives }, () => new Map([['block-size', '0'], ['state', 'empty']]));
for (const w of lines('drives')) {
  const m = new Map();
  for (let i = 2; i < w.length; i += 2) m.set(w[i], w[i + 1]);
  drives[Number(w[1]) - 1] = m;
}

function writeBack() {
  let s = '# slots, as the pretend mtx left them\n';
  for (let i = 0; i < nSlots; i++) s += `slot ${i + 1} ${storage[i] ?? 'empty'}\n`;
  for (let i = 0; i < nPorts; i++) s += `port ${i + 1} ${storage[nSlots + i] ?? 'empty'}\n`;
  save('slots', s);
  let d = '# drives, as the pretend mtx left them\n';
  drives.forEach((m, i) => {
    d += `drive ${i + 1}`;
    for (const [k, v] of m) d += ` ${k} ${v}`;
    d += '\n';
  });
  save('drives', d);
}

function storageIndex(text) {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > storage.length) die(`Invalid storage element ${text}`);
  return n - 1;
}

function driveIndex(text) {
  const n = Number(text ?? '0');
  if (!Number.isInteger(n) || n < 0 || n >= nDrives) die(`Invalid data transfer element ${text}`);
  return n;
}

const full = (m) => m.get('state') !== 'empty';

switch (cmd) {
  case 'status': {
    let out = `  Storage Changer ${dir}:${nDrives} Drives, ${storage.length} Slots ( ${nPorts} Import/Export )\n`;
    drives.forEach((m, i) => {
      if (!full(m)) {
        out += `Data Transfer Element ${i}:Empty\n`;
        return;
      }
      const from = m.get('from-slot');
      const src = from && from !== '-' ? `Storage Element ${from} Loaded` : 'Unknown Storage Element Loaded';
      out += `Data Transfer Element ${i}:Full (${src}):VolumeTag = ${m.get('cartridge')}\n`;
    });
    storage.forEach((b, i) => {
      const ie = i >= nSlots ? ' IMPORT/EXPORT' : '';
      out += `      Storage Element ${i + 1}${ie}:${b === null ? 'Empty' : `Full :VolumeTag=${b}`}\n`;
    });
    process.stdout.write(out);
    break;
  }
  case 'load': {
    const s = storageIndex(rest[0]);
    const d = driveIndex(rest[1]);
    if (storage[s] === null) die(`Source Element Address ${s + 1} is Empty`);
    if (full(drives[d])) die(`Drive ${d} Full (Storage Element ${drives[d].get('from-slot')} Loaded)`);
    const m = new Map([['block-size', drives[d].get('block-size') ?? '0'], ['state', 'loaded'], ['cartridge', storage[s]], ['from-slot', s < nSlots ? String(s + 1) : '-'], ['file', '0'], ['block', '0']]);
    drives[d] = m;
    storage[s] = null;
    writeBack();
    process.stdout.write(`Loading media from Storage Element ${s + 1} into drive ${d}...done\n`);
    break;
  }
  case 'unload': {
    const s = storageIndex(rest[0]);
    const d = driveIndex(rest[1]);
    if (!full(drives[d])) die(`Data Transfer Element ${d} is Empty`);
    if (storage[s] !== null) die(`Storage Element ${s + 1} is Already Full`);
    storage[s] = drives[d].get('cartridge');
    drives[d] = new Map([['block-size', drives[d].get('block-size') ?? '0'], ['state', 'empty']]);
    writeBack();
    process.stdout.write(`Unloading drive ${d} into Storage Element ${s + 1}...done\n`);
    break;
  }
  case 'transfer': {
    const a = storageIndex(rest[0]);
    const b = storageIndex(rest[1]);
    if (storage[a] === null) die(`Source Element Address ${a + 1} is Empty`);
    if (storage[b] !== null) die(`Destination Element Address ${b + 1} is Already Full`);
    storage[b] = storage[a];
    storage[a] = null;
    writeBack();
    break;
  }
  default:
    die(`mtx: unknown command "${cmd}"`);
}
