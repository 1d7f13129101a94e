import { describe, expect, it } from 'vitest';
import { ecgSimulate } from '../../src/ecg/ecg-simulate';

describe('ecgSimulate', () => {
  it('is reproducible from its seed and differs across seeds', () => {
    const a = ecgSimulate({ fs: 250, seconds: 10, seed: 42 });
    const b = ecgSimulate({ fs: 250, seconds: 10, seed: 42 });
    const c = ecgSimulate({ fs: 250, seconds: 10, seed: 43 });
    expect(Array.from(a.signal)).toEqual(Array.from(b.signal));
    expect(Array.from(a.signal)).not.toEqual(Array.from(c.signal));
  });

  it('beats at the requested rate, with R peaks at local maxima of about 1 mV', () => {
    for (const fs of [100, 360, 1000]) {
      const sim = ecgSimulate({ fs, seconds: 60, heartRate: 80, seed: 1, noise: 0, baselineWander: 0 });
      expect(sim.signal).toHaveLength(60 * fs);
      expect(sim.rPeaks.length).toBeGreaterThanOrEqual(77);
      expect(sim.rPeaks.length).toBeLessThanOrEqual(83);
      for (const r of sim.rPeaks) {
        expect(sim.signal[r]).toBeGreaterThan(0.8);
        // The listed index is the sample nearest the R wave's crest: the local maximum or its neighbour.
        let top = r;
        for (let i = Math.max(0, r - 3); i <= Math.min(sim.signal.length - 1, r + 3); i++) if (sim.signal[i] > sim.signal[top]) top = i;
        expect(Math.abs(top - r)).toBeLessThanOrEqual(1);
      }
      expect(sim.labels.every((l) => l === 'N')).toBe(true);
    }
  });

  it('injects premature ventricular beats with a compensatory pause', () => {
    const fs = 360;
    const sim = ecgSimulate({ fs, seconds: 30, heartRate: 60, heartRateVariability: 0, seed: 2, anomalies: [{ kind: 'pvc', at: 10 }] });
    const v = sim.labels.indexOf('V');
    expect(sim.labels.filter((l) => l === 'V')).toHaveLength(1);
    const before = sim.rPeaks[v] - sim.rPeaks[v - 1];
    const after = sim.rPeaks[v + 1] - sim.rPeaks[v];
    const normal = sim.rPeaks[v - 1] - sim.rPeaks[v - 2];
    expect(before / normal).toBeLessThan(0.7);
    expect((before + after) / normal).toBeCloseTo(2, 1);
  });

  it('drops a beat (P wave without QRS), adds noise bursts and baseline jumps', () => {
    const fs = 250;
    const base = { fs, seconds: 20, heartRate: 60, seed: 9, noise: 0, baselineWander: 0 };
    const clean = ecgSimulate(base);
    const dropped = ecgSimulate({ ...base, anomalies: [{ kind: 'dropped', at: 8 }] });
    expect(dropped.rPeaks.length).toBe(clean.rPeaks.length - 1);
    expect(dropped.dropped).toHaveLength(1);
    const gap = Array.from(dropped.rPeaks).findIndex((r, i) => i > 0 && r - dropped.rPeaks[i - 1] > 1.5 * fs);
    expect(gap).toBeGreaterThan(0);
    const jump = ecgSimulate({ ...base, anomalies: [{ kind: 'baselineJump', at: 10, amplitude: 2 }] });
    expect(jump.signal[15 * fs] - clean.signal[15 * fs]).toBeCloseTo(2, 5);
    const burst = ecgSimulate({ ...base, anomalies: [{ kind: 'noiseBurst', at: 5, duration: 1, amplitude: 0.5 }] });
    let energy = 0;
    for (let i = 5 * fs; i < 6 * fs; i++) energy += (burst.signal[i] - clean.signal[i]) ** 2;
    expect(Math.sqrt(energy / fs)).toBeGreaterThan(0.3);
    expect(burst.signal[12 * fs]).toBe(clean.signal[12 * fs]);
  });

  it('pauses the rhythm', () => {
    const fs = 200;
    const sim = ecgSimulate({ fs, seconds: 30, heartRate: 75, seed: 4, anomalies: [{ kind: 'pause', at: 10, duration: 4 }] });
    const inside = Array.from(sim.rPeaks).filter((r) => r > 10.05 * fs && r < 13.9 * fs);
    expect(inside).toHaveLength(0);
    expect(Array.from(sim.rPeaks).some((r) => r > 14 * fs && r < 15 * fs)).toBe(true);
  });

  it('rejects impossible options', () => {
    expect(() => ecgSimulate({ fs: 0, seconds: 1 })).toThrow(/fs must be positive/);
    expect(() => ecgSimulate({ fs: 100, seconds: 1, heartRate: 400 })).toThrow(/heartRate must be in/);
  });
});
