import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { backendEnv } from '../backend-env';

const ROOT = join(__dirname, '..', '..', '..');

export interface CliRun { code: number | null; stdout: string; stderr: string; lines: string[] }

/** `npx stratus <args>` as a child process (tsx bin/stratus-cli.ts) on `table` of the suite's DynamoDB Local. */
export function stratus(table: string, args: string[]): Promise<CliRun> {
  const { endpoint, region, credentials } = backendEnv().dynamodb;
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bin', 'stratus-cli.ts'),
    ...args, '--endpoint', endpoint, '--region', region, '--table', table], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  child.stdin.end();
  return new Promise((ok) => child.on('close', (code) => ok({ code, stdout, stderr, lines: stdout.split('\n').filter(Boolean) })));
}
