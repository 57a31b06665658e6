import bcrypt from 'bcryptjs';
import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { newGeneration } from '../lambda/auth/credential-generation';
import { newRobot } from '../lambda/auth/robot-credentials';
import { FileKeySetStore, localKeyFile } from '../lambda/adapters/file/file-key-store';
import type { AuthStore, Grant, User } from '../lambda/ports/auth-store';
import { CliError } from './errors';
import { addGrant, formatGrants, parseActions, parseExpiry, parseGrant, parsePattern, removeGrant } from './grants';
import { readPassword } from './password';
import type { Target } from './target';

/** bcrypt cost of user passwords (about 0.2 s per check here: slow enough against guessing). */
export const PASSWORD_COST = 12;
export { ROBOT_SECRET_COST } from '../lambda/auth/robot-credentials';

/** The options a command may use (parsed in cli.ts). */
export interface CommandOptions {
  admin?: boolean;
  'password-stdin'?: boolean;
  grant?: string[];
  expires?: string;
  quiet?: boolean;
  secret?: string;
  /** Storage lifecycle options (gc, retention, immutability). */
  'dry-run'?: boolean;
  grace?: string;
  json?: boolean;
  file?: string;
  exclude?: string[];
  limit?: string;
  /** A deployed bucket (stack output BucketName), with --table. */
  bucket?: string;
}

/** What a command needs besides its arguments. */
export interface CommandContext {
  args: string[];
  opts: CommandOptions;
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  /** Opens the target store (only commands that need it call this). */
  open: () => Promise<Target>;
}

type Command = (ctx: CommandContext, store: AuthStore, target: Target) => Promise<void>;

/** `<group> <verb>` (or a single word) -> [usage, implementation]. */
export const COMMANDS: Record<string, [string, Command]> = {
  'user add': ['user add <name> [--admin] [--password-stdin]', userAdd],
  'user passwd': ['user passwd <name> [--password-stdin]', userPasswd],
  'user remove': ['user remove <name>', userRemove],
  'user disable': ['user disable <name>                      no logins or token refreshes until enabled', userDisable],
  'user enable': ['user enable <name>', userEnable],
  'user list': ['user list', userList],
  grant: ['grant <user> <pattern> <actions>          e.g. grant alice \'team/*\' pull,push', grant],
  revoke: ['revoke <user> <pattern> [<actions>]      all actions on the pattern unless listed', revoke],
  'robot create': ['robot create <name> --grant <pattern>:<actions> [--grant ...] [--expires 30d] [--quiet]', robotCreate],
  'robot list': ['robot list', robotList],
  'robot revoke': ['robot revoke <id>', robotRevoke],
  'anonymous set': ['anonymous set <pattern>...              anonymous pull on these patterns (replaces)', anonymousSet],
  'anonymous clear': ['anonymous clear', anonymousClear],
  'anonymous show': ['anonymous show', anonymousShow],
};

function arg(ctx: CommandContext, index: number, name: string, usage: string): string {
  const value = ctx.args[index];
  if (!value) throw new CliError(`missing <${name}>: usage: npx stratus ${usage}`, 2);
  return value;
}

async function existingUser(store: AuthStore, name: string): Promise<User> {
  const user = await store.getUser(name);
  if (!user) throw new CliError(`no user "${name}": add it with npx stratus user add ${name}`);
  return user;
}

async function userAdd(ctx: CommandContext, store: AuthStore, target: Target): Promise<void> {
  const name = arg(ctx, 0, 'name', COMMANDS['user add'][0]);
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._@-]{0,127}$/.test(name)) {
    throw new CliError(`invalid user name "${name}": use letters, digits and . _ @ - (at most 128, no colon: it separates name and password in Basic auth)`);
  }
  if (await store.getUser(name)) throw new CliError(`user "${name}" exists: change its password with npx stratus user passwd ${name}`);
  const password = await readPassword({ stdin: !!ctx.opts['password-stdin'], env: ctx.env });
  const admin = !!ctx.opts.admin;
  await store.putUser({ name, passwordHash: await bcrypt.hash(password, PASSWORD_COST), grants: [], catalog: true, admin, generation: newGeneration() });
  ctx.out(`user ${name} added${admin ? ' (admin: every action on every repository)' : ''} to ${target.description}`);
  if (!admin) ctx.out(`grant it access with: npx stratus grant ${name} '<pattern>' pull,push`);
}

