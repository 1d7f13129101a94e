import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import score from '../../../src/cli/commands/score';
import { UsageError } from '../../../src/cli/command';

const RECORD = fileURLToPath(new URL('../../../data/mitdb/119', import.meta.url));

function capture() {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe('beatwatch score', () => {
  it('prints one JSON object with a score and class per beat', async () => {
    const out = capture();
    expect(await score.run(['--record', RECORD, '--json'])).toBe(0);
    expect(out).toHaveLength(1);
    const result = JSON.parse(out[0]) as {
      record: string;
      beats: number;
      anomalous: number;
      scores: { t: number; score: number; anomalous: boolean; class: string | null }[];
    };
    expect(result.record).toBe('119');
    expect(result.beats).toBe(result.scores.length);
    expect(result.beats).toBeGreaterThan(1900);
    // Record 119 is full of ventricular ectopy: most V beats are flagged, few N beats are.
    const rate = (c: string) =>
      result.scores.filter((s) => s.class === c && s.anomalous).length / result.scores.filter((s) => s.class === c).length;
    expect(rate('V')).toBeGreaterThan(0.8);
    expect(rate('N')).toBeLessThan(0.1);
  });

  it('names a missing or bad --record', async () => {
    await expect(score.run([])).rejects.toBeInstanceOf(UsageError);
    await expect(score.run(['--record', 'no/such/record'])).rejects.toThrow(/no WFDB header/);
  });
});
