import { createInterface } from 'node:readline';
import { MAX_PASSWORD_BYTES, passwordFits } from '../lambda/auth/passwords';
import { CliError } from './errors';

/** Shortest password accepted. */
export const MIN_PASSWORD_LENGTH = 8;

/**
 * The password for `user add` / `user passwd`: from stdin with --password-stdin (one line; CI), else
 * STRATUS_PASSWORD, else a hidden prompt (typed twice) when stdin is a terminal.
 */
export async function readPassword(opts: { stdin: boolean; env: NodeJS.ProcessEnv }): Promise<string> {
  let password: string;
  if (opts.stdin) {
    password = (await readAll(process.stdin)).replace(/\r?\n$/, '');
  } else if (opts.env.STRATUS_PASSWORD) {
    password = opts.env.STRATUS_PASSWORD;
  } else if (process.stdin.isTTY) {
    password = await prompt('Password: ');
    if ((await prompt('Repeat password: ')) !== password) throw new CliError('the passwords differ: nothing changed');
  } else {
    throw new CliError('no password given: pipe it with --password-stdin (echo "$PASSWORD" | npx stratus user add NAME --password-stdin) or set STRATUS_PASSWORD');
  }
  if (password.length < MIN_PASSWORD_LENGTH) throw new CliError(`the password is too short: use at least ${MIN_PASSWORD_LENGTH} characters`);
  // bcrypt reads only the first 72 bytes: a longer password would let in anything sharing its start.
  if (!passwordFits(password)) {
    throw new CliError(`the password is too long: use at most ${MAX_PASSWORD_BYTES} bytes (UTF-8; bcrypt ignores the rest, so it could not tell two longer passwords apart)`);
  }
  return password;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one line from the terminal without echoing it. */
function prompt(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const echo = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stderr.write(question);
  echo._writeToOutput = () => undefined;
  return new Promise((resolve) => rl.question('', (answer) => {
    rl.close();
    process.stderr.write('\n');
    resolve(answer);
  }));
}
