/** DynamoDbGcStore on DynamoDB Local: what it reads, and that each conditional write holds or fails as the port says. */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbGcStore } from '../../../lambda/adapters/dynamodb/dynamodb-gc-store';
import { keys } from '../../../lambda/adapters/dynamodb/keys';
import { dynamoDbTables } from '../contracts/dynamodb-tables';

const tables = dynamoDbTables('gc-store');
afterAll(() => tables.destroy());

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const M = `sha256:${'c'.repeat(64)}`;
const S = `sha256:${'d'.repeat(64)}`;

async function fresh() {
  const table = await tables.create();
  const put = (item: Record<string, unknown>) => tables.doc.send(new PutCommand({ TableName: table, Item: item }));
  const get = async (key: { pk: string; sk: string }) => (await tables.doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
  const del = (key: { pk: string; sk: string }) => tables.doc.send(new DeleteCommand({ TableName: table, Key: key }));
  return { store: new DynamoDbGcStore(tables.doc, table), put, get, del };
}

test('snapshot groups every repository, blob record and upload session; readRepository reads one partition', async () => {
  const { store, put } = await fresh();
  await put({ ...keys.blob(A), digest: A, size: 3, objectKey: 'blobs/u1', touchedAt: 10 });
  await put({ ...keys.blob(B), digest: B, size: 4, objectKey: 'blobs/u2', gcState: 'deleting', gcRun: 'r0' });
  await put({ ...keys.link('app', A), digest: A, size: 3, objectKey: 'blobs/u1', touchedAt: 11 });
  await put({ ...keys.backLink(A, 'app'), repository: 'app' });
  await put({ ...keys.manifest('app', M), digest: M, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 99, blobs: [A], children: [], pushedAt: 5, touchedAt: 6, subject: S });
  await put({ ...keys.tag('app', 'latest'), digest: M, writeId: 'w' });
  await put({ ...keys.referrer('app', S, M), descriptor: { digest: M } });
  await put({ ...keys.link('other', B), digest: B, size: 4, objectKey: 'blobs/u2' });
  await put({ ...keys.upload('up1'), id: 'up1', expiresAt: 1 });
  await put({ ...keys.catalog('app'), name: 'app' });
  await put({ ...keys.gcRun(1, 'r0'), runId: 'r0' });

  const snap = await store.snapshot();
  expect(snap.repositories.map((r) => r.repository)).toEqual(['app', 'other']);
  const app = snap.repositories[0];
  expect(app.tags).toEqual([{ tag: 'latest', digest: M }]);
  expect(app.manifests).toEqual([expect.objectContaining({ digest: M, size: 99, blobs: [A], children: [], pushedAt: 5, touchedAt: 6, subject: S })]);
  expect(app.links).toEqual([{ digest: A, size: 3, touchedAt: 11 }]);
  expect(snap.blobs.sort((x, y) => x.digest.localeCompare(y.digest))).toEqual([
    { digest: A, size: 3, objectKey: 'blobs/u1', touchedAt: 10 },
    { digest: B, size: 4, objectKey: 'blobs/u2', gcState: 'deleting', gcRun: 'r0' },
  ]);
  expect(snap.uploadIds).toEqual(['up1']);
  expect(await store.readRepository('app')).toEqual(app);
  expect(await store.readRepository('none')).toEqual({ repository: 'none', tags: [], manifests: [], links: [] });
});

test('condemn only what is older than the cutoff; release and delete only what this run holds', async () => {
  const { store, put, get } = await fresh();
  await put({ ...keys.link('app', A), digest: A, size: 3, touchedAt: 100 });
  await put({ ...keys.backLink(A, 'app'), repository: 'app' });
  await put({ ...keys.link('app', B), digest: B, size: 3 }); // legacy: no touchedAt

  expect(await store.condemnLink('app', A, 'r1', 100)).toBe(false);
  expect(await store.condemnLink('app', A, 'r1', 101)).toBe(true);
  expect(await store.condemnLink('app', B, 'r1', 1)).toBe(true);
  expect(await store.condemnLink('app', 'sha256:none', 'r1', 1)).toBe(false);
  expect(await store.releaseLink('app', A, 'r2')).toBe(false);
  expect(await store.deleteCondemnedLink('app', A, 'r2')).toBe(false);
  expect(await store.blobLinked(A)).toBe(true);
  expect(await store.deleteCondemnedLink('app', A, 'r1')).toBe(true);
  expect(await get(keys.link('app', A))).toBeUndefined();
  expect(await store.blobLinked(A)).toBe(false);
  expect(await store.releaseLink('app', B, 'r1')).toBe(true);
  expect(await get(keys.link('app', B))).toEqual(expect.not.objectContaining({ gcState: expect.anything() }));
  expect(await store.deleteCondemnedLink('app', B, 'r1')).toBe(false);
});

test('a blob record goes condemned -> deleting -> deleted, and a record replaced meanwhile stays', async () => {
  const { store, put, get } = await fresh();
  await put({ ...keys.blob(A), digest: A, size: 3, objectKey: 'blobs/u1', touchedAt: 1 });
  expect(await store.markBlobDeleting(A, 'r1')).toBe(false);
  expect(await store.condemnBlob(A, 'r1', 2)).toBe(true);
  expect(await store.markBlobDeleting(A, 'r1')).toBe(true);
  expect(await store.condemnBlob(A, 'r2', 2)).toBe(false); // deleting: no other run takes it back
  expect(await store.releaseBlob(A, 'r1')).toBe(false);
  expect(await store.readBlob(A)).toEqual({ digest: A, size: 3, objectKey: 'blobs/u1', touchedAt: 1, gcState: 'deleting', gcRun: 'r1' });
  await put({ ...keys.blob(A), digest: A, size: 3, objectKey: 'blobs/u9', touchedAt: 5 }); // an upload replaced it
  expect(await store.deleteDeletingBlob(A, 'blobs/u1')).toBe(false);
  expect(await get(keys.blob(A))).toEqual(expect.objectContaining({ objectKey: 'blobs/u9' }));
  await put({ ...keys.blob(B), digest: B, size: 3, objectKey: 'blobs/u2', gcState: 'deleting', gcRun: 'dead-run' });
  expect(await store.deleteDeletingBlob(B, 'blobs/u2')).toBe(true);
  expect(await store.readBlob(B)).toBeNull();
});

test('deleteCondemnedManifest returns what it deleted and its referrer entry goes with it', async () => {
  const { store, put, get } = await fresh();
  await put({ ...keys.manifest('app', M), digest: M, mediaType: 'm', size: 9, bodyKey: 'manifests/sha256/c/x', subject: S, touchedAt: 1 });
  await put({ ...keys.referrer('app', S, M), descriptor: { digest: M } });
  expect(await store.deleteCondemnedManifest('app', M, 'r1')).toBeNull();
  expect(await store.condemnManifest('app', M, 'r1', 2)).toBe(true);
  const deleted = await store.deleteCondemnedManifest('app', M, 'r1');
  expect(deleted).toEqual(expect.objectContaining({ digest: M, bodyKey: 'manifests/sha256/c/x', subject: S }));
  expect(await get(keys.manifest('app', M))).toBeUndefined();
  expect(await get(keys.referrer('app', S, M))).toBeUndefined();
});

test('run records and upload sessions', async () => {
  const { store, put } = await fresh();
  const run = (runId: string, startedAt: number) => ({
    runId, startedAt, dryRun: false, graceMs: 0, status: 'completed' as const, host: 'test',
    manifestsDeleted: 1, linksDeleted: 2, blobsDeleted: 3, objectsDeleted: 4, bytesFreed: 5,
  });
  await store.putRun(run('a', 1000));
  await store.putRun(run('b', 3000));
  await store.putRun(run('c', 2000));
  await store.putRun({ ...run('a', 1000), status: 'failed', error: 'boom' });
  expect((await store.listRuns(10)).map((r) => r.runId)).toEqual(['b', 'c', 'a']);
  expect(await store.listRuns(1)).toEqual([run('b', 3000)]);
  expect((await store.listRuns(10))[2]).toEqual({ ...run('a', 1000), status: 'failed', error: 'boom' });
  await put({ ...keys.upload('u1'), id: 'u1', expiresAt: 1 });
  expect(await store.uploadStored('u1')).toBe(true);
  expect(await store.uploadStored('u2')).toBe(false);
});

test('a delete that requires other manifests gone fails while one of them is present', async () => {
  const { store, put, get, del } = await fresh();
  await put({ ...keys.manifest('app', M), digest: M, mediaType: 'm', size: 9, touchedAt: 1 }); // the child
  await put({ ...keys.manifest('app', S), digest: S, mediaType: 'm', size: 9, touchedAt: 1, children: [M] }); // its index
  await put({ ...keys.link('app', A), digest: A, size: 3, touchedAt: 1 });
  expect(await store.condemnManifest('app', M, 'r1', 2)).toBe(true);
  expect(await store.condemnLink('app', A, 'r1', 2)).toBe(true);

  expect(await store.deleteCondemnedManifest('app', M, 'r1', [S])).toBeNull();
  expect(await store.deleteCondemnedLink('app', A, 'r1', [M])).toBe(false);
  expect(await get(keys.manifest('app', M))).toBeDefined();
  expect(await get(keys.link('app', A))).toBeDefined();

  await del(keys.manifest('app', S));
  expect(await store.deleteCondemnedManifest('app', M, 'r1', [S])).toEqual(expect.objectContaining({ digest: M }));
  expect(await store.deleteCondemnedLink('app', A, 'r1', [M])).toBe(true);
});
