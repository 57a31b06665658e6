import { OciError } from './errors';

/** Digest algorithms the registry can verify, with the length of their hex encoding. */
export const DIGEST_ALGORITHMS = { sha256: 64, sha512: 128 } as const;
/** A supported digest algorithm. */
export type DigestAlgorithm = keyof typeof DIGEST_ALGORITHMS;

/** A parsed, validated digest such as sha256:<64 hex>. */
export interface Digest {
  algorithm: DigestAlgorithm;
  hex: string;
  /** The canonical string form, algorithm:hex. */
  value: string;
}

// The spec's grammar: algorithm-component ("+" | "." | "_" | "-") ...; ":" encoded.
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** True when the string has the shape of a digest (any algorithm). */
export function looksLikeDigest(s: string): boolean {
  return s.includes(':') && DIGEST_GRAMMAR.test(s);
}

/** Parses a digest, throwing DIGEST_INVALID for bad syntax or an algorithm we cannot verify. */
export function parseDigest(s: string | null | undefined): Digest {
  if (!s || !DIGEST_GRAMMAR.test(s)) throw new OciError('DIGEST_INVALID', `invalid digest: ${truncate(s)}`);
  const [algorithm, hex] = s.split(':', 2) as [string, string];
  if (!(algorithm in DIGEST_ALGORITHMS)) {
    throw new OciError('DIGEST_INVALID', `unsupported digest algorithm: ${truncate(algorithm)}`);
  }
  const alg = algorithm as DigestAlgorithm;
  if (hex.length !== DIGEST_ALGORITHMS[alg] || !/^[a-f0-9]+$/.test(hex)) {
    throw new OciError('DIGEST_INVALID', `invalid ${alg} digest: ${truncate(s)}`);
  }
  return { algorithm: alg, hex, value: s };
}

function truncate(s: string | null | undefined): string {
  if (s == null) return '(none)';
  return s.length > 80 ? `${s.slice(0, 80)}...` : s;
}
