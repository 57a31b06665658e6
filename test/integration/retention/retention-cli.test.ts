/**
 * `npx stratus retention ...` on the real backends (a registry on the suite's S3 and DynamoDB Local, the CLI
 * as a child process on its table): apply expires exactly what preview listed, the repository then lists
 * only the kept tags (still pullable byte for byte), and an immutable tag is never removed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbPolicyStore } from '../../../lambda/adapters/dynamodb/dynamodb-policy-store';
import { createDocumentClient } from '../../../lambda/adapters/dynamodb/table';
import { startTestRegistry, TestRegistry } from '../harness';
import { errorCodes, MT, PushedManifest, RegistryClient, uniqueRepo } from '../http/client';
import { stratusOnTable as stratus } from '../cli/run-stratus';

let registry: TestRegistry;
let client: RegistryClient;
let table: string;
let dir: string;

beforeAll(async () => {
  registry = await startTestRegistry();
  client = new RegistryClient(registry.url);
  table = registry.settings!.table;
  dir = mkdtempSync(join(tmpdir(), 'stratus-retention-'));
});

afterAll(async () => {
  await registry.stop();
  rmSync(dir, { recursive: true, force: true });
});

function policyFile(name: string, policy: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2));
  return file;
}

async function tagsOf(repo: string): Promise<string[]> {
  const res = await client.fetch(`/v2/${repo}/tags/list`);
  return ((await res.json()) as { tags: string[] }).tags.sort();
}

describe('npx stratus retention', () => {
  it('apply expires exactly what preview listed; the kept tags still pull whole; an immutable tag stays', async () => {
    // Prepare: five CI builds (ci-1 oldest, also tagged keep-1, immutable), a release, two untagged images
    const repo = uniqueRepo('ret');
    const ci: PushedManifest[] = [];
    for (let i = 1; i <= 5; i++) {
      ci.push(await client.pushImage(repo, `ci-${i}`));
      // (a put sets pushedAt: tagged before the next builds, ci-1 stays the oldest)
      if (i === 1) expect((await client.putManifest(repo, 'keep-1', ci[0].bytes, MT.ociManifest)).status).toBe(201);
    }
    const release = await client.pushImage(repo, 'v1.0.0');
    const untaggedOld = await client.pushImage(repo);
    const untaggedNew = await client.pushImage(repo);
    const doc = createDocumentClient(registry.settings!.dynamodb);
    await new DynamoDbPolicyStore(doc, table).putImmutability({ pattern: repo, mode: 'MUTABLE_WITH_EXCLUSION', exclusions: ['keep-*'], updatedAt: Date.now() });
    doc.destroy();
    const file = policyFile('ci.json', { rules: [
      { rulePriority: 1, description: 'two newest CI builds', selection: { tagStatus: 'tagged', tagPrefixList: ['ci-'], countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } },
      { rulePriority: 2, description: 'one untagged', selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
    ] });
    expect(await stratus(table, ['retention', 'set', repo, '--file', file])).toMatchObject({ code: 0, stderr: '' });

    // Act
    const preview = await stratus(table, ['retention', 'preview', repo]);
    const apply = await stratus(table, ['retention', 'apply', repo]);

    // Assess: the preview names ci-3, ci-2 and the older untagged image, and keeps ci-1 for its immutable tag
    expect(preview).toMatchObject({ code: 0, stderr: '' });
    const expireLines = preview.lines.filter((l) => l.startsWith('expire'));
    expect(expireLines.map((l) => l.split('  ').slice(1, 4))).toEqual([
      [repo, 'ci-3', ci[2].digest], [repo, 'ci-2', ci[1].digest], [repo, '<untagged>', untaggedOld.digest],
    ]);
    expect(preview.lines.filter((l) => l.startsWith('keep'))).toEqual([
      expect.stringMatching(new RegExp(`^keep    ${repo}  ci-1,keep-1  ${ci[0].digest}  .*rule 1 "two newest CI builds": more than 2 images tagged with prefix ci-; this is the 5th newest; kept: tag keep-1 is immutable$`)),
    ]);
    expect(preview.lines.at(-1)).toBe('3 images to expire (2 tags, 1 untagged) in 1 of 1 repository with a policy; 1 kept');
    // apply printed the very same lines, then its summary
    expect(apply).toMatchObject({ code: 0, stderr: '' });
    expect(apply.lines.slice(0, -1)).toEqual(preview.lines.slice(0, -1));
    expect(apply.lines.at(-1)).toMatch(/^expired 3 images \(2 tags, 1 untagged\) in 1 repository; 0 skipped, 0 already deleted, 0 failed; /);
    // the repository: only the kept tags, the expired manifests gone, the kept ones whole
    expect(await tagsOf(repo)).toEqual(['ci-1', 'ci-4', 'ci-5', 'keep-1', 'v1.0.0']);
    for (const gone of [ci[1], ci[2], untaggedOld]) {
      const res = await client.getManifest(repo, gone.digest);
      expect([res.status, await errorCodes(res)]).toEqual([404, ['MANIFEST_UNKNOWN']]);
    }
    for (const [ref, kept] of [['keep-1', ci[0]], ['ci-5', ci[4]], ['v1.0.0', release], [untaggedNew.digest, untaggedNew]] as const) {
      const res = await client.getManifest(repo, ref);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(kept.bytes);
    }
    // a second preview has nothing left to expire
    const again = await stratus(table, ['retention', 'preview', repo]);
    expect(again.lines.at(-1)).toBe('0 images to expire (0 tags, 0 untagged) in 0 of 1 repository with a policy; 1 kept');
  });

  it('set refuses an invalid policy, saying where and what to write; show and remove answer for the pattern', async () => {
    const bad = policyFile('bad.json', { rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', countType: 'sinceImagePushed', countNumber: 3 }, action: { type: 'expire' } }] });
    const refused = await stratus(table, ['retention', 'set', 'team/*', '--file', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`stratus: ${bad}: invalid lifecycle policy:`);
    expect(refused.stderr).toContain('rules[0].selection: a "tagged" rule needs "tagPrefixList" or "tagPatternList"');
    expect(refused.stderr).toContain('rules[0].selection.countUnit: missing; write "countUnit": "days"');

    const text = '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}}]}';
    expect((await stratus(table, ['retention', 'set', 'team/*', '--file', policyFile('team.json', text)])).code).toBe(0);
    const shown = await stratus(table, ['retention', 'show', 'team/web']);
    expect(shown.lines[0]).toBe('team/web: covered by the policy on team/* (the most specific pattern that matches)');
    expect(JSON.parse(shown.lines.slice(1).join('\n'))).toEqual(JSON.parse(text));
    expect((await stratus(table, ['retention', 'remove', 'team/*'])).code).toBe(0);
    const missing = await stratus(table, ['retention', 'remove', 'team/*']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^stratus: no retention policy on "team\/\*": the policies are on /);
  });
});
