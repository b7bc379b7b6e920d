/**
 * The read side of a tape session: serves the client's fixed-size read buffers
 * from tape blocks.
 *
 * Normal mode hides tape structure: a filemark just leads into the next tape file,
 * and at the end of a cartridge's data the caller may load the cartridge that the
 * stream continued on (cartridge_order). Raw mode ends at every filemark: the last
 * buffer is flagged ENDOFFILE when this file had data, ENDOFTAPE when it was empty.
 */
import type { TapeDrive } from '../device/tape-drive.js';
import { ERRORS } from '../errors.js';

export const ST_OK = 0;
export const ST_EOF = ERRORS.ENDOFFILEREACHED.status;
export const ST_EOT = ERRORS.ENDOFTAPEREACHED.status;

export interface ReadChunk {
  /** Exactly the requested number of bytes (zero-filled after `valid`). */
  data: Buffer;
  valid: number;
  status: number;
}

export interface ReadStreamHooks {
  /** The stream moved on to the next tape file of the same cartridge. */
  onNextFile?(file: number): void;
  /**
   * End of data on this cartridge. Return true when another cartridge was loaded
   * and positioned so that reading goes on, false to end the stream.
   */
  onEndOfCartridge?(): Promise<boolean>;
}

export class ReadStream {
  private block: Buffer;
  private blockLen = 0;
  private blockOff = 0;
  private ended = false;
  private endStatus = ST_EOF;
  private dataInFile = false;
  file: number;

  constructor(
    private readonly drive: TapeDrive,
    startFile: number,
    private readonly opts: { blockSize: number; raw: boolean; errorOnEot: boolean },
    private readonly hooks: ReadStreamHooks = {},
  ) {
    this.block = Buffer.allocUnsafe(Math.max(opts.blockSize, 1));
    this.file = startFile;
  }

  /** True until the first block is known to exist: used by OPENFORREAD to fail on an empty position. */
  async hasData(): Promise<boolean> {
    await this.fillBlock();
    return this.blockOff < this.blockLen;
  }

  /** Fills `want` bytes, or fewer at the end of the stream. */
  async read(want: number): Promise<ReadChunk> {
    // Unsafe: every byte is either copied in below or zero filled at the end.
    const out = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      if (this.blockOff >= this.blockLen) {
        if (this.ended) break;
        await this.fillBlock();
        if (this.blockOff >= this.blockLen) break;
      }
      const n = Math.min(want - got, this.blockLen - this.blockOff);
      this.block.copy(out, got, this.blockOff, this.blockOff + n);
      this.blockOff += n;
      got += n;
    }
    if (got < want) out.fill(0, got);
    return { data: out, valid: got, status: got === want ? ST_OK : this.endStatus };
  }

  /** Reads the next block with data into this.block, or marks the stream ended. */
  private async fillBlock(): Promise<void> {
    this.blockOff = 0;
    this.blockLen = 0;
    if (this.ended) return;
    for (;;) {
      const r = await this.drive.readBlock(this.block);
      if (r.kind === 'data') {
        if (r.bytes === 0) continue;
        this.blockLen = r.bytes;
        this.dataInFile = true;
        return;
      }
      if (this.opts.raw) {
        this.ended = true;
        this.endStatus = this.dataInFile ? ST_EOF : ST_EOT;
        if (r.kind === 'filemark') this.file += 1;
        return;
      }
      if (r.kind === 'filemark') {
        this.file += 1;
        this.dataInFile = false;
        this.hooks.onNextFile?.(this.file);
        continue;
      }
      // End of data on this cartridge.
      if (this.opts.errorOnEot) {
        this.ended = true;
        this.endStatus = ST_EOT;
        return;
      }
      if (this.hooks.onEndOfCartridge && (await this.hooks.onEndOfCartridge())) {
        this.dataInFile = false;
        continue;
      }
      this.ended = true;
      this.endStatus = ST_EOF;
      return;
    }
  }

  /** Continue at `file` (after the caller loaded another cartridge). */
  moveTo(file: number): void {
    this.file = file;
  }
}
