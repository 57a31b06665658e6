import * as path from 'node:path';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { grantRegistryAccess, registryEnvironment, RegistryStorageProps } from './registry-access';
import { ALARM_PERIOD, countAlarm } from './count-alarm';

/** The repository root: the Dockerfile there builds the Node host image (it runs `node server.js` on PORT). */
export const IMAGE_CONTEXT = path.join(__dirname, '..');

/** Port the Node host listens on in the container. */
export const CONTAINER_PORT = 5000;

/** Properties of the upload service. */
export interface UploadServiceProps extends RegistryStorageProps {
  /** Task CPU units (1024 = 1 vCPU). @default 1024 */
  readonly cpu?: number;
  /** Task memory in MiB. @default 2048 */
  readonly memoryLimitMiB?: number;
  /** Number of tasks. @default 1 */
  readonly desiredCount?: number;
  /** Retention of the tasks' logs and the VPC's flow logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** DNS name clients reach the service by over HTTPS; requires `certificate` (create the DNS record yourself). @default - plain HTTP on the load balancer's name */
  readonly domainName?: string;
  /** ACM certificate covering `domainName`. @default - none */
  readonly certificate?: acm.ICertificate;
}

/**
 * The upload service: the Node host in a container on ECS Fargate behind an Application Load Balancer,
 * taking whole-layer PATCH/PUT bodies (no size limit) and streaming them into S3 multipart uploads.
 * The Lambda API sends upload sessions here (the Location of `POST /v2/<name>/blobs/uploads/`).
 */
export class UploadService extends Construct {
  /** The Fargate service and its load balancer. */
  public readonly service: ecsPatterns.ApplicationLoadBalancedFargateService;
  /** Base URL of the service (no trailing slash): what STRATUS_UPLOAD_BASE_URL of the API is set to. */
  public readonly url: string;
  /** Alarm on 5xx answered by the tasks. */
  public readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: UploadServiceProps) {
    super(scope, id);
    if ((props.domainName === undefined) !== (props.certificate === undefined)) {
      throw new Error('UploadService: domainName and certificate must be given together');
    }
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    // Tasks run in public subnets with a public IP and no NAT gateway. A NAT gateway costs about
    // $33/month idle plus $0.045 per GB processed, and every pushed layer would cross it on its way to
    // S3. Here S3 and DynamoDB traffic takes the free gateway endpoints, ECR pulls and CloudWatch Logs
    // go out through the internet gateway, and the tasks' security group admits only the load balancer.
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', { retention });
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
      flowLogs: {
        Rejected: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.REJECT },
      },
    });
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    const taskLogs = new logs.LogGroup(this, 'TaskLogs', { retention });
    const https = props.certificate !== undefined;

    this.service = new ecsPatterns.ApplicationLoadBalancedFargateService(this, 'Service', {
      cluster,
      cpu: props.cpu ?? 1024,
      memoryLimitMiB: props.memoryLimitMiB ?? 2048,
      desiredCount: props.desiredCount ?? 1,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      assignPublicIp: true,
      taskSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      publicLoadBalancer: true,
      ...(https ? { protocol: elbv2.ApplicationProtocol.HTTPS, certificate: props.certificate, redirectHTTP: true } : {}),
      // A multi-GB layer's final PUT completes the S3 multipart upload after the last byte: allow it time.
      idleTimeout: Duration.minutes(5),
      circuitBreaker: { rollback: true },
      minHealthyPercent: 100,
      taskImageOptions: {
        image: ecs.ContainerImage.fromAsset(IMAGE_CONTEXT, {
          file: 'Dockerfile',
          platform: Platform.LINUX_ARM64,
          // .dockerignore at the root admits only what the Dockerfile copies; this keeps the asset small
          // even if that file is edited.
          exclude: ['node_modules', 'cdk.out', '.stratus', 'test', '.git', '.ci', 'local', 'bench'],
        }),
        containerPort: CONTAINER_PORT,
        // Locations this service answers are relative (no STRATUS_UPLOAD_BASE_URL), so a session stays
        // on the host the client reached.
        environment: { ...registryEnvironment(props), AWS_REGION: Stack.of(this).region, PORT: String(CONTAINER_PORT) },
        logDriver: ecs.LogDrivers.awsLogs({ logGroup: taskLogs, streamPrefix: 'upload' }),
      },
    });
    // Let in-flight layer uploads finish when a task is replaced (Fargate allows 120 s at most).
    // The pattern does not expose the container's stopTimeout: set it on the template.
    (this.service.taskDefinition.node.defaultChild as ecs.CfnTaskDefinition)
      .addPropertyOverride('ContainerDefinitions.0.StopTimeout', 120);
    this.service.targetGroup.setAttribute('deregistration_delay.timeout_seconds', '120');
    // GET /v2/ answers 200, or 401 with auth on: either way the registry is up and answering.
    this.service.targetGroup.configureHealthCheck({ path: '/v2/', healthyHttpCodes: '200,401', interval: Duration.seconds(15) });
    grantRegistryAccess(this.service.taskDefinition.taskRole, props);

    this.url = https
      ? `https://${props.domainName}`
      : `http://${this.service.loadBalancer.loadBalancerDnsName}`;

    this.acknowledgeNagFindings();

    this.alarms = [
      countAlarm(this, 'Target5xxAlarm', 'Stratus upload service answered 5xx',
        this.service.loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: ALARM_PERIOD, statistic: 'Sum' }), 5),
    ];
  }

  /**
   * Sets the realm the service announces in its challenges (STRATUS_AUTH_REALM): the API's token endpoint,
   * so clients log in where they push and pull, whatever Host header reached the load balancer.
   */
  announceAuthRealm(realm: string): void {
    this.service.taskDefinition.defaultContainer!.addEnvironment('STRATUS_AUTH_REALM', realm);
  }

  /** cdk-nag findings that are decisions, each with its reason. */
  private acknowledgeNagFindings(): void {
    const { loadBalancer, taskDefinition } = this.service;
    Validations.of(loadBalancer).acknowledge(
      {
        id: 'AwsSolutions-ELB2',
        reason: 'Each task logs one JSON line per request (method, path, status, bytes, duration, client address) to CloudWatch Logs; ALB access logs would duplicate them into another bucket.',
      },
      {
        id: 'AwsSolutions-EC23',
        reason: 'The load balancer is the public upload endpoint every registry client (docker, podman, containerd) must reach; the tasks admit traffic from the load balancer only, and each upload URL carries an unguessable, short-lived session capability.',
      },
    );
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The environment holds only non-secret configuration (bucket and table names, presigned URL lifetime, region, port, auth switch, the URL of the token endpoint, and the ARN of the signing key secret, whose value the task reads at run time); AWS credentials come from the task role.',
    });
    Validations.of(taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'CDK grants the execution role ecr:GetAuthorizationToken to pull the image; that action has no resource-level permissions (the repository pull actions are scoped to the asset repository).',
    });
  }
}
