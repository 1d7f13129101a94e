import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main';

/** Runs `beatwatch` in process and returns the exit code and stderr (nothing here gets far enough to measure). */
async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(argv);
    return { code, stderr: err.mock.calls.map((c) => String(c[0])).join('') };
  } finally {
    err.mockRestore();
  }
}

describe('beatwatch bench: suite flags', () => {
  it("takes a suite's size flags only with that suite, checked before anything runs", async () => {
    const low = await run(['bench', '--only', 'load', '--devices', '0']);
    expect(low.code).toBe(2);
    expect(low.stderr).toMatch(/^beatwatch bench: --devices must be an integer from 1 to 100,000, got 0 /);
    const notAnInteger = await run(['bench', '--only=load', '--cap', '2.5']);
    expect(notAnInteger.code).toBe(2);
    expect(notAnInteger.stderr).toMatch(/--cap must be an integer/);
    // Without --only load the flag belongs to no suite that runs.
    const stray = await run(['bench', '--only', 'wire', '--devices', '10']);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/unknown option --devices/);
  });
});
