// CDK apps built in tests write their cloud assembly somewhere: without an `outdir` it is a new
// `cdk.out*` directory in the OS temp dir per synth, never removed. Tests take one from here
// instead, and every directory handed out is removed when the test file ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A fresh temporary directory for one app's cloud assembly, removed after the test file.
 *
 * @example
 * const app = new App({ outdir: cdkOutdir() });
 */
export function cdkOutdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'beatwatch-cdk-test-'));
  made.push(dir);
  return dir;
}
