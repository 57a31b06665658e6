import type { UploadSession } from '../../ports/upload-session-store';

/** S3's highest part number. */
export const MAX_PART_NUMBER = 10_000;

/** Numbers reserved at once when a write's length is unknown, and the most one further reservation takes. */
const UNKNOWN_LENGTH_BLOCK = 16;
const MAX_BLOCK = 256;

/**
 * Reserves `count` part numbers of a session for one write, atomically across processes (the session's
 * `nextPart` counter; `base` where it starts on a session stored before it existed); returns the first.
 */
export type ReserveParts = (count: number, base: number) => Promise<number>;

/**
 * The S3 part numbers one write of a session uses. Two requests may write the same session at the same
 * offset at once (a retry sent to another host); only one of them commits, but both upload parts. A write
 * that starts the session's multipart upload numbers its parts 1, 2, ... (a racer starts an upload of its
 * own, so nothing is shared). A write continuing an upload takes numbers no other write has taken, reserved
 * from the session's counter in blocks, so the losing racer never overwrites a part the winner recorded.
 */
export class PartNumbers {
  private readonly continuing: boolean;
  /** Where a session stored before the counter existed starts it: after its highest part. */
  private readonly base: number;
  private next = 0;
  private end = 0;
  private block: number;

  /**
   * @param tailOnly the write is final and carries no bytes: its one part (if any) is the session's stored
   * tail, the same bytes whichever request sends it, so it takes MAX_PART_NUMBER without a reservation (a
   * write with bytes never does: its numbers come from the counter, below MAX_PART_NUMBER).
   */
  constructor(session: UploadSession, private readonly reserve: ReserveParts, estimate: number | undefined, private readonly tailOnly = false) {
    this.continuing = session.multipartId !== undefined;
    this.base = session.parts.reduce((max, p) => Math.max(max, p.partNumber), 0) + 1;
    this.block = Math.min(MAX_BLOCK, Math.max(1, estimate ?? UNKNOWN_LENGTH_BLOCK));
  }

  /** The number of the write's next part. */
  async take(): Promise<number> {
    if (!this.continuing) {
      if (this.next >= MAX_PART_NUMBER - 1) throw new Error(`upload has used all ${MAX_PART_NUMBER} part numbers`);
      return ++this.next;
    }
    if (this.tailOnly) {
      if (this.next > 0) throw new Error('a write without bytes uploads one part at most');
      this.next = MAX_PART_NUMBER + 1;
      return MAX_PART_NUMBER;
    }
    if (this.next >= this.end) {
      this.next = await this.reserve(this.block, this.base);
      this.end = this.next + this.block;
      this.block = Math.min(MAX_BLOCK, this.block * 2);
    }
    const n = this.next++;
    if (n >= MAX_PART_NUMBER) throw new Error(`upload has used all ${MAX_PART_NUMBER} part numbers`);
    return n;
  }

  /**
   * The counter a write that started the multipart upload stores with its session; none from a continuing
   * write, or from one that uploaded no part (it started nothing: the next write numbers from 1).
   */
  counterAfter(): number | undefined {
    return this.continuing || this.next === 0 ? undefined : this.next + 1;
  }
}

/** Parts a write of `length` bytes after a tail of `tail` bytes needs at most; undefined when the length is unknown. */
export function partsNeeded(length: number | undefined, tail: number, partSize: number): number | undefined {
  return length === undefined ? undefined : Math.floor((length + tail) / partSize) + 1;
}
