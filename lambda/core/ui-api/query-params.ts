import { OciError } from '../../oci/errors';
import { parseName } from '../../oci/names';
import type { RegistryRequest } from '../../shared/http-types';

/** Longest search substring honoured (a tag is at most 128 characters, a repository name 255). */
const MAX_SEARCH = 255;

/** A query parameter that must be present; NAME_INVALID (400) naming it when absent. */
export function requiredParam(req: RegistryRequest, name: string): string {
  const value = req.query.get(name);
  if (value === null || value === '') throw new OciError('NAME_INVALID', `the query parameter ${name} is required`, { detail: { parameter: name } });
  return value;
}

/** `?repository=`, parsed by the registry's one name parser (names hold slashes, so they travel in the query). */
export function repositoryParam(req: RegistryRequest): string {
  return parseName(requiredParam(req, 'repository'));
}

/** `?n=` within 1..max, `fallback` when absent; PAGINATION_NUMBER_INVALID otherwise. */
export function pageSize(req: RegistryRequest, max: number, fallback: number): number {
  const raw = req.query.get('n');
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    throw new OciError('PAGINATION_NUMBER_INVALID', `n must be a number from 1 to ${max}`, { detail: { n: raw.slice(0, 20), max } });
  }
  return Number(raw);
}

/** `?last=`: where the previous page ended; undefined when absent. */
export function lastParam(req: RegistryRequest): string | undefined {
  const last = req.query.get('last');
  if (last === null || last === '') return undefined;
  if (last.length > 512) throw new OciError('PAGINATION_NUMBER_INVALID', '`last` is too long');
  return last;
}

/** `?q=`: a substring to search for; undefined when absent or empty. */
export function searchParam(req: RegistryRequest): string | undefined {
  const q = req.query.get('q')?.trim();
  if (!q) return undefined;
  if (q.length > MAX_SEARCH) throw new OciError('NAME_INVALID', `q is longer than ${MAX_SEARCH} characters`);
  return q;
}
