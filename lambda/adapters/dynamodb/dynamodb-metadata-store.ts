import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MetadataStoreOfParts } from '../../ports/metadata-store';
import { DynamoDbBlobIndex } from './dynamodb-blob-index';
import { DynamoDbCatalog } from './dynamodb-catalog';
import { DynamoDbManifestStore } from './dynamodb-manifest-store';
import { DynamoDbUploadSessions } from './dynamodb-upload-sessions';

/** Every metadata port on one DynamoDB table (layout in keys.ts), as the hosts wire it: each call goes to its part. */
export class DynamoDbMetadataStore extends MetadataStoreOfParts {
  constructor(doc: DynamoDBDocumentClient, table: string, now: () => number = Date.now) {
    super({
      blobIndex: new DynamoDbBlobIndex(doc, table),
      manifests: new DynamoDbManifestStore(doc, table),
      uploadSessions: new DynamoDbUploadSessions(doc, table, now),
      catalog: new DynamoDbCatalog(doc, table),
    });
  }
}
