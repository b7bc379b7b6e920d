/**
 * Where the installation lives, and the `%B %L %V %C` substitution that refers to it.
 *
 * afbackup compiles its directories in; we pass them as an InstallPaths value. In
 * configuration values `%B` is the bindir, `%L` the libdir, `%V` the var directory
 * (the configured Var-Directory once known) and `%C` the confdir (spec §3.1). `%%`
 * and every other `%x` are left alone here: commands get their own `%x` at run time.
 * The "locspec" (the prefix with every `/` replaced by `^`) names lock and flag files
 * such as `Lck.afbu_server.^usr` and `/tmp/afbu_cartready.^usr`.
 */
import path from 'node:path';

export interface InstallPaths {
  readonly bindir: string;
  readonly libdir: string;
  readonly vardir: string;
  readonly confdir: string;
  readonly lockdir: string;
  /** Installation prefix for the locspec; default: the parent of bindir. */
  readonly prefix?: string;
}

/**
 * The paths of a package installed under /usr (Debian layout). AF_INSTALL_PREFIX
 * replaces the prefix, which names the cartridge-ready flag and the default lock
 * files (so that a second installation, or a test, keeps its own).
 */
export function defaultInstallPaths(env: NodeJS.ProcessEnv = process.env): InstallPaths {
  return {
    prefix: env.AF_INSTALL_PREFIX || '/usr',
    bindir: '/usr/bin',
    libdir: '/usr/lib/afbackup',
    vardir: '/var/lib/afbackup',
    confdir: '/etc/afbackup',
    lockdir: '/var/lock',
  };
}

/** The prefix with every `/` replaced by `^`, e.g. `^usr`. */
export function locspec(paths: InstallPaths): string {
  const prefix = paths.prefix ?? path.posix.dirname(paths.bindir);
  return prefix.replace(/\//g, '^');
}

export interface DirValues extends Readonly<Record<string, string>> {
  /** `%B` */ B: string;
  /** `%L` */ L: string;
  /** `%V` */ V: string;
  /** `%C` */ C: string;
}

/** The values of `%B %L %V %C` for a given var directory. */
export function dirValues(paths: InstallPaths, varDirectory: string): DirValues {
  return { B: paths.bindir, L: paths.libdir, V: varDirectory, C: paths.confdir };
}

/**
 * Replaces `%B %L %V %C` (only those in `letters`, default all four; the client adds
 * `%I`); `%%` stays `%%` so that a later command expansion still sees it.
 */
export function substituteDirs(value: string, dirs: Readonly<Record<string, string>>, letters: string = 'BLVC'): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    const x = value[i + 1];
    if (c === '%' && x !== undefined) {
      if (x === '%') {
        out += '%%';
        i++;
        continue;
      }
      if (letters.includes(x) && x in dirs) {
        out += dirs[x]!;
        i++;
        continue;
      }
    }
    out += c;
  }
  return out;
}
