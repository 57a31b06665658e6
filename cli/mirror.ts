/**
 * `npx stratus mirror ...`: the registry mirror's upstream rules (README "Registry mirror"). A rule maps a
 * repository prefix (the root by default, as Docker's `registry-mirrors` needs) to an upstream registry.
 * Upstream credentials never go into the table: locally they are a 0600 file in the data directory, in AWS
 * a Secrets Manager secret whose ARN the rule keeps. Nothing here prints a password.
 */
import { parseArgs } from 'node:util';
import { DynamoDbMirrorStore } from '../lambda/adapters/dynamodb/dynamodb-mirror-store';
import { FileMirrorCredentials, isLocalCredentialsRef, localCredentialsRef, mirrorCredentialsDir } from '../lambda/adapters/file/mirror-credentials-file';
import { regionOfArn } from '../lambda/adapters/secrets-manager/secrets-manager-credentials';
import { httpUpstreamFactory } from '../lambda/adapters/upstream/http-upstream';
import { matchRule, parseRulePrefix, parseUpstreamUrl } from '../lambda/core/mirror/rule-match';
import { credentialSourceFor } from '../lambda/hosts/mirror-credentials';
import { POLICY_CACHE_MS } from '../lambda/core/policies/rule-cache';
import { OciError } from '../lambda/oci/errors';
import { parseName, parseReference } from '../lambda/oci/names';
import { DEFAULT_TAG_TTL_SECONDS, DOCKER_HUB_UPSTREAM, MirrorRule, MirrorStore, UpstreamCredentials } from '../lambda/ports/mirror-store';
import { UpstreamDeniedError, UpstreamUnavailableError } from '../lambda/ports/upstream-registry';
import type { CliIo } from './cli';
import { CliError } from './errors';
import { formatDuration, parseGrace } from './gc-report';
import { openTarget, Target, TargetOptions } from './target';

/** `npx stratus mirror` usage lines, shown in the CLI's help. */
export const MIRROR_USAGE = [
  'mirror add [<prefix>] [<upstream>] [--tag-ttl 5m]  a mirror rule; alone: the root for Docker Hub (what registry-mirrors needs)',
  '    [--username <u> --password-stdin | --credentials-secret-arn <arn>] [--anonymous-pull | --no-anonymous-pull]',
  'mirror add <prefix> --local             names under <prefix> are the team\'s own: never filled from an upstream (e.g. team/ under the root rule)',
  'mirror list [--json]                     the rules (credentials shown as yes/no, never their value)',
  'mirror remove <prefix>                   a rule (and its local credentials file); / is the root',
  'mirror check [<repository>[:<tag>]]      ask the upstream of the rule covering it for the image, with the rule\'s credentials (default library/busybox:latest)',
];

const OPTIONS = {
  'tag-ttl': { type: 'string' },
  username: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  'credentials-secret-arn': { type: 'string' },
  'anonymous-pull': { type: 'boolean' },
  local: { type: 'boolean' },
  json: { type: 'boolean' },
  table: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** What the commands get: their arguments, options, the open target and where to print. */
interface MirrorContext {
  args: string[];
  opts: ReturnType<typeof parse>['values'];
  target: Target;
  out: (line: string) => void;
  stdin: () => Promise<string>;
  store: MirrorStore;
}

/** Runs `npx stratus mirror <verb> ...` (argv after `mirror`); throws CliError for what the user must change. */
export async function mirrorCommand(argv: string[], io: CliIo, stdin: () => Promise<string> = readStdin): Promise<void> {
  const { values: opts, positionals } = parse(argv);
  const [verb, ...args] = positionals;
  const command = verb ? VERBS[verb] : undefined;
  if (opts.help || !command) {
    io.out(['usage:', ...MIRROR_USAGE.map((u) => `  npx stratus ${u}`)].join('\n'));
    if (!opts.help) throw new CliError(verb ? `unknown command "mirror ${verb}"` : 'mirror needs a command: add, list or remove', 2);
    return;
  }
  if (!opts.table && (opts.region || opts.endpoint)) throw new CliError('--region and --endpoint need --table <name>', 2);
  const targetOpts: TargetOptions = { table: opts.table, region: opts.region, endpoint: opts.endpoint, dataDir: opts['data-dir'] };
  const target = await openTarget(targetOpts, io.env, io.err, io.local);
  try {
    await command({ args, opts, target, out: io.out, stdin, store: new DynamoDbMirrorStore(target.doc, target.table) });
  } finally {
    await target.close();
  }
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, allowNegative: true, strict: true, options: OPTIONS });
}

