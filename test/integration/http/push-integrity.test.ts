/**
 * Pushes that must never answer 201 and then 404 on pull, whatever happened to what they rely on: a blob
 * object deleted behind the registry's back, a blob link deleted (by the garbage collector) between the
 * manifest PUT's check and its write, a link the collector condemned, a blob record it is deleting.
 * The collector's writes are made directly on the table and bucket, as the collector makes them.
 */
import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../../lambda/adapters/dynamodb/keys';
import { createDocumentClient } from '../../../lambda/adapters/dynamodb/table';
import { backendEnv, s3ClientConfig } from '../backend-env';
import { startTestRegistry, TestRegistry } from '../harness';
import { errorCodes, MT, randomBytes, RegistryClient, sha256, uniqueRepo } from './client';

/** Holds each DynamoDB request of the registry until `beforeForward` (when set) has run on it. */
class DynamoDbGate {
  beforeForward: ((target: string, body: string) => Promise<void>) | undefined;
  private server!: Server;

  async start(upstream: string): Promise<string> {
    const up = new URL(upstream);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks);
        await this.beforeForward?.(String(req.headers['x-amz-target'] ?? ''), body.toString('utf8'));
        const out = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        });
        out.on('error', (err) => res.destroy(err));
        out.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const client = new RegistryClient('http://registry-not-started-yet');
const gate = new DynamoDbGate();
let registry: TestRegistry;
let s3: S3Client;
let doc: DynamoDBDocumentClient;
let table: string;

beforeAll(async () => {
  const dynamodbEndpoint = await gate.start(backendEnv().dynamodb.endpoint);
  registry = await startTestRegistry({ backends: { dynamodbEndpoint } });
  client.base = registry.url;
  s3 = new S3Client(s3ClientConfig());
  doc = createDocumentClient(backendEnv().dynamodb);
  table = registry.settings!.table;
});
afterAll(async () => {
  await registry.stop();
  await gate.stop();
  s3.destroy();
  doc.destroy();
});

async function item(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
  return (await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
}

/** The collector's mark, set as its condemn step sets it. */
async function mark(key: { pk: string; sk: string }, state: 'condemned' | 'deleting'): Promise<void> {
  await doc.send(new UpdateCommand({
    TableName: table, Key: key, UpdateExpression: 'SET gcState = :s, gcRun = :r', ExpressionAttributeValues: { ':s': state, ':r': 'test-run' },
  }));
}

describe('a blob record is trusted only with its object', () => {
  it('PUT of a blob whose recorded object was deleted behind the registry -> 201, and GET returns the bytes', async () => {
    const repo = uniqueRepo('lost-object');
    const bytes = randomBytes(4096);
    const { digest } = await client.pushBlob(repo, bytes);
    const recorded = await item(keys.blob(digest));
    await s3.send(new DeleteObjectCommand({ Bucket: registry.settings!.bucket, Key: recorded!.objectKey as string }));

    await client.pushBlob(repo, bytes); // throws unless 201

    const pulled = await client.getBlob(repo, digest);
    expect(pulled.status).toBe(200);
    expect(Buffer.from(await pulled.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('PUT of a blob whose record the collector is deleting -> 201 with a fresh record, and GET returns the bytes', async () => {
    const repo = uniqueRepo('dying-record');
    const bytes = randomBytes(2048);
    const { digest } = await client.pushBlob(uniqueRepo('elsewhere'), bytes);
    await mark(keys.blob(digest), 'deleting');
    const dying = await item(keys.blob(digest));

    await client.pushBlob(repo, bytes);

    const fresh = await item(keys.blob(digest));
    expect(fresh!.gcState).toBeUndefined();
    expect(fresh!.objectKey).not.toBe(dying!.objectKey);
    expect((await item(keys.backLink(digest, repo)))?.repository).toBe(repo);
    expect(Buffer.from(await (await client.getBlob(repo, digest)).arrayBuffer()).equals(bytes)).toBe(true);
  });
});

describe('a manifest PUT renews what it names in its own write', () => {
  it('PUT manifest whose layer link was deleted after HEAD said it exists -> 400 MANIFEST_BLOB_UNKNOWN, nothing under the tag', async () => {
    const repo = uniqueRepo('link-gone');
    const config = await client.pushBlob(repo, Buffer.from('{"architecture":"amd64","os":"linux"}'), MT.ociConfig);
    const layer = await client.pushBlob(repo, randomBytes(1024));
    expect((await client.fetch(`/v2/${repo}/blobs/${layer.digest}`, { method: 'HEAD' })).status).toBe(200);
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer] }));
    // The collector deletes the link after the registry checked the manifest's blobs, before its write.
    gate.beforeForward = async (target, request) => {
      if (!target.endsWith('TransactWriteItems') || !request.includes('MANIFEST#')) return;
      gate.beforeForward = undefined;
      await doc.send(new DeleteCommand({ TableName: table, Key: keys.link(repo, layer.digest) }));
    };

    const put = await client.putManifest(repo, 'v1', body, MT.ociManifest);

    expect(put.status).toBe(400);
    const answer = JSON.parse(await put.text()) as { errors: Array<{ code: string; detail?: { missing?: string[] } }> };
    expect(answer.errors.map((e) => e.code)).toEqual(['MANIFEST_BLOB_UNKNOWN']);
    expect(answer.errors[0]!.detail?.missing).toEqual([layer.digest]);
    expect((await client.getManifest(repo, 'v1')).status).toBe(404);
    expect((await client.getManifest(repo, sha256(body))).status).toBe(404);
    await client.pushBlob(repo, randomBytes(0)); // the repository still takes pushes
  });

  it('PUT manifest renews a condemned layer link: the link loses its mark, touched by the PUT', async () => {
    const repo = uniqueRepo('link-condemned');
    const config = await client.pushBlob(repo, Buffer.from('{"os":"linux"}'), MT.ociConfig);
    const layer = await client.pushBlob(repo, randomBytes(512));
    await mark(keys.link(repo, layer.digest), 'condemned');
    const before = Date.now();

    const put = await client.putManifest(repo, 'v1', JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer] }), MT.ociManifest);

    expect(put.status).toBe(201);
    const link = await item(keys.link(repo, layer.digest));
    expect(link!.gcState).toBeUndefined();
    expect(Number(link!.touchedAt)).toBeGreaterThanOrEqual(before);
  });
});

