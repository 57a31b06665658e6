import { existsSync } from 'node:fs';
import { App, CfnElement } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import { LAMBDA_ENTRY } from '../../lib/registry-api';
import { StratusStack, StratusStackProps } from '../../lib/stratus-stack';

/** Slow synths bundle the Lambda with esbuild; allow them time. */
export const SYNTH_TIMEOUT_MS = 60_000;

/** A fresh StratusStack and its template. `bundle: false` skips esbuild (the template is the same but for the asset hash). */
export function synthStack(props: StratusStackProps = {}, opts: { bundle?: boolean } = {}) {
  if (!existsSync(LAMBDA_ENTRY)) throw new Error(`Lambda entry point missing: ${LAMBDA_ENTRY}`);
  const app = new App({ context: opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
  const stack = new StratusStack(app, 'Test', props);
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical id the stack gives a construct's CloudFormation resource (never hard-coded in tests). */
export function logicalId(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return element.stack.resolve(element.logicalId) as string;
}

/** Every IAM statement of the policies attached to a role. */
export function statementsOfRole(template: Template, roleLogicalId: string): Array<Record<string, unknown>> {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => JSON.stringify(p.Properties.Roles ?? []).includes(`"${roleLogicalId}"`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** Actions of a statement as a list. */
export function actionsOf(statement: Record<string, unknown>): string[] {
  const action = statement.Action as string | string[];
  return Array.isArray(action) ? action : [action];
}
