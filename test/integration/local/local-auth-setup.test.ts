/**
 * `npm start`'s auth set-up on the real DynamoDB Local: the administrator is created from
 * STRATUS_ADMIN_USER / STRATUS_ADMIN_PASSWORD, and the password leaves the environment afterwards.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbAuthStore } from '../../../lambda/adapters/dynamodb/dynamodb-auth-store';
import { createDocumentClient, ensureTable } from '../../../lambda/adapters/dynamodb/table';
import type { Logger } from '../../../lambda/shared/logger';
import { settingsFromEnv } from '../../../lambda/hosts/settings';
import { prepareLocalAuth } from '../../../local/auth-setup';
import { backendEnv } from '../backend-env';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('local auth set-up', () => {
  const table = `stratus-auth-setup-${randomUUID().slice(0, 8)}`;
  const { dynamodb } = backendEnv();
  const doc = createDocumentClient(dynamodb);
  const dataDir = mkdtempSync(join(tmpdir(), 'stratus-auth-setup-'));
  const baseEnv = {
    DYNAMODB_ENDPOINT: dynamodb.endpoint, AWS_REGION: dynamodb.region,
    AWS_ACCESS_KEY_ID: dynamodb.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: dynamodb.credentials.secretAccessKey, STRATUS_TABLE: table,
  };
  beforeAll(() => ensureTable(doc, table));
  afterAll(async () => {
    await doc.send(new DeleteTableCommand({ TableName: table }));
    doc.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the administrator, then STRATUS_ADMIN_PASSWORD is gone from the environment', async () => {
    const env: NodeJS.ProcessEnv = { ...baseEnv, STRATUS_AUTH: 'on', STRATUS_ADMIN_USER: 'root', STRATUS_ADMIN_PASSWORD: 'root-Secret-1' };
    const auth = await prepareLocalAuth(env, dataDir, settingsFromEnv(env), quiet);
    expect(auth.status).toBe('auth on');
    expect((await new DynamoDbAuthStore(doc, table).getUser('root'))?.admin).toBe(true);
    expect(env).not.toHaveProperty('STRATUS_ADMIN_PASSWORD');
    expect(env.STRATUS_ADMIN_USER).toBe('root');
  });

  it('with auth off the password leaves the environment too', async () => {
    const env: NodeJS.ProcessEnv = { ...baseEnv, STRATUS_ADMIN_USER: 'root', STRATUS_ADMIN_PASSWORD: 'root-Secret-1' };
    await prepareLocalAuth(env, dataDir, settingsFromEnv(env), quiet);
    expect(env).not.toHaveProperty('STRATUS_ADMIN_PASSWORD');
  });
});
