/**
 * `npx stratus gc` and `gc history` as a child process against a registry that runs on the suite's S3 and
 * DynamoDB Local: the data directory's endpoints.json names them, as a running `npm start` publishes its own.
 * What a user sees: the plan's rows, the summary line, the run records; and that what the plan named is gone
 * while the tagged image still pulls whole.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MT, randomBytes, RegistryClient, sha256, uniqueRepo } from '../http/client';
import { startTestRegistry, TestRegistry } from '../harness';
import { backendEnv } from '../backend-env';
import { CliRun, runStratus } from './run-stratus';


let registry: TestRegistry;
let client: RegistryClient;
let dataDir: string;

/** Runs the CLI on the data directory (the running registry's backends unless `--data-dir` names another). */
function stratus(args: string[]): Promise<CliRun> {
  const { s3 } = backendEnv();
  return runStratus(args, {
    env: {
      STRATUS_DATA_DIR: dataDir,
      // another S3 than the embedded one (npm run test:rgw) is reached with its own keys, as npm start does
      S3_ENDPOINT: s3.endpoint, AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    },
  });
}

beforeAll(async () => {
  registry = await startTestRegistry();
  client = new RegistryClient(registry.url);
  dataDir = mkdtempSync(join(tmpdir(), 'stratus-gc-cli-'));
  const { s3, dynamodb } = backendEnv();
  const { bucket, table } = registry.settings!;
  writeFileSync(join(dataDir, 'endpoints.json'), JSON.stringify({ registry: registry.url, dynamodbEndpoint: dynamodb.endpoint, table, s3Endpoint: s3.endpoint, bucket }));
});

