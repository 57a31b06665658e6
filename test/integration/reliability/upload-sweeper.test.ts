/**
 * Abandoned upload sessions are cleaned up: once idle past uploadTtl, the sweeper (found through the
 * UploadsByExpiry index, not a scan) aborts their S3 multipart uploads, deletes their leftovers under
 * uploads/<id>/ and removes the session; live sessions are left alone and still complete.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { keys } from '../../../lambda/adapters/dynamodb/keys';
import { createDocumentClient, ensureTable } from '../../../lambda/adapters/dynamodb/table';
import { silentLogger } from '../../../lambda/shared/logger';
import { UploadService } from '../../../lambda/core/uploads/upload-service';
import { buildDeps } from '../../../lambda/hosts/settings';
import { s3ClientConfig } from '../backend-env';
import { startTestRegistry, TestRegistry } from '../harness';
import { randomBytes, RegistryClient, sha256, uniqueRepo } from '../http/client';

const MiB = 1024 * 1024;
const TTL_SECONDS = 2;
const client = new RegistryClient('http://registry-not-started-yet');
let registry: TestRegistry;
let s3: S3Client;
let docClient: ReturnType<typeof createDocumentClient> | undefined;
/** One document client on the registry's DynamoDB for the whole file. */
const doc = () => (docClient ??= createDocumentClient(registry.settings!.dynamodb));

beforeAll(async () => {
  registry = await startTestRegistry({ config: { uploadTtlSeconds: TTL_SECONDS } });
  client.base = registry.url;
  s3 = new S3Client(s3ClientConfig());
});
afterAll(async () => {
  await registry.stop();
  s3.destroy();
  docClient?.destroy();
});

/** An upload service on the registry's storage whose clock reads `at` (ms). */
function sweeperAt(at: number): UploadService {
  return new UploadService({ ...buildDeps(registry.settings!, silentLogger), now: () => at });
}

/** A session with 11 MiB received: an 8 MiB part in a multipart upload and a 3 MiB leftover object. */
async function abandonedUpload(repo: string): Promise<{ url: string; id: string; bytes: Buffer }> {
  const bytes = randomBytes(11 * MiB);
  const url = await client.startUpload(repo);
  const res = await client.patchChunk(url, bytes, 0);
  await res.arrayBuffer();
  expect(res.status).toBe(202);
  return { url, id: url.split('/').pop()!, bytes };
}

/** What S3 and DynamoDB still hold of a session, expired or not. */
async function remains(id: string): Promise<{ session: boolean; leftovers: number; multiparts: number }> {
  const Bucket = registry.settings!.bucket;
  const item = await doc().send(new GetCommand({ TableName: registry.settings!.table, Key: keys.upload(id) }));
  const objects = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: `uploads/${id}/` }));
  const multiparts = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: `blobs/${id}` }));
  return { session: item.Item !== undefined, leftovers: objects.KeyCount ?? 0, multiparts: multiparts.Uploads?.length ?? 0 };
}

describe('sweeping expired upload sessions', () => {
  it('an abandoned session is swept after uploadTtl (multipart upload aborted, leftovers deleted); a live one is kept and completes', async () => {
    const repo = uniqueRepo('sweep');
    const abandoned = await abandonedUpload(repo);
    expect(await remains(abandoned.id)).toEqual({ session: true, leftovers: 1, multiparts: 1 });
    // wait until the abandoned session is past its expiry (whole seconds), then start a live one
    const expiredBy = (Math.floor(Date.now() / 1000) + TTL_SECONDS + 1) * 1000;
    await new Promise((resolve) => setTimeout(resolve, expiredBy - Date.now() + 50));
    const now = Date.now();
    const live = await abandonedUpload(repo);

    expect(await sweeperAt(now).sweepExpired(now)).toEqual({ swept: 1, failed: 0 });

    expect(await remains(abandoned.id)).toEqual({ session: false, leftovers: 0, multiparts: 0 });
    const gone = await client.fetch(abandoned.url);
    await gone.arrayBuffer();
    expect(gone.status).toBe(404);
    expect(await remains(live.id)).toEqual({ session: true, leftovers: 1, multiparts: 1 });
    const done = await client.fetch(client.withDigest(live.url, sha256(live.bytes)), { method: 'PUT' });
    await done.arrayBuffer();
    expect(done.status).toBe(201);
  });

  it('with a clock past every expiry, every session is swept, and a second sweep finds nothing', async () => {
    const repo = uniqueRepo('sweep');
    const sessions = await Promise.all([abandonedUpload(repo), abandonedUpload(repo), abandonedUpload(repo)]);
    const later = Date.now() + (TTL_SECONDS + 5) * 1000;
    const first = await sweeperAt(later).sweepExpired(later);
    expect(first.failed).toBe(0);
    expect(first.swept).toBeGreaterThanOrEqual(3);
    for (const s of sessions) expect(await remains(s.id)).toEqual({ session: false, leftovers: 0, multiparts: 0 });
    expect(await sweeperAt(later).sweepExpired(later)).toEqual({ swept: 0, failed: 0 });
  });
});

describe('the indexes on an older table', () => {
  const indexesOf = async (TableName: string) => ((await doc().send(new DescribeTableCommand({ TableName }))).Table!.GlobalSecondaryIndexes ?? [])
    .map((i) => i.IndexName).sort();
  const oldTable = async (name: string, withUploadsIndex: boolean) => {
    const TableName = `stratus-${name}-${Date.now().toString(36)}`;
    await doc().send(new CreateTableCommand({
      TableName, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' },
        ...(withUploadsIndex ? [{ AttributeName: 'uploadShard', AttributeType: 'S' as const }, { AttributeName: 'expiresAt', AttributeType: 'N' as const }] : [])],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      ...(withUploadsIndex ? {
        GlobalSecondaryIndexes: [{
          IndexName: 'UploadsByExpiry', Projection: { ProjectionType: 'KEYS_ONLY' },
          KeySchema: [{ AttributeName: 'uploadShard', KeyType: 'HASH' }, { AttributeName: 'expiresAt', KeyType: 'RANGE' }],
        }],
      } : {}),
    }));
    return TableName;
  };

  it('a table of the previous release (UploadsByExpiry only) gets TagsByName when the registry starts', async () => {
    const TableName = await oldTable('prev', true);
    await ensureTable(doc(), TableName, { indexWaitMs: 5_000 });
    expect(await indexesOf(TableName)).toEqual(['TagsByName', 'UploadsByExpiry']);
    await ensureTable(doc(), TableName, { indexWaitMs: 5_000 }); // and leaves it alone the next time
    expect(await indexesOf(TableName)).toEqual(['TagsByName', 'UploadsByExpiry']);
  });

  it('a table without indexes gets them one at a time: a start that finds one still building starts anyway', async () => {
    const TableName = await oldTable('older', false);
    await ensureTable(doc(), TableName, { indexWaitMs: 5_000 });
    expect(await indexesOf(TableName)).toContain('UploadsByExpiry');
    // DynamoDB builds one new index at a time; the next start adds the other once the first is built.
    await expect(ensureTable(doc(), TableName, { indexWaitMs: 5_000 })).resolves.toBeUndefined();
  });
});