describe('HEAD, GET and mount of a blob the collector holds', () => {
  it('HEAD of a condemned link -> 200 and the link is rescued; after the collector deleted it -> 404 BLOB_UNKNOWN', async () => {
    const repo = uniqueRepo('head-rescue');
    const { digest } = await client.pushBlob(repo, randomBytes(100));
    await mark(keys.link(repo, digest), 'condemned');

    expect((await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200);
    expect((await item(keys.link(repo, digest)))!.gcState).toBeUndefined();

    await doc.send(new DeleteCommand({ TableName: table, Key: keys.link(repo, digest) }));
    const gone = await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
    expect(gone.status).toBe(404);
  });

  it('GET of a condemned link -> the bytes, and the link is rescued', async () => {
    const repo = uniqueRepo('get-rescue');
    const bytes = randomBytes(300);
    const { digest } = await client.pushBlob(repo, bytes);
    await mark(keys.link(repo, digest), 'condemned');

    const res = await client.getBlob(repo, digest);

    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await item(keys.link(repo, digest)))!.gcState).toBeUndefined();
  });

  it('HEAD renews a link not touched for an hour', async () => {
    const repo = uniqueRepo('head-touch');
    const { digest } = await client.pushBlob(repo, randomBytes(100));
    await doc.send(new UpdateCommand({ TableName: table, Key: keys.link(repo, digest), UpdateExpression: 'SET touchedAt = :old', ExpressionAttributeValues: { ':old': 1 } }));
    const before = Date.now();

    expect((await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' })).status).toBe(200);

    expect(Number((await item(keys.link(repo, digest)))!.touchedAt)).toBeGreaterThanOrEqual(before);
  });

  it('POST ?mount= of a blob whose record the collector is deleting -> 202 (upload it), nothing linked', async () => {
    const from = uniqueRepo('mount-from');
    const repo = uniqueRepo('mount-to');
    const { digest } = await client.pushBlob(from, randomBytes(100));
    await mark(keys.blob(digest), 'deleting');

    const res = await client.fetch(`/v2/${repo}/blobs/uploads/?mount=${digest}&from=${from}`, { method: 'POST' });
    await res.arrayBuffer();

    expect(res.status).toBe(202);
    expect((await client.fetch(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' })).status).toBe(404);
  });
});
