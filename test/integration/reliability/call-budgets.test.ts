import type { Backend } from '../../../lambda/hosts/backend-calls';
import { startTestRegistry, TestRegistry } from '../harness';
import { MT, randomBytes, RegistryClient, sha256, uniqueRepo } from '../http/client';

const MiB = 2 ** 20;

// What a push costs in DynamoDB requests, counted at the AWS SDK (retries included): the budgets of issue 17.
describe('DynamoDB requests per push step', () => {
  let registry: TestRegistry;
  let client: RegistryClient;
  const calls: Array<{ backend: Backend; command: string }> = [];
  /** The DynamoDB commands one request made, with its status. */
  const dynamodbOf = async (act: () => Promise<Response>) => {
    calls.length = 0;
    const res = await act();
    await res.arrayBuffer();
    const location = res.headers.get('location');
    if (location) locations.push(client.location(res));
    return { status: res.status, dynamodb: calls.filter((c) => c.backend === 'dynamodb').map((c) => c.command.replace(/Command$/, '')) };
  };
  const locations: string[] = [];
  const put = (url: string, body?: Uint8Array) => client.fetch(url, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body });

  beforeAll(async () => {
    registry = await startTestRegistry({ observeBackendCall: (backend, command) => calls.push({ backend, command }) });
    client = new RegistryClient(registry.url);
    // The process reads the immutability rules once (cached for minutes), with its first manifest PUT: not counted here.
    await client.pushImage(uniqueRepo('budget-warm-up'), 'v1');
  });
  afterAll(async () => registry?.stop());

  it('an image pushed with POST + monolithic PUT per blob, then its manifest: 1 + 2 per blob, 2 for the manifest (one more once, listing a new repository)', async () => {
    // Prepare: a config and three layers, one of them multipart (12 MiB: a part and a last part)
    const repo = uniqueRepo('budget');
    const blobs = [Buffer.from('{"architecture":"amd64","os":"linux"}'), randomBytes(12 * MiB), randomBytes(MiB), randomBytes(4096)];

    // Act
    const steps = [];
    for (const bytes of blobs) {
      const post = await dynamodbOf(() => client.fetch(`/v2/${repo}/blobs/uploads/`, { method: 'POST' }));
      const upload = locations.pop()!;
      const done = await dynamodbOf(() => put(client.withDigest(upload, sha256(bytes)), bytes));
      steps.push({ post, put: done });
    }
    const manifest = {
      schemaVersion: 2, mediaType: MT.ociManifest,
      config: { mediaType: MT.ociConfig, digest: sha256(blobs[0]!), size: blobs[0]!.length },
      layers: blobs.slice(1).map((b) => ({ mediaType: MT.ociLayer, digest: sha256(b), size: b.length })),
    };
    const putManifest = await dynamodbOf(() => client.putManifest(repo, 'v1', JSON.stringify(manifest), MT.ociManifest));

    // Assess: the session read, then one transaction; the repository's first blob also lists it
    for (const step of steps) expect(step.post).toEqual({ status: 202, dynamodb: ['PutItem'] });
    expect(steps[0]!.put).toEqual({ status: 201, dynamodb: ['BatchGetItem', 'PutItem', 'TransactWriteItems'] });
    for (const step of steps.slice(1)) expect(step.put).toEqual({ status: 201, dynamodb: ['BatchGetItem', 'TransactWriteItems'] });
    expect(putManifest).toEqual({ status: 201, dynamodb: ['BatchGetItem', 'TransactWriteItems'] });
    for (const bytes of blobs) expect((await client.pullBlobBytes(repo, sha256(bytes))).equals(bytes)).toBe(true);
  });

  it('a single POST ?digest= costs 2; a blob already recorded elsewhere is kept once and costs 2 as well', async () => {
    const repo = uniqueRepo('budget-single');
    await client.pushBlob(repo, Buffer.from('lists the repository'));
    const bytes = randomBytes(2048);
    const single = await dynamodbOf(() => client.fetch(`/v2/${repo}/blobs/uploads/?digest=${sha256(bytes)}`, {
      method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: bytes,
    }));
    expect(single).toEqual({ status: 201, dynamodb: ['BatchGetItem', 'TransactWriteItems'] });

    const other = uniqueRepo('budget-dup');
    await client.pushBlob(other, Buffer.from('lists the other repository'));
    const upload = await client.startUpload(other);
    const duplicate = await dynamodbOf(() => put(client.withDigest(upload, sha256(bytes)), bytes));
    expect(duplicate).toEqual({ status: 201, dynamodb: ['BatchGetItem', 'TransactWriteItems'] });
    expect((await client.pullBlobBytes(other, sha256(bytes))).equals(bytes)).toBe(true);
  });

  it("docker's flow (POST, one PATCH of the whole layer, empty PUT): PATCH 2, PUT 2, with or without a tail left for the PUT", async () => {
    const repo = uniqueRepo('budget-docker');
    await client.pushBlob(repo, Buffer.from('lists the repository'));
    const results = [];
    for (const size of [16 * MiB, 10 * MiB]) {
      const bytes = randomBytes(size);
      const upload = await client.startUpload(repo);
      const patch = await dynamodbOf(() => client.fetch(upload, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream' }, body: bytes }));
      const done = await dynamodbOf(() => put(client.withDigest(upload, sha256(bytes))));
      expect((await client.pullBlobBytes(repo, sha256(bytes))).equals(bytes)).toBe(true);
      results.push({ patch, put: done });
    }
    for (const r of results) expect(r.patch).toEqual({ status: 202, dynamodb: ['GetItem', 'UpdateItem'] });
    // 16 MiB: two full parts, nothing left for the PUT; 10 MiB: the PATCH leaves a 2 MiB tail, which the empty
    // PUT uploads as the last part under the number kept for it (no reservation: the same bytes whoever sends it)
    for (const r of results) expect(r.put).toEqual({ status: 201, dynamodb: ['BatchGetItem', 'TransactWriteItems'] });
  });
});
