/**
 * A MediaChanger driven by the shell commands of a changer.conf (spec §7.3): every
 * move runs the configured "Move X To Y Command", the inventory comes from the
 * configured list commands.
 *
 * The device layer may not read configuration files nor start shells itself, so the
 * caller (src/cli/changer-setup.ts) hands over everything: the parsed changer.conf,
 * a function that runs one command line and returns its exit code and output, and
 * the `%x` expander (config/command-template.ts expandTemplate).
 *
 * Inventory, first match wins:
 * - If one of the list commands (List Tape Labels, List Tape Labels In Slots/Drives,
 *   List Empty Slots, in that order) is a plain `mtx ... status` call (its first word
 *   names a program called mtx, its last word is `status`, and it has no pipe, `;`,
 *   `&`, redirection or substitution), its output is read as mtx's status text
 *   (mtx-status.ts). That gives every element, its barcode and a drive's source slot.
 * - Otherwise the elements are built from the counts the caller gives (drives,
 *   slots, loadports; a count not given is the highest number any list printed),
 *   List Empty Slots/Loadports Command tells which slots/ports are empty, and the
 *   label lists name the barcodes. Without an empty list, an element is full when a
 *   label list names it. Drives are full only when a label list names them, and
 *   their source slot is not known.
 *
 * Element numbers in `%n %N` (1-based) and `%m %M` (0-based) are ours: drives,
 * slots and loadports each counted from 1.
 *
 * Every move first takes the inventory and refuses what cannot work (no such
 * element, empty source, full target) without running anything, so a refused move
 * changes nothing. A command that exits with a non-zero status is CHANGER_FAILED
 * naming the command and quoting (the end of) its output. Moves of one object run
 * one after the other. Locks between processes are the caller's business (cart_ctl
 * holds the Changer-Lockfile around its moves).
 */
import { AfError } from '../../errors.js';
import type { Element, MediaChanger } from '../tape-drive.js';
import { type ChangerConf, type ChangerPlace, moveCommand, moveVars, parseNumberList, parseTapeLabels, type TapeLabel } from './changer-conf.js';
import { parseMtxStatus } from './mtx-status.js';

export interface CommandResult {
  /** The exit status (non-zero = failed). */
  code: number;
  /** What the command printed (stdout and stderr). */
  output: string;
}

/** Runs one command line (through a shell) and reports how it ended. */
export type CommandRunner = (command: string) => Promise<CommandResult>;

/** Substitutes `%x` in a template (config/command-template.ts expandTemplate). */
export type TemplateExpander = (template: string, vars: Readonly<Record<string, string>>) => string;

export interface CommandChangerOptions {
  conf: ChangerConf;
  /** The changer device (`%D`); also the changer's name. */
  changerDevice: string;
  run: CommandRunner;
  expand: TemplateExpander;
  /** The tape device of each drive (`%d`): driveDevices[0] belongs to drive 1. */
  driveDevices?: readonly string[];
  /** Number of drives (default: as many as driveDevices, at least 1; mtx output overrides). */
  drives?: number;
  /** Number of slots (`#n` of the device specification). */
  slots?: number;
  /** Number of load ports (`^n` of the device specification). */
  loadports?: number;
}

const MAX_OUTPUT_QUOTED = 400;

function failed(why: string): AfError {
  return new AfError('CHANGER_FAILED', why);
}

function placeOf(kind: Element['kind']): ChangerPlace {
  return kind === 'ioport' ? 'loadport' : kind;
}

function kindOf(place: ChangerPlace): Element['kind'] {
  return place === 'loadport' ? 'ioport' : place;
}

function describe(kind: Element['kind'], n: number): string {
  return `${kind === 'ioport' ? 'load port' : kind} ${n}`;
}

