import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { StratusStack } from '../../lib/stratus-stack';
import { actionsOf, logicalId, statementsOfRole, synthStack } from './synth';

describe('UploadService (default stack)', () => {
  let app: App;
  let stack: StratusStack;
  let template: Template;
  beforeAll(() => ({ app, stack, template } = synthStack()));

  it('Fargate service on arm64, 1 vCPU / 2 GiB, one task, public IP, rollback on failed deployments', () => {
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '1024',
      Memory: '2048',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      LaunchType: 'FARGATE',
      DesiredCount: 1,
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'ENABLED' }) },
      DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
    });
  });

  it('container listens on 5000 with the registry environment, logs kept, 120 s to finish uploads on stop', () => {
    const ids = { bucket: logicalId(stack.blobs.bucket), table: logicalId(stack.metadata.table) };
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        PortMappings: [Match.objectLike({ ContainerPort: 5000 })],
        Environment: Match.arrayWith([
          { Name: 'STRATUS_BUCKET', Value: { Ref: ids.bucket } },
          { Name: 'STRATUS_TABLE', Value: { Ref: ids.table } },
          { Name: 'STRATUS_PRESIGN_TTL_SECONDS', Value: '900' },
          { Name: 'AWS_REGION', Value: Match.anyValue() },
          { Name: 'PORT', Value: '5000' },
        ]),
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
        StopTimeout: 120,
      })],
    });
  });

  it('image is the repository Dockerfile built for linux/arm64, from a context without node_modules, cdk.out or tests', () => {
    const assembly = app.synth();
    const manifest = assembly.artifacts.find((a): a is cxapi.AssetManifestArtifact => a instanceof cxapi.AssetManifestArtifact)!;
    const images = Object.values(manifest.contents.dockerImages ?? {});
    expect(images).toHaveLength(1);
    expect(images[0].source).toEqual(expect.objectContaining({ dockerFile: 'Dockerfile', platform: 'linux/arm64' }));
    const context = join(assembly.directory, images[0].source.directory!);
    expect(existsSync(join(context, 'Dockerfile'))).toBe(true);
    expect(existsSync(join(context, 'lambda', 'hosts', 'node', 'main.ts'))).toBe(true);
    for (const excluded of ['node_modules', 'cdk.out', '.stratus', 'test']) expect(existsSync(join(context, excluded))).toBe(false);
  });

  it('load balancer is public, keeps idle connections 5 minutes, and health-checks GET /v2/ for 200 or 401 (auth on)', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: '300' }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: 80,
      HealthCheckPath: '/v2/',
      Matcher: { HttpCode: '200,401' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '120' }]),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
  });

  it('own VPC: two public subnets, no NAT gateway, S3 and DynamoDB gateway endpoints, rejected-traffic flow logs', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('\\.s3$')])]) }) });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('\\.dynamodb$')])]) }) });
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT', LogDestinationType: 'cloud-watch-logs' });
  });

  it('task role: the same least-privilege storage grants as the function', () => {
    const role = logicalId(stack.uploads!.service.taskDefinition.taskRole);
    const bucket = logicalId(stack.blobs.bucket);
    const statements = statementsOfRole(template, role);
    expect(statements).toContainEqual(expect.objectContaining({
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/*']] },
    }));
    expect(statements).toContainEqual(expect.objectContaining({ Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [bucket, 'Arn'] } }));
    expect(statements).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['dynamodb:PutItem']),
      Resource: { 'Fn::GetAtt': [logicalId(stack.metadata.table), 'Arn'] },
    }));
    for (const statement of statements) expect(actionsOf(statement).join()).not.toMatch(/\*/);
  });

  it('alarms on 5xx answered by the tasks', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count' });
  });
});

describe('UploadService props', () => {
  it('uploadService=false: no ECS, VPC or load balancer, and the function gets no STRATUS_UPLOAD_BASE_URL', () => {
    const { template } = synthStack({ uploadService: false });
    for (const type of ['AWS::ECS::Cluster', 'AWS::ECS::Service', 'AWS::ECS::TaskDefinition', 'AWS::EC2::VPC', 'AWS::ElasticLoadBalancingV2::LoadBalancer']) {
      template.resourceCountIs(type, 0);
    }
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
    expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain('STRATUS_UPLOAD_BASE_URL');
    expect(Object.keys(template.findOutputs('*'))).not.toContain('UploadServiceUrl');
    template.hasOutput('ApiUrl', { Value: Match.anyValue() });
  });

  it('uploadDomainName: HTTPS listener with the certificate, HTTP redirected, the function sends sessions to https://name', () => {
    const { template } = synthStack({
      uploadDomainName: 'uploads.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'redirect' })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STRATUS_UPLOAD_BASE_URL: 'https://uploads.example.com' }) },
    });
    template.hasOutput('UploadServiceUrl', { Value: 'https://uploads.example.com' });
  });
});
