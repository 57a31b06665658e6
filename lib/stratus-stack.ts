import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BlobBucket } from './blob-bucket';
import { MetadataTable } from './metadata-table';

/**
 * Stratus on AWS. This release creates the storage (blob bucket and metadata table); the Lambda API
 * and the upload service are wired onto it by the serverless deployment work.
 */
export class StratusStack extends Stack {
  public readonly blobs: BlobBucket;
  public readonly metadata: MetadataTable;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.blobs = new BlobBucket(this, 'Blobs');
    this.metadata = new MetadataTable(this, 'Metadata');
    new CfnOutput(this, 'BucketName', { value: this.blobs.bucket.bucketName });
    new CfnOutput(this, 'TableName', { value: this.metadata.table.tableName });
  }
}
