/** Starting the contenders fresh (Stratus's two topologies, distribution on S3 and on the filesystem) and reading their processes. */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { createS3Client, ensureBucket } from '../lambda/adapters/s3/s3-client';
import { startCountingS3, S3Counts } from './s3-counting-server';
import { ROOT } from './settings';
import { round } from './stats';


export interface Registry {
  name: string; base: string; port: number; stop(): Promise<void>;
  /** Process group of the registry (and, for Stratus, its embedded backends). */
  pgid: number;
  /** Stratus's STRATUS_DATA_DIR. */
  dataDir?: string;
  /** Other processes that serve it (distribution's S3 server), by port. */
  extraPorts?: Record<string, number>;
  /** Stratus's log: one JSON line per request, with the S3 and DynamoDB calls it made. */
  log?: string;
  /** The S3 server the registry stores blobs in. */
  s3Endpoint?: string;
  /** Requests the S3 server has served so far, by operation (distribution on S3). */
  s3Counts?: () => Promise<S3Counts>;
  /** The SDK probe's running totals (bench/sdk-probe.ts): Stratus's Node host only. */
  probe?: string;
}

export const cleanups: Array<() => Promise<void>> = [];

export function spawnGroup(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; log: string }): ChildProcess {
  const log = createWriteStream(opts.log);
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  return child;
}

export async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  try { process.kill(-child.pid!, 'SIGTERM'); } catch { return; }
  const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 5000);
  await exited;
  clearTimeout(timer);
}

export async function waitReady(base: string, child: ChildProcess, log: string, seconds = 60): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${base} exited (${child.exitCode}); log: ${log}\n${readFileSync(log, 'utf8').slice(-2000)}`);
    const status = await fetch(`${base}/v2/`).then((r) => r.status, () => 0);
    if (status === 200 || status === 401) return; // 401: up, with auth on
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${base} not ready after ${seconds}s; log: ${log}`);
}

export async function startStratus(port: number, work: string, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Registry> {
  return launchStratus('stratus', 'local/start.ts', port, work, env, nodeArgs);
}

/**
 * `npm run start:lambda`: the Lambda bundle behind the local API Gateway on `port` and the upload service
 * (the Node host) on port + 1000, both in one Node process, the one listening on `port`.
 */
export async function startStratusLambda(port: number, work: string): Promise<Registry> {
  const reg = await launchStratus('stratus-lambda', 'local/start-lambda.ts', port, work, { UPLOAD_PORT: String(port + 1000) });
  return reg;
}

async function launchStratus(name: string, entry: string, port: number, work: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Registry> {
  const dataDir = join(work, `${name}-data`);
  const log = join(work, `${name}.log`);
  // As `npm start` / `npm run start:lambda` run it; the Node host with the SDK probe (commands by name and
  // DynamoDB units), which cannot reach into the Lambda bundle's own copy of the SDK.
  const probe = name === 'stratus' ? join(work, `${name}-probe.json`) : undefined;
  const child = spawnGroup(process.execPath, [...nodeArgs, '--require', 'tsx/cjs', ...(probe ? ['--require', './bench/sdk-probe.ts'] : []), entry], {
    cwd: ROOT, log,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', STRATUS_DATA_DIR: dataDir, STRATUS_AUTH: 'off', ...(probe ? { STRATUS_BENCH_PROBE: probe } : {}), ...env },
  });
  const stop = () => stopGroup(child);
  cleanups.push(stop);
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base, child, log, 120);
  // DynamoDB Local runs in a process group of its own; find the backends by the ports the registry uses.
  const endpoints = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as { dynamodbEndpoint?: string; s3Endpoint?: string };
  const extraPorts: Record<string, number> = {};
  if (endpoints.dynamodbEndpoint) extraPorts['dynamodb local (jvm)'] = Number(new URL(endpoints.dynamodbEndpoint).port);
  if (endpoints.s3Endpoint) extraPorts['s3 server'] = Number(new URL(endpoints.s3Endpoint).port);
  return { name, base, port, stop, pgid: child.pid!, extraPorts, dataDir, log, s3Endpoint: endpoints.s3Endpoint, probe };
}

export function distributionConfig(port: number, storage: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    storage,
    '  cache:',
    '    blobdescriptor: inmemory',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    '',
  ].join('\n');
}

