// Synthesizes the stack for template tests: the project's cdk.json feature flags, bundling
// skipped and aws-cdk-lib's built-in CloudFormation validation off, so one synth takes well
// under a second. One test (bundle.test.ts) bundles for real.
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BeatwatchStack, type BeatwatchSources } from '../../infra/beatwatch-stack';
import { readConfig } from '../../infra/config';
import { cdkOutdir } from './cdk-outdir';

const cdkJson = JSON.parse(readFileSync(fileURLToPath(new URL('../../cdk.json', import.meta.url)), 'utf8')) as {
  context: Record<string, unknown>;
};

export interface Synthesized {
  readonly app: App;
  readonly stack: BeatwatchStack;
  readonly template: Template;
}

/** Builds the stack (the project's own handlers and default model) with extra CDK context, as `-c key=value` would, and returns its template. */
export function synthStack(context: Record<string, unknown> = {}, sources: Partial<BeatwatchSources> = {}): Synthesized {
  const app = new App({
    outdir: cdkOutdir(),
    builtinCloudFormationValidation: false,
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context },
  });
  const stack = new BeatwatchStack(app, 'Beatwatch', { config: readConfig((key) => app.node.tryGetContext(key)), sources });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The only resource of `type` in the template, with its logical id. */
export function onlyResource(template: Template, type: string): { id: string; props: Record<string, unknown> } {
  const found = Object.entries(template.findResources(type));
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  const [id, resource] = found[0];
  return { id, props: (resource as { Properties: Record<string, unknown> }).Properties };
}
