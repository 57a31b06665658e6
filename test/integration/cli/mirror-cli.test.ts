/**
 * `npx stratus mirror add|list|remove` as a child process against the suite's DynamoDB Local: with --table
 * (as against a deployed stack: credentials only as a Secrets Manager ARN), and on a local data directory
 * whose endpoints.json names that DynamoDB (as a running `npm start` publishes), where upstream passwords
 * become 0600 files. What a user sees: lines and exit codes, the rules read back, the files, and that no
 * password is ever printed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbMirrorStore } from '../../../lambda/adapters/dynamodb/dynamodb-mirror-store';
import { createDocumentClient, ensureTable } from '../../../lambda/adapters/dynamodb/table';
import { DOCKER_HUB_UPSTREAM } from '../../../lambda/ports/mirror-store';
import { pushSmallImage } from '../../support/fixture-images';
import { startDistributionUpstream } from '../../support/upstream-registry';
import { backendEnv } from '../backend-env';
import { CliRun, runStratus, stratusOnTable } from './run-stratus';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:stratus/ghcr-AbCdEf';
const PASSWORD = 'ghp_NotARealTokenButSecret42';

let doc: DynamoDBDocumentClient;
const tables: string[] = [];

async function freshTable(): Promise<{ table: string; rules: DynamoDbMirrorStore }> {
  const table = `stratus-mirror-cli-${randomUUID().slice(0, 8)}`;
  await ensureTable(doc, table);
  tables.push(table);
  return { table, rules: new DynamoDbMirrorStore(doc, table) };
}

function expectNoSecret(run: CliRun): void {
  expect(run.stdout + run.stderr).not.toContain(PASSWORD);
}

beforeAll(() => {
  doc = createDocumentClient(backendEnv().dynamodb);
});

afterAll(async () => {
  for (const table of tables) await doc.send(new DeleteTableCommand({ TableName: table }));
  doc.destroy();
});

describe('npx stratus mirror ... --table (a deployed stack)', () => {
  let table: string;
  let rules: DynamoDbMirrorStore;
  const stratus = (args: string[], input?: string) => stratusOnTable(table, args, { input });
  beforeAll(async () => ({ table, rules } = await freshTable()));

  it('mirror add alone: the root rule for Docker Hub, tags re-checked every 5 m, anonymous pull, and the daemon.json hint', async () => {
    const run = await stratus(['mirror', 'add']);

    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.lines[0]).toContain(`mirror rule / (root) -> ${DOCKER_HUB_UPSTREAM} added`);
    expect(run.stdout).toContain('"registry-mirrors"');
    expect(await rules.listRules()).toEqual([
      { prefix: '', upstream: DOCKER_HUB_UPSTREAM, tagTtlSeconds: 300, anonymousPull: true, createdAt: expect.any(Number) },
    ]);
  });

  it('a prefix with a Secrets Manager ARN: no anonymous pull unless asked; list shows credentials yes, never the ARN\'s secret', async () => {
    const add = await stratus(['mirror', 'add', 'ghcr', 'https://ghcr.io/', '--tag-ttl', '1h', '--credentials-secret-arn', ARN]);
    expect(add.code).toBe(0);
    expect((await rules.listRules()).find((r) => r.prefix === 'ghcr/')).toMatchObject({
      upstream: 'https://ghcr.io', tagTtlSeconds: 3600, credentialsRef: ARN, anonymousPull: false,
    });

    const list = await stratus(['mirror', 'list']);
    expect(list.code).toBe(0);
    expect(list.lines[0]).toMatch(/^PREFIX\s+UPSTREAM\s+TAG TTL\s+CREDENTIALS\s+ANONYMOUS PULL$/);
    expect(list.lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ['/ (root)', DOCKER_HUB_UPSTREAM, '5m', 'no', 'yes'],
      ['ghcr/', 'https://ghcr.io', '1h', 'yes', 'no'],
    ]);

    const json = JSON.parse((await stratus(['mirror', 'list', '--json'])).stdout);
    expect(json.map((r: { prefix: string; credentials: boolean; anonymousPull: boolean }) => [r.prefix, r.credentials, r.anonymousPull])).toEqual([['', false, true], ['ghcr/', true, false]]);
    expect(JSON.stringify(json)).not.toContain('secretsmanager');
  });

  it('--anonymous-pull with credentials is allowed, and says what it means', async () => {
    const run = await stratus(['mirror', 'add', 'quay/', 'https://quay.io', '--credentials-secret-arn', ARN, '--anonymous-pull']);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('anonymous callers may pull what these upstream credentials can read');
    expect((await rules.listRules()).find((r) => r.prefix === 'quay/')?.anonymousPull).toBe(true);
  });

  it('--username/--password-stdin with --table is refused (the password belongs in Secrets Manager); nothing is stored', async () => {
    const run = await stratus(['mirror', 'add', 'gitlab', 'https://registry.gitlab.com', '--username', 'me', '--password-stdin'], PASSWORD);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--credentials-secret-arn');
    expect(run.stderr).toContain('mirrorCredentialSecretArns');
    expectNoSecret(run);
    expect((await rules.listRules()).map((r) => r.prefix)).not.toContain('gitlab/');
  });

  it.each([
    [['mirror', 'add', 'Team/App'], 'invalid'],
    [['mirror', 'add', 'x', 'ftp://example.com'], 'http:// or https://'],
    [['mirror', 'add', 'x', 'https://example.com/v2/'], 'without a path'],
    [['mirror', 'add', 'x', 'https://example.com', '--tag-ttl', '5 minutes'], 'invalid --tag-ttl'],
    [['mirror', 'add', 'x', 'https://example.com', '--credentials-secret-arn', 'my-secret'], 'expected a secret\'s ARN'],
    [['mirror', 'add', 'x', 'https://example.com', '--username', 'u'], 'the upstream password goes into Secrets Manager'],
    [['mirror', 'add', 'a', 'https://example.com', 'extra'], 'usage: npx stratus mirror add'],
  ])('mirror %j -> exit 2 saying what to change, no rule written', async (args, message) => {
    const before = (await rules.listRules()).length;

    const run = await stratus(args);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(await rules.listRules()).toHaveLength(before);
  });

  it('an upstream URL with credentials in it is refused without printing them', async () => {
    const run = await stratus(['mirror', 'add', 'x', `https://me:${PASSWORD}@registry.example.com`]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('credentials');
    expectNoSecret(run);
  });

  it('mirror add team/ --local: a local-only rule listed as such; the root and upstream options are refused with --local', async () => {
    const run = await stratus(['mirror', 'add', 'team', '--local']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.lines[0]).toContain('local-only rule team/ added');
    expect((await rules.listRules()).find((r) => r.prefix === 'team/')).toEqual({
      prefix: 'team/', upstream: '', tagTtlSeconds: 0, anonymousPull: false, localOnly: true, createdAt: expect.any(Number),
    });
    const list = await stratus(['mirror', 'list']);
    expect(list.lines.map((l) => l.split(/\s{2,}/)).find((cells) => cells[0] === 'team/')).toEqual(['team/', '(local only)', '-', '-', '-']);
    const check = await stratus(['mirror', 'check', 'team/app:1']);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('it is a local repository');

    for (const refused of [['mirror', 'add', '/', '--local'], ['mirror', 'add', 'team', DOCKER_HUB_UPSTREAM, '--local'], ['mirror', 'add', 'team', '--local', '--tag-ttl', '1m']]) {
      expect((await stratus(refused)).code).toBe(2);
    }
    expect((await stratus(['mirror', 'remove', 'team'])).stdout).toContain('local-only rule team/ removed');
    expect((await rules.listRules()).some((r) => r.prefix === 'team/')).toBe(false);
  });

  it('mirror remove: a prefix that has no rule -> exit 1 listing the rules; ghcr and / remove theirs', async () => {
    const none = await stratus(['mirror', 'remove', 'nothing']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no mirror rule on nothing/: the rules are on / (root), ghcr/, quay/');

    expect((await stratus(['mirror', 'remove', 'ghcr'])).code).toBe(0);
    const root = await stratus(['mirror', 'remove', '/']);
    expect(root.code).toBe(0);
    expect(root.stdout).toContain('mirror rule / (root) -> https://registry-1.docker.io removed');
    expect((await rules.listRules()).map((r) => r.prefix)).toEqual(['quay/']);
  });
});

describe('npx stratus mirror ... on a local data directory (npm start running)', () => {
  let dataDir: string;
  let rules: DynamoDbMirrorStore;
  const stratus = (args: string[], input?: string) => runStratus(args, { env: { STRATUS_DATA_DIR: dataDir }, input });
  const credentialsFile = () => join(dataDir, 'mirror-credentials', 'ghcr.json');

  beforeAll(async () => {
    const fresh = await freshTable();
    rules = fresh.rules;
    dataDir = mkdtempSync(join(tmpdir(), 'stratus-mirror-cli-'));
    writeFileSync(join(dataDir, 'endpoints.json'), JSON.stringify({ dynamodbEndpoint: backendEnv().dynamodb.endpoint, table: fresh.table }));
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('--username --password-stdin: the password goes into a 0600 file in a 0700 folder, the rule keeps its name, nothing prints it', async () => {
    const run = await stratus(['mirror', 'add', 'ghcr', 'https://ghcr.io', '--username', 'me', '--password-stdin'], `${PASSWORD}\n`);

    expect(run.code).toBe(0);
    expectNoSecret(run);
    expect(JSON.parse(readFileSync(credentialsFile(), 'utf8'))).toEqual({ username: 'me', password: PASSWORD });
    expect(statSync(credentialsFile()).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'mirror-credentials')).mode & 0o777).toBe(0o700);
    const [rule] = await rules.listRules();
    expect(rule).toMatchObject({ prefix: 'ghcr/', credentialsRef: 'ghcr', anonymousPull: false });
    expect(JSON.stringify(rule)).not.toContain(PASSWORD);

    const list = await stratus(['mirror', 'list']);
    expect(list.lines[1]!.split(/\s{2,}/)).toEqual(['ghcr/', 'https://ghcr.io', '5m', 'yes', 'no']);
    expectNoSecret(list);
  });

  it('an empty --password-stdin, or --username without it, is refused before anything is written', async () => {
    const empty = await stratus(['mirror', 'add', 'quay', 'https://quay.io', '--username', 'me', '--password-stdin'], '');
    const noStdin = await stratus(['mirror', 'add', 'quay', 'https://quay.io', '--username', 'me']);

    expect([empty.code, noStdin.code]).toEqual([2, 2]);
    expect(empty.stderr).toContain('read nothing');
    expect(noStdin.stderr).toContain('need both --username <name> and --password-stdin');
    expect(existsSync(join(dataDir, 'mirror-credentials', 'quay.json'))).toBe(false);
    expect((await rules.listRules()).map((r) => r.prefix)).not.toContain('quay/');
  });

  it('adding the rule again without credentials deletes the file; remove deletes the rule', async () => {
    const again = await stratus(['mirror', 'add', 'ghcr', 'https://ghcr.io']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('replaced');
    expect(existsSync(credentialsFile())).toBe(false);

    await stratus(['mirror', 'add', 'ghcr', 'https://ghcr.io', '--username', 'me', '--password-stdin'], PASSWORD);
    expect(existsSync(credentialsFile())).toBe(true);
    const removed = await stratus(['mirror', 'remove', 'ghcr/']);
    expect(removed.code).toBe(0);
    expect(existsSync(credentialsFile())).toBe(false);
    expect(await rules.listRules()).toEqual([]);

    const list = await stratus(['mirror', 'list']);
    expect(list.stdout).toContain('no mirror rules');
  });
});

describe('npx stratus mirror check (a distribution upstream on 127.0.0.1 with Basic auth)', () => {
  const UPSTREAM_PASSWORD = 'upstream password 7';
  let dataDir: string;
  const stratus = (args: string[], input?: string) => runStratus(args, { env: { STRATUS_DATA_DIR: dataDir }, input });

  beforeAll(async () => {
    const fresh = await freshTable();
    dataDir = mkdtempSync(join(tmpdir(), 'stratus-mirror-check-'));
    writeFileSync(join(dataDir, 'endpoints.json'), JSON.stringify({ dynamodbEndpoint: backendEnv().dynamodb.endpoint, table: fresh.table }));
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('found with the right credentials (the upstream\'s digest), refused with wrong ones, unknown image, upstream down: exit 1 each', async () => {
    const upstream = await startDistributionUpstream({ auth: { scheme: 'basic', username: 'bot', password: UPSTREAM_PASSWORD } });
    try {
      const image = await pushSmallImage(upstream.seedUrl(), 'org/app', '1');
      expect((await stratus(['mirror', 'add', 'up', upstream.url, '--username', 'bot', '--password-stdin'], UPSTREAM_PASSWORD)).code).toBe(0);

      const found = await stratus(['mirror', 'check', 'up/org/app:1']);
      expect(found).toMatchObject({ code: 0, stderr: '' });
      expect(found.stdout).toContain(`${upstream.url}/org/app:1: found (asked as bot)`);
      expect(found.stdout).toContain(image.manifest.digest);
      expect(upstream.requests().some((r) => r.path === '/v2/org/app/manifests/1' && r.method === 'HEAD')).toBe(true);

      const unknown = await stratus(['mirror', 'check', 'up/org/nothing']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('the upstream does not know it');

      await stratus(['mirror', 'add', 'up', upstream.url, '--username', 'bot', '--password-stdin'], 'wrong password');
      const refused = await stratus(['mirror', 'check', 'up/org/app:1']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('refused (asked as bot)');
      expectNoSecret(refused);
      expect(refused.stdout + refused.stderr).not.toContain('wrong password');

      await upstream.stop();
      const down = await stratus(['mirror', 'check', 'up/org/app:1']);
      expect(down.code).toBe(1);
      expect(down.stderr).toContain('upstream unavailable');
    } finally {
      await upstream.dispose();
    }
  });

  it('a name no rule covers -> exit 1 saying it is local', async () => {
    const run = await stratus(['mirror', 'check', 'team/app:1']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no mirror rule covers team/app');
  });
});

describe('npx stratus mirror (usage)', () => {
  it('mirror alone -> exit 2 with its usage; the CLI\'s help lists the mirror commands', async () => {
    const bare = await runStratus(['mirror']);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toContain('npx stratus mirror add [<prefix>] [<upstream>]');

    const help = await runStratus(['--help']);
    expect(help.stdout).toContain('mirror remove <prefix>');
  });
});
