/**
 * `npx stratus retention ...`: lifecycle policies (ECR's JSON) per repository pattern, what they would
 * expire (`preview`), and expiring it (`apply`). Preview and apply come from one plan (planRetention), and
 * print the same line for an image. The garbage collector reclaims the storage afterwards.
 */
import { readFileSync } from 'node:fs';
import { DynamoDbCatalog } from '../lambda/adapters/dynamodb/dynamodb-catalog';
import { DynamoDbGcStore } from '../lambda/adapters/dynamodb/dynamodb-gc-store';
import { DynamoDbManifestStore } from '../lambda/adapters/dynamodb/dynamodb-manifest-store';
import { DynamoDbPolicyStore } from '../lambda/adapters/dynamodb/dynamodb-policy-store';
import { isRepositoryPattern, mostSpecific } from '../lambda/core/policies/repository-pattern';
import {
  applyRetention, applySummary, LifecyclePolicyError, parseLifecyclePolicy, planLines, planRetention, previewSummary,
  repositoryLines, resultLine, RetentionDeps,
} from '../lambda/core/retention';
import type { RetentionPolicy } from '../lambda/ports/policy-store';
import type { CommandContext } from './commands';
import { CliError } from './errors';
import type { Target } from './target';
import type { TargetCommand } from './target-command';

/** `npx stratus retention ...`: usage line -> implementation. */
export const RETENTION_COMMANDS: Record<string, [string, TargetCommand]> = {
  'retention set': ['retention set <pattern> --file <policy.json>  an ECR lifecycle policy for the repositories of a pattern (team/app, team/*, *)', set],
  'retention show': ['retention show [<pattern>|<repository>] [--json]  every policy, one pattern\'s, or the one that covers a repository', show],
  'retention remove': ['retention remove <pattern>', remove],
  'retention preview': ['retention preview [<repository>] [--json]  each image the policies would expire now, and why', preview],
  'retention apply': ['retention apply [<repository>] [--json]  expire what preview shows (then npx stratus gc reclaims the storage)', apply],
};

async function set(ctx: CommandContext, target: Target): Promise<void> {
  const [pattern, ...extra] = ctx.args;
  if (!pattern || extra.length > 0 || !ctx.opts.file) throw usage('retention set');
  if (!isRepositoryPattern(pattern)) {
    throw new CliError(`invalid repository pattern "${pattern}": use a repository name (team/app), a prefix ending in /* (team/*), or * for every repository; quote it in the shell ('team/*')`, 2);
  }
  const policyText = readPolicyFile(ctx.opts.file);
  let rules;
  try {
    rules = parseLifecyclePolicy(policyText).rules;
  } catch (err) {
    if (err instanceof LifecyclePolicyError) throw new CliError(`${ctx.opts.file}: ${err.message}`, 2);
    throw err;
  }
  await stores(target).policies.putRetention({ pattern, policyText, updatedAt: Date.now() });
  const keep = rules.filter((r) => r.action.type === 'keep').length;
  ctx.out(`retention policy on ${pattern} set in ${target.description}: ${rules.length} ${rules.length === 1 ? 'rule' : 'rules'}${keep ? ` (${keep} keep)` : ''}; `
    + `see what it expires with npx stratus retention preview`);
}

async function show(ctx: CommandContext, target: Target): Promise<void> {
  const [name, ...extra] = ctx.args;
  if (extra.length > 0) throw usage('retention show');
  const policies = await stores(target).policies.listRetention();
  if (name === undefined) {
    if (ctx.opts.json) return ctx.out(JSON.stringify(policies.map(asJson), null, 2));
    if (policies.length === 0) return ctx.out(`no retention policies in ${target.description}: set one with npx stratus retention set '<pattern>' --file policy.json`);
    for (const p of policies) ctx.out(`${p.pattern}  (updated ${new Date(p.updatedAt).toISOString()})\n${indent(pretty(p.policyText))}`);
    return;
  }
  const exact = policies.find((p) => p.pattern === name);
  const covering = exact ?? (name.includes('*') ? undefined : mostSpecific(policies, name));
  if (!covering) {
    throw new CliError(`no retention policy ${name.includes('*') ? 'on' : 'covers'} "${name}": ${policies.length ? `the policies are on ${policies.map((p) => p.pattern).join(', ')}` : 'there are none'}`);
  }
  if (ctx.opts.json) return ctx.out(JSON.stringify(asJson(covering), null, 2));
  if (!exact) ctx.out(`${name}: covered by the policy on ${covering.pattern} (the most specific pattern that matches)`);
  ctx.out(pretty(covering.policyText));
}

