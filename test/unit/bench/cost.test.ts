import { costOf, LAMBDA, Prices, s3Classes, scaled, usd, US_EAST_1 } from '../../../bench/cost';

// Round prices make every expected figure checkable by hand.
const ROUND: Prices = {
  apiGatewayPerMillion: 1, lambdaRequestPerMillion: 0.2, lambdaGbSecond: { arm64: 0.00001, x86_64: 0.00002 },
  dynamodbWriteUnitPerMillion: 1, dynamodbReadUnitPerMillion: 0.25, s3PutClassPerThousand: 0.005, s3GetClassPerThousand: 0.0004,
};
const none = { apiRequests: 0, lambdaBilledMs: 0, s3ByCommand: {}, clientS3Gets: 0, readUnits: 0, writeUnits: 0 };

describe('bench cost of an operation', () => {
  it('prices API Gateway and Lambda requests per million, and duration per GB-second at the memory size', () => {
    const c = costOf({ ...none, apiRequests: 2, lambdaBilledMs: 3000 }, ROUND, { memoryMB: 2048, architecture: 'arm64' });
    expect(c.apiGateway).toBeCloseTo(2e-6, 12);
    expect(c.lambdaRequests).toBeCloseTo(0.4e-6, 12);
    // 3 s at 2 GB = 6 GB-s
    expect(c.lambdaDuration).toBeCloseTo(6 * 0.00001, 12);
    expect(costOf({ ...none, lambdaBilledMs: 3000 }, ROUND, { memoryMB: 2048, architecture: 'x86_64' }).lambdaDuration).toBeCloseTo(6 * 0.00002, 12);
  });

  it('prices DynamoDB read and write units apart', () => {
    const c = costOf({ ...none, readUnits: 4, writeUnits: 3 }, ROUND);
    expect(c.dynamodbReads).toBeCloseTo(1e-6, 12);
    expect(c.dynamodbWrites).toBeCloseTo(3e-6, 12);
    expect(c.total).toBeCloseTo(4e-6, 12);
  });

  it('bills S3 uploads and lists at the PUT rate, reads and client redirects at the GET rate, deletes not at all', () => {
    expect(s3Classes({ UploadPart: 3, CompleteMultipartUpload: 1, CreateMultipartUpload: 1, ListObjectsV2: 1, HeadObject: 2, GetObject: 1, DeleteObject: 4, AbortMultipartUpload: 1 }))
      .toEqual({ put: 6, get: 3, free: 5 });
    const c = costOf({ ...none, s3ByCommand: { PutObject: 1000, HeadObject: 500, DeleteObject: 7 }, clientS3Gets: 500 }, ROUND);
    expect(c.s3Put).toBeCloseTo(0.005, 12);
    expect(c.s3Get).toBeCloseTo(0.0004, 12);
  });

  it('a total is the sum of its parts, and a million operations cost a million times one', () => {
    const one = costOf({ apiRequests: 3, lambdaBilledMs: 17, s3ByCommand: { GetObject: 1 }, clientS3Gets: 2, readUnits: 1.5, writeUnits: 0 });
    const parts = one.apiGateway + one.lambdaRequests + one.lambdaDuration + one.dynamodbReads + one.dynamodbWrites + one.s3Put + one.s3Get;
    expect(one.total).toBeCloseTo(parts, 15);
    expect(scaled(one, 1e6).total).toBeCloseTo(one.total * 1e6, 9);
  });

  it('uses the deployed Lambda (arm64, 1024 MB) and the published us-east-1 rates by default', () => {
    expect(LAMBDA).toEqual({ memoryMB: 1024, architecture: 'arm64' });
    // 1,000 ms at 1 GB = 1 GB-s on arm64
    expect(costOf({ ...none, lambdaBilledMs: 1000 }).lambdaDuration).toBeCloseTo(US_EAST_1.lambdaGbSecond.arm64, 15);
    expect(US_EAST_1.lambdaGbSecond.arm64).toBeLessThan(US_EAST_1.lambdaGbSecond.x86_64);
  });

  it('writes dollars readably, down to fractions of a cent', () => {
    expect(usd(0)).toBe('$0');
    expect(usd(1234.5)).toBe('$1235');
    expect(usd(12.345)).toBe('$12.35');
    expect(usd(0.000012345)).toBe('$0.0000123');
  });
});
