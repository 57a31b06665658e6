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
import { stratusFunction } from './stratus-function';

/** The collector's entry point (exports `handler`). */
export const GC_ENTRY = path.join(__dirname, '..', 'lambda', 'hosts', 'lambda', 'gc.ts');

/** The shortest grace period accepted: an upload session's life (1 h); the README explains why. */
export const MIN_GC_GRACE = Duration.hours(1);

/** The DynamoDB actions of the collector (transactions are authorised by the actions they contain), on the table only. */
export const GC_TABLE_ACTIONS = [
  'dynamodb:Scan', 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];

/** Properties of the garbage collector. */
export interface GarbageCollectorProps {
  /** The blob bucket (blob objects, manifest bodies, upload leftovers). */
  readonly bucket: s3.IBucket;
  /** The metadata table (repositories, blob records, upload sessions, run records). */
  readonly table: dynamodb.ITableV2;
  /** How often a run starts. @default Duration.days(1) */
  readonly schedule?: Duration;
  /** Items younger than this are never collected (at least MIN_GC_GRACE). @default Duration.hours(24) */
  readonly grace?: Duration;
  /** The function's timeout: a run stops a minute before it and the next run goes on. @default Duration.minutes(15) */
  readonly timeout?: Duration;
  /** Memory in MiB (the run holds the table's snapshot). @default 1024 */
  readonly memorySize?: number;
  /** Retention of its logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A scheduled function that collects garbage online (README "Storage lifecycle"): untagged manifests
 * nothing reaches, unused blob links and records, and their S3 objects. It may scan, read and write table
 * items conditionally, list the bucket, and read (HEAD) and delete objects; it cannot write blob bytes.
 */
export class GarbageCollector extends Construct {
  /** The function running lambda/hosts/lambda/gc.ts. */
  public readonly fn: nodejs.NodejsFunction;
  /** The EventBridge schedule that invokes it. */
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: GarbageCollectorProps) {
    super(scope, id);
    const grace = props.grace ?? Duration.hours(24);
    if (grace.toSeconds() < MIN_GC_GRACE.toSeconds()) {
      throw new Error(`GarbageCollector grace ${grace.toHumanString()} is under ${MIN_GC_GRACE.toHumanString()}: layers pushed before their manifest would be collected`);
    }
    this.fn = stratusFunction(this, {
      ids: { fn: 'Function', logs: 'Logs', role: 'Role' },
      entry: GC_ENTRY,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.minutes(15),
      description: 'Stratus garbage collection: untagged manifests, unused blob links and blobs, unrecorded objects',
      environment: {
        STRATUS_BUCKET: props.bucket.bucketName,
        STRATUS_TABLE: props.table.tableName,
        STRATUS_GC_GRACE_SECONDS: String(grace.toSeconds()),
      },
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    // A failed run is not retried at once: it read the whole table for nothing, and the next scheduled run goes on.
    this.fn.configureAsyncInvoke({ retryAttempts: 0 });
    iam.Grant.addToPrincipal({ grantee: this.fn, actions: GC_TABLE_ACTIONS, resourceArns: [props.table.tableArn] });
    iam.Grant.addToPrincipal({ grantee: this.fn, actions: ['s3:ListBucket'], resourceArns: [props.bucket.bucketArn] });
    iam.Grant.addToPrincipal({ grantee: this.fn, actions: ['s3:GetObject', 's3:DeleteObject'], resourceArns: [props.bucket.arnForObjects('*')] });
    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Runs Stratus garbage collection',
      schedule: events.Schedule.rate(props.schedule ?? Duration.days(1)),
      targets: [new targets.LambdaFunction(this.fn, { retryAttempts: 2 })],
    });
    this.acknowledgeNagFindings(props.bucket);
  }

  /** cdk-nag findings that are decisions, each with its reason. */
  private acknowledgeNagFindings(bucket: s3.IBucket): void {
    acknowledgeNodeRuntime(this.fn);
    acknowledgeBucketObjects(this.fn.role?.node.tryFindChild('DefaultPolicy'), bucket,
      'The collector deletes objects whose keys are made at run time (blobs/<upload id>, manifests/<alg>/<hex>/<put id>, uploads/<id>/) and checks their age with HEAD; the grant is this bucket only, GetObject and DeleteObject (no writes of bytes).');
  }
}