async function remove(ctx: CommandContext, target: Target): Promise<void> {
  const [pattern, ...extra] = ctx.args;
  if (!pattern || extra.length > 0) throw usage('retention remove');
  const { policies } = stores(target);
  if (!(await policies.deleteRetention(pattern))) {
    const patterns = (await policies.listRetention()).map((p) => p.pattern);
    throw new CliError(`no retention policy on "${pattern}": ${patterns.length ? `the policies are on ${patterns.join(', ')}` : 'there are none'}`);
  }
  ctx.out(`retention policy on ${pattern} removed from ${target.description}`);
}

async function preview(ctx: CommandContext, target: Target): Promise<void> {
  const deps = stores(target);
  const repositories = await chosenRepository(ctx, deps, 'retention preview');
  const plan = await planRetention(deps, { now: Date.now(), repositories });
  if (ctx.opts.json) return ctx.out(JSON.stringify(plan, null, 2));
  if (plan.repositories.length === 0) return ctx.out(noPolicies(target));
  for (const line of planLines(plan)) ctx.out(line);
  ctx.out(previewSummary(plan));
}

async function apply(ctx: CommandContext, target: Target): Promise<void> {
  if (ctx.opts['dry-run']) return preview(ctx, target);
  const deps = stores(target);
  const repositories = await chosenRepository(ctx, deps, 'retention apply');
  const json = !!ctx.opts.json;
  const report = await applyRetention(deps, {
    now: Date.now(), dryRun: false, repositories,
    onRepository: json ? undefined : (repo) => repositoryLines(repo).forEach((l) => ctx.out(l)),
    onResult: json ? undefined : (r) => ctx.out(resultLine(r)),
  });
  if (json) ctx.out(JSON.stringify(report, null, 2));
  else if (report.plan.repositories.length === 0) ctx.out(noPolicies(target));
  else ctx.out(applySummary(report));
  const failed = report.results.filter((r) => r.outcome === 'failed').length;
  if (failed > 0) throw new CliError(`${failed} ${failed === 1 ? 'image' : 'images'} could not be expired (see the lines above); run npx stratus retention apply again`);
}

/** The one repository named on the command line (which a policy must cover), or undefined for all. */
async function chosenRepository(ctx: CommandContext, deps: Deps, command: string): Promise<string[] | undefined> {
  const [repository, ...extra] = ctx.args;
  if (extra.length > 0) throw usage(command);
  if (repository === undefined) return undefined;
  const policies = await deps.policies.listRetention();
  if (!mostSpecific(policies, repository)) {
    throw new CliError(`no retention policy covers ${repository}: set one with npx stratus retention set ${repository} --file policy.json`);
  }
  return [repository];
}

type Deps = RetentionDeps & { policies: DynamoDbPolicyStore };

function stores(target: Target): Deps {
  return {
    policies: new DynamoDbPolicyStore(target.doc, target.table),
    gc: new DynamoDbGcStore(target.doc, target.table),
    manifests: new DynamoDbManifestStore(target.doc, target.table),
    catalog: new DynamoDbCatalog(target.doc, target.table),
  };
}

function readPolicyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read --file ${file}: ${(err as Error).message}`, 2);
  }
}

function noPolicies(target: Target): string {
  return `no retention policy covers a repository in ${target.description}: nothing to expire (npx stratus retention show lists the policies)`;
}

function asJson(p: RetentionPolicy): object {
  return { pattern: p.pattern, policy: JSON.parse(p.policyText), updatedAt: new Date(p.updatedAt).toISOString() };
}

function pretty(policyText: string): string {
  return JSON.stringify(JSON.parse(policyText), null, 2);
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n');
}

function usage(command: string): CliError {
  const line = RETENTION_COMMANDS[command][0].replace(/ {2,}.*/, '');
  return new CliError(`usage: npx stratus ${line}`, 2);
}
