import { describe, expect, it } from 'vitest';
import { BiquadCascade, butterworthBandpass } from '../../src/ecg/biquad';

/** Steady-state amplitude of the filter's response to a unit sine at `f` Hz. */
function gainAt(make: () => BiquadCascade, f: number, fs: number): number {
  const filter = make();
  const n = Math.round(fs * 20);
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const y = filter.step(Math.sin((2 * Math.PI * f * i) / fs));
    if (i > n / 2) peak = Math.max(peak, Math.abs(y));
  }
  return peak;
}

describe('BiquadCascade', () => {
  it('puts the -3 dB point of Butterworth designs on the cutoff at any rate', () => {
    for (const fs of [100, 360, 1000]) {
      expect(gainAt(() => BiquadCascade.butterworth('lowpass', 15, fs), 15, fs)).toBeCloseTo(Math.SQRT1_2, 2);
      expect(gainAt(() => BiquadCascade.butterworth('highpass', 5, fs), 5, fs)).toBeCloseTo(Math.SQRT1_2, 2);
      expect(gainAt(() => BiquadCascade.butterworth('lowpass', 15, fs, 4), 15, fs)).toBeCloseTo(Math.SQRT1_2, 2);
    }
  });

  it('passes the band and stops outside it', () => {
    const fs = 360;
    const band = () => butterworthBandpass(5, 15, fs);
    expect(gainAt(band, 9, fs)).toBeGreaterThan(0.85);
    expect(gainAt(band, 0.5, fs)).toBeLessThan(0.02);
    expect(gainAt(band, 60, fs)).toBeLessThan(0.08);
  });

  it('gives the same output filtered in pieces, through JSON, as whole', () => {
    const signal = Array.from({ length: 1000 }, (_, i) => Math.sin(i / 7) + 0.3 * Math.cos(i / 2.3));
    const whole = butterworthBandpass(0.5, 40, 250).apply(signal);
    let filter = butterworthBandpass(0.5, 40, 250);
    const pieces: number[] = [];
    for (let i = 0; i < signal.length; i += 137) {
      pieces.push(...filter.apply(signal.slice(i, i + 137)));
      filter = BiquadCascade.fromJSON(JSON.parse(JSON.stringify(filter)));
    }
    expect(pieces).toEqual(Array.from(whole));
  });

  it('rejects impossible designs and malformed state', () => {
    expect(() => BiquadCascade.butterworth('lowpass', 200, 360)).toThrow(/cutoff must be in \(0, fs\/2 = 180\) Hz/);
    expect(() => BiquadCascade.fromJSON({ coefficients: [1, 2, 3], state: [0] })).toThrow(/5 numbers and state 2 numbers per section/);
  });
});
