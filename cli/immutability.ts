/**
 * `npx stratus immutability ...`: tag-immutability rules per repository pattern (README "Immutable tags").
 * Registries read the rules through a cache of POLICY_CACHE_MS, so a change applies on every host within it.
 */
import { DynamoDbPolicyStore } from '../lambda/adapters/dynamodb/dynamodb-policy-store';
import {
  describeRule, explainRule, immutabilityRuleFor, InvalidPolicyError, TAG_MUTABILITY_MODES, validateImmutabilityRule,
} from '../lambda/core/policies/immutability';
import { POLICY_CACHE_MS } from '../lambda/core/policies/rule-cache';
import type { ImmutabilityRule, TagMutability } from '../lambda/ports/policy-store';
import type { CommandContext } from './commands';
import { CliError } from './errors';
import type { Target } from './target';
import type { TargetCommand } from './target-command';

/** `npx stratus immutability ...`: usage line -> implementation. */
export const IMMUTABILITY_COMMANDS: Record<string, [string, TargetCommand]> = {
  'immutability set': [`immutability set <pattern> <mode> [--exclude <filter> ...]  mode: ${TAG_MUTABILITY_MODES.join(' | ')}; filters like 'dev-*'`, set],
  'immutability show': ['immutability show [<repository>] [--json]  every rule, or the rule that applies to a repository', show],
  'immutability remove': ['immutability remove <pattern>', remove],
};

const applies = `registries apply the change within ${POLICY_CACHE_MS / 1000} s`;

async function set(ctx: CommandContext, target: Target): Promise<void> {
  const [pattern, modeText, ...extra] = ctx.args;
  if (!pattern || !modeText || extra.length > 0) throw usage('immutability set');
  const mode = modeText.toUpperCase() as TagMutability;
  const rule: ImmutabilityRule = { pattern, mode, updatedAt: Date.now() };
  if (ctx.opts.exclude?.length) rule.exclusions = [...new Set(ctx.opts.exclude)];
  try {
    validateImmutabilityRule(rule);
  } catch (err) {
    if (err instanceof InvalidPolicyError) throw new CliError(err.message, 2);
    throw err;
  }
  await store(target).putImmutability(rule);
  ctx.out(`immutability rule ${describeRule(rule)} set in ${target.description}: ${explainRule(rule)}; ${applies}`);
}

async function show(ctx: CommandContext, target: Target): Promise<void> {
  const [repository, ...extra] = ctx.args;
  if (extra.length > 0) throw usage('immutability show');
  const rules = await store(target).listImmutability();
  if (repository !== undefined) {
    const rule = immutabilityRuleFor(rules, repository);
    if (ctx.opts.json) return ctx.out(JSON.stringify({ repository, rule: rule ?? null, meaning: explainRule(rule) }, null, 2));
    return ctx.out(`${repository}: ${rule ? `rule ${describeRule(rule)}: ` : ''}${explainRule(rule)}`);
  }
  if (ctx.opts.json) return ctx.out(JSON.stringify(rules, null, 2));
  if (rules.length === 0) {
    return ctx.out(`no immutability rules in ${target.description}: every tag is mutable; add one with npx stratus immutability set '<pattern>' IMMUTABLE`);
  }
  for (const rule of rules) ctx.out(`${describeRule(rule)}  ${explainRule(rule)}`);
}

async function remove(ctx: CommandContext, target: Target): Promise<void> {
  const [pattern, ...extra] = ctx.args;
  if (!pattern || extra.length > 0) throw usage('immutability remove');
  const policies = store(target);
  if (!(await policies.deleteImmutability(pattern))) {
    const patterns = (await policies.listImmutability()).map((r) => r.pattern);
    throw new CliError(`no immutability rule on "${pattern}": ${patterns.length ? `the rules are on ${patterns.join(', ')}` : 'there are none'}`);
  }
  ctx.out(`immutability rule on ${pattern} removed; ${applies}`);
}

function store(target: Target): DynamoDbPolicyStore {
  return new DynamoDbPolicyStore(target.doc, target.table);
}

function usage(command: string): CliError {
  const line = IMMUTABILITY_COMMANDS[command][0].replace(/ {2,}.*/, '');
  return new CliError(`usage: npx stratus ${line}`, 2);
}
