import type { Template } from 'aws-cdk-lib/assertions';
import type { StratusStack } from '../../lib/stratus-stack';
import { logicalId, synthStack } from './synth';

/** A template value as text: `Ref`s and `Fn::GetAtt`s become ${...}, `Fn::Join`s are joined. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Ref' in v) return `\${${String(v.Ref)}}`;
  if ('Fn::GetAtt' in v) return `\${${(v['Fn::GetAtt'] as string[]).join('.')}}`;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(text).join(sep);
  }
  throw new Error(`unexpected template value ${JSON.stringify(value)}`);
}

/** STRATUS_AUTH_REALM of the API function and of the upload service's container (undefined when unset). */
function realms({ stack, template }: { stack: StratusStack; template: Template }): { fn?: string; task?: string } {
  const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack.api.fn)];
  const fnRealm = fn.Properties.Environment.Variables.STRATUS_AUTH_REALM;
  const task = Object.values(template.findResources('AWS::ECS::TaskDefinition'))[0];
  const env = (task?.Properties.ContainerDefinitions[0].Environment ?? []) as Array<{ Name: string; Value: unknown }>;
  const taskRealm = env.find((e) => e.Name === 'STRATUS_AUTH_REALM')?.Value;
  return { fn: fnRealm === undefined ? undefined : text(fnRealm), task: taskRealm === undefined ? undefined : text(taskRealm) };
}

describe('the realm announced in challenges (STRATUS_AUTH_REALM), never taken from a Host header in AWS', () => {
  it('default stack: the API\'s execute-api URL + /token, on the function and on the upload service', () => {
    const synth = synthStack();
    const api = logicalId(synth.stack.api.httpApi);
    const expected = `\${${api}.ApiEndpoint}/token`; // the HTTP API's https://<id>.execute-api.<region>.amazonaws.com
    expect(realms(synth)).toEqual({ fn: expected, task: expected });
  });

  it('custom domain: https://<domain>/token on both, though the upload service has a name of its own', () => {
    const synth = synthStack({
      domainName: 'registry.example.com',
      uploadDomainName: 'uploads.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    });
    expect(realms(synth)).toEqual({ fn: 'https://registry.example.com/token', task: 'https://registry.example.com/token' });
  });

  it('auth off: no realm anywhere', () => {
    expect(realms(synthStack({ auth: false }))).toEqual({ fn: undefined, task: undefined });
  });
});
