import { Match, Template } from 'aws-cdk-lib/assertions';
import { StratusStack } from '../../lib/stratus-stack';
import { actionsOf, logicalId, statementsOfRole, synthStack, SYNTH_TIMEOUT_MS } from './synth';

describe('UploadSweeper', () => {
  let stack: StratusStack;
  let template: Template;
  let ids: { fn: string; role: string; table: string; bucket: string };
  beforeAll(() => {
    ({ stack, template } = synthStack());
    ids = {
      fn: logicalId(stack.sweeper.fn), role: logicalId(stack.sweeper.fn.role!),
      table: logicalId(stack.metadata.table), bucket: logicalId(stack.blobs.bucket),
    };
  }, SYNTH_TIMEOUT_MS);

  it('the table indexes upload sessions by expiry: UploadsByExpiry, uploadShard + expiresAt, keys only', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: Match.arrayWith([{
        IndexName: 'UploadsByExpiry',
        KeySchema: [{ AttributeName: 'uploadShard', KeyType: 'HASH' }, { AttributeName: 'expiresAt', KeyType: 'RANGE' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      }]),
      AttributeDefinitions: Match.arrayWith([{ AttributeName: 'uploadShard', AttributeType: 'S' }, { AttributeName: 'expiresAt', AttributeType: 'N' }]),
    });
  });

  it('an EventBridge rule runs sweep-uploads.ts every hour (Node.js 22, arm64) on the stack\'s bucket and table', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [ids.fn, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 } })],
    });
    const fn = template.findResources('AWS::Lambda::Function')[ids.fn];
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler', Timeout: 300,
      Environment: { Variables: { STRATUS_BUCKET: { Ref: ids.bucket }, STRATUS_TABLE: { Ref: ids.table } } },
    });
  });

  it('may only query the expiry index, read and delete table items, abort multipart uploads, delete objects and list the bucket', () => {
    const statements = statementsOfRole(template, ids.role).filter((s) => !actionsOf(s).some((a) => a.startsWith('logs:')));
    const grants = statements.map((s) => ({ actions: actionsOf(s).sort(), resource: JSON.stringify(s.Resource) })).sort((a, b) => a.actions[0]!.localeCompare(b.actions[0]!));
    expect(grants).toEqual([
      { actions: ['dynamodb:DeleteItem', 'dynamodb:GetItem'], resource: JSON.stringify({ 'Fn::GetAtt': [ids.table, 'Arn'] }) },
      { actions: ['dynamodb:Query'], resource: JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.table, 'Arn'] }, '/index/UploadsByExpiry']] }) },
      { actions: ['s3:AbortMultipartUpload', 's3:DeleteObject'], resource: JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, '/*']] }) },
      { actions: ['s3:ListBucket'], resource: JSON.stringify({ 'Fn::GetAtt': [ids.bucket, 'Arn'] }) },
    ]);
  });
});
