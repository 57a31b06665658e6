/**
 * Amazon's DynamoDB Local (Java 17) as a child process, on 127.0.0.1 where a JDK can compile
 * the small BindLocal launcher (the jar alone has no host option and listens on all interfaces).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { backendChildEnv } from './child-env';
import { ensureBindLocalLauncher, ensureDynamoDbLocal } from './dynamodb-local-cache';

export { ensureDynamoDbLocal } from './dynamodb-local-cache';

/** A running DynamoDB Local. It runs with -sharedDb: any credentials and region see the same tables. */
export interface LocalDynamoDb {
  endpoint: string;
  region: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
// The child is a shell that starts java and kills it when its stdin reaches EOF, i.e. when this
// process closes the pipe in stop() or dies in any way (even SIGKILL, where no 'exit' handler runs).
const WATCHDOG = 'exec 3<&0; "$@" </dev/null 3<&- & j=$!; (read -r _ <&3; kill "$j") >/dev/null 2>&1 & wait "$j"';

/** A port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  await new Promise((ok) => server.close(ok));
  return port;
}

async function waitUntilReady(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`DynamoDB Local exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
      }
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local not ready after ${READY_TIMEOUT_MS} ms: ${err}\n${output()}`);
        await new Promise((ok) => setTimeout(ok, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal); // detached: the group is sh, java, watchdog
  } catch {
    /* already gone */
  }
}

/** Starts DynamoDB Local. dataDir given = persistent (-dbPath), else -inMemory. port 0 or unset = a free port. */
export async function startDynamoDbLocal(opts: { dataDir?: string; port?: number; silent?: boolean } = {}): Promise<LocalDynamoDb> {
  const emulator = await ensureDynamoDbLocal();
  const launcher = await ensureBindLocalLauncher(emulator);
  const jar = join(emulator, 'DynamoDBLocal.jar');
  if (!launcher && !opts.silent) console.warn('[dynamodb-local] no javac: listening on all interfaces');
  // it writes dynamodb-local-metadata.json into its working directory
  const cwd = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'stratus-dynamodb-')));
  if (opts.dataDir) await mkdir(opts.dataDir, { recursive: true });

  for (let attempt = 1; ; attempt++) {
    const port = opts.port || (await freePort());
    const args = [
      `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
      ...(launcher ? ['-cp', [jar, launcher].join(delimiter), 'BindLocal'] : ['-jar', jar]),
      '-sharedDb',
      '-disableTelemetry', // it would otherwise phone home
      '-port', String(port),
      ...(opts.dataDir ? ['-dbPath', opts.dataDir] : ['-inMemory']),
    ];
    const child = spawn('sh', ['-c', WATCHDOG, 'dynamodb-local', 'java', ...args], {
      cwd,
      env: backendChildEnv(), // none of the registry's settings or secrets
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8192);
      if (!opts.silent) process.stderr.write(`[dynamodb-local] ${chunk}`);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
    const onParentExit = () => killGroup(child, 'SIGKILL');
    process.on('exit', onParentExit);
    // never keep the parent alive on its own: the watchdog stops java when the parent goes
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();

    const endpoint = `http://127.0.0.1:${port}`;
    const kill = async () => {
      process.off('exit', onParentExit);
      child.stdin!.end(); // the watchdog sends java SIGTERM
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      killGroup(child, 'SIGKILL'); // the watchdog subshell, if still there
    };
    const removeTempCwd = () => (opts.dataDir ? undefined : rm(cwd, { recursive: true, force: true }));
    try {
      await waitUntilReady(endpoint, child, () => output);
    } catch (err) {
      await kill();
      // a free port can be taken between the probe and java's bind: try another
      if (!opts.port && attempt < 3 && /Address already in use|BindException/.test(output)) continue;
      await removeTempCwd();
      throw err;
    }
    let stopping: Promise<void> | undefined;
    const stop = async () => {
      await kill();
      await removeTempCwd();
    };
    return { endpoint, region: 'us-east-1', stop: () => (stopping ??= stop()) };
  }
}
