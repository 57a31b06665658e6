/**
 * `npx stratus gc` on a running registry after real docker pushes: two versions of an image under two tags
 * (distinct layers), one tag deleted through the API, a run with no grace; then the bucket holds exactly the
 * objects the remaining records name (those of the surviving image), and docker pulls the survivor back.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { copyFileFromImage, Dockerd, inspectImage, startDockerd } from './dockerd';
import { removeTree, run, runId, settle, tempDir } from './exec';
import { makeRootfs, tarDir } from './images';
import { RegistryProcess, startRegistry } from './registry-process';

const ROOT = resolve(__dirname, '../..');
const DIGEST_LINE = /^\S+: digest: (sha256:[a-f0-9]{64}) size: \d+$/m;
const MANIFEST_TYPES = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';

/** The backends a running npm start publishes in its data directory. */
interface Endpoints { s3Endpoint: string; bucket: string; dynamodbEndpoint: string; table: string }

describe('npx stratus gc after docker pushes', () => {
  const id = runId();
  const work = tempDir('gc');
  const dataDir = join(work, 'data');
  let registry: RegistryProcess;
  let engine: Dockerd;
  let repo: string;

  beforeAll(async () => {
    await settle(startRegistry({ dataDir }).then((r) => (registry = r)), startDockerd().then((d) => (engine = d)));
    repo = `e2e-${id}/gc`;
  });

  afterAll(async () => {
    await engine?.stop();
    await registry?.stop();
    removeTree(work);
  });

  /** Every object key in the bucket and every item of the table, read through S3's and DynamoDB's APIs. */
  async function storage(): Promise<{ keys: string[]; items: Array<Record<string, unknown>> }> {
    const e = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as Endpoints;
    const s3 = new S3Client({ endpoint: e.s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: e.dynamodbEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
    try {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: e.bucket, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
      } while (token);
      const items: Array<Record<string, unknown>> = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await ddb.send(new ScanCommand({ TableName: e.table, ConsistentRead: true, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return { keys: keys.sort(), items };
    } finally {
      s3.destroy();
      ddb.destroy();
    }
  }

  test('an untagged version is collected: the bucket keeps exactly the surviving image\'s objects, which docker pulls back', async () => {
    // Prepare: two versions (distinct content, so distinct layers and configs), pushed under two tags
    const images: Record<string, { ref: string; digest: string; id: string }> = {};
    for (const version of ['v1', 'v2']) {
      const ref = `${registry.host}/${repo}:${version}`;
      const tar = await tarDir(makeRootfs(join(work, version), { 'version.txt': `${version} of ${id}\n` }), join(work, `${version}.tar`));
      await engine.docker(['import', '-c', 'CMD ["/bin/sh"]', tar, ref]);
      const push = await engine.docker(['push', ref]);
      images[version] = { ref, digest: DIGEST_LINE.exec(push.output)![1], id: (await inspectImage(engine, ref)).id };
    }
    const base = `http://${registry.host}`;
    const v2 = (await (await fetch(`${base}/v2/${repo}/manifests/v2`, { headers: { accept: MANIFEST_TYPES } })).json()) as {
      config: { digest: string }; layers: Array<{ digest: string }>;
    };
    const survivorBlobs = [v2.config.digest, ...v2.layers.map((l) => l.digest)].sort();
    const before = await storage();
    const untag = await fetch(`${base}/v2/${repo}/manifests/v1`, { method: 'DELETE' });
    expect(untag.status).toBe(202);

    // Act
    const gc = await run(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'bin/stratus-cli.ts'), 'gc', '--grace', '0s'], {
      cwd: ROOT, env: { STRATUS_DATA_DIR: dataDir },
    });

    // Assess: the run's line, then the bucket against the records that are left
    expect(gc.stdout).toMatch(/^gc: 1 manifests, 2 links, 2 blobs, 0 objects, [\d.]+ MB freed in [\d.]+ s \(run \S+\)$/m);
    const after = await storage();
    const blobRecords = after.items.filter((i) => i.sk === 'BLOB');
    expect(blobRecords.map((r) => r.digest).sort()).toEqual(survivorBlobs);
    const manifests = after.items.filter((i) => String(i.sk).startsWith('MANIFEST#'));
    expect(manifests.map((m) => m.digest)).toEqual([images.v2.digest]);
    const named = [...blobRecords.map((r) => r.objectKey as string), ...manifests.flatMap((m) => (m.bodyKey ? [m.bodyKey as string] : []))].sort();
    expect(after.keys).toEqual(named);
    expect(before.keys.length).toBeGreaterThan(after.keys.length);

    // docker pulls the survivor back (same image id and content); the untagged version's tag is gone
    await engine.docker(['rmi', images.v1.ref, images.v2.ref]);
    const pull = await engine.docker(['pull', images.v2.ref]);
    expect(pull.output).toContain(`Digest: ${images.v2.digest}`);
    expect((await inspectImage(engine, images.v2.ref)).id).toBe(images.v2.id);
    expect(readFileSync(await copyFileFromImage(engine, images.v2.ref, '/version.txt', work), 'utf8')).toBe(`v2 of ${id}\n`);
    const gone = await engine.docker(['pull', images.v1.ref], { allowFail: true });
    expect(gone.code).not.toBe(0);
    expect(gone.output).toMatch(/not found|manifest unknown/i);
  });
});
