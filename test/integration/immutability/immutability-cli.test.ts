/**
 * `npx stratus immutability ...` as a child process (tsx bin/stratus-cli.ts) against DynamoDB Local, selected
 * with --endpoint and --table: the lines a user reads, the rules stored, and the errors for bad input.
 */
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbPolicyStore } from '../../../lambda/adapters/dynamodb/dynamodb-policy-store';
import { createDocumentClient, ensureTable } from '../../../lambda/adapters/dynamodb/table';
import { backendEnv } from '../backend-env';
import { CliRun, stratusOnTable } from '../cli/run-stratus';

const table = `stratus-immutability-cli-${randomUUID().slice(0, 8)}`;
let doc: DynamoDBDocumentClient;
let store: DynamoDbPolicyStore;

function stratus(args: string[]): Promise<CliRun> {
  return stratusOnTable(table, args);
}

beforeAll(async () => {
  doc = createDocumentClient(backendEnv().dynamodb);
  await ensureTable(doc, table);
  store = new DynamoDbPolicyStore(doc, table);
});

afterAll(async () => {
  await doc.send(new DeleteTableCommand({ TableName: table }));
  doc.destroy();
});

describe('npx stratus immutability', () => {
  it('show with no rules says every tag is mutable and how to add one', async () => {
    const run = await stratus(['immutability', 'show']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`no immutability rules in table ${table}`);
    expect(run.stdout).toContain("every tag is mutable; add one with npx stratus immutability set '<pattern>' IMMUTABLE");
  });

  it('set stores the rule (mode in any case, exclusions once each) and says what it means and when it applies', async () => {
    const run = await stratus(['immutability', 'set', 'team/*', 'immutable_with_exclusion', '--exclude', 'dev-*', '--exclude', 'latest', '--exclude', 'dev-*']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('immutability rule team/*: IMMUTABLE_WITH_EXCLUSION (exclusions: dev-*, latest) set in');
    expect(run.stdout).toContain('every tag is immutable except those matching dev-*, latest; registries apply the change within 10 s');
    expect(await store.listImmutability()).toEqual([
      { pattern: 'team/*', mode: 'IMMUTABLE_WITH_EXCLUSION', exclusions: ['dev-*', 'latest'], updatedAt: expect.any(Number) },
    ]);
  });

  it('show lists every rule; show <repository> names the rule that applies (the most specific) and what it means', async () => {
    expect((await stratus(['immutability', 'set', 'team/app', 'MUTABLE'])).code).toBe(0);
    expect((await stratus(['immutability', 'set', '*', 'IMMUTABLE'])).code).toBe(0);
    const all = await stratus(['immutability', 'show']);
    expect(all.stdout.trim().split('\n')).toEqual([
      '*: IMMUTABLE  every tag is immutable: it cannot be moved to another digest or deleted',
      'team/*: IMMUTABLE_WITH_EXCLUSION (exclusions: dev-*, latest)  every tag is immutable except those matching dev-*, latest',
      'team/app: MUTABLE  every tag is mutable',
    ]);
    expect((await stratus(['immutability', 'show', 'team/app'])).stdout.trim()).toBe('team/app: rule team/app: MUTABLE: every tag is mutable');
    expect((await stratus(['immutability', 'show', 'team/web'])).stdout.trim())
      .toBe('team/web: rule team/*: IMMUTABLE_WITH_EXCLUSION (exclusions: dev-*, latest): every tag is immutable except those matching dev-*, latest');
    expect((await stratus(['immutability', 'show', 'other'])).stdout.trim()).toBe('other: rule *: IMMUTABLE: every tag is immutable: it cannot be moved to another digest or deleted');
    const json = JSON.parse((await stratus(['immutability', 'show', 'team/web', '--json'])).stdout);
    expect(json).toMatchObject({ repository: 'team/web', rule: { pattern: 'team/*', mode: 'IMMUTABLE_WITH_EXCLUSION' } });
  });

  it('remove deletes the rule; removing it again fails naming the rules there are', async () => {
    const run = await stratus(['immutability', 'remove', '*']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('immutability rule on * removed; registries apply the change within 10 s');
    expect((await store.listImmutability()).map((r) => r.pattern)).toEqual(['team/*', 'team/app']);
    const again = await stratus(['immutability', 'remove', '*']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('stratus: no immutability rule on "*": the rules are on team/*, team/app');
  });

  it.each([
    [['immutability', 'set', 'team/*', 'FROZEN'], 'unknown mode "FROZEN": use one of MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE_WITH_EXCLUSION'],
    [['immutability', 'set', 'team/*', 'IMMUTABLE', '--exclude', 'dev-*'], 'IMMUTABLE takes no exclusion filters: use IMMUTABLE_WITH_EXCLUSION'],
    [['immutability', 'set', 'team/*', 'MUTABLE_WITH_EXCLUSION'], "MUTABLE_WITH_EXCLUSION needs at least one exclusion filter, e.g. --exclude 'dev-*'"],
    [['immutability', 'set', 'Team/*', 'IMMUTABLE'], 'invalid repository pattern "Team/*"'],
    [['immutability', 'set', 'team/*', 'IMMUTABLE_WITH_EXCLUSION', '--exclude', 'v1/2'], 'invalid exclusion filter "v1/2"'],
    [['immutability', 'set', 'team/*'], 'usage: npx stratus immutability set <pattern> <mode> [--exclude <filter> ...]'],
  ])('%j -> exit 2 with a helpful error; nothing stored', async (args, message) => {
    const before = await store.listImmutability();
    const run = await stratus(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(await store.listImmutability()).toEqual(before);
  });
});
