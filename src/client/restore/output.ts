/**
 * Where afrestore, afverify and the restore shell write: regular output as
 * bytes (names may be Latin-1), one diagnostic line at a time (the CLI prefixes
 * the program name), and afclient's own stderr passed through unchanged.
 */
export interface Output {
  out(bytes: Buffer | string): void;
  err(line: string): void;
  passErr(bytes: Buffer): void;
}
