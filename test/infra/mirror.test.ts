/**
 * The registry mirror in the stack: the rules live in the table, so what CDK adds is read access to the
 * Secrets Manager secrets that hold upstream credentials (exactly those, for both hosts) and the network
 * path to the upstreams.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { StratusStack } from '../../lib/stratus-stack';
import { actionsOf, logicalId, statementsOfRole, synthStack } from './synth';

const GHCR = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:stratus/ghcr-AbCdEf';
const QUAY = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:stratus/quay-GhIjKl';

/** Resources a role may GetSecretValue on, beside the signing key secret. */
function mirrorSecretsOf(template: Template, roleId: string): unknown[] {
  return statementsOfRole(template, roleId)
    .filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))
    .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
    .filter((r) => typeof r === 'string');
}

const roles: Array<[string, (s: StratusStack) => string]> = [
  ['registry API function', (s) => logicalId(s.api.fn.role!)],
  ['upload service task', (s) => logicalId(s.uploads!.service.taskDefinition.taskRole)],
];

/** Synths are the slow part: one stack with mirror secrets and one without, shared by the tests that only read them. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
const withSecrets = once(() => synthStack({ mirrorCredentialSecretArns: [GHCR, QUAY, GHCR] }));
const plain = once(() => synthStack());

describe('mirrorCredentialSecretArns', () => {
  it.each(roles)('%s: GetSecretValue on exactly the listed secrets, and only that action on them', (_name, roleOf) => {
    const { stack, template } = withSecrets();

    const statements = statementsOfRole(template, roleOf(stack)).filter((s) => JSON.stringify(s.Resource).includes(':secret:stratus/'));

    expect(mirrorSecretsOf(template, roleOf(stack)).sort()).toEqual([GHCR, QUAY]);
    expect(statements.flatMap(actionsOf)).toEqual(['secretsmanager:GetSecretValue']);
  });

  it.each(roles)('%s: none by default (the mirror then asks upstreams anonymously)', (_name, roleOf) => {
    const { stack, template } = plain();

    expect(mirrorSecretsOf(template, roleOf(stack))).toEqual([]);
  });

  it('cdk-nag AwsSolutions: no finding with mirror secrets (each grant names one secret, no wildcard)', () => {
    const { app, stack } = withSecrets();

    const report = new AwsSolutionsChecks(app).validateScope(stack);

    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });

  it.each([
    ['a wildcard', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:*'],
    ['a secret name', 'stratus/ghcr'],
    ['another service', 'arn:aws:ssm:us-east-1:123456789012:parameter/ghcr'],
  ])('%s is refused at synth, naming the value', (_name, arn) => {
    expect(() => synthStack({ mirrorCredentialSecretArns: [arn] })).toThrow(`mirrorCredentialSecretArns: ${arn} is not a Secrets Manager secret ARN`);
  });
});

describe('network to the upstreams', () => {
  it('the API function runs outside a VPC (AWS\'s network reaches the internet)', () => {
    const { stack, template } = plain();

    const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack.api.fn)];

    expect(fn.Properties.VpcConfig).toBeUndefined();
  });

  it('upload service tasks have a public IP and may open outbound connections (HTTPS to upstreams through the internet gateway)', () => {
    const { stack, template } = plain();
    const serviceId = logicalId(stack.uploads!.service.service);
    const service = template.findResources('AWS::ECS::Service')[serviceId];
    const taskGroups = service.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups as Array<{ 'Fn::GetAtt': [string, string] }>;

    expect(service.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('ENABLED');
    const groups = template.findResources('AWS::EC2::SecurityGroup');
    for (const ref of taskGroups) {
      expect(groups[ref['Fn::GetAtt'][0]].Properties.SecurityGroupEgress).toEqual(
        expect.arrayContaining([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })]),
      );
    }
    template.resourceCountIs('AWS::EC2::InternetGateway', 1);
  });
});
