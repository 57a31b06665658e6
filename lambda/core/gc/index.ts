/** The garbage collector: collectGarbage and its types (see README "Storage lifecycle"). */
export { collectGarbage } from './collector';
export type { GcDeps, GcOptions, GcPauses, GcProgress, GcReport, PlannedDeletion } from './types';
export { assessRepository } from './liveness';
export type { RepositoryLiveness, Verdict } from './liveness';
