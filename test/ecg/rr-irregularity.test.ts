import { describe, expect, it } from 'vitest';
import { rrIrregularity } from '../../src/ecg/rr-irregularity';

describe('rrIrregularity: normalized RMSSD (Dash et al. 2009)', () => {
  it('is the RMS of successive differences over the mean RR', () => {
    // No trimming: differences 0.1, -0.1, 0.1 over a mean of 0.85.
    expect(rrIrregularity([0.8, 0.9, 0.8, 0.9], undefined, 0).normalizedRmssd).toBeCloseTo(0.1 / 0.85, 12);
  });

  it('sets the longest and shortest sixteenth aside, so one ectopic beat and its pause do not make a regular rhythm irregular', () => {
    const rr = Array.from({ length: 32 }, (_, i) => 0.8 + 0.005 * Math.sin(i));
    rr[15] = 0.45; // premature beat
    rr[16] = 1.15; // compensatory pause
    expect(rrIrregularity(rr, undefined, 0).normalizedRmssd).toBeGreaterThan(0.1);
    expect(rrIrregularity(rr).normalizedRmssd).toBeLessThan(0.02);
  });

  it('stays high for an irregularly irregular series', () => {
    const rr = [0.6, 0.9, 0.7, 1.1, 0.5, 0.8, 0.95, 0.62, 0.75, 1.0, 0.55, 0.85, 0.7, 0.98, 0.6, 0.8];
    expect(rrIrregularity(rr).normalizedRmssd).toBeGreaterThan(0.2);
  });
});