async function userPasswd(ctx: CommandContext, store: AuthStore): Promise<void> {
  const user = await existingUser(store, arg(ctx, 0, 'name', COMMANDS['user passwd'][0]));
  const password = await readPassword({ stdin: !!ctx.opts['password-stdin'], env: ctx.env });
  // A new generation ends every refresh token issued under the old password.
  await store.putUser({ ...user, passwordHash: await bcrypt.hash(password, PASSWORD_COST), generation: newGeneration() });
  ctx.out(`password of ${user.name} changed: its refresh tokens no longer work (access tokens already issued live until they expire)`);
}

async function userRemove(ctx: CommandContext, store: AuthStore): Promise<void> {
  const name = arg(ctx, 0, 'name', COMMANDS['user remove'][0]);
  if (!(await store.deleteUser(name))) throw new CliError(`no user "${name}": see npx stratus user list`);
  ctx.out(`user ${name} removed: its refresh tokens no longer work (access tokens already issued live until they expire)`);
}

async function userDisable(ctx: CommandContext, store: AuthStore): Promise<void> {
  const user = await existingUser(store, arg(ctx, 0, 'name', COMMANDS['user disable'][0]));
  // A new generation: refresh tokens issued before stay dead after `user enable`.
  await store.putUser({ ...user, disabled: true, generation: newGeneration() });
  ctx.out(`user ${user.name} disabled: no logins or token refreshes (access tokens already issued live until they expire); undo with npx stratus user enable ${user.name}`);
}

async function userEnable(ctx: CommandContext, store: AuthStore): Promise<void> {
  const user = await existingUser(store, arg(ctx, 0, 'name', COMMANDS['user enable'][0]));
  await store.putUser({ ...user, disabled: false });
  ctx.out(`user ${user.name} enabled: it may log in again`);
}

async function userList(ctx: CommandContext, store: AuthStore): Promise<void> {
  const users = await store.listUsers();
  if (users.length === 0) return ctx.out('no users: add one with npx stratus user add <name> --admin');
  const rows = users.map((u) => [u.name, u.disabled ? 'disabled' : u.admin ? 'admin' : 'user', u.admin ? '*:pull,push,delete' : formatGrants(u.grants)]);
  table(ctx, ['NAME', 'ROLE', 'GRANTS'], rows);
}

async function grant(ctx: CommandContext, store: AuthStore): Promise<void> {
  const usage = COMMANDS.grant[0];
  const user = await existingUser(store, arg(ctx, 0, 'user', usage));
  const pattern = parsePattern(arg(ctx, 1, 'pattern', usage));
  const actions = parseActions(arg(ctx, 2, 'actions', usage));
  const grants = addGrant(user.grants, pattern, actions);
  await store.putUser({ ...user, grants });
  ctx.out(`${user.name}: ${formatGrants(grants)}`);
}

async function revoke(ctx: CommandContext, store: AuthStore): Promise<void> {
  const usage = COMMANDS.revoke[0];
  const user = await existingUser(store, arg(ctx, 0, 'user', usage));
  const pattern = parsePattern(arg(ctx, 1, 'pattern', usage));
  if (!user.grants.some((g) => g.pattern === pattern)) {
    throw new CliError(`${user.name} has no grant on ${pattern}: it has ${formatGrants(user.grants)}`);
  }
  const grants = removeGrant(user.grants, pattern, ctx.args[2] ? parseActions(ctx.args[2]) : undefined);
  await store.putUser({ ...user, grants });
  ctx.out(`${user.name}: ${formatGrants(grants)} (tokens already issued keep their access until they expire)`);
}

