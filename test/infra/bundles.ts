// Runs a handler from its bundle (see infra/bundled-assembly.ts) in a plain Node child process:
// no vitest transform, and no project node_modules next to the bundle.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionBundle } from '../../infra/bundled-assembly';

const RUNNER = fileURLToPath(new URL('./fixtures/invoke-bundle.mjs', import.meta.url));

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
      if (ref === undefined || refs[ref] === undefined)
        throw new Error(`environment variable ${name}: no local value for ${JSON.stringify(value)}`);
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
export async function invokeBundle(
  bundle: FunctionBundle,
  event: unknown,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<Invocation> {
  const work = mkdtempSync(path.join(tmpdir(), 'beatwatch-invoke-'));
  const eventFile = path.join(work, 'event.json');
  const outputFile = path.join(work, 'output.json');
  writeFileSync(eventFile, JSON.stringify(event));
  // Only what a Lambda environment would have: no NODE_OPTIONS/paths from the test runner.
  const childEnv: Record<string, string> = { PATH: process.env.PATH ?? '', TZ: 'UTC', ...env };
  const child = spawn(process.execPath, [RUNNER, bundle.entry, eventFile, outputFile, String(timeoutMs)], {
    cwd: work,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bundle ${bundle.entry} did not finish within ${timeoutMs + 10_000} ms\n${stderr}`));
    }, timeoutMs + 10_000);
    child.on('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  if (code !== 0) throw new Error(`bundle runner exited with ${code}\n${stderr}`);
  const output = JSON.parse(readFileSync(outputFile, 'utf8')) as { result?: unknown; error?: string };
  rmSync(work, { recursive: true, force: true });
  return { ...output, stdout, stderr };
}
