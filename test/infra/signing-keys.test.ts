import { Match, Template } from 'aws-cdk-lib/assertions';
import { StratusStack } from '../../lib/stratus-stack';
import { actionsOf, logicalId, statementsOfRole, synthStack } from './synth';

/** Statements of a role that name a Secrets Manager action. */
function secretStatements(template: Template, roleId: string): Array<Record<string, unknown>> {
  return statementsOfRole(template, roleId).filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
}

describe('SigningKeys (default stack: auth on)', () => {
  let stack: StratusStack;
  let template: Template;
  let ids: { secret: string; rotationFn: string };
  beforeAll(() => {
    ({ stack, template } = synthStack());
    ids = { secret: logicalId(stack.signingKeys!.secret), rotationFn: logicalId(stack.signingKeys!.rotationFunction) };
  });

  it('one Secrets Manager secret, encrypted (by aws/secretsmanager unless a KMS key is given)', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Description: Match.stringLikeRegexp('signing keys') });
  });

  it('is rotated every 30 days by the rotation function', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: ids.secret },
      RotationLambdaARN: { 'Fn::GetAtt': [ids.rotationFn, 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [ids.rotationFn, 'Arn'] },
      Principal: 'secretsmanager.amazonaws.com',
    });
  });

  it('rotation function: rotate-keys.ts bundled for Node.js 22 on arm64, keeping retired keys a day', () => {
    const fn = template.findResources('AWS::Lambda::Function')[ids.rotationFn];
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler',
      Environment: { Variables: { STRATUS_KEEP_PREVIOUS_SECONDS: '86400' } },
    });
  });

  it('only the rotation function may write the secret, and only this secret', () => {
    const rotation = secretStatements(template, logicalId(stack.signingKeys!.rotationFunction.role!));
    const onSecret = rotation.filter((s) => JSON.stringify(s.Resource) === JSON.stringify({ Ref: ids.secret }));
    expect(onSecret.flatMap(actionsOf).sort()).toEqual([
      'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
    ]);
    // the one unscoped action CDK adds (acknowledged for cdk-nag) cannot touch any secret
    expect(rotation.filter((s) => s.Resource === '*').flatMap(actionsOf)).toEqual(['secretsmanager:GetRandomPassword']);
  });

  it.each([
    ['registry API function', (s: StratusStack) => s.api.fn.role!],
    ['upload service task', (s: StratusStack) => s.uploads!.service.taskDefinition.taskRole],
  ])('%s may only GetSecretValue on the signing key secret', (_name, roleOf) => {
    expect(secretStatements(template, logicalId(roleOf(stack)))).toEqual([
      { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: ids.secret } },
    ]);
  });

  it('both hosts run with STRATUS_AUTH=on and the secret ARN in STRATUS_SIGNING_KEYS_SECRET', () => {
    const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack.api.fn)];
    expect(fn.Properties.Environment.Variables).toMatchObject({
      STRATUS_AUTH: 'on', STRATUS_SIGNING_KEYS_SECRET: { Ref: ids.secret },
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        Environment: Match.arrayWith([
          { Name: 'STRATUS_AUTH', Value: 'on' },
          { Name: 'STRATUS_SIGNING_KEYS_SECRET', Value: { Ref: ids.secret } },
        ]),
      })],
    });
  });
});

describe('SigningKeys (auth: false)', () => {
  it('no secret, no rotation, no Secrets Manager permissions, and STRATUS_AUTH=off', () => {
    const { stack, template } = synthStack({ auth: false });
    expect(stack.signingKeys).toBeUndefined();
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    template.resourceCountIs('AWS::Lambda::Function', 3); // the API, the upload sweeper and the garbage collector
    expect(secretStatements(template, logicalId(stack.api.fn.role!))).toEqual([]);
    const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack.api.fn)];
    expect(fn.Properties.Environment.Variables.STRATUS_AUTH).toBe('off');
    expect(fn.Properties.Environment.Variables.STRATUS_SIGNING_KEYS_SECRET).toBeUndefined();
  });
});
