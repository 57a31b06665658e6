/**
 * How the DynamoDB adapter reads for pulls and listings, observed in the SDK commands it sends to DynamoDB
 * Local: tag names from the TagsByName index (one Query for a page of thousands), manifests and links
 * eventually consistent with a strongly consistent retry on a miss, tags strongly consistent.
 */
import { createHash } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbBlobIndex } from '../../../lambda/adapters/dynamodb/dynamodb-blob-index';
import { DynamoDbManifestStore } from '../../../lambda/adapters/dynamodb/dynamodb-manifest-store';
import { keys, TAGS_BY_NAME } from '../../../lambda/adapters/dynamodb/keys';
import { createDocumentClient, ensureTable } from '../../../lambda/adapters/dynamodb/table';
import { TAG_COPY_MAX_BYTES, type ManifestRecord } from '../../../lambda/ports/manifest-store';
import { backendEnv } from '../backend-env';
import { dynamoDbTables } from './dynamodb-tables';

const tables = dynamoDbTables('read-paths');
afterAll(() => tables.destroy());

/** One command the client sent: its name and input. */
interface Sent {
  command: string;
  input: Record<string, unknown>;
}

/**
 * A document client on the suite's DynamoDB that records each command; with `lagging`, eventually
 * consistent GetItems answer "no item" as a replica behind the latest write can on AWS (DynamoDB Local
 * is always consistent).
 */
function recordingClient(opts: { lagging?: boolean } = {}): { doc: DynamoDBDocumentClient; sent: Sent[] } {
  const doc = createDocumentClient(backendEnv().dynamodb);
  const sent: Sent[] = [];
  doc.middlewareStack.add((next, context) => async (args) => {
    const input = args.input as Record<string, unknown>;
    sent.push({ command: String(context.commandName), input });
    const out = await next(args);
    if (opts.lagging && context.commandName === 'GetItemCommand' && input.ConsistentRead !== true) {
      delete (out.output as { Item?: unknown }).Item;
    }
    return out;
  }, { step: 'initialize', name: 'recordCommands' });
  return { doc, sent };
}

/** A manifest record whose body is `bytes` long (inline, copied into its tags when small enough). */
function manifest(bytes: number, seed: string): ManifestRecord {
  const body = Buffer.alloc(bytes, seed);
  return {
    digest: `sha256:${createHash('sha256').update(body).digest('hex')}`, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: body.length, body,
  };
}

const tagNames = (count: number) => Array.from({ length: count }, (_, i) => `t${String(i).padStart(5, '0')}`);

