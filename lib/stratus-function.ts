import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * How every Stratus function is bundled: minified with source maps, the AWS SDK v3 bundled (pinned
 * versions, tree-shaken) rather than taken from the runtime, and ES module builds where packages ship
 * them (hash-wasm: 532 KB instead of 974 KB). local/bundle/build-bundle.ts makes the same choices, so the
 * local topology runs the same artefact.
 */
const LAMBDA_BUNDLING: BundlingOptions = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node22',
  externalModules: [],
  mainFields: ['module', 'main'],
};

/** What differs between Stratus's functions; the construct ids are given so each keeps its own. */
export interface StratusFunctionProps {
  /** Construct ids of the function, its log group and its role. */
  readonly ids: { readonly fn: string; readonly logs: string; readonly role: string };
  /** The TypeScript entry point (exports `handler`). */
  readonly entry: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly description?: string;
  /** Environment besides NODE_OPTIONS. */
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  /** Build the web UI (ui/build.ts) and put its files beside the code, in ui/, where the host serves them from. @default false */
  readonly webUi?: boolean;
}

/** Bundling hooks that build the web UI and copy it into the function's asset (local esbuild bundling). */
const WEB_UI_HOOKS: nodejs.ICommandHooks = {
  beforeBundling: (inputDir) => [`cd "${inputDir}" && node --require tsx/cjs ui/build.ts`],
  beforeInstall: () => [],
  afterBundling: (inputDir, outputDir) => [`cp -R "${inputDir}/ui/dist" "${outputDir}/ui"`],
};

/**
 * A Stratus function: Node 22 on arm64, bundled as LAMBDA_BUNDLING, source maps on, logging to a log
 * group of its own with a role that may write to that log group only (instead of the managed
 * AWSLambdaBasicExecutionRole, which allows CreateLogGroup/PutLogEvents on every log group).
 */
export function stratusFunction(scope: Construct, props: StratusFunctionProps): nodejs.NodejsFunction {
  const logGroup = new logs.LogGroup(scope, props.ids.logs, { retention: props.logRetention });
  const role = new iam.Role(scope, props.ids.role, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return new nodejs.NodejsFunction(scope, props.ids.fn, {
    entry: props.entry,
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    role,
    logGroup,
    description: props.description,
    environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
    bundling: props.webUi ? { ...LAMBDA_BUNDLING, commandHooks: WEB_UI_HOOKS } : LAMBDA_BUNDLING,
  });
}
