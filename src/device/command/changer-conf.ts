/**
 * afbackup's changer.conf: the shell commands a command-driven changer runs to move
 * cartridges and to list its contents (spec §7.3), and the `%x` values of one move.
 *
 * Keys are recognised as tolerantly as afserver.conf keys: case does not matter, the
 * words may be joined by `-`, `_`, blanks or nothing, plurals and the abbreviations of
 * "Command" (Cmd, Comd, ...) are accepted, and an optional colon ends the key:
 *   Move <Drive|Slot|Loadport> To <Drive|Slot|Loadport> Command   (9 combinations)
 *   List Empty Slots Command, List Empty Loadports Command
 *   List Tape Labels Command, List Tape Labels In <Drives|Slots|Loadports> Command
 *
 * The parser takes logical lines, as config/param-file.ts readParamLines() makes them
 * (continuations glued, comments dropped): the device layer may not import config/,
 * so the caller reads the file and this module only interprets it. Likewise
 * moveVars() gives the values of `%d %D %n %m %N %M`, for config/command-template.ts
 * expandTemplate() to substitute.
 */
import { AfError } from '../../errors.js';

export type ChangerPlace = 'drive' | 'slot' | 'loadport';
export type MoveKey = `${ChangerPlace}:${ChangerPlace}`;

/** A logical line of a parameter file (the shape readParamLines() returns). */
export interface ConfLine {
  readonly line: number;
  readonly text: string;
}

export interface ChangerConf {
  /** Move commands by `<from>:<to>`, e.g. move['slot:drive']. */
  move: Partial<Record<MoveKey, string>>;
  listEmptySlots?: string;
  listEmptyLoadports?: string;
  /** Prints lines `slot|drive|loadport <n> <barcode>`. */
  listTapeLabels?: string;
  /** Per place, prints lines `<n> <barcode>`. */
  listTapeLabelsIn: Partial<Record<ChangerPlace, string>>;
  /** Lines that set no known key (afbackup ignores them; a caller may warn). */
  unknownLines: ConfLine[];
  /** Lines that set a key an earlier line had set already (the later line wins). */
  duplicateLines: ConfLine[];
}

const SEP = '[-_ \\t]*';
const TAIL = '(?=[\\s:]|$)[ \\t]*:?[ \\t]*';

/** Stand-ins in key spellings: a captured place (any of three, or slot or port only) and "Command" with its abbreviations. */
const WORDS: Readonly<Record<string, string>> = {
  PLACE: '(Drive|Slot|Load[-_ \\t]*Port)s?',
  SLOT_OR_PORT: '(Slot|Load[-_ \\t]*Port)s?',
  CMD: 'Co?mm?a?n?d',
};

/** A key pattern: a blank in the spelling is an optional separator; WORDS are expanded. */
function pattern(spelling: string): RegExp {
  const body = spelling
    .split(' ')
    .map((w) => WORDS[w] ?? w)
    .join(SEP);
  return new RegExp(`^\\s*${body}${TAIL}`, 'i');
}

const MOVE = pattern('Move PLACE To PLACE CMD');
const LIST_EMPTY = pattern('List Empty SLOT_OR_PORT CMD');
const LIST_LABELS_IN = pattern('List (?:Tape|Cart(?:ridge)?)s? Labels? In PLACE CMD');
const LIST_LABELS = pattern('List (?:Tape|Cart(?:ridge)?)s? Labels? CMD');

function place(word: string): ChangerPlace {
  const w = word.toLowerCase();
  return w.startsWith('drive') ? 'drive' : w.startsWith('slot') ? 'slot' : 'loadport';
}

/** Interprets the logical lines of a changer.conf. */
export function parseChangerConf(lines: readonly ConfLine[]): ChangerConf {
  const conf: ChangerConf = { move: {}, listTapeLabelsIn: {}, unknownLines: [], duplicateLines: [] };
  const seen = new Set<string>();
  for (const l of lines) {
    let key: string;
    let set: (v: string) => void;
    let m: RegExpExecArray | null;
    if ((m = MOVE.exec(l.text))) {
      const k: MoveKey = `${place(m[1]!)}:${place(m[2]!)}`;
      key = `move ${k}`;
      set = (v) => (conf.move[k] = v);
    } else if ((m = LIST_EMPTY.exec(l.text))) {
      const slots = place(m[1]!) === 'slot';
      key = slots ? 'list empty slots' : 'list empty loadports';
      set = (v) => (slots ? (conf.listEmptySlots = v) : (conf.listEmptyLoadports = v));
    } else if ((m = LIST_LABELS_IN.exec(l.text))) {
      const p = place(m[1]!);
      key = `list labels in ${p}`;
      set = (v) => (conf.listTapeLabelsIn[p] = v);
    } else if ((m = LIST_LABELS.exec(l.text))) {
      key = 'list labels';
      set = (v) => (conf.listTapeLabels = v);
    } else {
      conf.unknownLines.push(l);
      continue;
    }
    if (seen.has(key)) conf.duplicateLines.push(l);
    seen.add(key);
    const value = l.text.slice(m[0].length).trim();
    if (value !== '') set(value);
  }
  return conf;
}

