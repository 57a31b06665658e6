/**
 * Refresh tokens end with the credentials they came from: `user passwd`, `user remove` (+ `user add` of the
 * same name) and `user disable` make every refresh token issued before them useless. The CLI commands run
 * in-process on the registry's own table (DynamoDB Local).
 */
import { COMMANDS, CommandContext } from '../../../cli/commands';
import type { Target } from '../../../cli/target';
import { startTestRegistry, TestRegistry } from '../harness';
import { addUser, basic } from './auth-helpers';
import { RegistryClient, uniqueRepo } from './client';

let registry: TestRegistry;
let client: RegistryClient;
const team = uniqueRepo('team');

beforeAll(async () => {
  registry = await startTestRegistry({ auth: {} });
  client = new RegistryClient(registry.url);
});
afterAll(async () => registry?.stop());

/** Runs `npx stratus <command> <args>` on the registry's table; the password (when asked) comes from STRATUS_PASSWORD. */
async function stratus(command: string, args: string[], password?: string): Promise<string[]> {
  const lines: string[] = [];
  const ctx: CommandContext = {
    args, opts: {}, env: password ? { STRATUS_PASSWORD: password } : {}, out: (l) => lines.push(l),
    open: async () => { throw new Error('not used'); },
  };
  const target = { description: 'the test table' } as Target;
  await COMMANDS[command]![1](ctx, registry.auth!.store, target);
  return lines;
}

const form = (fields: Record<string, string>) => ({
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(),
});

/** POST /token grant_type=password with access_type=offline: the refresh token (fails on a non-200). */
async function login(c: RegistryClient, user: string, password: string): Promise<string> {
  const res = await c.fetch('/token', form({ grant_type: 'password', username: user, password, access_type: 'offline', service: 'stratus' }));
  const body = (await res.json()) as { refresh_token: string };
  if (res.status !== 200) throw new Error(`login ${user}: ${res.status} ${JSON.stringify(body)}`);
  return body.refresh_token;
}

/** POST /token grant_type=refresh_token: the status, and the new refresh token on 200. */
async function refresh(refreshToken: string): Promise<{ status: number; refreshToken?: string }> {
  const res = await client.fetch('/token', form({
    grant_type: 'refresh_token', refresh_token: refreshToken, access_type: 'offline', service: 'stratus', scope: `repository:${team}/app:pull`,
  }));
  const body = (await res.json()) as { refresh_token?: string };
  return { status: res.status, refreshToken: body.refresh_token };
}

describe('user passwd', () => {
  it('ends every refresh token issued before it (and those they were exchanged for); a new login\'s token works', async () => {
    await stratus('user add', ['carol'], 'carol-old-pw');
    const before = await login(client, 'carol', 'carol-old-pw');
    const exchanged = await refresh(before);
    expect(exchanged.status).toBe(200);

    await stratus('user passwd', ['carol'], 'carol-new-pw');
    expect((await refresh(before)).status).toBe(401);
    expect((await refresh(exchanged.refreshToken!)).status).toBe(401);
    expect((await refresh(await login(client, 'carol', 'carol-new-pw'))).status).toBe(200);
  });

  it('a user stored before generations existed keeps its refresh tokens until its first passwd', async () => {
    await addUser(registry.auth!.store, 'legacy', 'legacy-pw', [{ pattern: `${team}/*`, actions: ['pull'] }]);
    const before = await login(client, 'legacy', 'legacy-pw');
    expect((await refresh(before)).status).toBe(200);

    await stratus('user passwd', ['legacy'], 'legacy-new-pw');
    expect((await refresh(before)).status).toBe(401);
    expect((await refresh(await login(client, 'legacy', 'legacy-new-pw'))).status).toBe(200);
  });
});

describe('user remove, then user add of the same name', () => {
  it('the old account\'s refresh tokens do not work for the new account', async () => {
    await stratus('user add', ['dora'], 'dora-first-pw');
    const fromFirst = await login(client, 'dora', 'dora-first-pw');
    await stratus('user remove', ['dora']);
    await stratus('user add', ['dora'], 'dora-second-pw');
    expect((await refresh(fromFirst)).status).toBe(401);
    expect((await refresh(await login(client, 'dora', 'dora-second-pw'))).status).toBe(200);
  });

  it('nor when the old account predates generations', async () => {
    await addUser(registry.auth!.store, 'olde', 'olde-pw', []);
    const fromFirst = await login(client, 'olde', 'olde-pw');
    await stratus('user remove', ['olde']);
    await stratus('user add', ['olde'], 'olde-second-pw');
    expect((await refresh(fromFirst)).status).toBe(401);
  });
});

describe('user disable / user enable', () => {
  it('a disabled user cannot log in or refresh; enabled again, it logs in but old refresh tokens stay dead', async () => {
    await stratus('user add', ['erin'], 'erin-password');
    const beforeDisable = await login(client, 'erin', 'erin-password');
    expect((await stratus('user disable', ['erin'])).join('\n')).toContain('erin disabled');

    // Other instances of the registry (nothing remembered in memory: neither the login before, nor the
    // refusal while disabled) see the store as it is now.
    const fresh = () => startTestRegistry({ auth: { keys: registry.auth!.keys }, shareStorageWith: registry });
    const [second, third] = await Promise.all([fresh(), fresh()]);
    try {
      const c2 = new RegistryClient(second.url);
      expect((await c2.fetch('/token?service=stratus', { headers: basic('erin', 'erin-password') })).status).toBe(401);
      expect((await c2.fetch('/v2/', { headers: basic('erin', 'erin-password') })).status).toBe(401);
      expect((await refresh(beforeDisable)).status).toBe(401);

      expect((await stratus('user enable', ['erin'])).join('\n')).toContain('erin enabled');
      const afterEnable = await login(new RegistryClient(third.url), 'erin', 'erin-password');
      expect((await refresh(afterEnable)).status).toBe(200);
      expect((await refresh(beforeDisable)).status).toBe(401);
    } finally {
      await Promise.all([second.stop(), third.stop()]);
    }
  });
});
