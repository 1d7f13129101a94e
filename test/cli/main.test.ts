import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';

describe('beatwatch main', () => {
  it('rejects an unknown command with exit code 2 and names it', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['frobnicate']);
    expect(code).toBe(2);
    expect(String(err.mock.calls[0][0])).toContain('unknown command "frobnicate"');
    err.mockRestore();
  });

  it('reports a bad flag of a sub-command as a usage error', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['bench', '--no-such-flag']);
    expect(code).toBe(2);
    expect(err.mock.calls.map((c) => String(c[0])).join('')).toContain('--no-such-flag');
    err.mockRestore();
  });
});
