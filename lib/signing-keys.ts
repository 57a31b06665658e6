import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeNodeRuntime } from './nag-acknowledgements';
import { stratusFunction } from './stratus-function';

/** The rotation function's entry point (exports `handler`). */
export const ROTATION_ENTRY = path.join(__dirname, '..', 'lambda', 'hosts', 'lambda', 'rotate-keys.ts');

/** Properties of the signing keys. */
export interface SigningKeysProps {
  /** Days between scheduled rotations. @default 30 */
  readonly rotationDays?: number;
  /** How long a retired key still verifies tokens, in seconds (tokens live minutes). @default 86400 */
  readonly keepPreviousSeconds?: number;
  /** KMS key encrypting the secret. @default - the account's aws/secretsmanager key */
  readonly encryptionKey?: kms.IKey;
  /** Retention of the rotation function's logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The token signing key set (lambda/ports/key-store.ts) in a Secrets Manager secret, rotated on a
 * schedule by lambda/hosts/lambda/rotate-keys.ts. CloudFormation creates the secret with a random
 * placeholder and the first rotation runs right away, replacing it with a key set; every rotation keeps
 * the retired key's public part, so tokens it signed stay valid: no downtime.
 */
export class SigningKeys extends Construct {
  /** The secret holding the key set (AWSCURRENT). */
  public readonly secret: secretsmanager.Secret;
  /** The rotation function. */
  public readonly rotationFunction: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: SigningKeysProps = {}) {
    super(scope, id);
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'Stratus registry token signing keys (JSON key set; rotated by its rotation function)',
      encryptionKey: props.encryptionKey,
    });

    this.rotationFunction = stratusFunction(this, {
      ids: { fn: 'RotationFunction', logs: 'RotationLogs', role: 'RotationRole' },
      entry: ROTATION_ENTRY,
      memorySize: 256,
      timeout: Duration.seconds(30),
      description: 'Rotates the Stratus token signing keys',
      environment: { STRATUS_KEEP_PREVIOUS_SECONDS: String(props.keepPreviousSeconds ?? 86_400) },
      logRetention: retention,
    });

    // Grants the function what a rotation needs on this secret (Describe/Get/Put/UpdateSecretVersionStage)
    // and lets Secrets Manager invoke it; the first rotation runs when the schedule is created.
    this.secret.addRotationSchedule('Rotation', {
      rotationLambda: this.rotationFunction,
      automaticallyAfter: Duration.days(props.rotationDays ?? 30),
    });

    this.acknowledgeNagFindings();
  }

  /** Lets a registry host read the key set: secretsmanager:GetSecretValue on this secret only (and decrypt with its key). */
  public grantRead(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: ['secretsmanager:GetSecretValue'], resourceArns: [this.secret.secretArn] });
    this.secret.encryptionKey?.grantDecrypt(grantee);
  }

  /** cdk-nag findings that are decisions, each with its reason. */
  private acknowledgeNagFindings(): void {
    acknowledgeNodeRuntime(this.rotationFunction);
    const policy = this.rotationFunction.role!.node.tryFindChild('DefaultPolicy');
    if (policy) {
      Validations.of(policy).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'CDK\'s rotation schedule grants secretsmanager:GetRandomPassword, an action without resource-level permissions; every action on the secret itself is scoped to this one secret.',
      });
    }
  }
}
