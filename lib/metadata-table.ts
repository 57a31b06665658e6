import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TAGS_BY_NAME, UPLOADS_BY_EXPIRY } from '../lambda/adapters/dynamodb/keys';

/** The DynamoDB table of manifests, tags, blob links and upload sessions (layout: lambda/adapters/dynamodb/keys.ts). */
export class MetadataTable extends Construct {
  public readonly table: dynamodb.TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.TableV2(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
      // Upload sessions by expiry, for the upload sweeper (lambda/adapters/dynamodb/keys.ts): sparse, keys only.
      globalSecondaryIndexes: [{
        indexName: UPLOADS_BY_EXPIRY.name,
        partitionKey: { name: UPLOADS_BY_EXPIRY.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: UPLOADS_BY_EXPIRY.sortKey, type: dynamodb.AttributeType.NUMBER },
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      }, {
        // Tag names by repository, for tags lists (keys.ts): sparse, keys only. An existing table backfills it.
        indexName: TAGS_BY_NAME.name,
        partitionKey: { name: TAGS_BY_NAME.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: TAGS_BY_NAME.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      }],
    });
  }
}
