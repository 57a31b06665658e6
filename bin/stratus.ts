/** The CDK app: `npx cdk synth` / `npx cdk deploy`. */
import { App } from 'aws-cdk-lib';
import { StratusStack } from '../lib/stratus-stack';

const app = new App();
new StratusStack(app, 'Stratus', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
