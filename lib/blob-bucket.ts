import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { blobCorsRules } from '../lambda/core/http/blob-cors-rules';
import { UPLOAD_LEFTOVERS_PREFIX } from '../lambda/core/storage-layout';

/** Properties of the blob bucket. */
export interface BlobBucketProps {
  /** Days after which unfinished multipart uploads and chunk leftovers of abandoned sessions are removed. @default 7 */
  readonly abandonedUploadDays?: number;
  /**
   * Web origins whose pages may read blob bytes after the registry's 307 to a presigned URL (browsers follow it
   * with `Origin: null`): `['*']` any page, without credentials; exact origins (`https://ui.example.com`) let
   * those pages send credentials (a browser UI that logs in), answered with `null` echoed; `[]` no CORS.
   * Give the registry's STRATUS_CORS_ORIGIN the same list (the stack's `corsAllowedOrigins` does both).
   * @default ['*']
   */
  readonly corsAllowedOrigins?: string[];
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
      // GET/HEAD only, and every request still needs a presigned URL: CORS lets pages read, never lets them in.
      cors: blobCorsRules((props.corsAllowedOrigins ?? ['*']).join(',')).map((rule) => ({
        allowedOrigins: rule.allowedOrigins,
        allowedMethods: rule.allowedMethods.map((m) => s3.HttpMethods[m]),
        allowedHeaders: rule.allowedHeaders,
        exposedHeaders: rule.exposedHeaders,
        maxAge: rule.maxAgeSeconds,
      })),
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