describe('tags list through the TagsByName index', () => {
  const { doc, sent } = recordingClient();
  let table: string;
  let store: DynamoDbManifestStore;
  const repo = 'reads/many-tags';
  const tags = tagNames(1200);

  beforeAll(async () => {
    table = await tables.create();
    store = new DynamoDbManifestStore(doc, table);
    // 1,200 tag items carrying a 4 KB manifest copy each: about 5 MB of table items, 5 or more 1 MB Query pages.
    await store.putManifest(repo, manifest(TAG_COPY_MAX_BYTES, 'a'), tags, { now: 1, referencesMayBeAbsent: true });
    // An item of the repository's partition that carries `tag` without being a tag (e.g. a mirror's record).
    await doc.send(new PutCommand({ TableName: table, Item: { pk: keys.tag(repo, 'x').pk, sk: 'MIRROR#TAG#zz', tag: 'zz' } }));
  });
  afterAll(() => doc.destroy());

  it('lists 1,200 tags with 4 KB manifest copies from the index alone, in order, nothing else listed', async () => {
    sent.length = 0;
    const page = await store.listTags(repo, 10000);

    expect(page).toEqual({ items: tags, more: false });
    // One Query on AWS, which counts an index page's 1 MB in index items (about 60 bytes each here);
    // DynamoDB Local counts whole table items and pages more often: every Query still goes to the index.
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.map((s) => [s.command, s.input.IndexName])).toEqual(sent.map(() => ['QueryCommand', TAGS_BY_NAME.name]));
  });

  it('pages by n and last exactly as the table did: n names, more, then the names after last', async () => {
    const first = await store.listTags(repo, 500);
    const second = await store.listTags(repo, 500, first.items[499]);
    const third = await store.listTags(repo, 500, second.items[499]);

    expect(first).toEqual({ items: tags.slice(0, 500), more: true });
    expect(second).toEqual({ items: tags.slice(500, 1000), more: true });
    expect(third).toEqual({ items: tags.slice(1000), more: false });
    expect(await store.listTags(repo, 5, 't00003')).toEqual({ items: tags.slice(4, 9), more: true });
    expect(await store.listTags(repo, 5, 'zzz')).toEqual({ items: [], more: false });
    expect(await store.listTags(repo, 0)).toEqual({ items: [], more: false });
  });

  it('lists a deleted tag no more and a new one in place', async () => {
    await store.deleteTag(repo, 't00001');
    await store.putManifest(repo, manifest(100, 'b'), ['t00001a'], { now: 2, referencesMayBeAbsent: true });

    const page = await store.listTags(repo, 4);

    expect(page.items).toEqual(['t00000', 't00001a', 't00002', 't00003']);
  });

  it('keeps repositories apart: another repository with a prefix of this name lists only its own tags', async () => {
    await store.putManifest('reads/many', manifest(100, 'c'), ['only'], { now: 3, referencesMayBeAbsent: true });

    expect(await store.listTags('reads/many', 100)).toEqual({ items: ['only'], more: false });
  });
});

describe('a table made before the TagsByName index', () => {
  const { doc, sent } = recordingClient();
  const table = `stratus-old-${Date.now().toString(36)}`;
  afterAll(async () => {
    await doc.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    doc.destroy();
  });

  it('ensureTable adds the index to it, built from the tag items already there', async () => {
    await doc.send(new CreateTableCommand({
      TableName: table, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    }));
    const store = new DynamoDbManifestStore(doc, table);
    await store.putManifest('old/repo', manifest(200, 'd'), ['b', 'a', 'c'], { now: 1, referencesMayBeAbsent: true });

    await ensureTable(doc, table);

    const described = (await doc.send(new DescribeTableCommand({ TableName: table }))).Table;
    expect(described?.GlobalSecondaryIndexes?.find((i) => i.IndexName === TAGS_BY_NAME.name)?.IndexStatus).toBe('ACTIVE');
    sent.length = 0;
    expect(await store.listTags('old/repo', 10)).toEqual({ items: ['a', 'b', 'c'], more: false });
    expect(sent.filter((s) => s.command === 'QueryCommand').map((s) => s.input.IndexName)).toEqual([TAGS_BY_NAME.name]);
  });

  it('while AWS still builds the index (a Query of it is refused), tags are listed from the table', async () => {
    const building = createDocumentClient(backendEnv().dynamodb);
    building.middlewareStack.add((next) => async (args) => {
      if ((args.input as { IndexName?: string }).IndexName === TAGS_BY_NAME.name) {
        throw Object.assign(new Error('Cannot read from backfilling global secondary index: TagsByName'), { name: 'ValidationException' });
      }
      return next(args);
    }, { step: 'initialize', name: 'backfillingIndex' });
    const store = new DynamoDbManifestStore(building, table);

    expect(await store.listTags('old/repo', 2)).toEqual({ items: ['a', 'b'], more: true });
    expect(await store.listTags('old/repo', 2, 'b')).toEqual({ items: ['c'], more: false });
    building.destroy();
  });
});

