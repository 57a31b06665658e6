/**
 * A retention policy as Stratus runs it: ECR's lifecycle-policy JSON (parsed and checked by
 * parse-policy.ts), plus one extension, the keep rule (`"action": {"type": "keep"}` with countType
 * `sinceImagePulled`): images it selects that were pulled within countNumber days are kept, and no rule of a
 * higher rulePriority number may expire them.
 */

/** Which images a rule looks at: those with a tag (filtered by prefix or pattern), without, or all. */
export type TagStatus = 'tagged' | 'untagged' | 'any';

/** How a rule decides: beyond the N newest, pushed more than N days ago, or last pulled more than N days ago. */
export type CountType = 'imageCountMoreThan' | 'sinceImagePushed' | 'sinceImagePulled';

/** What a rule does with the images it decides on. */
export type RuleAction = 'expire' | 'keep';

export interface RuleSelection {
  tagStatus: TagStatus;
  /** Tagged rules: every prefix must start one of the image's tags. */
  tagPrefixList?: string[];
  /** Tagged rules: every pattern (`*` = any run of characters) must match one of the image's tags whole. */
  tagPatternList?: string[];
  countType: CountType;
  /** Only with the since* count types, and only 'days'. */
  countUnit?: 'days';
  countNumber: number;
}

export interface RetentionRule {
  rulePriority: number;
  description?: string;
  selection: RuleSelection;
  action: { type: RuleAction };
}

/** A checked policy; rules in evaluation order (lowest rulePriority first). */
export interface LifecyclePolicy {
  rules: RetentionRule[];
}

/** A day, in milliseconds. */
export const DAY_MS = 86_400_000;
