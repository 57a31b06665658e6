import { LifecyclePolicyError, parseLifecyclePolicy } from '../../../../lambda/core/retention/parse-policy';

/** The problems a policy text is refused for (fails the test when it is accepted). */
function problemsOf(policy: unknown): string[] {
  try {
    parseLifecyclePolicy(typeof policy === 'string' ? policy : JSON.stringify(policy));
  } catch (err) {
    if (err instanceof LifecyclePolicyError) return err.problems;
    throw err;
  }
  throw new Error('the policy was accepted');
}

const expireUntagged = { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } };

describe('parseLifecyclePolicy: policies as written for ECR', () => {
  it("accepts ECR's documented examples unchanged and sorts the rules by priority", () => {
    // Prepare: the shapes of ECR's examples (age, count, prefix and pattern lists, any last), out of order
    const text = JSON.stringify({
      rules: [
        { rulePriority: 3, description: 'Rule 3', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
        { rulePriority: 1, description: 'Expire images older than 14 days', selection: { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } },
        { rulePriority: 2, selection: { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } },
      ],
    });
    // Act
    const policy = parseLifecyclePolicy(text);
    // Assess
    expect(policy.rules.map((r) => r.rulePriority)).toEqual([1, 2, 3]);
    expect(policy.rules[0]).toEqual({
      rulePriority: 1, description: 'Expire images older than 14 days',
      selection: { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' },
    });
  });

  it('accepts sinceImagePulled, storageClass "standard", and the keep rule (Stratus extension)', () => {
    const policy = parseLifecyclePolicy(JSON.stringify({
      rules: [
        { rulePriority: 1, selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 }, action: { type: 'keep' } },
        { rulePriority: 2, selection: { tagStatus: 'any', storageClass: 'standard', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 90 }, action: { type: 'expire' } },
      ],
    }));
    expect(policy.rules.map((r) => r.action.type)).toEqual(['keep', 'expire']);
  });

  it('refuses text that is not JSON, and a document without a rules list, saying what to write', () => {
    expect(problemsOf('{"rules": [')[0]).toMatch(/^not JSON .*write \{"rules": \[ \.\.\. \]\}/);
    expect(problemsOf({ rule: [] })[0]).toMatch(/must be an object with a "rules" list/);
    expect(problemsOf({ rules: [] })).toEqual(['rules: the list is empty; give at least one rule']);
  });

  it('refuses two rules with one priority, naming both', () => {
    expect(problemsOf({ rules: [expireUntagged, { ...expireUntagged, selection: { ...expireUntagged.selection, tagStatus: 'any' } }] }))
      .toContain('rules[1].rulePriority: 1 is also the priority of rules[0]; give each rule its own number');
  });

  it('refuses an "any" expire rule that is not evaluated last', () => {
    const any = { rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } };
    expect(problemsOf({ rules: [any, { ...expireUntagged, rulePriority: 2 }] }))
      .toEqual(['rules[0].rulePriority: an expire rule with "tagStatus": "any" must have the highest rulePriority (it is evaluated last); give it more than 2']);
  });

  it('refuses a tagged rule without a prefix or pattern list, and lists on untagged or any rules', () => {
    const tagged = { rulePriority: 1, selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } };
    expect(problemsOf({ rules: [tagged] })).toEqual([
      'rules[0].selection: a "tagged" rule needs "tagPrefixList" or "tagPatternList", e.g. "tagPatternList": ["ci-*"]; for every image use "tagStatus": "any"',
    ]);
    expect(problemsOf({ rules: [{ ...expireUntagged, selection: { ...expireUntagged.selection, tagPrefixList: ['v'] } }] }))
      .toEqual(['rules[0].selection: "tagPrefixList" and "tagPatternList" go only with "tagStatus": "tagged"; remove them or write "tagged"']);
  });

  it('refuses more than four wildcards in a pattern and characters a tag cannot have', () => {
    const rule = (list: string[]) => ({ rulePriority: 1, selection: { tagStatus: 'tagged', tagPatternList: list, countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } });
    expect(problemsOf({ rules: [rule(['*test*1*2*3', 'test*1*2*3*4*5*6'])] }))
      .toEqual(['rules[0].selection.tagPatternList[1]: "test*1*2*3*4*5*6" has 6 wildcards; at most 4 (ECR\'s limit)']);
    expect(problemsOf({ rules: [rule(['v1/2'])] })[0]).toMatch(/^rules\[0\]\.selection\.tagPatternList\[0\]: "v1\/2" is not a tag pattern/);
  });

  it('refuses countUnit with imageCountMoreThan, and a since* count type without "days"', () => {
    const count = { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countUnit: 'days', countNumber: 3 }, action: { type: 'expire' } };
    expect(problemsOf({ rules: [count] })).toEqual(['rules[0].selection.countUnit: goes only with "sinceImagePushed" or "sinceImagePulled"; remove it (imageCountMoreThan counts images)']);
    const hours = { ...expireUntagged, selection: { ...expireUntagged.selection, countUnit: 'hours' } };
    expect(problemsOf({ rules: [hours] })).toEqual(['rules[0].selection.countUnit: "hours" is not a unit; write "countUnit": "days"']);
    const none = { ...expireUntagged, selection: { tagStatus: 'untagged', countType: 'sinceImagePulled', countNumber: 3 } };
    expect(problemsOf({ rules: [none] })).toEqual(['rules[0].selection.countUnit: missing; write "countUnit": "days"']);
  });

  it("refuses ECR's archive features and unknown fields, naming the field", () => {
    const transition = { ...expireUntagged, action: { type: 'transition', targetStorageClass: 'archive' } };
    expect(problemsOf({ rules: [transition] })).toEqual(['rules[0].action.type: "transition" (ECR\'s archive storage class) is not supported: Stratus has one storage class; use "expire"']);
    const typo = { ...expireUntagged, selection: { ...expireUntagged.selection, countNumbr: 3 } };
    expect(problemsOf({ rules: [typo] })[0]).toBe('rules[0].selection.countNumbr: unknown field; the known ones here are tagStatus, tagPrefixList, tagPatternList, countType, countUnit, countNumber, storageClass');
  });

  it('refuses a keep rule that does not count days since the last pull', () => {
    const keep = { rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 3 }, action: { type: 'keep' } };
    expect(problemsOf({ rules: [keep] })).toEqual(['rules[0].selection.countType: a keep rule keeps what was pulled recently; write "countType": "sinceImagePulled" with "countUnit": "days"']);
  });

  it('reports every problem of every rule at once, each with its place', () => {
    const problems = problemsOf({ rules: [
      { rulePriority: 0, selection: { tagStatus: 'all', countType: 'imageCountMoreThan', countNumber: -1 }, action: { type: 'expire' } },
      { rulePriority: 2, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1.5 } },
    ] });
    expect(problems).toEqual([
      'rules[0].rulePriority: 0 is not a whole number from 1; give each rule its own, e.g. "rulePriority": 1',
      'rules[0].selection.tagStatus: "all" is not one of "tagged", "untagged", "any"',
      'rules[0].selection.countNumber: -1 is not a whole number from 1',
      'rules[1].action: missing; write "action": {"type": "expire"} (or "keep", see the README\'s Retention policies)',
      'rules[1].selection.countNumber: 1.5 is not a whole number from 1',
    ]);
  });
});