const VERBS: Record<string, (ctx: MirrorContext) => Promise<void>> = { add, list, remove, check };

const applies = `registries apply the change within ${POLICY_CACHE_MS / 1000} s`;

async function add(ctx: MirrorContext): Promise<void> {
  const { args, opts, target } = ctx;
  if (opts.local) return addLocalOnly(ctx);
  if (args.length > 2) throw usage(0);
  const prefix = validated(() => parseRulePrefix(args[0] ?? ''));
  const upstream = validated(() => parseUpstreamUrl(args[1] ?? DOCKER_HUB_UPSTREAM));
  const tagTtlSeconds = opts['tag-ttl'] === undefined ? DEFAULT_TAG_TTL_SECONDS : tagTtl(opts['tag-ttl']);
  const credentials = await credentialsOf(ctx, prefix);
  // Docker's daemon sends no credentials to a mirror: without anonymous pulls it cannot use one with auth on.
  // With upstream credentials the content may be private (a paid or organisation account), so it is opt-in.
  const anonymousPull = opts['anonymous-pull'] ?? !credentials;
  const previous = (await ctx.store.listRules()).find((r) => r.prefix === prefix);
  const rule: MirrorRule = { prefix, upstream, tagTtlSeconds, anonymousPull, createdAt: Date.now() };
  if (credentials) rule.credentialsRef = credentials.ref;
  await credentials?.store?.();
  await ctx.store.putRule(rule);
  // A local file the rule no longer names would keep a password for nothing.
  if (previous?.credentialsRef && previous.credentialsRef !== rule.credentialsRef) await forgetLocalCredentials(target, previous.credentialsRef);
  ctx.out(`mirror rule ${shownPrefix(prefix)} -> ${upstream} ${previous ? 'replaced' : 'added'} in ${target.description}: `
    + `tags re-checked upstream every ${formatDuration(tagTtlSeconds * 1000)}, upstream credentials ${credentials ? 'yes' : 'no'}, `
    + `anonymous pull ${anonymousPull ? 'yes' : 'no'}; ${applies}`);
  if (prefix === '' && upstream === DOCKER_HUB_UPSTREAM) {
    ctx.out('docker: put {"registry-mirrors": ["http://<this registry>"]} into /etc/docker/daemon.json and restart dockerd');
  }
  if (credentials && anonymousPull) ctx.out('note: anonymous callers may pull what these upstream credentials can read (--no-anonymous-pull to refuse them)');
}

/**
 * A local-only rule: under the root rule, any name not yet pushed here is filled from the upstream on its
 * first pull, anonymous ones included, and is read-only afterwards. Declaring the team's prefixes local keeps
 * an outsider from taking `team/app` by publishing it upstream and pulling it through first.
 */
async function addLocalOnly(ctx: MirrorContext): Promise<void> {
  const { args, opts, target } = ctx;
  if (args.length !== 1) throw new CliError('mirror add <prefix> --local takes one prefix and no upstream: npx stratus mirror add team/ --local', 2);
  if (opts['tag-ttl'] !== undefined || opts.username !== undefined || opts['password-stdin'] || opts['credentials-secret-arn'] !== undefined || opts['anonymous-pull'] !== undefined) {
    throw new CliError('--local takes no upstream options: a local-only rule names no upstream', 2);
  }
  const prefix = validated(() => parseRulePrefix(args[0]!));
  if (prefix === '') throw new CliError('--local needs a prefix such as team/: with no rule on the root, every name is local already (npx stratus mirror remove / removes the root rule)', 2);
  const previous = (await ctx.store.listRules()).find((r) => r.prefix === prefix);
  await ctx.store.putRule({ prefix, upstream: '', tagTtlSeconds: 0, anonymousPull: false, localOnly: true, createdAt: Date.now() });
  if (previous?.credentialsRef) await forgetLocalCredentials(target, previous.credentialsRef);
  ctx.out(`local-only rule ${shownPrefix(prefix)} ${previous ? 'replaced a rule' : 'added'} in ${target.description}: names under it are never filled from an upstream, `
    + `and one filled before becomes local (pushable); ${applies}`);
}

