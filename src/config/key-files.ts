/**
 * Encryption-Key-File(s): which key file authenticates which client host.
 *
 * The value is a blank-separated list of `file[:selector]` entries. Quotes keep
 * blanks inside an entry and `\:` a colon in a file name; the first other colon
 * starts a host selector
 * (host list, `/abs/file` of hosts, or `|command`, see host-selector.ts). File names
 * may contain `%H` (the client's name from reverse DNS) and `%h` (its first label).
 * Entries with a selector are tried in order and the first that admits the client
 * wins; otherwise the first entry without a selector is the default. With entries
 * but no match and no default the connection must be refused (afbackup exits 14).
 *
 * Hardening: a host name is put into a path only when it is a plain DNS name
 * (letters, digits, `.`, `-`, `_`, not starting with `.` or `-`); otherwise the
 * entry does not apply.
 */
import { AfError } from '../errors.js';
import { expandTemplate } from './command-template.js';
import { type HostSelector, type SelectorResolver, firstLabel, hostMatches, parseHostSelector } from './host-selector.js';
import { splitAtColon, splitWords } from './words.js';

export interface KeyFileEntry {
  /** The file name as written, `%H`/`%h` not yet replaced. */
  readonly file: string;
  /** The hosts the entry applies to; undefined for a default entry. */
  readonly selector?: HostSelector;
}

/** Parses the value of Encryption-Key-File(s). Throws CONFIG_SYNTAX for an empty file name. */
export function parseKeyFileEntries(text: string): KeyFileEntry[] {
  return splitWords(text).map((word) => {
    const [file, selectorText] = splitAtColon(word);
    if (file === '') throw new AfError('CONFIG_SYNTAX', `key file entry "${word.text}" has no file name`);
    return selectorText === undefined || selectorText.trim() === ''
      ? { file }
      : { file, selector: parseHostSelector(selectorText) };
  });
}

/**
 * The key file for a client: its path with `%H`/`%h` replaced; undefined when no
 * entries are configured (use the built-in key); 'no-match' when entries exist but
 * none applies to this client.
 */
export async function chooseKeyFile(
  entries: readonly KeyFileEntry[],
  clientHost: string | undefined,
  resolver: SelectorResolver,
): Promise<string | undefined | 'no-match'> {
  if (entries.length === 0) return undefined;
  const host = clientHost === undefined || clientHost === '' ? undefined : clientHost;
  if (host !== undefined) {
    for (const entry of entries) {
      if (entry.selector === undefined) continue;
      if (!(await hostMatches(entry.selector, host, resolver))) continue;
      const path = keyFilePath(entry.file, host);
      if (path !== undefined) return path;
    }
  }
  for (const entry of entries) {
    if (entry.selector !== undefined) continue;
    const path = keyFilePath(entry.file, host);
    if (path !== undefined) return path;
  }
  return 'no-match';
}

/**
 * Replaces `%H` and `%h` in a key file name. Undefined when the name needs the host
 * and the host is unknown or not a plain DNS name.
 */
export function keyFilePath(file: string, clientHost: string | undefined): string | undefined {
  const needsHost = /%[Hh]/.test(file.replace(/%%/g, ''));
  if (needsHost && (clientHost === undefined || !isPlainHostName(clientHost))) return undefined;
  const vars = clientHost === undefined ? {} : { H: clientHost, h: firstLabel(clientHost) };
  return expandTemplate(file, vars);
}

function isPlainHostName(host: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(host);
}
