import { App, Tags, type AppProps } from 'aws-cdk-lib';
import { BeatwatchStack } from './beatwatch-stack';
import { readConfig } from './config';
import { addNagChecks } from './nag';

/** Stack name when context `stackName` is not set. */
export const DEFAULT_STACK_NAME = 'Beatwatch';

/**
 * Builds the CDK app `cdk synth`/`cdk deploy` run: one {@link BeatwatchStack} configured from
 * context, tagged, with cdk-nag's AWS Solutions and HIPAA Security packs registered.
 *
 * The stack is environment-agnostic (no account or region lookups, so synth needs no credentials
 * or network) unless context `account` and `region` are both given.
 *
 * @example
 * buildApp().app.synth();
 */
export function buildApp(props: AppProps = {}): { app: App; stack: BeatwatchStack } {
  const app = new App(props);
  const context = (name: string): unknown => app.node.tryGetContext(name);
  const account = context('account');
  const region = context('region');
  const stackName = context('stackName');
  const stack = new BeatwatchStack(app, typeof stackName === 'string' && stackName !== '' ? stackName : DEFAULT_STACK_NAME, {
    config: readConfig(context),
    env: typeof account === 'string' && typeof region === 'string' ? { account, region } : undefined,
  });
  // Cost allocation and inventory: every resource says which system it belongs to.
  Tags.of(stack).add('project', 'beatwatch');
  addNagChecks(app, stack);
  return { app, stack };
}
