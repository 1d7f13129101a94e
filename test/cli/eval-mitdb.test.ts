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
    const code = await main(['eval', 'mitdb', '--record', '100,119', '--qrs-only', '--json']);
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

  it('adds anomaly metrics from a model never trained on the record, unless --qrs-only', async () => {
    let io = capture();
    expect(await main(['eval', 'mitdb', '--record', '119', '--json'])).toBe(0);
    const withAnomaly = JSON.parse(io.stdout());
    const row = withAnomaly.records[0];
    // 119 is in the default model's training set: the fold model trained without it must score it.
    expect(row.anomaly.model).toBe('without-119');
    expect(row.anomaly.adaptation).toBe('patient-profile');
    // The detector learned 119's threshold in its first 5 minutes; those beats are not counted.
    expect(row.anomaly.learning.completedAt).toBeGreaterThanOrEqual(300);
    expect(row.anomaly.learning.completedAt).toBeLessThan(302);
    expect(row.anomaly.threshold).toBeGreaterThan(0);
    // 119's PVCs are uniform and frequent: a working detector separates the beats it scores
    // almost perfectly. 119 has noisy stretches whose beats signal quality gates (counted in aucV
    // with score 0, missed): a few percent of the beats, and the AUC over all beats stays high.
    expect(row.anomaly.aucVScored).toBeGreaterThan(0.95);
    expect(row.anomaly.gatedShare).toBeLessThan(0.1);
    expect(row.anomaly.aucV).toBeGreaterThan(0.9);
    expect(row.anomaly.veb.se).toBeGreaterThan(0.85);
    expect(row.anomaly.alertsPerHour).toBeGreaterThan(0);
    expect(withAnomaly.total.anomaly.aucV).toBe(row.anomaly.aucV);
    expect(withAnomaly.total.anomaly.veb.tp).toBe(row.anomaly.veb.tp);
    vi.restoreAllMocks();

    io = capture();
    expect(await main(['eval', 'mitdb', '--record', '119', '--qrs-only', '--json'])).toBe(0);
    expect(JSON.parse(io.stdout()).records[0].anomaly).toBeUndefined();
    vi.restoreAllMocks();

    io = capture();
    expect(await main(['eval', 'mitdb', '--adaptation', 'sometimes'])).toBe(2);
    expect(io.stderr()).toMatch(/--adaptation must be one of patient-profile, threshold-calibration, off/);
  });

  it('streams MLII by name and, with --leads 2 (the default), the second lead; --lead picks another, with a one-line warning', async () => {
    let io = capture();
    expect(await main(['eval', 'mitdb', '--record', '114', '--qrs-only', '--json'])).toBe(0);
    const two = JSON.parse(io.stdout()).records[0];
    // 114 stores V5 first: MLII is taken by name.
    expect(two.lead).toEqual(['MLII', 'V5']);
    expect(two.se).toBeGreaterThan(0.99);
    vi.restoreAllMocks();

    io = capture();
    expect(await main(['eval', 'mitdb', '--record', '114', '--qrs-only', '--leads', '1', '--json'])).toBe(0);
    expect(JSON.parse(io.stdout()).records[0].lead).toEqual(['MLII']);
    vi.restoreAllMocks();

    io = capture();
    expect(await main(['eval', 'mitdb', '--record', '114', '--qrs-only', '--leads', '1', '--lead', 'V5', '--json'])).toBe(0);
    expect(JSON.parse(io.stdout()).records[0].lead).toEqual(['V5']);
    expect(io.stderr()).toMatch(/^eval mitdb: scoring lead "V5" first: the models were trained on MLII$/m);
    vi.restoreAllMocks();

    io = capture();
    expect(await main(['eval', 'mitdb', '--leads', '1', '--second-lead-scoring', 'on'])).toBe(2);
    expect(io.stderr()).toMatch(/--second-lead-scoring on needs --leads 2/);
    vi.restoreAllMocks();
    io = capture();
    expect(await main(['eval', 'mitdb', '--second-lead-scoring', 'yes'])).toBe(2);
    expect(io.stderr()).toMatch(/--second-lead-scoring must be one of on, off/);
    vi.restoreAllMocks();
    io = capture();
    expect(await main(['eval', 'mitdb', '--leads', '3'])).toBe(2);
    expect(io.stderr()).toMatch(/--leads must be one of 1, 2/);
  });

  it('--score-terms runs the ablation of the patient-profile terms through the same path, and says which ran', async () => {
    const run = async (terms: string) => {
      const io = capture();
      expect(await main(['eval', 'mitdb', '--record', '119', '--score-terms', terms, '--json'])).toBe(0);
      const result = JSON.parse(io.stdout());
      vi.restoreAllMocks();
      return result.total.anomaly;
    };
    const both = await run('both');
    const autoencoder = await run('autoencoder');
    const patient = await run('patient');
    expect([both.scoreTerms, autoencoder.scoreTerms, patient.scoreTerms]).toEqual(['both', 'autoencoder', 'patient']);
    expect(both.adaptation).toBe('patient-profile');
    // Different terms, different verdicts: the arms are not the same run under three names.
    expect(
      new Set([both.veb.tp + both.veb.fp, autoencoder.veb.tp + autoencoder.veb.fp, patient.veb.tp + patient.veb.fp]).size,
    ).toBeGreaterThan(1);
    expect(patient.veb.se).toBeGreaterThan(0.85);

    let io = capture();
    expect(await main(['eval', 'mitdb', '--score-terms', 'some'])).toBe(2);
    expect(io.stderr()).toMatch(/--score-terms must be one of both, autoencoder, patient/);
    vi.restoreAllMocks();
    io = capture();
    expect(await main(['eval', 'mitdb', '--adaptation', 'off', '--score-terms', 'patient'])).toBe(2);
    expect(io.stderr()).toMatch(/--score-terms applies to --adaptation patient-profile only/);
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
