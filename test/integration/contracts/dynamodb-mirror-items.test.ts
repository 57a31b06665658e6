/**
 * The mirror's items share the table (and a repository's partition) with the registry's own: the garbage
 * collector, tag listings and the catalog must not take them for tags, manifests, links, uploads or
 * repositories.
 */
import { DynamoDbCatalog } from '../../../lambda/adapters/dynamodb/dynamodb-catalog';
import { DynamoDbGcStore } from '../../../lambda/adapters/dynamodb/dynamodb-gc-store';
import { DynamoDbManifestStore } from '../../../lambda/adapters/dynamodb/dynamodb-manifest-store';
import { DynamoDbMirrorStore } from '../../../lambda/adapters/dynamodb/dynamodb-mirror-store';
import { dynamoDbTables } from './dynamodb-tables';

const tables = dynamoDbTables('mirror-items');
afterAll(() => tables.destroy());

const REPO = 'library/busybox';
const DIGEST = `sha256:${'c'.repeat(64)}`;

describe('mirror items beside the registry items (DynamoDB)', () => {
  let table: string;

  beforeAll(async () => {
    table = await tables.create();
    const mirror = new DynamoDbMirrorStore(tables.doc, table);
    const now = Date.now();
    await mirror.putRule({ prefix: '', upstream: 'https://registry-1.docker.io', tagTtlSeconds: 300, anonymousPull: true, createdAt: now });
    await mirror.markMirrored({ repository: REPO, prefix: '', since: now });
    await mirror.putTagCheck({ repository: REPO, tag: 'latest', digest: DIGEST, checkedAt: now });
    expect(await mirror.acquireLease(`blob:${DIGEST}`, 'host-a', now, 60_000)).toBe(true);
  });

  it('the collector reads a repository holding only a mark and a tag check as empty', async () => {
    const gc = new DynamoDbGcStore(tables.doc, table);
    expect(await gc.readRepository(REPO)).toEqual({ repository: REPO, tags: [], manifests: [], links: [] });
    const snapshot = await gc.snapshot();
    expect(snapshot.blobs).toEqual([]);
    expect(snapshot.uploadIds).toEqual([]);
    expect(snapshot.repositories.flatMap((r) => [...r.tags, ...r.manifests, ...r.links])).toEqual([]);
  });

  it('tag listings, tag counts and the catalog do not show mirror items', async () => {
    const manifests = new DynamoDbManifestStore(tables.doc, table);
    expect(await manifests.listTags(REPO, 100)).toEqual({ items: [], more: false });
    expect(await manifests.countTags(REPO)).toBe(0);
    expect((await manifests.listTagSummaries(REPO, 100)).items).toEqual([]);
    const catalog = new DynamoDbCatalog(tables.doc, table);
    expect((await catalog.listRepositories(100)).items).toEqual([]);
  });
});
