import { Match, Template } from 'aws-cdk-lib/assertions';
import { StratusStack } from '../../lib/stratus-stack';
import { logicalId, statementsOfRole, SYNTH_TIMEOUT_MS, synthStack } from './synth';

describe('TagsByName index (tags lists)', () => {
  let stack: StratusStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = synthStack());
  }, SYNTH_TIMEOUT_MS);

  it('the table indexes tag names by repository: TagsByName, pk + tag, keys only', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: Match.arrayWith([{
        IndexName: 'TagsByName',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'tag', KeyType: 'RANGE' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      }]),
      AttributeDefinitions: Match.arrayWith([{ AttributeName: 'tag', AttributeType: 'S' }]),
    });
  });

  it('the API function may Query that index and no other (no table/index/*)', () => {
    const table = logicalId(stack.metadata.table);
    const statements = statementsOfRole(template, logicalId(stack.api.fn.role!));
    const onIndexes = statements.filter((s) => JSON.stringify(s.Resource).includes('/index/'));
    expect(onIndexes).toEqual([expect.objectContaining({
      Action: 'dynamodb:Query',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/TagsByName']] },
    })]);
  });
});