export async function startDistribution(name: string, port: number, work: string, storage: string): Promise<Registry> {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'config.yml');
  writeFileSync(configFile, distributionConfig(port, storage));
  const log = join(dir, 'registry.log');
  // AWS_CA_BUNDLE (set on some machines) makes distribution's AWS SDK panic at start ("LoadCustomCABundleError:
  // HTTPClient's transport unsupported type"); the local S3 server is plain HTTP, so no CA bundle is needed.
  const env = { ...process.env };
  delete env.AWS_CA_BUNDLE;
  const child = spawnGroup('docker-registry', ['serve', configFile], { cwd: dir, log, env });
  const stop = () => stopGroup(child);
  cleanups.push(stop);
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base, child, log, 20);
  return { name, base, port, stop, pgid: child.pid! };
}

export async function startDistributionFs(port: number, work: string): Promise<Registry> {
  const root = join(work, 'distribution-fs', 'data');
  mkdirSync(root, { recursive: true });
  return startDistribution('distribution-fs', port, work, ['  filesystem:', `    rootdirectory: ${root}`].join('\n'));
}

export async function startDistributionS3(port: number, work: string): Promise<Registry> {
  // The same patched s3rver that Stratus embeds, in a process of its own that counts the requests it serves.
  const s3 = await startCountingS3(join(work, 'distribution-s3', 's3'));
  cleanups.push(() => s3.stop());
  const bucket = 'distribution';
  await ensureBucket(createS3Client({
    endpoint: s3.endpoint, region: s3.region, forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  }), bucket);
  const reg = await startDistribution('distribution-s3', port, work, [
    '  s3:',
    `    accesskey: ${s3.accessKeyId}`,
    `    secretkey: ${s3.secretAccessKey}`,
    `    region: ${s3.region}`,
    `    regionendpoint: ${s3.endpoint}`,
    `    bucket: ${bucket}`,
    '    forcepathstyle: true',
    '    secure: false',
    '    v4auth: true',
    // Copy committed uploads with one CopyObject (the local S3 server has no UploadPartCopy).
    '    multipartcopythresholdsize: 5368709120',
    '  redirect:',
    '    disable: false',
  ].join('\n'));
  return {
    ...reg, extraPorts: { 's3 server': Number(new URL(s3.endpoint).port) }, s3Counts: s3.counts,
    stop: async () => { await reg.stop(); await s3.stop(); },
  };
}

export function listenerPid(port: number): number | undefined {
  const out = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  const m = /pid=(\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
}

export function status(pid: number, field: string): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : undefined;
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch { return 0; }
}

/** The processes that serve a registry, by role: the listener, its backends, helpers. */
export function roles(reg: Registry): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const add = (role: string, pid: number) => { (out[role] ??= []).push(pid); };
  const listener = listenerPid(reg.port);
  const ps = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  for (const line of ps.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!m || Number(m[2]) !== reg.pgid) continue;
    const pid = Number(m[1]);
    const args = m[3]!;
    if (pid === listener) add('registry', pid);
    else if (/DynamoDBLocal/.test(args)) add('dynamodb local (jvm)', pid);
    else if (/s3-server/.test(args)) add('s3 server', pid);
    else add('other', pid);
  }
  for (const [role, port] of Object.entries(reg.extraPorts ?? {})) {
    const pid = listenerPid(port);
    if (pid && !Object.values(out).some((pids) => pids.includes(pid))) add(role, pid);
  }
  return out;
}

/** Runs `work` and returns the CPU seconds each role used meanwhile (and the bench process, the load generator). */
export async function cpuDuring<T>(reg: Registry, work: () => Promise<T>): Promise<{ result: T; cpu: Record<string, number> }> {
  const r = roles(reg);
  const sum = () => Object.fromEntries([
    ...Object.entries(r).map(([role, pids]) => [role, pids.reduce((a, p) => a + cpuSeconds(p), 0)] as const),
    ['bench client', process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6] as const,
  ]);
  const before = sum();
  const result = await work();
  const after = sum();
  return { result, cpu: Object.fromEntries(Object.entries(after).map(([k, v]) => [k, round(v - (before[k] ?? 0), 2)])) };
}

/** Resets the process's peak RSS (VmHWM) so that the next reading covers only what follows. */
export function resetPeak(pid: number): boolean {
  try { writeFileSync(`/proc/${pid}/clear_refs`, '5'); return true; } catch { return false; }
}



/** The first line a program prints of its version, or 'unknown'. */
export function version(cmd: string, args: string[]): string {
  try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0]!; } catch { return 'unknown'; }
}
