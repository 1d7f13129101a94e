/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy` run this file (see cdk.json).
 *
 * The stack is environment-agnostic (no account or region lookups, so synth needs no credentials
 * or network) unless context `account` and `region` are both given. cdk-nag's AWS Solutions and
 * HIPAA Security packs validate the synthesized stack; a finding that is not acknowledged in
 * `nag.ts` fails synth.
 */
import { App, Tags } from 'aws-cdk-lib';
import { BeatwatchStack } from './beatwatch-stack';
import { readConfig } from './config';
import { addNagChecks } from './nag';

/** Stack name when context `stackName` is not set. */
export const DEFAULT_STACK_NAME = 'Beatwatch';

const app = new App();
const context = (name: string): unknown => app.node.tryGetContext(name);
const account = context('account');
const region = context('region');
const stack = new BeatwatchStack(app, typeof context('stackName') === 'string' ? (context('stackName') as string) : DEFAULT_STACK_NAME, {
  config: readConfig(context),
  env: typeof account === 'string' && typeof region === 'string' ? { account, region } : undefined,
});
// Cost allocation and inventory: every resource says which system it belongs to.
Tags.of(stack).add('project', 'beatwatch');
addNagChecks(app, stack);
app.synth();