describe('pull reads: eventually consistent, strongly consistent on a miss', () => {
  const reads = (sent: Sent[]) => sent.filter((s) => s.command === 'GetItemCommand').map((s) => s.input.ConsistentRead);

  it('GET manifest by digest right after its put: one eventually consistent GetItem finds it', async () => {
    const table = await tables.create();
    const { doc, sent } = recordingClient();
    const store = new DynamoDbManifestStore(doc, table);
    const m = manifest(300, 'e');
    await store.putManifest('reads/m', m, [], { now: 5, referencesMayBeAbsent: true });
    sent.length = 0;

    const got = await store.getManifest('reads/m', m.digest);

    expect(got?.digest).toBe(m.digest);
    expect(Buffer.from(got!.body!).equals(Buffer.from(m.body!))).toBe(true);
    expect(reads(sent)).toEqual([false]);
    doc.destroy();
  });

  it('a replica that has not seen the put yet: the strongly consistent retry finds the manifest', async () => {
    const table = await tables.create();
    const { doc, sent } = recordingClient({ lagging: true });
    const store = new DynamoDbManifestStore(doc, table);
    const m = manifest(300, 'f');
    await store.putManifest('reads/m', m, [], { now: 5, referencesMayBeAbsent: true });
    sent.length = 0;

    const got = await store.getManifest('reads/m', m.digest);

    expect(got?.digest).toBe(m.digest);
    expect(reads(sent)).toEqual([false, true]);
    doc.destroy();
  });

  it('a manifest that does not exist: both reads, then null', async () => {
    const table = await tables.create();
    const { doc, sent } = recordingClient();
    const store = new DynamoDbManifestStore(doc, table);

    expect(await store.getManifest('reads/m', `sha256:${'0'.repeat(64)}`)).toBeNull();
    expect(reads(sent)).toEqual([false, true]);
    doc.destroy();
  });

  it('tags are read strongly consistent (a tag moves; pulls spare its item through the tag cache)', async () => {
    const table = await tables.create();
    const { doc, sent } = recordingClient();
    const store = new DynamoDbManifestStore(doc, table);
    const m = manifest(300, 'g');
    await store.putManifest('reads/t', m, ['latest'], { now: 5, referencesMayBeAbsent: true });
    sent.length = 0;

    expect((await store.getTag('reads/t', 'latest'))?.digest).toBe(m.digest);
    expect(reads(sent)).toEqual([true]);
    doc.destroy();
  });

  it('blob links: eventually consistent with a strong retry when lagging; strongly consistent when asked (a mount)', async () => {
    const table = await tables.create();
    const { doc, sent } = recordingClient({ lagging: true });
    const index = new DynamoDbBlobIndex(doc, table);
    const digest = `sha256:${'1'.repeat(64)}`;
    await index.createBlob({ digest, size: 3, objectKey: 'blobs/x' }, 7);
    await index.linkBlob('reads/b', { digest, size: 3, objectKey: 'blobs/x' }, 7);
    sent.length = 0;

    expect((await index.getLinkedBlob('reads/b', digest))?.objectKey).toBe('blobs/x');
    expect(reads(sent)).toEqual([false, true]);
    sent.length = 0;
    expect((await index.getLinkedBlob('reads/b', digest, { consistent: true }))?.size).toBe(3);
    expect(reads(sent)).toEqual([true]);
    sent.length = 0;
    expect(await index.getLinkedBlob('reads/other', digest)).toBeNull();
    expect(reads(sent)).toEqual([false, true]);
    doc.destroy();
  });

  it('blob records (read by pushes only) stay strongly consistent', async () => {
    const table = await tables.create();
    const { doc, sent } = recordingClient();
    const index = new DynamoDbBlobIndex(doc, table);
    const digest = `sha256:${'2'.repeat(64)}`;
    await index.createBlob({ digest, size: 4, objectKey: 'blobs/y' }, 7);
    sent.length = 0;

    expect((await index.getBlob(digest))?.objectKey).toBe('blobs/y');
    expect(reads(sent)).toEqual([true]);
    doc.destroy();
  });
});
