/**
 * The --help texts of full_backup, incr_backup and update_indexes.
 */
import type { Program } from './options.js';

const COMMON = `  -c <file>   client configuration (default /etc/afbackup/afclient.conf,
              then the names the original client programs try)
  -h <hosts>  BackupHosts          -P <ports>  BackupPorts
  -k <file>   EncryptionKeyFile    -W <id>     ClientIdentifier
  -I <part>   IndexFilePart        -V <dir>    VarDirectory
  -z <p> <u>  ProcessCmd and UnprocessCmd      -Z <level>  BuiltinCompressionLevel
  -v          print progress lines
  --json      print a one-line JSON summary at the end
  --help, --version
`;

const BACKUP = `  -a          do not count up the backup number (full_backup)
  -d          detach (not supported; runs in the foreground)
  -G          start writing on a new cartridge
  -y          ReportProgress (writes <vardir>/progress)
  -C <dir>    RootDirectory        -S <sets>   CartridgeSets
  -F <pats>   FilesToSkip          -D <pats>   DirsToSkip
  -X <name>   ExcludeListFile      -f <types>  FilesystemTypes
  -N <n>      NumIndexesToStore    -O <days>   DaysToStoreIndexes
  -s <pats>   DoNotProcess         -l <file>   LoggingFile
  -i <cmd>    StartupInfoProgram   -b <cmd>    InitProgram
  -e <cmd>    ExitProgram          -M <cfg>    PrintServerMessages
  +L/-L  process (do not process) index files
  +B/-B  process (do not process) saved files
  +x/-x  write (do not write) checksums
  --estimate  save nothing: list the names a run would save now (escaped as in
              the index) and a line "Estimate: <files> files, <bytes> bytes";
              with --json one JSON line. No server, lock or var file is touched
  --poll-wait <s>  seconds between server polls when none is ready (default 30,
                   or AF_POLL_WAIT_SECONDS)
Names given as arguments are saved instead of DirsToBackup; the timestamps are
then kept. The afclient run is "node <this directory>/afclient.js" unless the
environment variable AF_AFCLIENT names another program.
`;

export const HELP: Record<Program, string> = {
  full_backup: `Usage: full_backup [options] [names...]
Saves the configured entries completely and starts a new index.
${COMMON}${BACKUP}`,
  incr_backup: `Usage: incr_backup [options] [-Q <level>] [-E] [-H] [names...]
Saves what changed since the last backup (or since the last backup of at least
<level> with -Q) and appends to the current index.
  -Q <level>  level-Q incremental
  -E          UseCTime: also select by inode change time
  -H          drop lower levels from needed_tapes
${COMMON}${BACKUP}`,
  update_indexes: `Usage: update_indexes [options]
Removes the index lines of cartridges the servers no longer keep for this client.
${COMMON}`,
};
