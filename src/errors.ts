/**
 * The one error table of the system.
 *
 * Every failure that crosses a boundary is an AfError with a code from ERRORS.
 * Each row names the afbackup wire status byte (where the protocol has one), the
 * exit status a command-line program uses for it, and the message text in one
 * grammar: sentence case, what failed, then the detail after a colon.
 *
 * Errors cross three edges only: the server turns an AfError into a status byte,
 * the client turns a status byte back into the same AfError (fromStatus), and
 * the CLI turns it into one stderr line and the documented exit status.
 */

export interface ErrorRow {
  /** afbackup status byte on the wire, or null when the protocol has none. */
  readonly status: number | null;
  /** Exit status of a command-line program failing with this error. */
  readonly exit: number;
  /** Message without detail. */
  readonly message: string;
}

const ch = (c: string): number => c.charCodeAt(0);

export const ERRORS = {
  // --- afbackup wire status bytes (spec §1.9) ---
  CLOSE_FAILED: { status: ch('*'), exit: 60, message: 'Device cannot be closed' },
  OPENRD_FAILED: { status: ch('<'), exit: 61, message: 'Opening the device for reading failed' },
  OPENWR_FAILED: { status: ch('>'), exit: 62, message: 'Opening the device for writing failed' },
  DEVINUSE: { status: ch('U'), exit: 63, message: 'Device is in use' },
  SERVICEINUSE: { status: ch('B'), exit: 64, message: 'Service is in use' },
  DEVNOTOPENRD: { status: ch('R'), exit: 65, message: 'Device has not been opened for reading' },
  DEVNOTOPENWR: { status: ch('W'), exit: 66, message: 'Device has not been opened for writing' },
  DEVNOTREADY: { status: ch('-'), exit: 67, message: 'Device is not ready for use' },
  ENDOFFILEREACHED: { status: ch('.'), exit: 68, message: 'End of file encountered' },
  ENDOFTAPEREACHED: { status: ch(':'), exit: 69, message: 'End of tape encountered' },
  PROTOCOL_ERROR: { status: ch('p'), exit: 53, message: 'Protocol error' },
  CHANGECART_FAILED: { status: ch('C'), exit: 70, message: 'Cartridge cannot be changed' },
  REQNEWCART_FAILED: { status: ch('N'), exit: 71, message: 'No free or reusable cartridge available' },
  SETFILE_FAILED: { status: ch('F'), exit: 72, message: 'Setting the file failed' },
  WRITE_FAILED: { status: ch('w'), exit: 73, message: 'Writing to storage media failed' },
  ERASETAPE_FAILED: { status: ch('E'), exit: 74, message: 'Erasing the tape failed' },
  FATAL_ERROR: { status: ch('!'), exit: 75, message: 'A fatal error occurred on the server' },
  CONFIG_ERROR: { status: ch('$'), exit: 76, message: 'Server configuration error' },
  REOPEN_FAILED: { status: ch('~'), exit: 77, message: 'Reopening the device for writing failed' },
  NO_VALID_CARTRIDGE: { status: ch('@'), exit: 20, message: 'Illegal cartridge number' },
  NO_VALID_FILENUM: { status: ch('#'), exit: 21, message: 'Illegal file number' },
  NO_VALID_CARTSET: { status: ch('s'), exit: 22, message: 'Illegal cartridge set' },
  AUTHENTICATION: { status: ch('='), exit: 49, message: 'Authentication failure' },
  SUBPROCESS_FAILED: { status: ch('S'), exit: 78, message: 'Subprocess failed' },
  CLIENT_NOT_UNIQUE: { status: ch('d'), exit: 79, message: 'Duplicate client identification' },
  TOO_MANY_CLIENTS: { status: ch('^'), exit: 80, message: 'Maximum number of clients exceeded' },
  NO_VALID_COMMBUFSIZ: { status: ch('l'), exit: 23, message: 'Illegal communication buffer size' },
  MESSAGE_UNRECOGNIZED: { status: 0xf7, exit: 24, message: 'Message not recognized' },
  CARTSET_EACCESS: { status: ch('A'), exit: 25, message: 'Access to cartridge set denied for client' },
  CANNOT_LOCK: { status: ch('L'), exit: 81, message: 'Cannot lock' },
  // --- our own, with no wire byte of their own (mapped to the nearest afbackup status) ---
  STATE_SYNTAX: { status: ch('!'), exit: 30, message: 'State file has a syntax error' },
  STATE_IO: { status: ch('!'), exit: 31, message: 'State file cannot be accessed' },
  CONFIG_SYNTAX: { status: ch('$'), exit: 32, message: 'Configuration file has an error' },
  KEYFILE: { status: ch('='), exit: 11, message: 'Key file cannot be used' },
  NO_KEY_MATCH: { status: ch('='), exit: 14, message: 'No encryption key applies to this client' },
  DEVICE_IO: { status: ch('w'), exit: 82, message: 'Device input/output error' },
  DEVICE_MISSING: { status: ch('-'), exit: 83, message: 'Device does not exist' },
  NO_MEDIUM: { status: ch('-'), exit: 84, message: 'No cartridge is loaded' },
  WRITE_PROTECTED: { status: ch('w'), exit: 85, message: 'Cartridge is write-protected' },
  BLOCK_TOO_SMALL: { status: ch('w'), exit: 86, message: 'Read buffer is smaller than the tape block' },
  CHANGER_FAILED: { status: ch('C'), exit: 87, message: 'Media changer operation failed' },
  NATIVE_MISSING: { status: ch('!'), exit: 88, message: 'The native addon is not built' },
  ARCHIVE_DAMAGED: { status: null, exit: 89, message: 'Archive stream is damaged' },
  USAGE: { status: null, exit: 2, message: 'Invalid command line' },
  CONNECT_FAILED: { status: null, exit: 52, message: 'Cannot connect to the server' },
  CONNECTION_CLOSED: { status: null, exit: 53, message: 'The server closed the connection' },
  NOT_IN_ARCHIVE: { status: null, exit: 5, message: 'A requested name is not in the archive' },
  PACKER_ERRORS: { status: null, exit: 14, message: 'Some entries could not be packed or unpacked' },
  INTERNAL: { status: ch('!'), exit: 99, message: 'Internal error' },
  // --- afconsole ---
  CONSOLE_DENIED: { status: null, exit: 40, message: 'Not permitted for this console' },
  NOT_FOUND: { status: null, exit: 41, message: 'No such object' },
  JOB_FAILED: { status: null, exit: 42, message: 'A job did not end well' },
  TIMED_OUT: { status: null, exit: 43, message: 'Timed out' },
} as const satisfies Record<string, ErrorRow>;

