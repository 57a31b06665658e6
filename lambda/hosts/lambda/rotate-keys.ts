/**
 * Secrets Manager rotation function of the signing key secret (scheduled by lib/signing-keys.ts).
 * The four steps of a rotation, each idempotent (Secrets Manager retries them):
 *   createSecret  a new key set as AWSPENDING under the rotation's ClientRequestToken:
 *                 { current: new key, previous: [old current (public), still-young previous (public)] }
 *   setSecret     nothing: no other system holds the key
 *   testSecret    the pending version parses, and its current key signs a token its public key verifies
 *   finishSecret  AWSCURRENT moves to the pending version
 * Registry instances verify with current + previous, so tokens signed by the old key stay valid while
 * instances pick the new key up (within their cache time) and until the tokens expire: no downtime.
 */
import {
  DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import { publicOnly, SIGNING_ALG } from '../../auth/signing-keys/generate';
import { DEFAULT_KEEP_PREVIOUS_SECONDS, parseKeySet, rotateKeySet, serializeKeySet } from '../../auth/signing-keys/key-set';
import type { SecretsManagerSend } from '../../adapters/secrets-manager/secrets-manager-key-store';

/** The event Secrets Manager invokes a rotation function with. */
export interface RotationEvent {
  Step: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
  SecretId: string;
  ClientRequestToken: string;
}

/** Settings of a rotation. */
export interface RotationOptions {
  /** How long retired keys stay in `previous`. @default 86400 */
  keepPreviousSeconds?: number;
  now?: () => number;
}

/** Runs one rotation step against a Secrets Manager client. */
export async function rotateKeysStep(client: SecretsManagerSend, event: RotationEvent, opts: RotationOptions = {}): Promise<void> {
  const { SecretId, ClientRequestToken: token } = event;
  const described = await client.send(new DescribeSecretCommand({ SecretId }));
  const stages = described.VersionIdsToStages ?? {};
  if (!stages[token]) throw new Error(`secret ${SecretId} has no version ${token} to rotate to`);
  if (stages[token].includes('AWSCURRENT')) return; // this rotation already finished
  if (!stages[token].includes('AWSPENDING')) throw new Error(`version ${token} of secret ${SecretId} is not AWSPENDING`);

  switch (event.Step) {
    case 'createSecret':
      return createSecret(client, SecretId, token, opts);
    case 'setSecret':
      return;
    case 'testSecret':
      return testSecret(client, SecretId, token);
    case 'finishSecret': {
      const current = Object.keys(stages).find((id) => stages[id].includes('AWSCURRENT'));
      await client.send(new UpdateSecretVersionStageCommand({
        SecretId, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current,
      }));
      return;
    }
    default:
      throw new Error(`unknown rotation step ${String((event as { Step: unknown }).Step)}`);
  }
}

async function createSecret(client: SecretsManagerSend, SecretId: string, token: string, opts: RotationOptions): Promise<void> {
  try {
    await client.send(new GetSecretValueCommand({ SecretId, VersionId: token, VersionStage: 'AWSPENDING' }));
    return; // created by an earlier attempt of this step
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
  const current = await client.send(new GetSecretValueCommand({ SecretId, VersionStage: 'AWSCURRENT' }));
  // The first rotation finds CloudFormation's placeholder, not a key set: it starts a fresh one.
  const old = parseKeySet(current.SecretString) ?? undefined;
  const now = (opts.now ?? Date.now)();
  const next = await rotateKeySet(old, opts.keepPreviousSeconds ?? DEFAULT_KEEP_PREVIOUS_SECONDS, now);
  await client.send(new PutSecretValueCommand({
    SecretId, ClientRequestToken: token, SecretString: serializeKeySet(next), VersionStages: ['AWSPENDING'],
  }));
}

async function testSecret(client: SecretsManagerSend, SecretId: string, token: string): Promise<void> {
  const pending = await client.send(new GetSecretValueCommand({ SecretId, VersionId: token, VersionStage: 'AWSPENDING' }));
  const set = parseKeySet(pending.SecretString);
  if (!set) throw new Error(`version ${token} of secret ${SecretId} does not hold a key set`);
  const privateKey = await importJWK(set.current.jwk, SIGNING_ALG);
  const jwt = await new SignJWT({}).setProtectedHeader({ alg: SIGNING_ALG, kid: set.current.kid }).sign(privateKey);
  await jwtVerify(jwt, await importJWK(publicOnly(set.current).jwk, SIGNING_ALG));
}

let client: SecretsManagerClient | undefined;

/** The Lambda entry point Secrets Manager invokes (STRATUS_KEEP_PREVIOUS_SECONDS overrides the default). */
export async function handler(event: RotationEvent): Promise<void> {
  client ??= new SecretsManagerClient({});
  const keep = Number(process.env.STRATUS_KEEP_PREVIOUS_SECONDS);
  await rotateKeysStep(client, event, { keepPreviousSeconds: Number.isSafeInteger(keep) && keep > 0 ? keep : undefined });
  console.log(JSON.stringify({ level: 'info', msg: 'rotation step done', step: event.Step, secret: event.SecretId }));
}
