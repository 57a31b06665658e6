import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { StratusStack } from '../../lib/stratus-stack';
import { actionsOf, logicalId, statementsOfRole, synthStack, SYNTH_TIMEOUT_MS } from './synth';

describe('GarbageCollector', () => {
  let stack: StratusStack;
  let template: Template;
  let ids: { fn: string; role: string; table: string; bucket: string };
  beforeAll(() => {
    ({ stack, template } = synthStack());
    ids = { fn: logicalId(stack.gc.fn), role: logicalId(stack.gc.fn.role!), table: logicalId(stack.metadata.table), bucket: logicalId(stack.blobs.bucket) };
  }, SYNTH_TIMEOUT_MS);

  it('an EventBridge rule runs gc.ts once a day (Node.js 22, arm64, 15 min) with a 24 h grace on the stack\'s bucket and table', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [ids.fn, 'Arn'] } })],
    });
    const fn = template.findResources('AWS::Lambda::Function')[ids.fn];
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler', Timeout: 900,
      Environment: { Variables: { STRATUS_BUCKET: { Ref: ids.bucket }, STRATUS_TABLE: { Ref: ids.table }, STRATUS_GC_GRACE_SECONDS: '86400' } },
    });
  });

  it('a failed run is not retried by Lambda (the next scheduled run goes on)', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: ids.fn }, MaximumRetryAttempts: 0,
    });
  });

  it('may only scan, query and write table items conditionally on the table, list the bucket, and read and delete its objects', () => {
    const statements = statementsOfRole(template, ids.role).filter((s) => !actionsOf(s).some((a) => a.startsWith('logs:')));
    const grants = statements.map((s) => ({ actions: actionsOf(s).sort(), resource: JSON.stringify(s.Resource) }))
      .sort((a, b) => a.actions[0]!.localeCompare(b.actions[0]!));
    expect(grants).toEqual([
      {
        actions: ['dynamodb:ConditionCheckItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:UpdateItem'],
        resource: JSON.stringify({ 'Fn::GetAtt': [ids.table, 'Arn'] }),
      },
      { actions: ['s3:DeleteObject', 's3:GetObject'], resource: JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, '/*']] }) },
      { actions: ['s3:ListBucket'], resource: JSON.stringify({ 'Fn::GetAtt': [ids.bucket, 'Arn'] }) },
    ]);
  });

  it('gcSchedule and gcGrace set the rule\'s rate and the function\'s grace', () => {
    const { stack: s, template: t } = synthStack({ gcSchedule: Duration.hours(6), gcGrace: Duration.days(7) });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)', Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(s.gc.fn), 'Arn'] } })] });
    expect(t.findResources('AWS::Lambda::Function')[logicalId(s.gc.fn)].Properties.Environment.Variables.STRATUS_GC_GRACE_SECONDS).toBe('604800');
  }, SYNTH_TIMEOUT_MS);

  it('a grace under an hour is refused at synth, saying why', () => {
    expect(() => synthStack({ gcGrace: Duration.minutes(10) })).toThrow('GarbageCollector grace 10 minutes is under 1 hour: layers pushed before their manifest would be collected');
  });
});