async function list(ctx: MirrorContext): Promise<void> {
  if (ctx.args.length > 0) throw usage(2);
  const rules = (await ctx.store.listRules()).sort((a, b) => a.prefix.localeCompare(b.prefix));
  if (ctx.opts.json) {
    return ctx.out(JSON.stringify(rules.map((r) => ({
      prefix: r.prefix, upstream: r.upstream, localOnly: !!r.localOnly, tagTtlSeconds: r.tagTtlSeconds, credentials: !!r.credentialsRef,
      anonymousPull: r.anonymousPull, createdAt: new Date(r.createdAt).toISOString(),
    })), null, 2));
  }
  if (rules.length === 0) {
    return ctx.out(`no mirror rules in ${ctx.target.description}: every repository is local; add the Docker Hub mirror with npx stratus mirror add`);
  }
  const rows = rules.map((r) => (r.localOnly
    ? [shownPrefix(r.prefix), '(local only)', '-', '-', '-']
    : [shownPrefix(r.prefix), r.upstream, formatDuration(r.tagTtlSeconds * 1000), r.credentialsRef ? 'yes' : 'no', r.anonymousPull ? 'yes' : 'no']));
  for (const line of table(['PREFIX', 'UPSTREAM', 'TAG TTL', 'CREDENTIALS', 'ANONYMOUS PULL'], rows)) ctx.out(line);
}

async function remove(ctx: MirrorContext): Promise<void> {
  if (ctx.args.length !== 1) throw usage(3);
  const prefix = validated(() => parseRulePrefix(ctx.args[0]!));
  const rules = await ctx.store.listRules();
  const rule = rules.find((r) => r.prefix === prefix);
  if (!rule || !(await ctx.store.deleteRule(prefix))) {
    const prefixes = rules.map((r) => shownPrefix(r.prefix));
    throw new CliError(`no mirror rule on ${shownPrefix(prefix)}: ${prefixes.length ? `the rules are on ${prefixes.join(', ')}` : 'there are none'}`);
  }
  if (rule.credentialsRef) await forgetLocalCredentials(ctx.target, rule.credentialsRef);
  if (rule.localOnly) return ctx.out(`local-only rule ${shownPrefix(prefix)} removed from ${ctx.target.description}; a shorter rule covers its names again; ${applies}`);
  ctx.out(`mirror rule ${shownPrefix(prefix)} -> ${rule.upstream} removed from ${ctx.target.description}; repositories it filled keep their content and become local; ${applies}`);
}

/**
 * Resolves a tag (or digest) upstream as a fill would: the rule covering the name, its credentials (the
 * local file, or the secret read with this shell's AWS credentials), one manifest HEAD. Exit 1 unless found.
 */
async function check(ctx: MirrorContext): Promise<void> {
  if (ctx.args.length > 1) throw usage(4);
  const [repository, reference] = splitImage(ctx.args[0] ?? 'library/busybox:latest');
  const match = matchRule(await ctx.store.listRules(), repository);
  if (!match) throw new CliError(`no mirror rule covers ${repository} (or a local-only one does): it is a local repository (npx stratus mirror list shows the rules)`);
  const { rule, upstreamName } = match;
  const source = credentialSourceFor({ mirrorCredentialsDir: ctx.target.local ? mirrorCredentialsDir(ctx.target.dataDir) : undefined });
  const credentials = rule.credentialsRef ? await source.get(rule.credentialsRef) : null;
  if (rule.credentialsRef && !credentials) throw new CliError(`the credentials of rule ${shownPrefix(rule.prefix)} are missing (${rule.credentialsRef.startsWith('arn:') ? 'no such secret' : 'no such file'}): add the rule again with its credentials`);
  const what = `${rule.upstream}/${upstreamName}:${reference}`.replace(/:(sha\d+:)/, '@$1');
  const asked = credentials ? `as ${credentials.username}` : 'anonymously';
  try {
    const head = await httpUpstreamFactory()(rule, credentials).headManifest(upstreamName, reference);
    if (!head) throw new CliError(`${what}: the upstream does not know it (asked ${asked}); a pull through the mirror answers MANIFEST_UNKNOWN`);
    ctx.out(`${what}: found (asked ${asked}): ${head.mediaType}${head.digest ? `, ${head.digest}` : ''}${head.size !== undefined ? `, ${head.size} bytes` : ''}`);
  } catch (err) {
    if (err instanceof UpstreamDeniedError) {
      throw new CliError(`${what}: refused (asked ${asked}): ${credentials ? 'wrong credentials, or they may not read it' : 'a private image (add the rule with credentials)'}, or on Docker Hub an image that does not exist`);
    }
    if (err instanceof UpstreamUnavailableError) throw new CliError(`${what}: upstream unavailable: ${err.reason}; pulls serve what is cached, else 503`);
    throw err;
  }
}

