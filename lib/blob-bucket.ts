import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { UPLOAD_LEFTOVERS_PREFIX } from '../lambda/core/storage-layout';

/** Properties of the blob bucket. */
export interface BlobBucketProps {
  /** Days after which unfinished multipart uploads and chunk leftovers of abandoned sessions are removed. @default 7 */
  readonly abandonedUploadDays?: number;
}

/** The S3 bucket holding blob bytes: private, encrypted, TLS only, cleaned of abandoned uploads. */
export class BlobBucket extends Construct {
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: BlobBucketProps = {}) {
    super(scope, id);
    const days = props.abandonedUploadDays ?? 7;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Blobs are what users cannot rebuild: keep them if the stack goes away.
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'abort-incomplete-multipart', abortIncompleteMultipartUploadAfter: Duration.days(days) },
        { id: 'expire-upload-leftovers', prefix: UPLOAD_LEFTOVERS_PREFIX, expiration: Duration.days(days) },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'Server access logs would need a second bucket; every registry request, including each pull answered with a presigned redirect, is logged by the API access log and the hosts (request id, identity, path, status). Enable CloudTrail S3 data events where per-object audit of the redirected downloads is required.',
    });
  }
}
