// Real bundling for the bundle test: synthesizes the stack with esbuild bundling on, finds each
// function's bundle in the cloud assembly, and runs a handler from its bundle in a plain Node
// child process (no vitest transform, no project node_modules next to the bundle).
import { App } from 'aws-cdk-lib';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BeatwatchStack, type BeatwatchSources } from '../../infra/beatwatch-stack';
import { readConfig } from '../../infra/config';

const cdkJson = JSON.parse(readFileSync(fileURLToPath(new URL('../../cdk.json', import.meta.url)), 'utf8')) as { context: Record<string, unknown> };
const RUNNER = fileURLToPath(new URL('./fixtures/invoke-bundle.mjs', import.meta.url));

/** One function's bundle as deployed: its files, sizes and environment (CloudFormation values). */
export interface FunctionBundle {
  readonly dir: string;
  readonly entry: string;
  /** Size of every file of the asset, by name. */
  readonly files: Record<string, number>;
  readonly totalBytes: number;
  readonly environment: Record<string, unknown>;
}

/** The synthesized stack with its bundles. */
export interface BundledStack {
  readonly stack: BeatwatchStack;
  readonly assemblyDir: string;
  readonly template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  readonly detect: FunctionBundle;
  readonly retrain: FunctionBundle;
  readonly seed: FunctionBundle;
  /** Logical id of a construct's CloudFormation resource. */
  logicalId(construct: { node: { defaultChild?: unknown } }): string;
  /** Directory of a file asset (e.g. the default model) in the assembly. */
  fileAsset(s3Key: string): string;
}

/** Synthesizes the stack into a fresh temporary directory with real esbuild bundling. */
export function synthWithBundles(sources?: Partial<BeatwatchSources>): BundledStack {
  const assemblyDir = mkdtempSync(path.join(tmpdir(), 'beatwatch-cdk-'));
  const app = new App({ outdir: assemblyDir, builtinCloudFormationValidation: false, context: cdkJson.context });
  const stack = new BeatwatchStack(app, 'Beatwatch', { config: readConfig((key) => app.node.tryGetContext(key)), sources });
  app.synth();
  const template = JSON.parse(readFileSync(path.join(assemblyDir, `${stack.artifactId}.template.json`), 'utf8')) as BundledStack['template'];
  const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.resolve(stack.getLogicalId(construct.node.defaultChild as never)) as string;
  const bundleOf = (fnLogicalId: string): FunctionBundle => {
    const props = template.Resources[fnLogicalId].Properties as { Code: { S3Key: string }; Environment?: { Variables: Record<string, unknown> } };
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
    fileAsset: (s3Key) => path.join(assemblyDir, `asset.${s3Key}`),
  };
}

/**
 * Turns a function's CloudFormation environment into the values of a local run: literals stay,
 * `{Ref}`s to resources are replaced from `refs` (logical id → local name or ARN). An unknown
 * reference throws, so a variable the stack wires differently than the test expects is caught.
 */
export function localEnvironment(environment: Record<string, unknown>, refs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    if (typeof value === 'string') env[name] = value;
    else {
      const ref = (value as { Ref?: string }).Ref;
      if (ref === undefined || refs[ref] === undefined) throw new Error(`environment variable ${name}: no local value for ${JSON.stringify(value)}`);
      env[name] = refs[ref];
    }
  }
  return env;
}

/** Outcome of one invocation: the handler's return value or its error, and its log output. */
export interface Invocation {
  readonly result?: unknown;
  readonly error?: string;
  readonly stdout: string;
  readonly stderr: string;
}

/** Invokes `handler(event)` of a bundle in a plain Node child process with the given environment. */
export async function invokeBundle(bundle: FunctionBundle, event: unknown, env: Record<string, string>, timeoutMs = 60_000): Promise<Invocation> {
  const work = mkdtempSync(path.join(tmpdir(), 'beatwatch-invoke-'));
  const eventFile = path.join(work, 'event.json');
  const outputFile = path.join(work, 'output.json');
  writeFileSync(eventFile, JSON.stringify(event));
  // Only what a Lambda environment would have: no NODE_OPTIONS/paths from the test runner.
  const childEnv: Record<string, string> = { PATH: process.env.PATH ?? '', TZ: 'UTC', ...env };
  const child = spawn(process.execPath, [RUNNER, bundle.entry, eventFile, outputFile, String(timeoutMs)], { cwd: work, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`bundle ${bundle.entry} did not finish within ${timeoutMs + 10_000} ms\n${stderr}`)); }, timeoutMs + 10_000);
    child.on('exit', (exitCode) => { clearTimeout(timer); resolve(exitCode); });
  });
  if (code !== 0) throw new Error(`bundle runner exited with ${code}\n${stderr}`);
  const output = JSON.parse(readFileSync(outputFile, 'utf8')) as { result?: unknown; error?: string };
  return { ...output, stdout, stderr };
}
