/**
 * Synthesizes the stack with real esbuild bundling and finds each function's bundle in the cloud
 * assembly: what `cdk deploy` would upload. Used by the bundle test and the `lambda-cost` bench.
 */
import { App } from 'aws-cdk-lib';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BeatwatchStack, PROJECT_ROOT, type BeatwatchSources } from './beatwatch-stack';
import { readConfig } from './config';

/** One function's bundle as deployed: its files, sizes and environment (CloudFormation values). */
export interface FunctionBundle {
  readonly dir: string;
  /** The bundle's entry module (`index.mjs`). */
  readonly entry: string;
  /** Size in bytes of every file of the asset, by name. */
  readonly files: Record<string, number>;
  readonly totalBytes: number;
  readonly environment: Record<string, unknown>;
}

/** The synthesized stack with its bundles. */
export interface BundledAssembly {
  readonly stack: BeatwatchStack;
  readonly assemblyDir: string;
  readonly template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  readonly detect: FunctionBundle;
  readonly retrain: FunctionBundle;
  readonly seed: FunctionBundle;
  readonly sweep: FunctionBundle;
  /** Logical id of a construct's CloudFormation resource. */
  logicalId(construct: { node: { defaultChild?: unknown } }): string;
  /** Path of a file asset (e.g. the default model) in the assembly, from its S3 key. */
  fileAsset(s3Key: string): string;
}

/** Options of {@link synthWithBundles}. */
export interface SynthOptions {
  /** Override the deployed files (default: the project's). */
  readonly sources?: Partial<BeatwatchSources>;
  /**
   * Run aws-cdk-lib's built-in CloudFormation validation of the template (default false: it
   * adds several seconds; `cdk synth` runs it, and the bundle test does once).
   */
  readonly validate?: boolean;
}

/**
 * Synthesizes the stack into a fresh temporary directory with the project's cdk.json context and
 * real bundling. The caller removes `assemblyDir` when done.
 *
 * @example
 * const { detect } = synthWithBundles();
 * const { handler } = await import(pathToFileURL(detect.entry).href);
 */
export function synthWithBundles(options: SynthOptions = {}): BundledAssembly {
  const { sources, validate = false } = options;
  const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const assemblyDir = mkdtempSync(path.join(tmpdir(), 'beatwatch-cdk-'));
  const app = new App({ outdir: assemblyDir, builtinCloudFormationValidation: validate, context: cdkJson.context });
  const stack = new BeatwatchStack(app, 'Beatwatch', { config: readConfig((key) => app.node.tryGetContext(key)), sources });
  app.synth();
  const template = JSON.parse(
    readFileSync(path.join(assemblyDir, `${stack.artifactId}.template.json`), 'utf8'),
  ) as BundledAssembly['template'];
  const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
    stack.resolve(stack.getLogicalId(construct.node.defaultChild as never)) as string;
  const bundleOf = (fnLogicalId: string): FunctionBundle => {
    const props = template.Resources[fnLogicalId].Properties as {
      Code: { S3Key: string };
      Environment?: { Variables: Record<string, unknown> };
    };
    const dir = path.join(assemblyDir, `asset.${props.Code.S3Key.replace(/\.zip$/, '')}`);
    const files: Record<string, number> = {};
    for (const name of readdirSync(dir)) files[name] = statSync(path.join(dir, name)).size;
    return {
      dir,
      entry: path.join(dir, 'index.mjs'),
      files,
      totalBytes: Object.values(files).reduce((a, b) => a + b, 0),
      environment: props.Environment?.Variables ?? {},
    };
  };
  return {
    stack,
    assemblyDir,
    template,
    logicalId,
    detect: bundleOf(logicalId(stack.detection.function.fn)),
    retrain: bundleOf(logicalId(stack.retraining.function.fn)),
    seed: bundleOf(logicalId(stack.defaultModel.function.fn)),
    sweep: bundleOf(logicalId(stack.signalLost.function.fn)),
    fileAsset: (s3Key) => path.join(assemblyDir, `asset.${s3Key}`),
  };
}
