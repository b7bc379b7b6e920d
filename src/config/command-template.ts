/**
 * `%x` substitution in configured commands, done so that client data never reaches a shell.
 *
 * afbackup replaces `%d`, `%n`, `%m`, `%u`, `%U`, `%H`, ... in the commands it runs
 * through `sh -c`. Values the server knows (device, cartridge numbers, paths) are
 * inserted as they are; values that come from a client (`%U` login name, `%H` host
 * name) are inserted shell-quoted for the quoting context they land in, so they are
 * always one literal string to the shell. `%%` is a literal `%`; an unknown `%x` stays.
 */
import { splitWords } from './words.js';

export type TemplateVars = Readonly<Record<string, string | undefined>>;

/** Plain substitution: `%%` → `%`, `%x` → vars[x] when defined, otherwise kept. */
export function expandTemplate(template: string, vars: TemplateVars): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '%' || i + 1 >= template.length) {
      out += c;
      continue;
    }
    const x = template[i + 1]!;
    const value = x === '%' ? '%' : vars[x];
    if (value === undefined) {
      out += c;
      continue;
    }
    out += value;
    i++;
  }
  return out;
}

/** Quotes a string for a POSIX shell: one single-quoted word, `'` written as `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Substitutes a command meant for `sh -c`. `trusted` values are inserted verbatim;
 * `untrusted` ones (from clients) are quoted for the context at their position:
 * bare, inside '…' or inside "…". A backslash right before an untrusted `%x` is
 * dropped, since it would otherwise escape the opening quote.
 */
export function expandCommand(template: string, trusted: TemplateVars, untrusted: TemplateVars = {}): string {
  let out = '';
  let quote: '' | "'" | '"' = '';
  let pendingBackslash = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    const x = template[i + 1];
    if (c === '%' && x !== undefined) {
      if (x === '%') {
        out += flush() + '%';
        i++;
        continue;
      }
      const plain = trusted[x];
      const client = plain === undefined ? untrusted[x] : undefined;
      if (plain !== undefined) {
        out += flush() + plain;
        i++;
        continue;
      }
      if (client !== undefined) {
        pendingBackslash = false;
        const q = shellQuote(client);
        out += quote === '' ? q : `${quote}${q}${quote}`;
        i++;
        continue;
      }
    }
    if (pendingBackslash) {
      out += flush() + c;
      continue;
    }
    if (c === '\\' && quote !== "'") {
      pendingBackslash = true;
      continue;
    }
    if (quote === '' && (c === "'" || c === '"')) quote = c;
    else if (quote !== '' && c === quote) quote = '';
    out += c;
  }
  return out + flush();

  function flush(): string {
    if (!pendingBackslash) return '';
    pendingBackslash = false;
    return '\\';
  }
}

export interface MailValues {
  /** User To Inform (`%u`), from the server configuration. */
  u: string;
  /** Remote login name (`%U`), from the client; undefined or empty when unknown. */
  U?: string | undefined;
  /** Client node name (`%H`), from the client; undefined or empty when unknown. */
  H?: string | undefined;
}

/**
 * Expands the Mail-Program command. As in afbackup, a word that contains `%U` or
 * `%H` whose value is unknown is deleted; the client values are shell-quoted.
 */
export function expandMailProgram(template: string, values: MailValues): string {
  const known = (v: string | undefined): v is string => v !== undefined && v !== '';
  const unknownLetters = ['U', 'H'].filter((k) => !known(values[k as 'U' | 'H']));
  let kept = template;
  if (unknownLetters.length > 0) {
    kept = '';
    let prevEnd = 0;
    for (const w of splitWords(template)) {
      const gap = template.slice(prevEnd, w.start);
      prevEnd = w.end;
      const span = template.slice(w.start, w.end);
      if (mentions(span, unknownLetters)) continue;
      kept += (kept === '' ? '' : gap) + span;
    }
  }
  const untrusted: Record<string, string> = {};
  if (known(values.U)) untrusted.U = values.U;
  if (known(values.H)) untrusted.H = values.H;
  return expandCommand(kept, { u: values.u }, untrusted);
}

/** True when the text holds `%x` for one of the letters (a `%%` pair does not count). */
function mentions(text: string, letters: readonly string[]): boolean {
  for (let i = 0; i < text.length - 1; i++) {
    if (text[i] !== '%') continue;
    if (letters.includes(text[i + 1]!)) return true;
    i++;
  }
  return false;
}
