/**
 * Ceph's RADOS Gateway, the second real S3 of the test run (MinIO cannot be installed on this machine):
 * a throw-away one-node cluster without systemd, in a temp directory. One monitor, one OSD on memstore,
 * radosgw's beast frontend on 127.0.0.1 at a free port, cephx off, and one user whose keys sign requests.
 * Starts in about 2 s, as root or any user. Needs Debian's `ceph-mon ceph-osd radosgw ceph-common` (Ceph
 * 16.2.15 on bookworm).
 *
 * RGW checks SigV4 and presigned URLs for real. Its differences from AWS S3 that the S3 adapter handles
 * are listed in lambda/adapters/s3/s3-blob-store.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { constants, rmSync } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { cephConf, CephLayout, monAddress, RGW_POOLS } from './ceph-config';
import { Daemon, runTool, startDaemon } from './ceph-daemon';
import { freePort } from './dynamodb-local';

/** A running RGW and the keys of its one user. */
export interface CephRgw {
  /** e.g. http://127.0.0.1:41234; path-style buckets. */
  endpoint: string;
  /** Any region signs; RGW's default zone group takes them all. */
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The temp directory holding the cluster's config, stores, sockets and logs. */
  dir: string;
  /** Kills the daemons and deletes the cluster's directory (and every stored byte with it). */
  stop(): Promise<void>;
}

/** The command that installs what startCephRgw runs. */
export const CEPH_INSTALL_COMMAND = 'apt-get install -y ceph-mon ceph-osd radosgw ceph-common';
const TOOLS = ['monmaptool', 'ceph-mon', 'ceph-osd', 'ceph', 'radosgw', 'radosgw-admin'];
const READY_TIMEOUT_MS = 60_000;

async function onPath(tool: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    if (await access(join(dir, tool), constants.X_OK).then(() => true, () => false)) return true;
  }
  return false;
}

/** Throws, naming the apt-get line, when a Ceph program is missing. */
export async function checkCephInstalled(): Promise<void> {
  const missing = (await Promise.all(TOOLS.map(async (t) => ((await onPath(t)) ? null : t)))).filter(Boolean);
  if (missing.length) {
    throw new Error(
      `Ceph is not installed (${missing.join(', ')} not found): the S3 tests on Ceph RGW need it. ` +
        `Install it as root with: ${CEPH_INSTALL_COMMAND}`,
    );
  }
}

/** Starts a one-node Ceph cluster with radosgw. `memstoreBytes` caps what the OSD holds (RAM). */
export async function startCephRgw(opts: { memstoreBytes?: number } = {}): Promise<CephRgw> {
  await checkCephInstalled();
  const dir = await mkdtemp(join(tmpdir(), 'stratus-ceph-'));
  await Promise.all(['mon', 'osd', 'run', 'log', 'rgw'].map((d) => mkdir(join(dir, d))));
  const monPort = await freePort();
  let rgwPort = await freePort();
  while (rgwPort === monPort) rgwPort = await freePort();
  const layout: CephLayout = { dir, fsid: randomUUID(), monPort, rgwPort, memstoreBytes: opts.memstoreBytes ?? 8 * 1024 ** 3 };
  const conf = join(dir, 'ceph.conf');
  await writeFile(conf, cephConf(layout));
  const endpoint = `http://127.0.0.1:${rgwPort}`;
  const accessKeyId = `STRATUS${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(30).toString('base64url');
  const daemons: Daemon[] = [];
  // on any exit of this process the daemons get SIGKILL (ceph-daemon.ts); their directory goes too
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.on('exit', removeDir);
  const stop = async () => {
    await Promise.all(daemons.map((d) => d.kill()));
    process.off('exit', removeDir);
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const monmap = join(dir, 'monmap');
    await runTool('monmaptool', ['--create', '--add', 'a', monAddress(layout), '--fsid', layout.fsid, monmap]);
    const osdUuid = randomUUID();
    await runTool('ceph-mon', ['-c', conf, '--mkfs', '-i', 'a', '--monmap', monmap]);
    daemons.push(startDaemon('ceph-mon', 'ceph-mon', ['-f', '-c', conf, '-i', 'a']));
    await Promise.all([
      runTool('ceph', ['-c', conf, '--connect-timeout', '30', 'osd', 'new', osdUuid, '0']),
      // the OSD's mkfs asks the monitor for the cluster map
      runTool('ceph-osd', ['-c', conf, '--mkfs', '-i', '0', '--osd-uuid', osdUuid]),
    ]);
    daemons.push(startDaemon('ceph-osd', 'ceph-osd', ['-f', '-c', conf, '-i', '0']));
    // Pools made once the OSD is in: made before, their placement groups took 5 s more to become usable.
    // One CLI session for every command: each start of the (Python) ceph CLI costs a tenth of a second.
    // (No `osd pool application enable`: RGW works without it, and with no manager nothing warns.)
    const commands = RGW_POOLS.map((p) => `osd pool create ${p} 8 8`);
    await runTool('ceph', ['-c', conf], `${commands.join('\n')}\n`);
    await checkPools(conf);
    daemons.push(startDaemon('radosgw', 'radosgw', ['-f', '-c', conf, '-n', 'client.rgw']));
    // the user is written to RADOS, once the OSD serves the pools
    await runTool('radosgw-admin', [
      '-c', conf, '-n', 'client.rgw', 'user', 'create', '--uid', 'stratus', '--display-name', 'Stratus tests',
      '--access-key', accessKeyId, '--secret-key', secretAccessKey,
    ], '', READY_TIMEOUT_MS);
    await waitForHttp(endpoint, daemons);
  } catch (err) {
    const logs = await daemonLogs(dir, daemons);
    await stop();
    throw new Error(`Ceph RGW did not start: ${(err as Error).message}${logs}`);
  }
  let stopping: Promise<void> | undefined;
  return { endpoint, region: 'us-east-1', accessKeyId, secretAccessKey, dir, stop: () => (stopping ??= stop()) };
}

/** The CLI session answers 0 even when a command failed: every pool must be there. */
async function checkPools(conf: string): Promise<void> {
  const pools = (await runTool('ceph', ['-c', conf, 'osd', 'pool', 'ls'])).split('\n');
  const missing = RGW_POOLS.filter((p) => !pools.includes(p));
  if (missing.length) throw new Error(`pools not created: ${missing.join(', ')}`);
}

async function waitForHttp(endpoint: string, daemons: Daemon[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const dead = daemons.find((d) => d.exited());
    if (dead) throw new Error(`${dead.name} exited:\n${dead.output()}`);
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
      return; // any answer: anonymous ListBuckets is 200 with no buckets
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`radosgw not answering at ${endpoint} after ${READY_TIMEOUT_MS} ms: ${err}`);
      await new Promise((ok) => setTimeout(ok, 50));
    }
  }
}

/** The ends of the daemons' logs, for a start-up error. */
async function daemonLogs(dir: string, daemons: Daemon[]): Promise<string> {
  const parts: string[] = [];
  for (const name of ['mon.a', 'osd.0', 'client.rgw']) {
    const text = await readFile(join(dir, 'log', `${name}.log`), 'utf8').catch(() => '');
    if (text) parts.push(`\n--- ${name}.log (end) ---\n${text.slice(-3000)}`);
  }
  for (const d of daemons) if (d.output()) parts.push(`\n--- ${d.name} output ---\n${d.output().slice(-2000)}`);
  return parts.join('');
}
