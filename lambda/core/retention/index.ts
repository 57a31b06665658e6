/**
 * Retention policies (README "Retention policies"): ECR lifecycle-policy JSON per repository pattern,
 * evaluated into a plan that `retention preview` prints and `retention apply` (or the scheduled run) carries out.
 */
export { applyRetention } from './apply';
export type { ApplyOptions, ExpiryOutcome, ExpiryResult, RetentionReport } from './apply';
export { evaluateRetention, describeSelection } from './evaluate';
export type { Evaluation, ImageDecision, RuleRef } from './evaluate';
export { imagesOf } from './images';
export type { Image } from './images';
export { LifecyclePolicyError, parseLifecyclePolicy } from './parse-policy';
export { planRetention } from './plan';
export type { RepositoryPlan, RetentionDeps, RetentionPlan } from './plan';
export type { LifecyclePolicy, RetentionRule } from './policy';
export { applySummary, decisionLine, planLines, previewSummary, repositoryLines, resultLine } from './report';
