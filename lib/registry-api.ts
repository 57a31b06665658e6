import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { grantRegistryAccess, registryEnvironment, RegistryStorageProps } from './registry-access';
import { stratusFunction } from './stratus-function';
import { ALARM_PERIOD, countAlarm } from './count-alarm';

/** The Lambda entry point (another team's file; exports `handler`). */
export const LAMBDA_ENTRY = path.join(__dirname, '..', 'lambda', 'hosts', 'lambda', 'handler.ts');

/** Properties of the registry API. */
export interface RegistryApiProps extends RegistryStorageProps {
  /** Memory of the function in MiB (CPU scales with it). @default 1024 */
  readonly memorySize?: number;
  /** Retention of the function's and the API's logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Base URL of the upload service that upload sessions are sent to (no trailing slash). @default - none: uploads stay on the Lambda (chunked) */
  readonly uploadBaseUrl?: string;
  /** Custom domain of the API; requires `certificate`. @default - the execute-api endpoint only */
  readonly domainName?: string;
  /** ACM certificate (same region) covering `domainName`. @default - none */
  readonly certificate?: acm.ICertificate;
}

/**
 * The registry API: the Lambda host behind an API Gateway HTTP API ($default route, payload 2.0), with
 * access logs, an optional custom domain, least-privilege storage access and alarms on 5xx, errors and throttles.
 */
export class RegistryApi extends Construct {
  /** The function running lambda/hosts/lambda/handler.ts. */
  public readonly fn: nodejs.NodejsFunction;
  /** The HTTP API in front of it. */
  public readonly httpApi: apigwv2.HttpApi;
  /** The API's `$default` stage (access-logged). */
  public readonly stage: apigwv2.HttpStage;
  /** The custom domain, when one was given (point DNS at its regionalDomainName). */
  public readonly domain?: apigwv2.DomainName;
  /** The registry's base URL: https://domainName when given, else the execute-api URL (no trailing slash). */
  public readonly url: string;
  /** The token endpoint's URL announced in challenges (`<url>/token`); undefined when auth is off. */
  public readonly authRealm?: string;
  /** Alarms: API 5xx, function errors, function throttles. */
  public readonly alarms: cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: RegistryApiProps) {
    super(scope, id);
    if ((props.domainName === undefined) !== (props.certificate === undefined)) {
      throw new Error('RegistryApi: domainName and certificate must be given together');
    }
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.fn = stratusFunction(this, {
      ids: { fn: 'Function', logs: 'FunctionLogs', role: 'FunctionRole' },
      entry: LAMBDA_ENTRY,
      memorySize: props.memorySize ?? 1024,
      // API Gateway gives an integration 30 s at most; stop first so the client gets our answer, not a 503.
      timeout: Duration.seconds(29),
      environment: registryEnvironment(props, props.uploadBaseUrl),
      logRetention: retention,
      // The web UI is served by this function at / and /ui/ (the $default route sends every path here).
      webUi: true,
    });
    grantRegistryAccess(this.fn, props);

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'Stratus OCI registry',
      // Every path goes to the function; the registry core routes.
      defaultIntegration: new HttpLambdaIntegration('Registry', this.fn, {
        payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
      }),
      // The default stage is declared below, with access logging.
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify({
          requestId: '$context.requestId',
          ip: '$context.identity.sourceIp',
          time: '$context.requestTime',
          method: '$context.httpMethod',
          // The path only, never the query string: upload Locations carry their session's secret there.
          path: '$context.path',
          status: '$context.status',
          bytesOut: '$context.responseLength',
          latencyMs: '$context.responseLatency',
          integrationError: '$context.integrationErrorMessage',
        })),
      },
    });

    if (props.domainName && props.certificate) {
      this.domain = new apigwv2.DomainName(this, 'Domain', { domainName: props.domainName, certificate: props.certificate });
      new apigwv2.ApiMapping(this, 'Mapping', { api: this.httpApi, domainName: this.domain, stage: this.stage });
      this.url = `https://${props.domainName}`;
    } else {
      this.url = this.httpApi.apiEndpoint;
    }
    if (props.signingKeys) {
      // Fixed here, never derived from a request's Host header (what a caller sends is no place to send passwords).
      this.authRealm = `${this.url}/token`;
      this.fn.addEnvironment('STRATUS_AUTH_REALM', this.authRealm);
    }

    const sum = { period: ALARM_PERIOD, statistic: 'Sum' };
    this.alarms = [
      countAlarm(this, 'Api5xxAlarm', 'Stratus API answered 5xx (backend failures or function errors)',
        this.httpApi.metricServerError(sum), 5),
      countAlarm(this, 'FunctionErrorsAlarm', 'Stratus function failed (crash or timeout; the registry itself answers errors as OCI JSON)',
        this.fn.metricErrors(sum), 1),
      countAlarm(this, 'FunctionThrottlesAlarm', 'Stratus function throttled (account or reserved concurrency reached)',
        this.fn.metricThrottles(sum), 1),
    ];

    this.suppressNagFindings();
  }

  /** cdk-nag findings that are decisions, each with its reason. */
  private suppressNagFindings(): void {
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 on purpose: the pinned AWS SDK v3 versions and the local Lambda topology (npm run start:lambda, bundle target node22) are tested on Node 22; move to a newer runtime together with them.',
    });
    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'Registry authentication (OCI token/basic auth, anonymous pulls where allowed) is done by the registry core, as the distribution spec requires (401 with WWW-Authenticate); an API Gateway authorizer would break the /v2/ auth challenge.',
    });
  }
}
