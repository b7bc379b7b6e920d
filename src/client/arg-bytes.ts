/**
 * One idea: command-line words are bytes. Node decodes argv as UTF-8, which turns
 * a Latin-1 file name such as `caf\xe9.txt` into `caf\ufffd.txt` and loses the byte
 * for good. The CLI layer reads the raw words (on Linux from /proc/self/cmdline),
 * and for every word that is not valid UTF-8 hands the program a Latin-1 spelling
 * of it and remembers the original bytes here; code that turns a word into a path
 * asks argBytes() instead of Buffer.from(), and gets the bytes that were typed.
 */

const registered = new Map<string, Buffer>();

/**
 * Given the raw words and Node's decoded ones (same length, same order), returns
 * the words to use: valid UTF-8 words unchanged, the others spelt in Latin-1 and
 * remembered. When the two lists do not line up, the decoded words are returned.
 */
export function adoptRawArgs(raw: readonly Buffer[], decoded: readonly string[]): string[] {
  if (raw.length !== decoded.length) return [...decoded];
  return decoded.map((word, i) => {
    const bytes = raw[i]!;
    if (Buffer.from(word, 'utf8').equals(bytes)) return word;
    const spelt = bytes.toString('latin1');
    registered.set(spelt, Buffer.from(bytes));
    return spelt;
  });
}

/** The bytes of a command-line word (or of any other string: its UTF-8 form). */
export function argBytes(word: string): Buffer {
  return registered.get(word) ?? Buffer.from(word, 'utf8');
}