async function robotCreate(ctx: CommandContext, store: AuthStore, target: Target): Promise<void> {
  const name = arg(ctx, 0, 'name', COMMANDS['robot create'][0]);
  const grants: Grant[] = (ctx.opts.grant ?? []).map(parseGrant);
  if (grants.length === 0) throw new CliError(`a robot needs at least one --grant <pattern>:<actions>, e.g. npx stratus robot create ${name} --grant 'ci/*:pull,push'`, 2);
  const now = Date.now();
  const expiresAt = ctx.opts.expires ? parseExpiry(ctx.opts.expires, now) : undefined;
  const { robot, password } = await newRobot({ name, grants, now, expiresAt });
  const { id } = robot;
  await store.putRobot(robot);
  if (ctx.opts.quiet) return ctx.out(password);
  ctx.out(`robot ${name} created in ${target.description}`);
  ctx.out(`id:       ${id}`);
  ctx.out(`grants:   ${formatGrants(grants)}`);
  ctx.out(`expires:  ${expiresAt ? new Date(expiresAt * 1000).toISOString() : 'never'}`);
  ctx.out(`password: ${password}`);
  ctx.out('The password is shown once; store it now (e.g. as a CI secret). Log in with any user name:');
  ctx.out(`  echo "$STRATUS_ROBOT_PASSWORD" | docker login <registry> -u ${name} --password-stdin`);
}

async function robotList(ctx: CommandContext, store: AuthStore): Promise<void> {
  const robots = (await store.listRobots()).sort((a, b) => a.createdAt - b.createdAt);
  if (robots.length === 0) return ctx.out("no robots: create one with npx stratus robot create <name> --grant '<pattern>:<actions>'");
  const nowSeconds = Date.now() / 1000;
  const rows = robots.map((r) => [
    r.id, r.name,
    r.revoked ? 'revoked' : r.expiresAt !== undefined && r.expiresAt <= nowSeconds ? 'expired' : 'active',
    r.expiresAt ? new Date(r.expiresAt * 1000).toISOString() : 'never',
    formatGrants(r.grants),
  ]);
  table(ctx, ['ID', 'NAME', 'STATUS', 'EXPIRES', 'GRANTS'], rows);
}

async function robotRevoke(ctx: CommandContext, store: AuthStore): Promise<void> {
  const id = arg(ctx, 0, 'id', COMMANDS['robot revoke'][0]).split('.')[0]; // accept a whole password too
  const robot = await store.getRobot(id);
  if (!robot) throw new CliError(`no robot with id ${id}: see npx stratus robot list`);
  await store.putRobot({ ...robot, revoked: true });
  ctx.out(`robot ${robot.name} (${id}) revoked: its password no longer logs in (tokens already issued stay valid until they expire)`);
}

async function anonymousSet(ctx: CommandContext, store: AuthStore): Promise<void> {
  if (ctx.args.length === 0) throw new CliError(`missing <pattern>: usage: npx stratus ${COMMANDS['anonymous set'][0]}`, 2);
  const grants: Grant[] = ctx.args.map((p) => ({ pattern: parsePattern(p), actions: ['pull'] }));
  await store.setAnonymousGrants(grants);
  ctx.out(`anonymous pull allowed on: ${ctx.args.join(' ')}`);
}

async function anonymousClear(ctx: CommandContext, store: AuthStore): Promise<void> {
  await store.setAnonymousGrants([]);
  ctx.out('anonymous access removed: every request needs credentials');
}

async function anonymousShow(ctx: CommandContext, store: AuthStore): Promise<void> {
  const grants = await store.getAnonymousGrants();
  ctx.out(grants.length === 0 ? 'no anonymous access' : `anonymous: ${formatGrants(grants)}`);
}

/** `keys rotate`: the local key file, or with --secret the deployed secret's rotation (its rotation function). */
export async function keysRotate(ctx: CommandContext, dataDir: string, region?: string): Promise<void> {
  if (ctx.opts.secret) {
    const client = new SecretsManagerClient({ region });
    try {
      await client.send(new RotateSecretCommand({ SecretId: ctx.opts.secret }));
    } finally {
      client.destroy();
    }
    ctx.out(`rotation of ${ctx.opts.secret} started: registry instances sign with the new key within 5 minutes; tokens signed by the old key stay valid`);
    return;
  }
  const file = localKeyFile(dataDir);
  const set = await new FileKeySetStore(file).rotate();
  ctx.out(`new signing key ${set.current.kid} in ${file}; ${set.previous.length} previous key(s) kept for verification`);
  ctx.out('restart npm start to sign with it; tokens signed by the previous key stay valid until they expire');
}

function table(ctx: CommandContext, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) ctx.out(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '));
}
