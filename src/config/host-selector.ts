/**
 * Host selectors: which client hosts a cartridge set or a key file applies to.
 *
 * A selector is written after a colon in the configuration and is one of:
 * a host list (`alpha,beta;gamma:delta`), the absolute path of a file listing host
 * names (`/etc/afbackup/hosts-a`), or a command (`|/usr/bin/check %H`) that gets the
 * host name on stdin and in `%H` (`%h` = its first label) and says yes by exiting 0.
 * Files and commands are reached through an injected resolver, so the check stays a
 * pure function of its inputs; a resolver failure counts as "no".
 */
import { expandCommand } from './command-template.js';

export type HostSelector =
  | { readonly kind: 'hosts'; readonly hosts: readonly string[] }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'command'; readonly command: string };

export interface SelectorResolver {
  /** The contents of a host-list file. */
  readFile(path: string): Promise<string>;
  /** Runs a command with `sh -c`, feeding it stdin; resolves to its exit status. */
  runCommand(command: string, stdin: string): Promise<number>;
  /** Optional deeper comparison (for example by address) when names differ. */
  sameHost?(configured: string, client: string): Promise<boolean>;
}

/** Reads the selector text that follows the colon. */
export function parseHostSelector(text: string): HostSelector {
  const t = text.trim();
  if (t.startsWith('|')) return { kind: 'command', command: t.slice(1).trim() };
  if (t.startsWith('/')) return { kind: 'file', path: t };
  return { kind: 'hosts', hosts: parseHostList(t) };
}

/** Host names separated by commas, semicolons, colons or blanks; `#` lines are comments. */
export function parseHostList(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join(' ')
    .split(/[\s,;:]+/)
    .filter((h) => h !== '');
}

/** The first label of a host name: `alpha` for `alpha.example.org`. */
export function firstLabel(host: string): string {
  const dot = host.indexOf('.');
  return dot < 0 ? host : host.slice(0, dot);
}

/**
 * Compares host names without the resolver: equal ignoring case, or equal first
 * labels when one of the two names is unqualified.
 */
export function hostNamesMatch(configured: string, client: string): boolean {
  const a = configured.toLowerCase();
  const b = client.toLowerCase();
  if (a === b) return true;
  if (!a.includes('.') || !b.includes('.')) return firstLabel(a) === firstLabel(b);
  return false;
}

/** Whether the selector admits the client host. Never throws: failures deny. */
export async function hostMatches(
  selector: HostSelector,
  clientHost: string,
  resolver: SelectorResolver,
): Promise<boolean> {
  try {
    switch (selector.kind) {
      case 'hosts':
        return await anyHostMatches(selector.hosts, clientHost, resolver);
      case 'file':
        return await anyHostMatches(parseHostList(await resolver.readFile(selector.path)), clientHost, resolver);
      case 'command': {
        const command = expandCommand(selector.command, {}, { H: clientHost, h: firstLabel(clientHost) });
        return (await resolver.runCommand(command, `${clientHost}\n`)) === 0;
      }
    }
  } catch {
    return false;
  }
}

async function anyHostMatches(hosts: readonly string[], clientHost: string, resolver: SelectorResolver): Promise<boolean> {
  if (hosts.some((h) => hostNamesMatch(h, clientHost))) return true;
  if (!resolver.sameHost) return false;
  for (const h of hosts) {
    if (await resolver.sameHost(h, clientHost)) return true;
  }
  return false;
}
