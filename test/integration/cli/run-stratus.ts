import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { backendEnv } from '../backend-env';

const ROOT = join(__dirname, '..', '..', '..');

/** What a CLI run printed and how it ended. */
export interface CliRun { code: number | null; stdout: string; stderr: string; lines: string[] }

/**
 * `npx stratus <args>` as a child process (tsx bin/stratus-cli.ts) with only PATH, HOME and `env` in its
 * environment, `input` on stdin.
 */
export function runStratus(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bin', 'stratus-cli.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  child.stdin.end(opts.input ?? '');
  return new Promise((ok) => child.on('close', (code) => ok({ code, stdout, stderr, lines: stdout.split('\n').filter(Boolean) })));
}

/** The CLI on `table` of the suite's DynamoDB Local (--endpoint, --region, --table appended unless args name a table). */
export function stratusOnTable(table: string, args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<CliRun> {
  const { endpoint, region, credentials } = backendEnv().dynamodb;
  return runStratus([...args, ...(args.includes('--table') ? [] : ['--endpoint', endpoint, '--region', region, '--table', table])], {
    input: opts.input,
    env: { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, ...opts.env },
  });
}
