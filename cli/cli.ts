import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backup, restore } from './backup';
import { COMMANDS, CommandContext, CommandOptions, keysRotate } from './commands';
import { CliError } from './errors';
import type { LocalFallback } from './local-fallback';
import { GC_COMMANDS } from './gc';
import { IMMUTABILITY_COMMANDS } from './immutability';
import { MIRROR_USAGE, mirrorCommand } from './mirror';
import { RETENTION_COMMANDS } from './retention';
import { terminalProgress } from './terminal-progress';
import type { TargetCommand } from './target-command';
import { dataDirOf, openTarget, TargetOptions } from './target';

/** Storage lifecycle commands: each feature's file owns its table. */
const LIFECYCLE_COMMANDS: Record<string, [string, TargetCommand]> = { ...GC_COMMANDS, ...RETENTION_COMMANDS, ...IMMUTABILITY_COMMANDS };

/** Where the CLI writes and what it reads. */
export interface CliIo {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Without --table: the local backends of `npm start` (bin/stratus-cli.ts passes local/'s). */
  local: LocalFallback;
}

const USAGE = () => [
  'usage: npx stratus <command> [target options]',
  '',
  'commands:',
  ...[...Object.values(COMMANDS).map(([usage]) => usage), ...Object.values(LIFECYCLE_COMMANDS).map(([usage]) => usage), 'keys rotate [--secret <secret id>]  the local key file, or start the deployed secret\'s rotation',
    ...BACKUP_USAGE, ...MIRROR_USAGE]
    .map((usage) => {
      const [syntax, ...help] = usage.split(/ {2,}/);
      return help.length ? `  ${syntax.padEnd(42)} ${help.join(' ')}` : `  ${syntax}`;
    }),
  '',
  'target (default: the local backends of npm start, data in STRATUS_DATA_DIR or .stratus/data):',
  '  --data-dir <dir>                           another local data directory',
  '  --table <name> [--region <r>] [--endpoint <url>]   a deployed table (stack output TableName), AWS credentials from the environment',
  '',
  'passwords: --password-stdin (one line on stdin), else STRATUS_PASSWORD, else a prompt on a terminal',
].join('\n');

/** Runs `npx stratus ...` with these arguments; returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    // The mirror commands have options of their own (cli/mirror.ts parses them).
    if (argv[0] === 'mirror') {
      await mirrorCommand(argv.slice(1), io);
      return 0;
    }
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        admin: { type: 'boolean' },
        'password-stdin': { type: 'boolean' },
        grant: { type: 'string', multiple: true },
        expires: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        secret: { type: 'string' },
        table: { type: 'string' },
        region: { type: 'string' },
        endpoint: { type: 'string' },
        'data-dir': { type: 'string' },
        force: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        grace: { type: 'string' },
        json: { type: 'boolean' },
        file: { type: 'string' },
        exclude: { type: 'string', multiple: true },
        limit: { type: 'string' },
        bucket: { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help || positionals.length === 0) {
      io.out(USAGE());
      return values.help ? 0 : 2;
    }
    const targetOpts: TargetOptions = { table: values.table, region: values.region, endpoint: values.endpoint, dataDir: values['data-dir'], bucket: values.bucket };
    if (!values.table && (values.region || values.endpoint)) throw new CliError('--region and --endpoint need --table <name>', 2);

    const ctx = (args: string[]): CommandContext => ({
      args, opts: values as CommandOptions, env: io.env, out: io.out, open: () => openTarget(targetOpts, io.env, io.err, io.local),
    });
    const [group, verb, ...rest] = positionals;
    if (group === 'backup' || group === 'restore') {
      await backupCommand(group, positionals.slice(1), targetOpts, !!values.force, io);
      return 0;
    }
    if (group === 'keys' && verb === 'rotate') {
      await keysRotate(ctx(rest), dataDirOf(targetOpts, io.env, io.local), values.region);
      return 0;
    }
    const lifecycle = LIFECYCLE_COMMANDS[`${group} ${verb}`] ?? LIFECYCLE_COMMANDS[group];
    if (lifecycle) {
      const c = ctx(LIFECYCLE_COMMANDS[`${group} ${verb}`] ? rest : positionals.slice(1));
      // gc deletes S3 objects too: its target opens the bucket as well as the table
      const target = group === 'gc' && verb !== 'history' ? await openTarget({ ...targetOpts, withBucket: true }, io.env, io.err, io.local) : await c.open();
      try {
        await lifecycle[1](c, target);
      } finally {
        await target.close();
      }
      return 0;
    }
    const found = COMMANDS[`${group} ${verb}`] ? { cmd: COMMANDS[`${group} ${verb}`], args: rest }
      : COMMANDS[group] ? { cmd: COMMANDS[group], args: positionals.slice(1) } : undefined;
    if (!found) throw new CliError(`unknown command "${positionals.join(' ')}"\n\n${USAGE()}`, 2);

    const c = ctx(found.args);
    const target = await c.open();
    try {
      await found.cmd[1](c, target.store, target);
    } finally {
      await target.close();
    }
    return 0;
  } catch (err) {
    if (err instanceof CliError) {
      io.err(`stratus: ${err.message}`);
      return err.exitCode;
    }
    const e = err as { name?: string; code?: string; message?: string };
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      io.err(`stratus: ${e.message}\n\n${USAGE()}`);
      return 2;
    }
    io.err(`stratus: ${hint(e)}`);
    return 1;
  }
}

const BACKUP_USAGE = [
  'backup <dir>                             the local table, objects and signing keys into a new directory (registry running or not)',
  'restore <dir> [--force]                  a backup into the local data directory (empty unless --force)',
];

/** `backup <dir>` / `restore <dir>`: local data directories only. */
async function backupCommand(verb: 'backup' | 'restore', args: string[], target: TargetOptions, force: boolean, io: CliIo): Promise<void> {
  if (args.length !== 1) throw new CliError(`usage: npx stratus ${verb === 'backup' ? BACKUP_USAGE[0] : BACKUP_USAGE[1]}`.replace(/ {2,}.*/, ''), 2);
  if (target.table) throw new CliError(`${verb} works on a local data directory (--data-dir); for a deployed table use DynamoDB's and S3's own backups`, 2);
  const dir = resolve(args[0]);
  const dataDir = dataDirOf(target, io.env, io.local);
  const bio = { out: io.out, err: io.err, progress: terminalProgress() };
  if (verb === 'backup') await backup(dir, dataDir, io.env, bio, io.local);
  else await restore(dir, dataDir, io.env, bio, io.local, force);
}

/** What to do about the AWS errors people hit first. */
function hint(e: { name?: string; message?: string }): string {
  switch (e.name) {
    case 'ResourceNotFoundException':
      return `${e.message}: check --table and --region (the stack's TableName output and its region)`;
    case 'CredentialsProviderError':
    case 'UnrecognizedClientException':
    case 'ExpiredTokenException':
      return `${e.message}: no valid AWS credentials; set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`;
    case 'AccessDeniedException':
      return `${e.message}: these credentials may not read or write the table; use a role with dynamodb:GetItem/PutItem/DeleteItem/Query on it`;
    default:
      return e.message ?? String(e);
  }
}
