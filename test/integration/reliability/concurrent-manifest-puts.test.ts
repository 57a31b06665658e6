import { backendEnv } from '../backend-env';
import { startTestRegistry, TestRegistry } from '../harness';
import { MT, randomBytes, RegistryClient, sha256, uniqueRepo } from '../http/client';
import { DynamoDbRecorder, transactionKeys } from './dynamodb-recorder';

// On AWS, two transactions writing one item at once cancel each other (TransactionConflict); DynamoDB Local
// never does. So this reads what each manifest PUT's transaction asks on the wire instead: pushes to one
// repository sharing base layers must write no common item, only check the shared ones.
describe('50 concurrent manifest PUTs to one repository sharing base layers', () => {
  let recorder: DynamoDbRecorder;
  let registry: TestRegistry;
  let client: RegistryClient;

  beforeAll(async () => {
    recorder = new DynamoDbRecorder(backendEnv().dynamodb.endpoint);
    registry = await startTestRegistry({ backends: { dynamodbEndpoint: await recorder.start() } });
    client = new RegistryClient(registry.url);
  });
  afterAll(async () => {
    await registry?.stop();
    await recorder?.stop();
  });

  it('all 50 answer 201 and pull back; no item is written by two of their transactions, the shared layers are only checked', async () => {
    // Prepare: two base layers shared by 50 images, each with its own config and top layer
    const repo = uniqueRepo('hot');
    const base = [await client.pushBlob(repo, randomBytes(512)), await client.pushBlob(repo, randomBytes(512))];
    const images: object[] = [];
    for (let i = 0; i < 50; i += 10) {
      images.push(...await Promise.all(Array.from({ length: 10 }, async (_, j) => {
        const config = await client.pushBlob(repo, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', n: i + j })), MT.ociConfig);
        const top = await client.pushBlob(repo, randomBytes(256));
        return { schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [...base, top] };
      })));
    }
    recorder.requests.length = 0;

    // Act: every manifest at once
    const puts = await Promise.all(images.map((doc, i) => client.putManifest(repo, `v${i}`, JSON.stringify(doc), MT.ociManifest)));

    // Assess: what users see
    expect(puts.map((r) => r.status)).toEqual(images.map(() => 201));
    for (const [i, doc] of images.entries()) {
      const got = await client.getManifest(repo, `v${i}`);
      expect(got.status).toBe(200);
      expect(got.headers.get('docker-content-digest')).toBe(sha256(JSON.stringify(doc)));
    }
    // Assess: one transaction per PUT, none writing an item another writes, the catalog item in none
    const transactions = recorder.of('TransactWriteItems').map((r) => transactionKeys(r.body));
    expect(transactions).toHaveLength(50);
    const writers = new Map<string, number>();
    for (const t of transactions) for (const key of new Set(t.written)) writers.set(key, (writers.get(key) ?? 0) + 1);
    expect([...writers].filter(([, n]) => n > 1)).toEqual([]);
    expect([...writers.keys()].filter((k) => k.startsWith('CATALOG'))).toEqual([]);
    for (const layer of base) {
      const linkKey = `REPO#${repo} | BLOB#${layer.digest}`;
      expect(transactions.filter((t) => t.checked.includes(linkKey))).toHaveLength(50);
    }
    // and one read each: the links, children and catalog entry in one BatchGet
    expect(recorder.of('BatchGetItem')).toHaveLength(50);
  });
});