/** `repository[:tag|@digest]` -> [repository, tag or digest]; the tag defaults to latest. */
function splitImage(image: string): [string, string] {
  const at = image.indexOf('@');
  const colon = at < 0 ? image.lastIndexOf(':') : -1;
  const [name, ref] = at >= 0 ? [image.slice(0, at), image.slice(at + 1)] : colon > image.lastIndexOf('/') ? [image.slice(0, colon), image.slice(colon + 1)] : [image, 'latest'];
  return validated(() => {
    parseReference(ref);
    return [parseName(name), ref];
  });
}

/** The rule's credentials, if given: where they are kept, and (locally) how to store them once the input is valid. */
async function credentialsOf(ctx: MirrorContext, prefix: string): Promise<{ ref: string; store?: () => Promise<void> } | undefined> {
  const { opts, target } = ctx;
  const arn = opts['credentials-secret-arn'];
  if (arn !== undefined && (opts.username !== undefined || opts['password-stdin'])) {
    throw new CliError('give either --credentials-secret-arn or --username with --password-stdin, not both', 2);
  }
  if (arn !== undefined) {
    if (!regionOfArn(arn)) throw new CliError(`--credentials-secret-arn ${arn}: expected a secret's ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>`, 2);
    return { ref: arn };
  }
  if (opts.username === undefined && !opts['password-stdin']) return undefined;
  if (!target.local) {
    throw new CliError('with --table the upstream password goes into Secrets Manager, not the table: create a secret holding {"username": ..., "password": ...}, '
      + 'give its ARN with --credentials-secret-arn, and list it in the stack\'s mirrorCredentialSecretArns', 2);
  }
  if (!opts.username || !opts['password-stdin']) {
    throw new CliError('upstream credentials need both --username <name> and --password-stdin (the password or token on stdin): echo "$TOKEN" | npx stratus mirror add ghcr https://ghcr.io --username me --password-stdin', 2);
  }
  const password = (await ctx.stdin()).replace(/\r?\n$/, '');
  if (!password) throw new CliError('--password-stdin read nothing: pipe the upstream password or token into the command', 2);
  const creds: UpstreamCredentials = { username: opts.username, password };
  const ref = localCredentialsRef(prefix);
  return { ref, store: () => new FileMirrorCredentials(mirrorCredentialsDir(target.dataDir)).put(ref, creds) };
}

/** Deletes a rule's local credentials file (an ARN is the user's secret: it stays). */
async function forgetLocalCredentials(target: Target, ref: string): Promise<void> {
  if (target.local && isLocalCredentialsRef(ref)) await new FileMirrorCredentials(mirrorCredentialsDir(target.dataDir)).remove(ref);
}

function tagTtl(text: string): number {
  let ms: number;
  try {
    ms = parseGrace(text);
  } catch {
    throw new CliError(`invalid --tag-ttl "${text}": use a duration such as 30s, 5m, 1h (0s: ask the upstream on every tag pull)`, 2);
  }
  if (ms % 1000 !== 0) throw new CliError(`invalid --tag-ttl "${text}": use whole seconds`, 2);
  return ms / 1000;
}

/** Runs a parser of lambda/core/mirror, turning its OciError into what the user should change. */
function validated<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof OciError) throw new CliError(`${err.message}`, 2);
    throw err;
  }
}

/** A prefix as people read it: `/ (root)` for the root. */
export function shownPrefix(prefix: string): string {
  return prefix === '' ? '/ (root)' : prefix;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
}

/** The usage of one verb: its line without the help text (`add` continues on the next line). */
function usage(index: number): CliError {
  const syntax = (line: string) => line.trim().split(/ {2,}/)[0];
  const text = index === 0 ? `${syntax(MIRROR_USAGE[0]!)} ${syntax(MIRROR_USAGE[1]!)}` : syntax(MIRROR_USAGE[index]!);
  return new CliError(`usage: npx stratus ${text}`, 2);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