afterAll(async () => {
  await registry.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** An image of a config and these layers, tagged. */
async function pushImage(repo: string, tag: string, layers: Buffer[]) {
  const config = await client.pushBlob(repo, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', tag })), MT.ociConfig);
  const descriptors = [];
  for (const layer of layers) descriptors.push(await client.pushBlob(repo, layer));
  const pushed = await client.pushManifestJson(repo, tag, { schemaVersion: 2, mediaType: MT.ociManifest, config, layers: descriptors }, MT.ociManifest);
  return { ...pushed, config, layers: descriptors };
}

describe('npx stratus gc', () => {
  const repo = uniqueRepo('gc-cli');
  const shared = randomBytes(2048);
  let keep: Awaited<ReturnType<typeof pushImage>>;
  let gone: Awaited<ReturnType<typeof pushImage>>;

  beforeAll(async () => {
    keep = await pushImage(repo, 'keep', [shared, randomBytes(4096)]);
    gone = await pushImage(repo, 'gone', [shared, randomBytes(1_500_000)]);
    const untag = await client.fetch(`/v2/${repo}/manifests/gone`, { method: 'DELETE' });
    expect(untag.status).toBe(202);
  });

  it('--dry-run with the default grace (24h) plans nothing: everything was pushed within it', async () => {
    const run = await stratus(['gc', '--dry-run']);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toContain('(grace 24h):\nnothing\n');
    expect(run.stdout).toMatch(/^gc \(dry run\): 0 manifests, 0 links, 0 blobs, 0 objects, 0\.0 MB would be freed in [\d.]+ s \(run \S+\)$/m);
  });

  it('--dry-run --grace 0s lists the untagged manifest, its own links and blobs with their bytes, and deletes nothing', async () => {
    const run = await stratus(['gc', '--dry-run', '--grace', '0s']);
    expect(run).toMatchObject({ code: 0 });
    const rows = run.stdout.split('\n').filter((l) => /^(manifest|link|blob|object) /.test(l));
    const named = rows.map((r) => r.split(/\s+/).slice(0, 4).join(' ')).sort();
    const own = [gone.config, gone.layers[1]];
    expect(named).toEqual([
      `manifest ${repo} ${gone.digest} ${gone.bytes.length}`,
      ...own.map((d) => `link ${repo} ${d.digest} 0`),
      ...own.map((d) => `blob - ${d.digest} ${d.size}`),
    ].sort());
    expect(run.stdout).toMatch(/^gc \(dry run\): 1 manifests, 2 links, 2 blobs, 0 objects, 1\.5 MB would be freed in [\d.]+ s \(run \S+\)$/m);
    expect((await client.getManifest(repo, gone.digest)).status).toBe(200);
    expect((await client.pullBlobBytes(repo, gone.layers[1].digest)).length).toBe(1_500_000);
  });

  it('--grace 0s deletes what the plan named and prints one summary line; the tagged image pulls whole, a second run finds nothing', async () => {
    const run = await stratus(['gc', '--grace', '0s']);
    expect(run).toMatchObject({ code: 0 });
    expect(run.stderr).toContain('grace 0s is under 1 h');
    expect(run.stdout).toMatch(/^gc: 1 manifests, 2 links, 2 blobs, 0 objects, 1\.5 MB freed in [\d.]+ s \(run \S+\)\n$/);

    expect((await client.getManifest(repo, gone.digest)).status).toBe(404);
    for (const d of [gone.config, gone.layers[1]]) expect((await client.getBlob(repo, d.digest)).status).toBe(404);
    const manifest = await client.getManifest(repo, 'keep');
    expect(manifest.status).toBe(200);
    expect(Buffer.from(await manifest.arrayBuffer()).equals(keep.bytes)).toBe(true);
    for (const d of [keep.config, ...keep.layers]) expect(sha256(await client.pullBlobBytes(repo, d.digest))).toBe(d.digest);

    const again = await stratus(['gc', '--grace', '0s', '--json']);
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout) as { run: { status: string; manifestsDeleted: number; blobsDeleted: number }; plan: unknown[] };
    expect(report.run).toMatchObject({ status: 'completed', manifestsDeleted: 0, blobsDeleted: 0 });
    expect(report.plan).toEqual([]);
  });

  it('gc history lists the runs most recent first (host, status, counts, bytes); --limit bounds them', async () => {
    const run = await stratus(['gc', 'history']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const [header, ...rows] = run.stdout.trim().split('\n');
    expect(header).toMatch(/^STARTED\s+HOST\s+STATUS\s+MANIFESTS\s+LINKS\s+BLOBS\s+OBJECTS\s+FREED\s+DURATION\s+RUN$/);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(/^\S+Z\s+cli@\S+\s+completed\s+0\s+0\s+0\s+0\s+0\.0 MB\s+[\d.]+ s\s+\S+$/);
    expect(rows[1]).toMatch(/^\S+Z\s+cli@\S+\s+completed\s+1\s+2\s+2\s+0\s+1\.5 MB\s+[\d.]+ s\s+\S+$/);
    expect(rows[2]).toMatch(/completed \(dry run\)/);
    const limited = await stratus(['gc', 'history', '--limit', '1']);
    const runId = (line: string) => line.split(/\s+/).pop();
    expect(limited.stdout.trim().split('\n').map(runId)).toEqual(['RUN', runId(rows[0])]);
  });

  it('a bad --grace or --limit is a usage error (exit 2) that says what to write', async () => {
    const grace = await stratus(['gc', '--grace', '5x']);
    expect(grace).toMatchObject({ code: 2, stdout: '' });
    expect(grace.stderr).toContain('invalid --grace "5x": use a duration such as 30m, 1h, 7d (0s: no grace)');
    const limit = await stratus(['gc', 'history', '--limit', '0']);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('invalid --limit "0"');
  });

  it('on a data directory whose npm start is stopped, gc starts the local S3 and DynamoDB Local for the command', async () => {
    const stopped = mkdtempSync(join(tmpdir(), 'stratus-gc-stopped-'));
    try {
      const run = await stratus(['gc', '--dry-run', '--data-dir', stopped]);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(`npm start is not running: starting the local S3 server and DynamoDB Local on ${stopped} for this command`);
      expect(run.stdout).toContain(`would delete from the data directory ${stopped} (grace 24h):\nnothing\n`);
      expect(run.stdout).toMatch(/^gc \(dry run\): 0 manifests, 0 links, 0 blobs, 0 objects, 0\.0 MB would be freed in [\d.]+ s \(run \S+\)$/m);
    } finally {
      rmSync(stopped, { recursive: true, force: true });
    }
  });

  it('with --table, gc needs --bucket (the stack output BucketName)', async () => {
    const run = await stratus(['gc', '--table', 'some-table', '--endpoint', backendEnv().dynamodb.endpoint]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('with --table this command needs --bucket <name> (the stack output BucketName)');
  });
});
