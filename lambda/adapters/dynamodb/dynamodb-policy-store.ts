import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ImmutabilityRule, PolicyStore, RetentionPolicy, TagMutability } from '../../ports/policy-store';
import { deleteReturning, Item, putItem, TableRef } from './items';
import { queryAll } from './query';

/**
 * Policy items (one partition: a registry has a handful of rules, and every host reads them all at once):
 *
 *   pk       sk                       holds
 *   POLICY   RETENTION#<pattern>      pattern, policyText, updatedAt
 *   POLICY   IMMUTABILITY#<pattern>   pattern, mode, exclusions, updatedAt
 */
export const POLICY_PK = 'POLICY';
const RETENTION = 'RETENTION#';
const IMMUTABILITY = 'IMMUTABILITY#';

/** PolicyStore on the registry's table; every list is one strongly consistent Query. */
export class DynamoDbPolicyStore implements PolicyStore {
  private readonly t: TableRef;

  constructor(doc: DynamoDBDocumentClient, table: string) {
    this.t = { doc, table };
  }

  async putImmutability(rule: ImmutabilityRule): Promise<void> {
    await putItem(this.t, {
      pk: POLICY_PK, sk: IMMUTABILITY + rule.pattern,
      pattern: rule.pattern, mode: rule.mode, updatedAt: rule.updatedAt,
      ...(rule.exclusions && rule.exclusions.length > 0 ? { exclusions: rule.exclusions } : {}),
    });
  }

  async deleteImmutability(pattern: string): Promise<boolean> {
    return deleteReturning(this.t, { pk: POLICY_PK, sk: IMMUTABILITY + pattern });
  }

  async listImmutability(): Promise<ImmutabilityRule[]> {
    return (await this.list(IMMUTABILITY)).map((i) => ({
      pattern: i.pattern as string,
      mode: i.mode as TagMutability,
      ...(Array.isArray(i.exclusions) ? { exclusions: i.exclusions as string[] } : {}),
      updatedAt: Number(i.updatedAt),
    }));
  }

  async putRetention(policy: RetentionPolicy): Promise<void> {
    await putItem(this.t, {
      pk: POLICY_PK, sk: RETENTION + policy.pattern,
      pattern: policy.pattern, policyText: policy.policyText, updatedAt: policy.updatedAt,
    });
  }

  async deleteRetention(pattern: string): Promise<boolean> {
    return deleteReturning(this.t, { pk: POLICY_PK, sk: RETENTION + pattern });
  }

  async listRetention(): Promise<RetentionPolicy[]> {
    return (await this.list(RETENTION)).map((i) => ({
      pattern: i.pattern as string, policyText: i.policyText as string, updatedAt: Number(i.updatedAt),
    }));
  }

  /** Every item under one prefix, in sort-key (pattern) order. */
  private async list(prefix: string): Promise<Item[]> {
    return queryAll(this.t.doc, {
      TableName: this.t.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': POLICY_PK, ':prefix': prefix },
      ConsistentRead: true,
    });
  }
}
