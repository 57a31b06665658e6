/**
 * What an operation would cost on AWS, from the backend calls the bench counted: API Gateway (HTTP API)
 * and Lambda for the requests the Lambda API serves, DynamoDB on-demand read and write request units, and
 * S3 requests (the registry's own, plus the presigned GETs clients send after a 307). Data transfer and
 * storage are not counted, nor the upload service (Fargate is billed per task-hour, not per request), nor
 * CloudWatch Logs.
 *
 * Prices: us-east-1, on-demand, first tier, as published on the pages below (read 2026-12-03):
 * - API Gateway HTTP API: $1.00 per million requests (first 300 million a month), metered in 512 KB
 *   increments. https://aws.amazon.com/api-gateway/pricing/ and
 *   https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html
 * - Lambda: $0.20 per million requests; duration $0.0000133334 per GB-second on arm64 (Graviton, what
 *   lib/stratus-function.ts deploys) and $0.0000166667 on x86_64. https://aws.amazon.com/lambda/pricing/
 * - DynamoDB on-demand: $0.625 per million write request units, $0.125 per million read request units
 *   (a strongly consistent read of up to 4 KB is one unit, eventually consistent half, transactional two;
 *   a write of up to 1 KB is one unit, transactional two). https://aws.amazon.com/dynamodb/pricing/on-demand/
 * - S3 Standard: $0.005 per 1,000 PUT, COPY, POST or LIST requests; $0.0004 per 1,000 GET, SELECT and all
 *   other requests; DELETE and AbortMultipartUpload are free. https://aws.amazon.com/s3/pricing/
 */

/** Prices in USD. */
export interface Prices {
  apiGatewayPerMillion: number;
  lambdaRequestPerMillion: number;
  lambdaGbSecond: { arm64: number; x86_64: number };
  dynamodbWriteUnitPerMillion: number;
  dynamodbReadUnitPerMillion: number;
  s3PutClassPerThousand: number;
  s3GetClassPerThousand: number;
}

export const US_EAST_1: Prices = {
  apiGatewayPerMillion: 1.0,
  lambdaRequestPerMillion: 0.2,
  lambdaGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
  dynamodbWriteUnitPerMillion: 0.625,
  dynamodbReadUnitPerMillion: 0.125,
  s3PutClassPerThousand: 0.005,
  s3GetClassPerThousand: 0.0004,
};

/** The deployed function (lib/registry-api.ts: memorySize 1024 by default; lib/stratus-function.ts: ARM_64). */
export const LAMBDA = { memoryMB: 1024, architecture: 'arm64' as const };

/** S3 commands billed at the PUT/COPY/POST/LIST rate; DELETE and Abort are free; all else is the GET rate. */
const S3_PUT_CLASS = /^(PutObject|CopyObject|UploadPart|UploadPartCopy|CreateMultipartUpload|CompleteMultipartUpload|List\w*|PutBucket\w*|CreateBucket|RestoreObject)$/;
const S3_FREE = /^(DeleteObject|DeleteObjects|AbortMultipartUpload|DeleteBucket\w*)$/;

/** What one operation used, as counted by the bench. */
export interface Usage {
  /** Requests served by API Gateway + Lambda. */
  apiRequests: number;
  /** Their Lambda duration, each rounded up to a whole ms. */
  lambdaBilledMs: number;
  /** The registry's S3 requests by command; presigned GETs of clients are `clientS3Gets`. */
  s3ByCommand: Record<string, number>;
  clientS3Gets: number;
  readUnits: number;
  writeUnits: number;
}

/** USD by service for one operation. */
export interface Cost {
  apiGateway: number; lambdaRequests: number; lambdaDuration: number; dynamodbReads: number; dynamodbWrites: number;
  s3Put: number; s3Get: number; total: number;
}

/** S3 requests of a usage, by price class. */
export function s3Classes(byCommand: Record<string, number>): { put: number; get: number; free: number } {
  const out = { put: 0, get: 0, free: 0 };
  for (const [command, n] of Object.entries(byCommand)) {
    if (S3_PUT_CLASS.test(command)) out.put += n;
    else if (S3_FREE.test(command)) out.free += n;
    else out.get += n;
  }
  return out;
}

/** The AWS cost of one operation at `prices`, with Lambda at `lambda`'s memory size and architecture. */
export function costOf(u: Usage, prices: Prices = US_EAST_1, lambda: { memoryMB: number; architecture: 'arm64' | 'x86_64' } = LAMBDA): Cost {
  const s3 = s3Classes(u.s3ByCommand);
  const gbSeconds = (u.lambdaBilledMs / 1000) * (lambda.memoryMB / 1024);
  const c = {
    apiGateway: (u.apiRequests * prices.apiGatewayPerMillion) / 1e6,
    lambdaRequests: (u.apiRequests * prices.lambdaRequestPerMillion) / 1e6,
    lambdaDuration: gbSeconds * prices.lambdaGbSecond[lambda.architecture],
    dynamodbReads: (u.readUnits * prices.dynamodbReadUnitPerMillion) / 1e6,
    dynamodbWrites: (u.writeUnits * prices.dynamodbWriteUnitPerMillion) / 1e6,
    s3Put: (s3.put * prices.s3PutClassPerThousand) / 1e3,
    s3Get: ((s3.get + u.clientS3Gets) * prices.s3GetClassPerThousand) / 1e3,
  };
  return { ...c, total: Object.values(c).reduce((a, x) => a + x, 0) };
}

/** The same cost for `times` operations (e.g. a million pulls). */
export function scaled(c: Cost, times: number): Cost {
  return Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v * times])) as unknown as Cost;
}

/** Dollars with enough significant digits to read a fraction of a cent. */
export function usd(x: number): string {
  if (x === 0) return '$0';
  if (x >= 100) return `$${x.toFixed(0)}`;
  if (x >= 1) return `$${x.toFixed(2)}`;
  return `$${x.toPrecision(3)}`;
}

/** One line per part of a cost, skipping zeros. */
export function breakdown(c: Cost): string {
  const names: Array<[keyof Cost, string]> = [
    ['apiGateway', 'API Gateway'], ['lambdaRequests', 'Lambda requests'], ['lambdaDuration', 'Lambda duration'],
    ['dynamodbReads', 'DynamoDB reads'], ['dynamodbWrites', 'DynamoDB writes'], ['s3Put', 'S3 PUT-class'], ['s3Get', 'S3 GET-class'],
  ];
  return names.filter(([k]) => c[k] > 0).map(([k, label]) => `${label} ${usd(c[k])}`).join(', ');
}
