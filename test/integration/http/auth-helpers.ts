import { hashPassword } from '../../../lambda/auth/passwords';
import type { AuthStore, Grant } from '../../../lambda/ports/auth-store';
import type { RegistryClient } from './client';

/** A Basic Authorization header. */
export function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** A Bearer Authorization header. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Adds a user (bcrypt cost 4: tests only). */
export async function addUser(store: AuthStore, name: string, password: string, grants: Grant[], extra: { catalog?: boolean; admin?: boolean } = {}): Promise<void> {
  await store.putUser({ name, passwordHash: await hashPassword(password, 4), grants, catalog: false, admin: false, ...extra });
}

/** GET /token with these credentials (or none) and scopes; returns the token, failing on a non-200. */
export async function getToken(client: RegistryClient, creds: Record<string, string>, scopes: string[]): Promise<string> {
  const q = new URLSearchParams({ service: 'stratus' });
  scopes.forEach((s) => q.append('scope', s));
  const res = await client.fetch(`/token?${q}`, { headers: creds });
  const body = (await res.json()) as { token: string };
  if (res.status !== 200) throw new Error(`GET /token: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}
