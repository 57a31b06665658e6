import type { Backend } from '../../../lambda/hosts/backend-calls';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { silentLogger } from '../../../lambda/shared/logger';
import { createRegistry } from '../../../lambda/core/registry';
import { lambdaAdapter } from '../../../lambda/hosts/lambda/handler';
import { buildDeps } from '../../../lambda/hosts/settings';
import { startTestRegistry, TestRegistry } from '../harness';
import { ACCEPT_MANIFESTS, MT, randomBytes, RegistryClient, sha256, uniqueRepo } from './client';

// What each request costs in backend calls, counted at the AWS SDK: pulls must stay cheap.
describe('backend calls per request', () => {
  let registry: TestRegistry;
  let client: RegistryClient;
  const calls: Array<{ backend: Backend; command: string }> = [];
  const count = async (act: () => Promise<Response>) => {
    calls.length = 0;
    const res = await act();
    await res.arrayBuffer();
    const by = (b: Backend) => calls.filter((c) => c.backend === b).map((c) => c.command);
    return { status: res.status, s3: by('s3'), dynamodb: by('dynamodb') };
  };

  beforeAll(async () => {
    registry = await startTestRegistry({ observeBackendCall: (backend, command) => calls.push({ backend, command }) });
    client = new RegistryClient(registry.url);
  });
  afterAll(async () => registry.stop());

  it('pulling an image by tag costs one DynamoDB read per request and no S3 request', async () => {
    // Prepare: an image with a config and three layers
    const repo = uniqueRepo('calls');
    const config = await client.pushBlob(repo, Buffer.from('{"os":"linux"}'), MT.ociConfig);
    const layers = [];
    for (let i = 0; i < 3; i++) layers.push(await client.pushBlob(repo, randomBytes(2048)));
    const pushed = await client.pushManifestJson(repo, 'v1', { schemaVersion: 2, mediaType: MT.ociManifest, config, layers }, MT.ociManifest);

    // Act: what `docker pull` asks of the registry
    const steps = [
      await count(() => client.fetch('/v2/')),
      await count(() => client.fetch(`/v2/${repo}/manifests/v1`, { headers: { accept: ACCEPT_MANIFESTS } })),
      await count(() => client.fetch(`/v2/${repo}/manifests/${pushed.digest}`, { method: 'HEAD', headers: { accept: ACCEPT_MANIFESTS } })),
    ];
    for (const blob of [config, ...layers]) {
      steps.push(await count(() => client.fetch(`/v2/${repo}/blobs/${blob.digest}`)));
      steps.push(await count(() => client.fetch(`/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD' })));
    }

    // Assess: the manifest GET also records its pull time (retention), once an hour, after its answer: one
    // UpdateItem, in whichever step's window it lands
    expect(steps.flatMap((s) => s.dynamodb).filter((c) => c === 'UpdateItemCommand')).toEqual(['UpdateItemCommand']);
    expect(steps[0]).toEqual({ status: 200, s3: [], dynamodb: [] });
    for (const step of steps.slice(1)) {
      expect(step.status).toBeLessThan(400);
      expect(step.dynamodb.filter((c) => c !== 'UpdateItemCommand')).toEqual(['GetItemCommand']);
      expect(step.s3).toEqual([]); // blob GETs answer with a presigned redirect: S3 is called by the client
    }
  });

  it('pushing a blob in one PATCH and a PUT, and a manifest: the calls it takes', async () => {
    const repo = uniqueRepo('calls-push');
    const data = randomBytes(1024 * 1024);
    const start = await count(() => client.fetch(`/v2/${repo}/blobs/uploads/`, { method: 'POST' }));
    const upload = await client.startUpload(repo);
    const patch = await count(() => client.fetch(upload, { method: 'PATCH', body: data }));
    const put = await count(() => client.fetch(client.withDigest(upload, sha256(data)), { method: 'PUT' }));
    const config = await client.pushBlob(repo, Buffer.from('{}'), MT.ociConfig);
    const manifest = { schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [{ mediaType: MT.ociLayer, digest: sha256(data), size: data.length }] };
    const putManifest = await count(() => client.putManifest(repo, 'v1', JSON.stringify(manifest), MT.ociManifest));

    expect([start.status, patch.status, put.status, putManifest.status]).toEqual([202, 202, 201, 201]);
    expect(start).toMatchObject({ s3: [], dynamodb: ['PutItemCommand'] });
    // The manifest's links (the config's among them: where its bytes are) and the catalog entry are one BatchGet;
    // the config's bytes (at most 64 KiB: its platform, for the tag's summary) one S3 GET; manifest and tag
    // are one transaction (the links only checked in it).
    expect(putManifest.dynamodb).toEqual(['BatchGetItemCommand', 'TransactWriteItemsCommand']);
    expect(putManifest.s3).toEqual(['GetObjectCommand']);
    console.log(`backend calls: POST ${JSON.stringify(start)} PATCH ${JSON.stringify(patch)} PUT ${JSON.stringify(put)} PUT manifest ${JSON.stringify(putManifest)}`);
  });

  it("each request's log line tells the S3 and DynamoDB calls it made", async () => {
    // Prepare: a registry whose request log the test reads
    const lines: Array<Record<string, unknown>> = [];
    const logger = { ...silentLogger, info: (message: string, fields?: Record<string, unknown>) => void lines.push({ message, ...fields }) };
    const logged = await startTestRegistry({ logger });
    try {
      const other = new RegistryClient(logged.url);
      const repo = uniqueRepo('calls-log');
      const blob = await other.pushBlob(repo, randomBytes(1024));
      lines.length = 0;
      // Act
      const head = await other.fetch(`/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD' });
      const upload = await other.fetch(`/v2/${repo}/blobs/uploads/`, { method: 'POST' });
      // Assess
      expect([head.status, upload.status]).toEqual([200, 202]);
      await new Promise((r) => setTimeout(r, 50)); // the line is written once the answer is sent
      expect(lines.filter((l) => l.message === 'request')).toEqual([
        expect.objectContaining({ method: 'HEAD', status: 200, s3Calls: 0, dynamodbCalls: 1, dynamodbReads: 1 }),
        expect.objectContaining({ method: 'POST', status: 202, s3Calls: 0, dynamodbCalls: 1, dynamodbReads: 0 }),
      ]);
    } finally {
      await logged.stop();
    }
  });

  it('the Lambda host logs the same counts with each request', async () => {
    // Prepare: the Lambda adapter over a registry on the same real backends, and a blob to HEAD
    const lines: Array<Record<string, unknown>> = [];
    const logger = { ...silentLogger, info: (message: string, fields?: Record<string, unknown>) => void lines.push({ message, ...fields }) };
    const repo = uniqueRepo('calls-lambda');
    const blob = await client.pushBlob(repo, randomBytes(1024));
    const invoke = lambdaAdapter(createRegistry(buildDeps(registry.settings!, logger)), logger);
    const event = {
      version: '2.0', routeKey: '$default', rawPath: `/v2/${repo}/blobs/${blob.digest}`, rawQueryString: '',
      headers: { host: 'registry.test' }, isBase64Encoded: false,
      requestContext: { requestId: 'r1', http: { method: 'HEAD', path: `/v2/${repo}/blobs/${blob.digest}`, sourceIp: '127.0.0.1' } },
    } as unknown as APIGatewayProxyEventV2;
    // Act
    const result = await invoke(event);
    // Assess
    expect(result.statusCode).toBe(200);
    expect(lines.filter((l) => l.message === 'request')).toEqual([
      expect.objectContaining({ method: 'HEAD', status: 200, s3Calls: 0, dynamodbCalls: 1, dynamodbReads: 1 }),
    ]);
  });
});
