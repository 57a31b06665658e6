import { OciError } from '../../oci/errors';
import type { RegistryRequest } from '../../shared/http-types';

/** Content-Length as a number, undefined when absent; SIZE_INVALID when malformed. */
export function contentLength(req: RegistryRequest): number | undefined {
  const v = req.headers['content-length'];
  if (v === undefined) return undefined;
  if (!/^\d{1,16}$/.test(v)) throw new OciError('SIZE_INVALID', `invalid Content-Length: ${v.slice(0, 40)}`);
  return Number(v);
}

/** Content-Range of an upload chunk ("start-end", optionally "bytes start-end/total"); RANGE_INVALID when malformed. */
export function contentRange(req: RegistryRequest): { start: number; end: number } | undefined {
  const v = req.headers['content-range'];
  if (v === undefined) return undefined;
  const m = /^(?:bytes[ =])?(\d{1,16})-(\d{1,16})(?:\/(?:\d{1,16}|\*))?$/.exec(v.trim());
  if (!m || Number(m[2]) < Number(m[1])) throw new OciError('RANGE_INVALID', `invalid Content-Range: ${v.slice(0, 60)}`);
  return { start: Number(m[1]), end: Number(m[2]) };
}

/** Reads a whole body of at most `limit` bytes, throwing `tooLarge()` past it. */
export async function readBody(req: RegistryRequest, limit: number, tooLarge: () => Error): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body ?? []) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** A page request from `n` and `last`; n defaults to (and is capped at) maxPageSize. */
export function pageParams(req: RegistryRequest, maxPageSize: number): { n: number; last?: string } {
  const nParam = req.query.get('n');
  const last = req.query.get('last') ?? undefined;
  if (last !== undefined && last.length > 512) throw new OciError('PAGINATION_NUMBER_INVALID', '`last` is too long');
  if (nParam === null) return { n: maxPageSize, last };
  if (!/^\d{1,9}$/.test(nParam)) throw new OciError('PAGINATION_NUMBER_INVALID', `invalid n: ${nParam.slice(0, 40)}`);
  return { n: Math.min(Number(nParam), maxPageSize), last };
}

/** The Link header that points at the page after `last`. */
export function nextLink(path: string, n: number, last: string): string {
  return `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`;
}
