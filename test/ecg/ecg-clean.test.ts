import { describe, expect, it } from 'vitest';
import { createEcgCleaner, ecgClean, ecgCleanDelay } from '../../src/ecg/ecg-clean';
import { ecgSimulate } from '../../src/ecg/ecg-simulate';

describe('ecgClean', () => {
  it('removes baseline wander and offset, keeps the QRS', () => {
    const fs = 360;
    const sim = ecgSimulate({ fs, seconds: 30, heartRate: 70, seed: 1, noise: 0, baselineWander: 0 });
    const drifting = Float32Array.from(sim.signal, (x, i) => x + 2 + 0.8 * Math.sin((2 * Math.PI * 0.1 * i) / fs));
    const clean = ecgClean(drifting, fs);
    // Once settled, the 2 mV offset and the 0.8 mV drift are gone: the cleaned drifting signal
    // equals the cleaned steady one to within a few hundredths of a mV.
    const reference = ecgClean(sim.signal, fs);
    let worst = 0;
    for (let i = 5 * fs; i < clean.length; i++) worst = Math.max(worst, Math.abs(clean[i] - reference[i]));
    expect(worst).toBeLessThan(0.05);
    const delay = ecgCleanDelay(fs);
    for (const r of Array.from(sim.rPeaks).slice(3)) expect(clean[r + delay]).toBeGreaterThan(0.75);
  });

  it('is the streaming cleaner run over the signal relative to its first sample', () => {
    const signal = Float32Array.from({ length: 500 }, (_, i) => 1 + Math.sin(i / 9));
    const cleaner = createEcgCleaner(250);
    const streamed = Array.from(signal, (x) => cleaner.step(x - signal[0]));
    expect(Array.from(ecgClean(signal, 250))).toEqual(streamed);
  });

  it('has a delay of a couple of samples that scales with the rate', () => {
    expect(ecgCleanDelay(360)).toBe(2);
    expect(ecgCleanDelay(1000)).toBe(6);
    expect(ecgCleanDelay(100)).toBe(1);
  });
});
