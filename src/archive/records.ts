/**
 * The afbackup packer stream's record kinds as one typed union.
 *
 * Every record the stream can hold is an Entry; names, link targets, command
 * strings and header texts stay raw Buffers (file names are bytes, not text).
 * Type codes and the framing constants of spec §5.3 live here so the packer,
 * the unpacker and the listing agree on them.
 */

/** Numeric type codes written as the first field of a record. */
export const RecordType = {
  REGFILE: 1,
  FIFO: 2,
  SYMLINK: 3,
  HARDLINK: 4,
  DIRECTORY: 5,
  BLOCKDEVICE: 6,
  CHARDEVICE: 7,
  REGFILECKS: 8,
  SOCKET: 55,
  POSIX_ACL: 83,
  FILECONTENTS_CKS: 98,
  FILECONTENTS: 99,
  INFORMATION: 100,
  FILECONTENTS_O: 111,
  COMMANDINOUT: 120,
  COMMANDINOUT_CKS: 121,
  END: -1,
} as const;

/** OR-ed into a type code: the entry is not to be verified (readers mask with 255). */
export const NO_VERIFY_BIT = 256;
/** Largest chunk of a compressed regular file's data. */
export const FILE_CHUNK_MAX = 4095;
/** Largest chunk of a command's output. */
export const COMMAND_CHUNK_MAX = 8192;
/** Largest chunk of a raw-contents (FILECONTENTS) record. */
export const CONTENTS_CHUNK_MAX = 255;
/** `-f` archive files are zero padded to a multiple of this many bytes. */
export const ARCHIVE_FILE_UNIT = 1000;

/** The fields every filesystem object record starts with. */
export interface Inode {
  readonly name: Buffer;
  readonly mode: number;
  readonly mtime: number;
  readonly uid: number;
  readonly gid: number;
  /** The 256 bit was set on the type code. */
  readonly noVerify?: boolean;
}

/**
 * A regular file (type 1, or 8 with `crc`). `unprocess` is the stored command
 * that undoes the compression: empty = stored plainly with `size` bytes,
 * `.` = built-in zlib, `. cmd` = external command then zlib, else external only.
 */
export interface RegularFile extends Inode {
  readonly kind: 'file';
  readonly crc: boolean;
  readonly unprocess: Buffer;
  /** The size field: the data length when stored plainly, normally 0 when chunked. */
  readonly size: number;
}

export interface Fifo extends Inode { readonly kind: 'fifo' }
export interface Socket extends Inode { readonly kind: 'socket' }
/** Written after the directory's contents. */
export interface Directory extends Inode { readonly kind: 'directory' }
export interface Symlink extends Inode { readonly kind: 'symlink'; readonly target: Buffer }
/** A later name of a multiply linked file; `target` is the first name saved. */
export interface Hardlink extends Inode { readonly kind: 'hardlink'; readonly target: Buffer }
export interface Device extends Inode {
  readonly kind: 'blockdevice' | 'chardevice';
  readonly rdev: number;
}

/** The `-H` header text (type 100). */
export interface Information { readonly kind: 'information'; readonly text: Buffer; readonly noVerify?: boolean }

/**
 * Raw contents of a file or device (`/../` names; types 99, 98 with `crc`, 111 the
 * old layout, read only). Data follows in chunks of at most 255 bytes.
 */
export interface FileContents {
  readonly kind: 'filecontents';
  readonly mtime: number;
  readonly name: Buffer;
  readonly crc: boolean;
  readonly unprocess: Buffer;
  /** Read from an old type-111 record (no unprocess field). */
  readonly old?: boolean;
  readonly noVerify?: boolean;
}

/** Output of a `||| cmd ||| restorecmd ### comment` name (types 120, 121 with `crc`). */
export interface CommandOutput {
  readonly kind: 'command';
  readonly command: Buffer;
  readonly crc: boolean;
  readonly noVerify?: boolean;
}

/** POSIX ACLs of the entry that follows (type 83): one text per bit set in `types`. */
export interface PosixAcl {
  readonly kind: 'posixAcl';
  readonly types: number;
  readonly acls: readonly Buffer[];
  readonly noVerify?: boolean;
}

/** The end mark `-1;`. */
export interface EndMark { readonly kind: 'end' }

export type Entry =
  | RegularFile
  | Fifo
  | Socket
  | Directory
  | Symlink
  | Hardlink
  | Device
  | Information
  | FileContents
  | CommandOutput
  | PosixAcl
  | EndMark;

/** The entries that carry a data body. */
export type DataEntry = RegularFile | FileContents | CommandOutput;

export function hasData(e: Entry): e is DataEntry {
  return e.kind === 'file' || e.kind === 'filecontents' || e.kind === 'command';
}

/** True when the data is stored in length-prefixed chunks rather than as `size` plain bytes. */
export function isChunked(e: DataEntry): boolean {
  return e.kind !== 'file' || e.unprocess.length > 0;
}

/** True when `unprocess` names the built-in zlib (`.` alone or `. <cmd>`). */
export function usesBuiltinZlib(unprocess: Buffer): boolean {
  return unprocess.length > 0 && unprocess[0] === 0x2e && (unprocess.length === 1 || unprocess[1] === 0x20);
}

/** The external command left to run after the built-in inflate, or all of `unprocess` without zlib. */
export function externalUnprocess(unprocess: Buffer): Buffer {
  if (!usesBuiltinZlib(unprocess)) return unprocess;
  return unprocess.length > 2 ? unprocess.subarray(2) : Buffer.alloc(0);
}

/** Number of ACL texts a POSIX_ACL record with this bitmask holds. */
export function aclCount(types: number): number {
  let n = 0;
  for (let t = types >>> 0; t !== 0; t >>>= 1) n += t & 1;
  return n;
}
