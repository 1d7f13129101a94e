import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import score from '../../../src/cli/commands/score';
import { UsageError } from '../../../src/cli/command';
import { ecgFixtures, type EcgFixtures } from '../ecg-fixtures';
import { join } from 'node:path';
import { SUPPORTED_WFDB_FORMATS } from '../../../src/ecg/wfdb-header';
import { readWfdbRecord } from '../../../src/ecg/wfdb-record';
import { MITDB, tempFiles } from '../../ecg/helpers';
import { checksum, encode, interleave } from '../../ecg/wfdb-writers';

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
    // Record 119 is full of ventricular ectopy. `score` is the population model alone (no
    // patient adaptation): it ranks 119's V beats above its N beats almost perfectly, but its
    // global threshold, fitted on DS1's normal beats (bundle branch block included), flags only
    // part of them; per-device adaptation in the detector is what turns the ranking into flags.
    const of = (c: string) => result.scores.filter((s) => s.class === c);
    const v = of('V').map((s) => s.score);
    const n = of('N')
      .map((s) => s.score)
      .sort((a, b) => a - b);
    const below = (x: number) => n.filter((y) => y < x).length;
    const auc = v.reduce((sum, x) => sum + below(x), 0) / (v.length * n.length);
    expect(v.length).toBeGreaterThan(300);
    expect(auc).toBeGreaterThan(0.95);
    const rate = (c: string) => of(c).filter((s) => s.anomalous).length / of(c).length;
    expect(rate('V')).toBeGreaterThan(rate('N') + 0.2);
    expect(rate('N')).toBeLessThan(0.1);
  });

  it('names a missing or bad --record', async () => {
    await expect(score.run([])).rejects.toBeInstanceOf(UsageError);
    await expect(score.run(['--record', 'no/such/record'])).rejects.toThrow(/no\/such\/record: file: no such file/);
  });

  describe('any ECG file', () => {
    let files: EcgFixtures;
    beforeAll(() => {
      files = ecgFixtures();
    });
    afterAll(() => files?.cleanup());

    /** Beat times (s) of a 20 s recording of MIT-BIH 100 scored from `path`. */
    async function beatTimes(path: string, extra: string[] = []): Promise<{ lead: string; t: number[] }> {
      const out = capture();
      expect(await score.run(['--record', path, '--json', ...extra])).toBe(0);
      const r = JSON.parse(out[0]) as { lead: string; scores: { t: number }[] };
      vi.restoreAllMocks();
      return { lead: r.lead, t: r.scores.map((s) => s.t).filter((t) => t < 19) };
    }

    it('scores a CSV, an EDF and a WFDB record of the same signal alike, on MLII', async () => {
      const wfdb = await beatTimes(files.wfdb);
      const csv = await beatTimes(files.csv);
      const edf = await beatTimes(files.edf);
      expect(wfdb.lead).toBe('MLII');
      expect(csv.lead).toBe('MLII'); // the second column: chosen by name
      expect(edf.lead).toBe('MLII');
      expect(wfdb.t.length).toBeGreaterThan(20);
      expect(csv.t).toEqual(wfdb.t);
      expect(edf.t).toEqual(wfdb.t);
    });

    it("takes --lead by name or index and warns when it is not the model's lead", async () => {
      const err: string[] = [];
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
      const out: string[] = [];
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
      expect(await score.run(['--record', files.csv, '--lead', '0', '--json'])).toBe(0);
      expect(JSON.parse(out[0]).lead).toBe('V5');
      expect(err.join('')).toMatch(/using lead "V5": the model was trained on MLII/);
      await expect(score.run(['--record', files.csv, '--lead', '7'])).rejects.toThrow(/--lead 7: .* has 2 leads/);
      await expect(score.run(['--record', files.csv, '--lead', 'V9'])).rejects.toThrow(/no lead "V9"/);
    });

    it("scores MIT-BIH 100 written in every WFDB format it reads alike (within each format's resolution)", async () => {
      const rec = readWfdbRecord(join(MITDB, '100'));
      const frames = 360 * 20;
      // ADC values of both leads, rescaled to each format's range with the gain to match.
      const adc = rec.signals.map((sig) => Array.from(sig.samples.subarray(0, frames), (mv) => Math.round(mv * sig.gain)));
      const reference = (await beatTimes(files.wfdb)).t;
      for (const format of SUPPORTED_WFDB_FORMATS) {
        const bits = { 16: 16, 61: 16, 80: 8, 212: 12, 310: 10, 311: 10 }[format] as number;
        // 11-bit MIT-BIH values fit 12 bits and more; 8- and 10-bit formats get them divided down.
        const divide = bits >= 12 ? 1 : 2 ** (12 - bits);
        const signals = adc.map((a) =>
          a.map((v) => Math.max(-(2 ** (bits - 1)) + 1, Math.min(2 ** (bits - 1) - 1, Math.round(v / divide)))),
        );
        const header =
          `f${format} 2 360 ${frames}\n` +
          signals
            .map((x, k) => `f${format}.dat ${format} ${200 / divide}/mV ${bits} 0 ${x[0]} ${checksum(x)} 0 ${rec.signals[k].lead}`)
            .join('\n') +
          '\n';
        const { dir, cleanup } = tempFiles({ [`f${format}.hea`]: header, [`f${format}.dat`]: encode(format, interleave(signals)) });
        try {
          const got = await beatTimes(join(dir, `f${format}`));
          expect(got.lead, `format ${format}`).toBe('MLII');
          expect(got.t.length, `format ${format}`).toBe(reference.length);
          for (let i = 0; i < got.t.length; i++) expect(Math.abs(got.t[i] - reference[i]), `format ${format}`).toBeLessThanOrEqual(0.01);
        } finally {
          cleanup();
        }
      }
    });

    it('names a truncated file and what is wrong with it', async () => {
      await expect(score.run(['--record', files.truncatedEdf])).rejects.toThrow(/cut\.edf: .*truncated/);
    });
  });
});
