import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { StratusStackProps } from '../../lib/stratus-stack';
import { synthStack } from './synth';

/** Every cdk-nag acknowledgement (suppression) recorded in a construct tree (metadata: { 'Annotation::<rule>': reason }). */
function nagAcknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((c) => c.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.entries(m.data as Record<string, string>))
    .filter(([id]) => id.includes('AwsSolutions-'))
    .map(([id, reason]) => ({ path: c.node.path, id: id.replace(/^Annotation::/, ''), reason })));
}

const variants: Array<[string, StratusStackProps]> = [
  ['default (Lambda API + upload service)', {}],
  ['Lambda-only with a custom domain', { uploadService: false, domainName: 'registry.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' }],
  ['upload service over HTTPS', { uploadDomainName: 'uploads.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' }],
  ['auth off', { auth: false }],
];

describe.each(variants)('cdk-nag AwsSolutions on the %s stack', (_name, props) => {
  it('reports no unacknowledged finding', () => {
    const { app, stack } = synthStack(props);
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    const findings = report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledgement names one rule and carries a specific reason', () => {
    const { stack } = synthStack(props);
    const acks = nagAcknowledgements(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id).toMatch(/^AwsSolutions-[A-Z0-9]+(\[.+\])?$/);
      expect(ack.reason.length).toBeGreaterThan(60);
    }
  });
});
