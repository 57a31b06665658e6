import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeBucketObjects, acknowledgeNodeRuntime } from './nag-acknowledgements';
import { UPLOADS_BY_EXPIRY } from '../lambda/adapters/dynamodb/keys';
import { stratusFunction } from './stratus-function';

/** The sweeper's entry point (exports `handler`). */
export const SWEEPER_ENTRY = path.join(__dirname, '..', 'lambda', 'hosts', 'lambda', 'sweep-uploads.ts');

/** Properties of the upload sweeper. */
export interface UploadSweeperProps {
  /** The blob bucket (multipart uploads and `uploads/` leftovers). */
  readonly bucket: s3.IBucket;
  /** The metadata table (upload sessions and their UploadsByExpiry index). */
  readonly table: dynamodb.ITableV2;
  /** How often it runs. @default Duration.hours(1) */
  readonly every?: Duration;
  /** Retention of its logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A scheduled function that removes abandoned upload sessions: DynamoDB's TTL deletes expired session
 * items, but only this aborts their S3 multipart uploads and deletes their leftovers, hours before the
 * bucket lifecycle's 7 days. It may abort multipart uploads and delete objects, list the bucket, and
 * read and delete table items; it cannot read or write blob bytes.
 */
export class UploadSweeper extends Construct {
  /** The function running lambda/hosts/lambda/sweep-uploads.ts. */
  public readonly fn: nodejs.NodejsFunction;
  /** The EventBridge schedule that invokes it. */
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: UploadSweeperProps) {
    super(scope, id);
    this.fn = stratusFunction(this, {
      ids: { fn: 'Function', logs: 'Logs', role: 'Role' },
      entry: SWEEPER_ENTRY,
      memorySize: 256,
      timeout: Duration.minutes(5),
      description: 'Removes expired Stratus upload sessions with their S3 multipart uploads and leftovers',
      environment: { STRATUS_BUCKET: props.bucket.bucketName, STRATUS_TABLE: props.table.tableName },
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    iam.Grant.addToPrincipal({
      grantee: this.fn, actions: ['s3:AbortMultipartUpload', 's3:DeleteObject'], resourceArns: [props.bucket.arnForObjects('*')],
    });
    iam.Grant.addToPrincipal({ grantee: this.fn, actions: ['s3:ListBucket'], resourceArns: [props.bucket.bucketArn] });
    iam.Grant.addToPrincipal({
      grantee: this.fn, actions: ['dynamodb:Query'], resourceArns: [`${props.table.tableArn}/index/${UPLOADS_BY_EXPIRY.name}`],
    });
    iam.Grant.addToPrincipal({ grantee: this.fn, actions: ['dynamodb:GetItem', 'dynamodb:DeleteItem'], resourceArns: [props.table.tableArn] });
    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Sweeps expired Stratus upload sessions',
      schedule: events.Schedule.rate(props.every ?? Duration.hours(1)),
      targets: [new targets.LambdaFunction(this.fn, { retryAttempts: 2 })],
    });
    this.acknowledgeNagFindings(props.bucket);
  }

  /** cdk-nag findings that are decisions, each with its reason. */
  private acknowledgeNagFindings(bucket: s3.IBucket): void {
    acknowledgeNodeRuntime(this.fn);
    acknowledgeBucketObjects(this.fn.role?.node.tryFindChild('DefaultPolicy'), bucket,
      'Expired sessions leave multipart uploads on blobs/<session id> and leftovers under uploads/<session id>/, ids made at run time; the grant is limited to this bucket and to aborting uploads and deleting objects (no read or write of bytes).');
  }
}