export type ErrorCode = keyof typeof ERRORS;

export class AfError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    const row = ERRORS[code];
    super(detail ? `${row.message}: ${detail}` : row.message, options);
    this.name = 'AfError';
    this.code = code;
    this.detail = detail;
  }

  /** The status byte the server sends for this error. */
  get status(): number {
    return ERRORS[this.code].status ?? ERRORS.FATAL_ERROR.status;
  }

  get exitCode(): number {
    return ERRORS[this.code].exit;
  }

  /** Client side: the AfError for a status byte received from a server. */
  static fromStatus(status: number, detail?: string): AfError {
    const code = statusToCode.get(status);
    if (code) return new AfError(code, detail);
    return new AfError('INTERNAL', `unknown fault (status byte 0x${status.toString(16).padStart(2, '0')})${detail ? ', ' + detail : ''}`);
  }
}

/** The first code registered for each status byte is the canonical one. */
const statusToCode = new Map<number, ErrorCode>();
for (const [code, row] of Object.entries(ERRORS) as [ErrorCode, ErrorRow][]) {
  if (row.status !== null && !statusToCode.has(row.status)) statusToCode.set(row.status, code);
}

export function isAfError(e: unknown, code?: ErrorCode): e is AfError {
  return e instanceof AfError && (code === undefined || e.code === code);
}

/** Wraps anything thrown into an AfError, keeping AfErrors as they are. */
export function toAfError(e: unknown, code: ErrorCode = 'INTERNAL'): AfError {
  if (e instanceof AfError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new AfError(code, msg, { cause: e });
}
