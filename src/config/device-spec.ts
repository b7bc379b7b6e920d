/**
 * The Backup-Device value: drives, their changers, and our virtual tape library (spec §7.1).
 *
 * Grammar: `<dev>[=<drive#>][@<changer dev>[#<slots>][^<loadports>]]`, several such
 * specs separated by blanks. Blanks may surround `=`, `@`, `#` and `^`; a backslash
 * makes the next character part of a name. Drive numbers are written 1-based and
 * kept 0-based. `-` means no device (a host that only runs remote-start programs).
 * Our addition: `vtl:<directory>` selects the virtual tape library kept in that
 * directory; a relative directory is taken relative to the Var-Directory.
 */
import path from 'node:path';
import { AfError } from '../errors.js';

export interface DeviceSpec {
  /** 'vtl' for `vtl:<dir>`, 'none' for `-`, otherwise a device, directory or file. */
  readonly kind: 'device' | 'vtl' | 'none';
  /** The device name as written, escapes removed (`%d` in commands). */
  readonly device: string;
  /** 0-based drive number inside the changer (written 1-based after `=`). */
  readonly drive: number;
  /** The changer device (`%D` in commands). */
  readonly changer?: string;
  /** Number of slots of the changer (`#n`). */
  readonly slots?: number;
  /** Number of load ports of the changer (`^n`). */
  readonly loadports?: number;
  /** For kind 'vtl': the absolute library directory. */
  readonly library?: string;
}

type Token = { kind: 'word'; text: string } | { kind: 'special'; text: '=' | '@' | '#' | '^' };

const SPECIALS = '=@#^';

export interface DeviceSpecOptions {
  /** Directory against which a relative `vtl:` directory is resolved (the Var-Directory). */
  baseDir?: string;
}

/** Parses a Backup-Device value. Throws CONFIG_SYNTAX naming the offending text. */
export function parseDeviceSpecs(text: string, opts: DeviceSpecOptions = {}): DeviceSpec[] {
  const tokens = tokenize(text);
  const specs: DeviceSpec[] = [];
  let i = 0;
  const bad = (why: string): AfError => new AfError('CONFIG_SYNTAX', `${why} in device specification "${text.trim()}"`);
  const word = (after: string): string => {
    const t = tokens[i];
    if (t?.kind !== 'word') throw bad(`a name or number must follow "${after}"`);
    i++;
    return t.text;
  };
  const count = (after: string, min: number): number => {
    const w = word(after);
    if (!/^\d+$/.test(w) || Number(w) < min) throw bad(`"${w}" after "${after}" is not a number of at least ${min}`);
    return Number(w);
  };
  const peek = (c: string): boolean => {
    const t = tokens[i];
    return t?.kind === 'special' && t.text === c;
  };

  while (i < tokens.length) {
    const first = tokens[i]!;
    if (first.kind !== 'word') throw bad(`"${first.text}" must follow a device name`);
    i++;
    const device = first.text;
    let drive = 0;
    let changer: string | undefined;
    let slots: number | undefined;
    let loadports: number | undefined;
    if (peek('=')) {
      i++;
      drive = count('=', 1) - 1;
    }
    if (peek('@')) {
      i++;
      changer = word('@');
      while (peek('#') || peek('^')) {
        const which = (tokens[i] as { text: string }).text;
        i++;
        if (which === '#') slots = count('#', 1);
        else loadports = count('^', 0);
      }
    }
    if (i < tokens.length && tokens[i]!.kind === 'special') throw bad(`unexpected "${tokens[i]!.text}"`);
    specs.push(makeSpec(device, drive, changer, slots, loadports, opts, bad));
  }
  return specs;
}

function makeSpec(
  device: string,
  drive: number,
  changer: string | undefined,
  slots: number | undefined,
  loadports: number | undefined,
  opts: DeviceSpecOptions,
  bad: (why: string) => AfError,
): DeviceSpec {
  const extra = {
    ...(changer !== undefined ? { changer } : {}),
    ...(slots !== undefined ? { slots } : {}),
    ...(loadports !== undefined ? { loadports } : {}),
  };
  if (device.startsWith('vtl:')) {
    const dir = device.slice(4);
    if (dir === '') throw bad('"vtl:" needs a library directory');
    const library = path.posix.resolve(opts.baseDir ?? '/', dir);
    return { kind: 'vtl', device, drive, ...extra, library };
  }
  return { kind: device === '-' ? 'none' : 'device', device, drive, ...extra };
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let current: string | undefined;
  const end = (): void => {
    if (current !== undefined) tokens.push({ kind: 'word', text: current });
    current = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current = (current ?? '') + text[++i];
    } else if (/\s/.test(c)) {
      end();
    } else if (SPECIALS.includes(c)) {
      end();
      tokens.push({ kind: 'special', text: c as '=' | '@' | '#' | '^' });
    } else {
      current = (current ?? '') + c;
    }
  }
  end();
  return tokens;
}
