import { Match, Template } from 'aws-cdk-lib/assertions';
import { synthStack } from './synth';

describe('StratusStack storage', () => {
  let template: Template;
  let ids: { bucket: string[]; table: string[] };
  beforeAll(() => {
    template = synthStack().template;
    ids = {
      bucket: Object.keys(template.findResources('AWS::S3::Bucket')),
      table: Object.keys(template.findResources('AWS::DynamoDB::GlobalTable')),
    };
  });

  it('blob bucket blocks public access, encrypts, and cleans abandoned uploads', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 }, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'uploads/', ExpirationInDays: 7, Status: 'Enabled' }),
        ]),
      },
    });
  });

  it('blob bucket refuses requests without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('blob bucket and table survive stack deletion', () => {
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
  });

  it('metadata table has pk/sk keys, on-demand billing, PITR and TTL on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
  });

  it('the stack holds exactly one bucket and one table, whose logical ids stay under Blobs/ and Metadata/', () => {
    // Stateful resources: a changed logical id would replace the bucket or table on deploy.
    expect(ids.bucket).toEqual([expect.stringMatching(/^BlobsBucket[0-9A-F]{8}$/)]);
    expect(ids.table).toEqual([expect.stringMatching(/^MetadataTable[0-9A-F]{8}$/)]);
  });
});