/** True for a command line that is nothing but an `mtx ... status` call. */
export function isMtxStatusCall(command: string): boolean {
  if (/[|;&<>`$()]/.test(command)) return false;
  const words = command.trim().split(/\s+/);
  if (words.length < 2) return false;
  const prog = words[0]!.split('/').pop();
  return prog === 'mtx' && words[words.length - 1] === 'status';
}

export class CommandChanger implements MediaChanger {
  readonly name: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: CommandChangerOptions) {
    this.name = opts.changerDevice;
  }

  async inventory(): Promise<Element[]> {
    const mtx = this.mtxStatusCommand();
    if (mtx !== undefined) return parseMtxStatus(await this.runChecked(mtx, 'list the changer\'s elements')).elements;
    return this.listedInventory();
  }

  async load(slot: number, drive: number): Promise<void> {
    await this.serial(async () => {
      const inv = await this.inventory();
      const from = this.element(inv, 'slot', slot);
      const to = this.element(inv, 'drive', drive);
      if (!from.full) throw failed(`slot ${slot} is empty`);
      if (to.full) throw failed(`drive ${drive} is full${to.barcode ? ` (cartridge ${to.barcode})` : ''}`);
      await this.runMove('slot', slot, 'drive', drive, drive);
    });
  }

  async unload(drive: number, slot?: number): Promise<void> {
    await this.serial(async () => {
      const inv = await this.inventory();
      const from = this.element(inv, 'drive', drive);
      if (!from.full) throw failed(`drive ${drive} is empty`);
      let target: Element | undefined;
      if (slot !== undefined) {
        target = this.element(inv, 'slot', slot);
      } else {
        const source = from.sourceSlot === undefined ? undefined : inv.find((e) => e.kind === 'slot' && e.number === from.sourceSlot);
        target = source && !source.full ? source : inv.find((e) => e.kind === 'slot' && !e.full);
        if (!target) throw failed(`no empty slot to unload drive ${drive} into`);
      }
      if (target.full) throw failed(`slot ${target.number} is full${target.barcode ? ` (cartridge ${target.barcode})` : ''}`);
      await this.runMove('drive', drive, 'slot', target.number, drive);
    });
  }

  async transfer(from: Element, to: Element): Promise<void> {
    for (const e of [from, to]) {
      if (e.kind === 'drive') throw failed('transfer moves between slots and load ports; use load and unload for drives');
    }
    await this.serial(async () => {
      const inv = await this.inventory();
      const src = this.element(inv, from.kind, from.number);
      const dst = this.element(inv, to.kind, to.number);
      if (!src.full) throw failed(`${describe(from.kind, from.number)} is empty`);
      if (src === dst) return;
      if (dst.full) throw failed(`${describe(to.kind, to.number)} is full${dst.barcode ? ` (cartridge ${dst.barcode})` : ''}`);
      await this.runMove(placeOf(from.kind), from.number, placeOf(to.kind), to.number);
    });
  }

  // --- internals ---

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private element(inv: Element[], kind: Element['kind'], n: number): Element {
    const e = Number.isInteger(n) ? inv.find((x) => x.kind === kind && x.number === n) : undefined;
    if (!e) {
      const count = inv.filter((x) => x.kind === kind).length;
      throw failed(`there is no ${describe(kind, n)} (the changer ${this.name} has ${count})`);
    }
    return e;
  }

  private async runMove(from: ChangerPlace, fromNumber: number, to: ChangerPlace, toNumber: number, drive?: number): Promise<void> {
    const template = moveCommand(this.opts.conf, from, to);
    const driveDevice = drive === undefined ? undefined : this.opts.driveDevices?.[drive - 1];
    const vars = moveVars({ from, fromNumber, to, toNumber, changerDevice: this.opts.changerDevice, ...(driveDevice === undefined ? {} : { driveDevice }) });
    await this.runChecked(this.opts.expand(template, vars), `move ${from} ${fromNumber} to ${to} ${toNumber}`);
  }

  private expandList(template: string): string {
    return this.opts.expand(template, { D: this.opts.changerDevice });
  }

  private mtxStatusCommand(): string | undefined {
    const c = this.opts.conf;
    for (const t of [c.listTapeLabels, c.listTapeLabelsIn.slot, c.listTapeLabelsIn.drive, c.listEmptySlots]) {
      if (t === undefined) continue;
      const cmd = this.expandList(t);
      if (isMtxStatusCall(cmd)) return cmd;
    }
    return undefined;
  }

  private async runChecked(command: string, what: string): Promise<string> {
    let r: CommandResult;
    try {
      r = await this.opts.run(command);
    } catch (e) {
      throw new AfError('CHANGER_FAILED', `cannot run "${command}" to ${what}: ${(e as Error).message}`, { cause: e });
    }
    if (r.code !== 0) {
      let out = r.output.trim().replace(/\s*\n\s*/g, ' / ');
      if (out.length > MAX_OUTPUT_QUOTED) out = `...${out.slice(-MAX_OUTPUT_QUOTED)}`;
      throw failed(`"${command}" (to ${what}) exited with status ${r.code}${out ? `: ${out}` : ' and printed nothing'}`);
    }
    return r.output;
  }

  private async listedInventory(): Promise<Element[]> {
    const c = this.opts.conf;
    if (c.listTapeLabels === undefined && c.listEmptySlots === undefined && Object.keys(c.listTapeLabelsIn).length === 0) {
      throw failed(`the changer configuration has no command that lists the contents of ${this.name} (List Empty Slots Command or List Tape Labels Command)`);
    }
    const labels: TapeLabel[] = [];
    if (c.listTapeLabels !== undefined) {
      labels.push(...parseTapeLabels(await this.runChecked(this.expandList(c.listTapeLabels), 'list the tape labels'), undefined));
    } else {
      for (const place of ['drive', 'slot', 'loadport'] as const) {
        const t = c.listTapeLabelsIn[place];
        if (t !== undefined) labels.push(...parseTapeLabels(await this.runChecked(this.expandList(t), `list the tape labels in the ${place}s`), place));
      }
    }
    const emptySlots = c.listEmptySlots === undefined ? undefined : parseNumberList(await this.runChecked(this.expandList(c.listEmptySlots), 'list the empty slots'));
    const emptyPorts =
      c.listEmptyLoadports === undefined ? undefined : parseNumberList(await this.runChecked(this.expandList(c.listEmptyLoadports), 'list the empty load ports'));

    const highest = (place: ChangerPlace, extra: readonly number[] = []): number =>
      Math.max(0, ...labels.filter((l) => l.place === place).map((l) => l.number), ...extra);
    const drives = this.opts.drives ?? Math.max(1, this.opts.driveDevices?.length ?? 0, highest('drive'));
    const slots = this.opts.slots ?? highest('slot', emptySlots);
    const ports = this.opts.loadports ?? highest('loadport', emptyPorts);

    const out: Element[] = [];
    const add = (place: ChangerPlace, count: number, empty: readonly number[] | undefined): void => {
      for (let n = 1; n <= count; n++) {
        const label = labels.find((l) => l.place === place && l.number === n);
        const full = empty === undefined ? label !== undefined : !empty.includes(n);
        const e: Element = { kind: kindOf(place), number: n, full };
        if (full && label) e.barcode = label.barcode;
        out.push(e);
      }
    };
    add('drive', drives, undefined);
    add('slot', slots, emptySlots);
    add('loadport', ports, emptyPorts);
    return out;
  }
}