/** The configured command for a move; CHANGER_FAILED when changer.conf has none. */
export function moveCommand(conf: ChangerConf, from: ChangerPlace, to: ChangerPlace): string {
  const cmd = conf.move[`${from}:${to}`];
  if (cmd === undefined) {
    const name = (p: ChangerPlace): string => (p === 'loadport' ? 'Loadport' : p[0]!.toUpperCase() + p.slice(1));
    throw new AfError('CHANGER_FAILED', `the changer configuration has no "Move ${name(from)} To ${name(to)} Command"`);
  }
  return cmd;
}

export interface MoveSpec {
  from: ChangerPlace;
  /** 1-based number of the source element within its kind. */
  fromNumber: number;
  to: ChangerPlace;
  /** 1-based number of the target element within its kind. */
  toNumber: number;
  /** The changer device (`%D`). */
  changerDevice: string;
  /** The tape device of the drive concerned (`%d`), when known. */
  driveDevice?: string;
}

/**
 * The values of one move's `%x`: `%n`/`%m` the source number 1-/0-based, `%N`/`%M` the
 * target number 1-/0-based, `%D` the changer device, `%d` the drive's device (left
 * unexpanded when not given). Pass the result to expandTemplate().
 */
export function moveVars(spec: MoveSpec): Record<string, string> {
  for (const [name, n] of [
    ['source', spec.fromNumber],
    ['target', spec.toNumber],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new AfError('CHANGER_FAILED', `${name} element number ${String(n)} is not 1 or more`);
  }
  const vars: Record<string, string> = {
    D: spec.changerDevice,
    n: String(spec.fromNumber),
    m: String(spec.fromNumber - 1),
    N: String(spec.toNumber),
    M: String(spec.toNumber - 1),
  };
  if (spec.driveDevice !== undefined) vars.d = spec.driveDevice;
  return vars;
}

/**
 * Parses the output of a List Empty Slots/Loadports Command: numbers and ranges (`a-b`)
 * separated by blanks, commas or newlines, in any order; returned sorted, once each.
 */
export function parseNumberList(output: string): number[] {
  const out = new Set<number>();
  for (const word of output.split(/[\s,]+/)) {
    if (word === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(word);
    if (!m) throw new AfError('CHANGER_FAILED', `cannot read "${word}" as a number or range in the list of empty elements`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new AfError('CHANGER_FAILED', `range "${word}" runs backwards in the list of empty elements`);
    if (b - a > 100000) throw new AfError('CHANGER_FAILED', `range "${word}" is implausibly long in the list of empty elements`);
    for (let n = a; n <= b; n++) out.add(n);
  }
  return [...out].sort((x, y) => x - y);
}

export interface TapeLabel {
  place: ChangerPlace;
  number: number;
  barcode: string;
}

/**
 * Parses the output of a List Tape Labels Command (lines `slot|drive|loadport <n> <label>`)
 * or, when `only` names the place, of a List Tape Labels In ... Command (lines `<n> <label>`).
 * A line with a number and no label is an element without a readable label and is skipped.
 */
export function parseTapeLabels(output: string, only?: ChangerPlace): TapeLabel[] {
  const out: TapeLabel[] = [];
  output.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const m = only
      ? /^()(\d+)(?:\s+(.*))?$/.exec(line)
      : /^(drive|slot|load[-_ ]?port)s?\s+(\d+)(?:\s+(.*))?$/i.exec(line);
    if (!m) throw new AfError('CHANGER_FAILED', `cannot read line ${i + 1} of the tape label list: "${line}"`);
    const barcode = (m[3] ?? '').trim();
    if (barcode === '') return;
    out.push({ place: only ?? place(m[1]!), number: Number(m[2]), barcode });
  });
  return out;
}
