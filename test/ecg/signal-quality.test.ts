import { describe, expect, it } from 'vitest';
import { SignalQualityIndex } from '../../src/ecg/signal-quality';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { createRandom } from '../../src/random';
import { rrIrregularity } from '../../src/ecg/rr-irregularity';

const MITDB = 'data/mitdb';
const record = loadMitdbRecord(MITDB, '100');
const clean = record.signal.subarray(0, 60 * 360);

function qualities(x: ArrayLike<number>, chunk = x.length): string[] {
  const sqi = new SignalQualityIndex({ fs: 360 });
  const out: string[] = [];
  for (let i = 0; i < x.length; i += chunk) {
    const part = Array.prototype.slice.call(x, i, Math.min(x.length, i + chunk)) as number[];
    for (const s of sqi.push(part)) out.push(s.quality);
  }
  return out;
}

describe('SignalQualityIndex', () => {
  it('calls clean MIT-BIH seconds good', () => {
    const q = qualities(clean);
    expect(q).toHaveLength(60);
    expect(q.filter((x) => x === 'good').length).toBeGreaterThanOrEqual(58);
  });

  it('calls an exactly constant signal flat (lead off)', () => {
    expect(new Set(qualities(new Float32Array(5 * 360).fill(-0.3)))).toEqual(new Set(['flat']));
  });

  it('calls a clipped signal saturated', () => {
    // An amplifier at its rail: everything above the 40th percentile sits at one value.
    const sorted = Float32Array.from(clean).sort();
    const rail = sorted[Math.floor(0.4 * sorted.length)];
    const clipped = clean.map((v) => Math.min(v, rail));
    const q = qualities(clipped);
    expect(q.filter((x) => x === 'saturated').length).toBeGreaterThanOrEqual(55);
  });

  it('calls broadband noise over the ECG noisy in most seconds', () => {
    const rng = createRandom(3);
    // Gaussian, 0.25 mV rms: hides the QRS slopes as strong muscle noise does.
    const noisy = clean.map((v) => v + 0.25 * rng.normal());
    expect(qualities(noisy).filter((x) => x === 'noisy').length).toBeGreaterThanOrEqual(50);
  });

  it('gives the same verdicts whatever the chunking, and survives a JSON round trip', () => {
    const whole = new SignalQualityIndex({ fs: 360 }).push(clean);
    for (const chunk of [1, 97, 360, 1000]) {
      let sqi = new SignalQualityIndex({ fs: 360 });
      const got = [];
      for (let i = 0; i < clean.length; i += chunk) {
        got.push(...sqi.push(clean.subarray(i, i + chunk)));
        sqi = SignalQualityIndex.fromJSON(JSON.parse(JSON.stringify(sqi.toJSON())));
      }
      expect(got).toEqual(whole);
    }
  });
});

describe('rrIrregularity', () => {
  it('is small for a regular rhythm and large for an irregular one; alternation has a TPR of 1', () => {
    expect(rrIrregularity([0.8, 0.81, 0.79, 0.8, 0.8, 0.81]).normalizedMedianDiff).toBeLessThan(0.03);
    expect(rrIrregularity([0.6, 0.9, 0.7, 1.1, 0.5, 0.8, 0.95, 0.62]).normalizedMedianDiff).toBeGreaterThan(0.1);
    expect(rrIrregularity([0.5, 1, 0.5, 1, 0.5, 1]).turningPointRatio).toBe(1);
  });
});
