/**
 * Per-repository-pattern policies: retention (ECR lifecycle-policy JSON) and tag immutability (DynamoDB in
 * production). Patterns are grant patterns (`*`, `team/*`, an exact name; see auth/grants.ts). Methods throw
 * only on backend faults.
 */

/** ECR's tag mutability modes. */
export type TagMutability = 'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION';

export interface ImmutabilityRule {
  /** Repository pattern the rule covers. */
  pattern: string;
  mode: TagMutability;
  /** Tag filters (ECR: `wildcard` patterns) that the mode does not apply to. */
  exclusions?: string[];
  updatedAt: number;
}

export interface RetentionPolicy {
  pattern: string;
  /** The lifecycle policy text as the user wrote it (validated before it is stored). */
  policyText: string;
  updatedAt: number;
}

export interface PolicyStore {
  putImmutability(rule: ImmutabilityRule): Promise<void>;
  /** False when there was none. */
  deleteImmutability(pattern: string): Promise<boolean>;
  listImmutability(): Promise<ImmutabilityRule[]>;
  putRetention(policy: RetentionPolicy): Promise<void>;
  deleteRetention(pattern: string): Promise<boolean>;
  listRetention(): Promise<RetentionPolicy[]>;
}
