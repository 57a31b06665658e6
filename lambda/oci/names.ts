import { OciError } from './errors';
import { Digest, looksLikeDigest, parseDigest } from './digest';

/** Longest repository name accepted (distribution's limit). */
export const MAX_NAME_LENGTH = 255;

// The spec's name grammar: path components separated by "/".
const NAME_GRAMMAR = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG_GRAMMAR = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** Validates a repository name such as team/app/api, throwing NAME_INVALID. */
export function parseName(name: string): string {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !NAME_GRAMMAR.test(name)) {
    const shown = name.length > 80 ? `${name.slice(0, 80)}...` : name;
    throw new OciError('NAME_INVALID', `invalid repository name: ${shown}`, { detail: { name: shown } });
  }
  return name;
}

/** True when the string is a valid tag. */
export function isTag(s: string): boolean {
  return TAG_GRAMMAR.test(s);
}

/** Validates a tag, throwing TAG_INVALID. */
export function parseTag(s: string): string {
  if (!isTag(s)) throw new OciError('TAG_INVALID', `invalid tag: ${s.slice(0, 140)}`);
  return s;
}

/** A manifest reference: a tag or a digest. */
export type Reference = { kind: 'tag'; tag: string } | { kind: 'digest'; digest: Digest };

/** Parses a manifest reference, deciding between digest and tag by the ':' a digest must have. */
export function parseReference(s: string): Reference {
  if (looksLikeDigest(s) || s.includes(':')) return { kind: 'digest', digest: parseDigest(s) };
  if (!isTag(s)) throw new OciError('TAG_INVALID', `invalid reference: ${s.slice(0, 140)}`);
  return { kind: 'tag', tag: s };
}
