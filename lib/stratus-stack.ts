import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Construct } from 'constructs';
import { BlobBucket } from './blob-bucket';
import { GarbageCollector } from './garbage-collector';
import { MetadataTable } from './metadata-table';
import { DEFAULT_PRESIGN_TTL_SECONDS } from './registry-access';
import { RegistryApi } from './registry-api';
import { SigningKeys } from './signing-keys';
import { UploadService } from './upload-service';
import { UploadSweeper } from './upload-sweeper';

/** Deployment choices of a Stratus stack. */
export interface StratusStackProps extends StackProps {
  /** Custom domain of the registry API (HTTP API custom domain); requires `certificateArn`. @default - the execute-api URL */
  readonly domainName?: string;
  /** ARN of an ACM certificate in the stack's region covering `domainName` (and `uploadDomainName`). @default - none */
  readonly certificateArn?: string;
  /** Deploy the upload service (Fargate) for whole-layer pushes; false = Lambda-only, bodies up to about 4.4 MiB per request. @default true */
  readonly uploadService?: boolean;
  /** HTTPS name of the upload service (its load balancer); requires `certificateArn` or `uploadCertificateArn`. @default - plain HTTP on the load balancer's DNS name */
  readonly uploadDomainName?: string;
  /** ARN of the certificate for `uploadDomainName`. @default certificateArn */
  readonly uploadCertificateArn?: string;
  /** Lifetime of presigned blob download URLs, in seconds. @default 900 */
  readonly presignTtlSeconds?: number;
  /** Memory of the API function in MiB. @default 1024 */
  readonly lambdaMemorySize?: number;
  /** Registry authentication (docker login, users, grants, robot tokens); false = anyone may push and pull. @default true */
  readonly auth?: boolean;
  /** How often garbage collection runs (README "Storage lifecycle"). @default Duration.days(1) */
  readonly gcSchedule?: Duration;
  /** Grace period of garbage collection: younger items are never collected (at least 1 hour). @default Duration.hours(24) */
  readonly gcGrace?: Duration;
  /**
   * Web origins of browser UIs on another site (e.g. Joxit's docker-registry-ui): the registry's CORS
   * (STRATUS_CORS_ORIGIN) and the blob bucket's. `['*']`: any page, without credentials; exact origins
   * (`https://ui.example.com`): those pages with credentials, so their users can log in. @default ['*']
   */
  readonly corsAllowedOrigins?: string[];
  /**
   * Registry mirror: Secrets Manager secrets (full ARNs, JSON {"username","password"}) that mirror rules name
   * with `npx stratus mirror add ... --credentials-secret-arn`; the API function and the upload service may
   * read exactly these (README "Registry mirror"). The rules themselves live in the table. @default []
   */
  readonly mirrorCredentialSecretArns?: string[];
}

/**
 * Stratus on AWS: the blob bucket and metadata table, the registry API (Lambda behind an HTTP API) and,
 * unless turned off, the upload service (Fargate) that upload sessions are sent to.
 */
export class StratusStack extends Stack {
  public readonly blobs: BlobBucket;
  public readonly metadata: MetadataTable;
  public readonly api: RegistryApi;
  /** The token signing keys; undefined when auth is off. */
  public readonly signingKeys?: SigningKeys;
  /** Undefined in a Lambda-only deployment. */
  public readonly uploads?: UploadService;
  /** The hourly sweep of abandoned upload sessions. */
  public readonly sweeper: UploadSweeper;
  /** The scheduled garbage collection. */
  public readonly gc: GarbageCollector;

  constructor(scope: Construct, id: string, props: StratusStackProps = {}) {
    super(scope, id, props);
    // 'Blobs' and 'Metadata' are stateful: their ids (and so their logical ids) must never change.
    this.blobs = new BlobBucket(this, 'Blobs', { corsAllowedOrigins: props.corsAllowedOrigins });
    this.metadata = new MetadataTable(this, 'Metadata');
    if (props.auth ?? true) this.signingKeys = new SigningKeys(this, 'SigningKeys');
    const storage = {
      bucket: this.blobs.bucket,
      table: this.metadata.table,
      presignTtlSeconds: props.presignTtlSeconds ?? DEFAULT_PRESIGN_TTL_SECONDS,
      signingKeys: this.signingKeys,
      mirrorCredentialSecretArns: props.mirrorCredentialSecretArns,
    };

    this.sweeper = new UploadSweeper(this, 'UploadSweeper', { bucket: this.blobs.bucket, table: this.metadata.table });
    this.gc = new GarbageCollector(this, 'GarbageCollector', {
      bucket: this.blobs.bucket, table: this.metadata.table, schedule: props.gcSchedule, grace: props.gcGrace,
    });

    if (props.uploadService ?? true) {
      const uploadCertificateArn = props.uploadDomainName ? props.uploadCertificateArn ?? props.certificateArn : undefined;
      this.uploads = new UploadService(this, 'Uploads', {
        ...storage,
        domainName: props.uploadDomainName,
        certificate: this.certificate('UploadCertificate', uploadCertificateArn),
      });
    }

    this.api = new RegistryApi(this, 'Api', {
      ...storage,
      memorySize: props.lambdaMemorySize,
      uploadBaseUrl: this.uploads?.url,
      domainName: props.domainName,
      certificate: this.certificate('ApiCertificate', props.domainName ? props.certificateArn : undefined),
    });
    if (this.api.authRealm) this.uploads?.announceAuthRealm(this.api.authRealm);
    if (props.corsAllowedOrigins) this.api.fn.addEnvironment('STRATUS_CORS_ORIGIN', props.corsAllowedOrigins.join(','));

    new CfnOutput(this, 'BucketName', { value: this.blobs.bucket.bucketName });
    new CfnOutput(this, 'TableName', { value: this.metadata.table.tableName });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Registry URL (docker login / push / pull)' });
    if (this.api.domain) {
      new CfnOutput(this, 'ApiDomainTarget', {
        value: this.api.domain.regionalDomainName,
        description: `CNAME/alias target for ${props.domainName}`,
      });
    }
    if (this.uploads) {
      new CfnOutput(this, 'UploadServiceUrl', { value: this.uploads.url, description: 'Where upload sessions are sent' });
      if (props.uploadDomainName) {
        new CfnOutput(this, 'UploadDomainTarget', {
          value: this.uploads.service.loadBalancer.loadBalancerDnsName,
          description: `CNAME/alias target for ${props.uploadDomainName}`,
        });
      }
    }
  }

  private certificate(id: string, arn: string | undefined): acm.ICertificate | undefined {
    return arn ? acm.Certificate.fromCertificateArn(this, id, arn) : undefined;
  }
}
