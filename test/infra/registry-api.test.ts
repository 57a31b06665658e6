import { Match, Template } from 'aws-cdk-lib/assertions';
import { StratusStack } from '../../lib/stratus-stack';
import { actionsOf, logicalId, statementsOfRole, SYNTH_TIMEOUT_MS, synthStack } from './synth';

describe('RegistryApi (default stack, Lambda bundled with esbuild)', () => {
  let stack: StratusStack;
  let template: Template;
  let ids: { bucket: string; table: string; role: string; fn: string };
  beforeAll(() => {
    ({ stack, template } = synthStack({}, { bundle: true }));
    ids = {
      bucket: logicalId(stack.blobs.bucket),
      table: logicalId(stack.metadata.table),
      role: logicalId(stack.api.fn.role!),
      fn: logicalId(stack.api.fn),
    };
  }, SYNTH_TIMEOUT_MS);

  it('function runs the bundled handler on Node.js 22, arm64, 1024 MB, 29 s', () => {
    template.resourceCountIs('AWS::Lambda::Function', 4); // the API, the signing key rotation, the upload sweeper and the garbage collector
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 29,
    });
  });

  it('function environment names the bucket, table, presign TTL and the upload service', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          STRATUS_BUCKET: { Ref: ids.bucket },
          STRATUS_TABLE: { Ref: ids.table },
          STRATUS_PRESIGN_TTL_SECONDS: '900',
          STRATUS_UPLOAD_BASE_URL: {
            'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [logicalId(stack.uploads!.service.loadBalancer), 'DNSName'] }]],
          },
        }),
      },
    });
  });

  it('function logs to its own log group kept one month', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.anyValue() } },
    });
    const fn = template.findResources('AWS::Lambda::Function')[ids.fn];
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
    expect(template.findResources('AWS::Logs::LogGroup')[logGroupId].Properties.RetentionInDays).toBe(30);
  });

  it('every log group has a retention', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThanOrEqual(4); // function, API access, upload tasks, VPC flow logs
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(30);
  });

  it('HTTP API sends every request ($default route) to the function with payload format 2.0', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [ids.fn, 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [ids.fn, 'Arn'] },
    });
  });

  it('$default stage deploys automatically and writes JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] }, Format: Match.stringLikeRegexp('\\$context\\.requestId') },
    });
  });

  it('function role: the four object actions on bucket/*, ListBucket on the bucket, read/write data on the table', () => {
    const statements = statementsOfRole(template, ids.role);
    expect(statements).toContainEqual(expect.objectContaining({
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, '/*']] },
    }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [ids.bucket, 'Arn'] } }));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem']),
      Resource: { 'Fn::GetAtt': [ids.table, 'Arn'] },
    }));
  });

  it('no IAM statement grants S3 or DynamoDB actions on "*" or with action wildcards like s3:*', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const storage = statements.filter((s: Record<string, unknown>) => actionsOf(s).some((a) => /^(s3|dynamodb):/.test(a)));
    expect(storage.length).toBeGreaterThan(0);
    for (const statement of storage) {
      const resources = [statement.Resource].flat();
      expect(resources).not.toContain('*');
      for (const resource of resources) expect(JSON.stringify(resource)).toMatch(new RegExp(`${ids.bucket}|${ids.table}`));
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/\*/);
    }
  });

  it('function uses its own role with no managed policy (log writes scoped to its log group)', () => {
    const role = template.findResources('AWS::IAM::Role')[ids.role];
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(statementsOfRole(template, ids.role)).toContainEqual(expect.objectContaining({
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
    }));
  });

  it('alarms on API 5xx, function errors and function throttles', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Statistic: 'Sum' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.fn } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.fn } }],
    });
  });

  it('outputs the API URL and the upload service URL', () => {
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
    template.hasOutput('UploadServiceUrl', { Value: Match.anyValue() });
  });
});

describe('StratusStack props', () => {
  it('custom domain: DomainName with the certificate and an ApiMapping to the $default stage; memory and presign TTL', () => {
    const { template } = synthStack({
      domainName: 'registry.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
      lambdaMemorySize: 2048,
      presignTtlSeconds: 300,
      uploadService: false,
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'registry.example.com',
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' })],
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', { Stage: Match.anyValue(), ApiId: Match.anyValue() });
    template.hasOutput('ApiUrl', { Value: 'https://registry.example.com' });
    template.hasOutput('ApiDomainTarget', { Value: Match.anyValue() });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 2048,
      Environment: { Variables: Match.objectLike({ STRATUS_PRESIGN_TTL_SECONDS: '300' }) },
    });
  });

  it('a domain name without a certificate is refused', () => {
    expect(() => synthStack({ domainName: 'registry.example.com', uploadService: false })).toThrow(/certificate/);
  });
});
