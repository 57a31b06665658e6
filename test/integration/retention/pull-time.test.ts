/**
 * Pull times on the real backends: a GET records lastPulledAt in DynamoDB after answering, at most once per
 * manifest per hour (one UpdateItem for two pulls; a second process's conditional write changes nothing),
 * HEAD records nothing, and `retention preview` shows the recorded time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbGcStore } from '../../../lambda/adapters/dynamodb/dynamodb-gc-store';
import { createDocumentClient } from '../../../lambda/adapters/dynamodb/table';
import { startTestRegistry, TestRegistry } from '../harness';
import { RegistryClient, uniqueRepo } from '../http/client';
import { stratusOnTable as stratus } from '../cli/run-stratus';

let registry: TestRegistry;
let other: TestRegistry;
const updates: Record<'first' | 'second', number> = { first: 0, second: 0 };
let gc: DynamoDbGcStore;
let dir: string;

beforeAll(async () => {
  registry = await startTestRegistry({ observeBackendCall: (_backend, command) => { if (command === 'UpdateItemCommand') updates.first++; } });
  other = await startTestRegistry({ shareStorageWith: registry, observeBackendCall: (_backend, command) => { if (command === 'UpdateItemCommand') updates.second++; } });
  gc = new DynamoDbGcStore(createDocumentClient(registry.settings!.dynamodb), registry.settings!.table);
  dir = mkdtempSync(join(tmpdir(), 'stratus-pulls-'));
});

afterAll(async () => {
  await other.stop();
  await registry.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The manifest's stored lastPulledAt. */
async function lastPulledAt(repo: string, digest: string): Promise<number | undefined> {
  return (await gc.readRepository(repo)).manifests.find((m) => m.digest === digest)?.lastPulledAt;
}

/** Waits (up to 5 s) for the background write to land. */
async function recorded(repo: string, digest: string): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const at = await lastPulledAt(repo, digest);
    if (at !== undefined) return at;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no pull time recorded for ${repo}@${digest}`);
}

const settle = () => new Promise((r) => setTimeout(r, 300));

describe('pull times', () => {
  it('two GETs within the hour write once; a GET on another process writes nothing new; HEAD writes nothing', async () => {
    // Prepare
    const client = new RegistryClient(registry.url);
    const repo = uniqueRepo('pulls');
    const image = await client.pushImage(repo, 'v1');
    const headed = await client.pushImage(repo, 'v2');
    updates.first = 0;
    updates.second = 0;
    // Act: GET by tag, then by digest, on the first registry
    const before = Date.now();
    expect((await client.getManifest(repo, 'v1')).status).toBe(200);
    const at = await recorded(repo, image.digest);
    expect((await client.getManifest(repo, image.digest)).status).toBe(200);
    await settle();
    // Assess: one write, at the time of the first pull
    expect(updates.first).toBe(1);
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());

    // Act: the other process pulls it (its own map is empty: DynamoDB's condition stops the write)
    expect((await new RegistryClient(other.url).getManifest(repo, 'v1')).status).toBe(200);
    await settle();
    expect(updates.second).toBe(1);
    expect(await lastPulledAt(repo, image.digest)).toBe(at);

    // Act: HEAD (docker's update check) is not a pull
    expect((await client.getManifest(repo, 'v2', 'HEAD')).status).toBe(200);
    await settle();
    expect(updates.first).toBe(1);
    expect(await lastPulledAt(repo, headed.digest)).toBeUndefined();
  });

  it('retention preview shows the recorded pull time', async () => {
    // Prepare: two images; the older one pulled; a policy that expires all but the newest
    const client = new RegistryClient(registry.url);
    const repo = uniqueRepo('pulled');
    const old = await client.pushImage(repo, 'old');
    await client.pushImage(repo, 'new');
    expect((await client.getManifest(repo, 'old')).status).toBe(200);
    const at = await recorded(repo, old.digest);
    const file = join(dir, 'one.json');
    writeFileSync(file, JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] }));
    expect((await stratus(registry.settings!.table, ['retention', 'set', repo, '--file', file])).code).toBe(0);
    // Act
    const preview = await stratus(registry.settings!.table, ['retention', 'preview', repo]);
    // Assess
    const shown = `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')}Z`;
    expect(preview.lines.filter((l) => l.startsWith('expire'))).toEqual([
      expect.stringContaining(`  old  ${old.digest}  pushed `),
    ]);
    expect(preview.lines.find((l) => l.startsWith('expire'))).toContain(`  last pulled ${shown}  rule 1: more than 1 image; this is the 2nd newest`);
  });
});
