/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy`, with the stack's props from context, e.g.
 * `npx cdk deploy -c domainName=registry.example.com -c certificateArn=arn:aws:acm:... -c uploadService=false`.
 * Keys: domainName, certificateArn, uploadService, uploadDomainName, uploadCertificateArn, presignTtlSeconds,
 * lambdaMemorySize, auth, mirrorCredentialSecretArns (comma-separated) (see lib/stratus-stack.ts).
 */
import { App } from 'aws-cdk-lib';
import { StratusStack } from '../lib/stratus-stack';

const app = new App();

/** A context value as a string, or undefined when absent or empty. */
function text(key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

/** A context value as a boolean (`-c key=false` arrives as the string "false"). */
function flag(key: string): boolean | undefined {
  const value = text(key);
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`context ${key} must be true or false, got ${value}`);
}

/** A context value as a positive integer. */
function int(key: string): number | undefined {
  const value = text(key);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`context ${key} must be a positive integer, got ${value}`);
  return n;
}

/** A context value as a list: comma-separated in `-c`, or a JSON array in cdk.json. */
function list(key: string): string[] | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (Array.isArray(value)) return value.map(String);
  return text(key)?.split(',').map((s) => s.trim()).filter(Boolean);
}

new StratusStack(app, 'Stratus', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  domainName: text('domainName'),
  certificateArn: text('certificateArn'),
  uploadService: flag('uploadService'),
  uploadDomainName: text('uploadDomainName'),
  uploadCertificateArn: text('uploadCertificateArn'),
  presignTtlSeconds: int('presignTtlSeconds'),
  lambdaMemorySize: int('lambdaMemorySize'),
  auth: flag('auth'),
  mirrorCredentialSecretArns: list('mirrorCredentialSecretArns'),
});
