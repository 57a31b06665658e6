import type { JWK } from 'jose';

/** One signing key: its id (the JWT `kid`) and the key as a JWK (private for the current key). */
export interface SigningKey {
  kid: string;
  jwk: JWK;
  /** Epoch milliseconds. */
  createdAt: number;
}

/**
 * The keys tokens are signed and verified with: tokens are signed by `current` and verified by it or
 * any of `previous` (public JWKs), so a rotation never invalidates tokens that have not expired yet.
 */
export interface KeySet {
  current: SigningKey;
  previous: SigningKey[];
}

/** Where the key set lives: a file for `npm start` (adapters/file), Secrets Manager in AWS (adapters/secrets-manager). */
export interface KeySetStore {
  /** The key set, created (and saved) when none exists yet. */
  load(): Promise<KeySet>;
  /** Makes a new current key; the old one moves to `previous` (kept for `keepPreviousSeconds`). */
  rotate(): Promise<KeySet>;
}
