import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';

function capture() {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return { stdout: () => out.mock.calls.map((c) => String(c[0])).join(''), stderr: () => err.mock.calls.map((c) => String(c[0])).join('') };
}

describe('beatwatch eval mitdb', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints one JSON object with per-record and total EC57 scores (bundled records by default)', async () => {
    const io = capture();
    const code = await main(['eval', 'mitdb', '--record', '100,119', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(io.stdout());
    expect(result.records.map((r: { record: string }) => r.record)).toEqual(['100', '119']);
    for (const r of result.records) {
      expect(Object.keys(r)).toEqual(expect.arrayContaining(['record', 'tp', 'fn', 'fp', 'se', 'ppv', 'beats', 'excludedSeconds']));
      expect(r.excludedSeconds).toBe(0);
      expect(r.tp + r.fn).toBe(r.beats);
      expect(r.se).toBeGreaterThan(0.99);
      expect(r.ppv).toBeGreaterThan(0.99);
    }
    expect(result.records.map((r: { beats: number }) => r.beats)).toEqual([2273, 1987]);
    expect(result.total.tp).toBe(result.records[0].tp + result.records[1].tp);
    expect(io.stderr()).toMatch(/100: beats 2273/);
  });

  it('names a missing record folder or record', async () => {
    capture();
    await expect(main(['eval', 'mitdb', '--record', '999'])).resolves.toBe(1);
    const io = capture();
    const code = await main(['eval', 'mitdb', '--chunk', '0']);
    expect(code).toBe(2);
    expect(io.stderr()).toMatch(/--chunk must be a number/);
  });
});
