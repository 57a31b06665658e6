/**
 * Where the integration suite's backends are: written into the environment by global-setup.ts
 * (which starts the local servers, or takes S3_ENDPOINT / DYNAMODB_ENDPOINT as given) and read
 * here. A missing value throws: an integration test without its backend fails, it never skips.
 */
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/** Environment variables set by global-setup.ts and inherited by the jest workers. */
export const BACKEND_ENV_VARS = {
  s3Endpoint: 'STRATUS_TEST_S3_ENDPOINT',
  s3Region: 'STRATUS_TEST_S3_REGION',
  s3AccessKeyId: 'STRATUS_TEST_S3_ACCESS_KEY_ID',
  s3SecretAccessKey: 'STRATUS_TEST_S3_SECRET_ACCESS_KEY',
  dynamoDbEndpoint: 'STRATUS_TEST_DYNAMODB_ENDPOINT',
  dynamoDbRegion: 'STRATUS_TEST_DYNAMODB_REGION',
  dynamoDbAccessKeyId: 'STRATUS_TEST_DYNAMODB_ACCESS_KEY_ID',
  dynamoDbSecretAccessKey: 'STRATUS_TEST_DYNAMODB_SECRET_ACCESS_KEY',
} as const;

/** The integration suite's S3 and DynamoDB endpoints and credentials. */
export interface BackendEnv {
  s3: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** DynamoDB Local without -sharedDb keeps one database per key and region: use these. */
  dynamodb: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: the integration backends were not started. Run the suite through jest's ` +
        '"integration" project (npx jest --selectProjects integration), whose globalSetup starts them.',
    );
  }
  return value;
}

/** Reads the backends global-setup.ts prepared; throws loudly if it did not run. */
export function backendEnv(): BackendEnv {
  const v = BACKEND_ENV_VARS;
  return {
    s3: {
      endpoint: required(v.s3Endpoint),
      region: required(v.s3Region),
      credentials: { accessKeyId: required(v.s3AccessKeyId), secretAccessKey: required(v.s3SecretAccessKey) },
    },
    dynamodb: {
      endpoint: required(v.dynamoDbEndpoint),
      region: process.env[v.dynamoDbRegion] || 'us-east-1',
      credentials: {
        accessKeyId: process.env[v.dynamoDbAccessKeyId] || 'local',
        secretAccessKey: process.env[v.dynamoDbSecretAccessKey] || 'local',
      },
    },
  };
}

/** S3 client settings every local target needs: path-style URLs, checksums only where required. */
export function s3ClientConfig(): S3ClientConfig {
  const { s3 } = backendEnv();
  return {
    ...s3,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
}

/** DynamoDB client settings for the suite's DynamoDB. */
export function dynamoDbClientConfig(): DynamoDBClientConfig {
  return { ...backendEnv().dynamodb };
}
