import { OciError } from '../../oci/errors';
import type { ByteRange } from '../../ports/blob-store';

/**
 * The part of a `size`-byte blob a GET's `Range` header asks for (RFC 9110): undefined for the whole blob
 * (no header, another unit, several ranges, or a syntax error: all of which a server may ignore), a range
 * clamped to the blob, or RANGE_INVALID (416, `Content-Range: bytes *\/size`) when no byte of it exists.
 */
export function requestedRange(header: string | undefined, size: number): ByteRange | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec((header ?? '').trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const unsatisfiable = () => new OciError('RANGE_INVALID', `range ${header!.slice(0, 60)} is outside the blob's ${size} bytes`, {
    headers: { 'content-range': `bytes */${size}` },
  });
  if (m[1] === '') {
    // a suffix: the last n bytes
    const n = Number(m[2]);
    if (n === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? Infinity : Number(m[2]);
  if (end < start) return undefined;
  if (start >= size) throw unsatisfiable();
  return { start, end: Math.min(end, size - 1) };
}

/** The Content-Range of a range of a `size`-byte blob. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}
