import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';

/** cdk-nag AwsSolutions-L1 (not the latest runtime) on a Stratus function: Node.js 22 is a decision. */
export function acknowledgeNodeRuntime(fn: IConstruct): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'Node.js 22 on purpose, like the registry API function: the pinned AWS SDK v3 versions and the bundle target (node22) are tested on Node 22; move to a newer runtime together with them.',
  });
}

/**
 * cdk-nag AwsSolutions-IAM5 flags a grant on `bucket/*`: acknowledge it on `on` (a role's default policy or a
 * principal), with the reason the keys cannot be named in advance. Nothing when the bucket is imported.
 */
export function acknowledgeBucketObjects(on: IConstruct | undefined, bucket: s3.IBucket, reason: string): void {
  const cfnBucket = bucket.node.defaultChild;
  if (!on || !(cfnBucket instanceof CfnResource)) return;
  const bucketId = Stack.of(cfnBucket).resolve(cfnBucket.logicalId) as string;
  Validations.of(on).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`, reason });
}
