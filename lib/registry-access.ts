import { CfnResource, Stack, Token, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TAGS_BY_NAME } from '../lambda/adapters/dynamodb/keys';
import type { SigningKeys } from './signing-keys';

/** What a registry host (the Lambda API or the upload service) needs to reach its storage. */
export interface RegistryStorageProps {
  /** The blob bucket. */
  readonly bucket: s3.IBucket;
  /** The metadata table. */
  readonly table: dynamodb.ITableV2;
  /** Lifetime of presigned blob download URLs, in seconds. @default 900 */
  readonly presignTtlSeconds?: number;
  /** The token signing keys; given = registry auth on (STRATUS_AUTH=on). @default - none: auth off, anyone may push and pull */
  readonly signingKeys?: SigningKeys;
  /**
   * Secrets Manager secrets (full ARNs) holding registry mirror rules' upstream credentials, JSON
   * {"username","password"}: the hosts may GetSecretValue on exactly these. @default [] - mirror rules ask their upstreams anonymously
   */
  readonly mirrorCredentialSecretArns?: readonly string[];
}

/** Default lifetime of presigned blob download URLs (seconds). */
export const DEFAULT_PRESIGN_TTL_SECONDS = 900;

/**
 * The S3 actions the registry's S3 adapter sends, on the bucket's objects only:
 * Put/Get/DeleteObject and the multipart calls (Create/UploadPart/Complete are authorised by s3:PutObject).
 */
const OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'];

/**
 * The table's read/write data actions (what grantReadWriteData gives, streams aside), on the table itself;
 * of its indexes the hosts only Query TagsByName (tags lists), so they get no `table/index/*`.
 */
const TABLE_ACTIONS = [
  'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem',
  'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:DescribeTable',
];

/** The environment both hosts read (lambda/hosts/settings.ts). */
export function registryEnvironment(props: RegistryStorageProps, uploadBaseUrl?: string): Record<string, string> {
  return {
    STRATUS_BUCKET: props.bucket.bucketName,
    STRATUS_TABLE: props.table.tableName,
    STRATUS_PRESIGN_TTL_SECONDS: String(props.presignTtlSeconds ?? DEFAULT_PRESIGN_TTL_SECONDS),
    ...(uploadBaseUrl ? { STRATUS_UPLOAD_BASE_URL: uploadBaseUrl } : {}),
    STRATUS_AUTH: props.signingKeys ? 'on' : 'off',
    // The secret's ARN, not its value: hosts read (and re-read after rotations) the key set at run time.
    ...(props.signingKeys ? { STRATUS_SIGNING_KEYS_SECRET: props.signingKeys.secret.secretArn } : {}),
  };
}

/**
 * Least-privilege storage access for a registry host: the object actions above on `bucket/*`,
 * s3:ListBucket on the bucket itself (without it S3 answers 403 instead of 404 for a missing key,
 * and the adapter could not tell "absent" from "denied"), read/write data on the table, Query on its TagsByName index and, with auth
 * on, secretsmanager:GetSecretValue on the signing key secret.
 */
export function grantRegistryAccess(grantee: iam.IGrantable, props: RegistryStorageProps): void {
  iam.Grant.addToPrincipal({ grantee, actions: OBJECT_ACTIONS, resourceArns: [props.bucket.arnForObjects('*')] });
  iam.Grant.addToPrincipal({ grantee, actions: ['s3:ListBucket'], resourceArns: [props.bucket.bucketArn] });
  iam.Grant.addToPrincipal({ grantee, actions: TABLE_ACTIONS, resourceArns: [props.table.tableArn] });
  iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:Query'], resourceArns: [`${props.table.tableArn}/index/${TAGS_BY_NAME.name}`] });
  props.signingKeys?.grantRead(grantee);
  const mirrorSecrets = mirrorCredentialSecretArns(props);
  if (mirrorSecrets.length > 0) iam.Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue'], resourceArns: mirrorSecrets });
  acknowledgeObjectWildcard(grantee, props.bucket);
}

// A secret's ARN: exactly one secret, never a pattern that would let the hosts read others.
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/** The mirror's credential secrets, each checked to be one secret's ARN (tokens, resolved at deploy time, pass). */
export function mirrorCredentialSecretArns(props: Pick<RegistryStorageProps, 'mirrorCredentialSecretArns'>): string[] {
  const arns = [...new Set(props.mirrorCredentialSecretArns ?? [])];
  for (const arn of arns) {
    if (!Token.isUnresolved(arn) && !SECRET_ARN.test(arn)) {
      throw new Error(`mirrorCredentialSecretArns: ${arn} is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>; no wildcards)`);
    }
  }
  return arns;
}

/** cdk-nag (AwsSolutions-IAM5) flags `bucket/*`: acknowledge it on the grantee, with the reason. */
function acknowledgeObjectWildcard(grantee: iam.IGrantable, bucket: s3.IBucket): void {
  const principal = grantee.grantPrincipal;
  const cfnBucket = bucket.node.defaultChild;
  if (!(principal instanceof Construct) || !(cfnBucket instanceof CfnResource)) return;
  const logicalId = Stack.of(cfnBucket).resolve(cfnBucket.logicalId) as string;
  Validations.of(principal).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/*]`,
    reason: 'Blob and upload object keys are content-addressed digests and session ids made at run time; the grant is limited to the objects of this one bucket and to the four object actions the S3 adapter sends.',
  });
}
