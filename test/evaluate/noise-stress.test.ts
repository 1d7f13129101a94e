import { describe, expect, it } from 'vitest';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { readWfdbRecord } from '../../src/ecg/wfdb-record';
import { defaultModelFor } from '../../src/evaluate/default-model';
import {
  cleanSeconds,
  firstCleanRun,
  injectLeadOff,
  injectNoise,
  injectSaturation,
  noiseGain,
  noisePower,
  qrsSignalPower,
} from '../../src/evaluate/fault-injection';
import { DEFAULT_NOISE_STRESS, noiseStressTotals, runNoiseStress } from '../../src/evaluate/noise-stress';

const record = loadMitdbRecord('data/mitdb', '100');
const noise = { bw: readWfdbRecord('data/nstdb/bw').signals[0].samples, ma: readWfdbRecord('data/nstdb/ma').signals[0].samples };

describe('fault injection', () => {
  it('scales real noise to the stated SNR as the noise stress test measures it', () => {
    const fs = record.fs;
    const from = 400 * fs;
    const length = 30 * fs;
    const s = qrsSignalPower(record, 0, record.signal.length);
    expect(Math.sqrt(8 * s)).toBeGreaterThan(0.5); // record 100's QRS is about 1-2 mV peak to peak
    for (const snr of [12, 6, 0]) {
      const part = noise.ma.subarray(1000 * fs, 1000 * fs + length);
      const gain = noiseGain(s, noisePower(part, fs), snr);
      const noisy = injectNoise(record.signal, from, length, noise.ma, 1000 * fs, gain);
      const added = noisy.subarray(from, from + length).map((v, i) => v - record.signal[from + i]);
      const measured = 10 * Math.log10(s / noisePower(added, fs));
      // The trend removed to avoid steps takes a little of the noise's power: within 1 dB.
      expect(Math.abs(measured - snr)).toBeLessThan(1);
      expect(noisy[from - 1]).toBe(record.signal[from - 1]);
      expect(noisy[from + length]).toBe(record.signal[from + length]);
    }
  });

  it('lead-off is exactly constant; saturation holds a rail for most of the stretch; both leave the rest alone', () => {
    const from = 100 * record.fs;
    const length = 10 * record.fs;
    const flat = injectLeadOff(record.signal, from, length);
    expect(new Set(flat.subarray(from, from + length)).size).toBe(1);
    const clipped = injectSaturation(record.signal, from, length);
    const part = clipped.subarray(from, from + length);
    const rail = Math.max(...part);
    expect(part.filter((v) => v === rail).length / length).toBeGreaterThan(0.5);
    expect(clipped.subarray(0, from)).toEqual(record.signal.subarray(0, from));
  });

  it('finds clean stretches for noise only in normal rhythm, away from non-normal beats and noise marks', () => {
    const clean = cleanSeconds(record, { normalOnly: true });
    expect(cleanSeconds(record).every(Boolean)).toBe(true); // 100 has no noise mark and no flutter
    const firstA = record.beatSamples[record.beatSymbols.indexOf('A')] / record.fs;
    expect(clean[Math.floor(firstA)]).toBe(false);
    const at = firstCleanRun(clean, 0, 20, 5) as number;
    expect(at).not.toBeNull();
    expect(clean.slice(at - 5, at + 25).every(Boolean)).toBe(true);
  });
});

describe('eval noise on a small instance (record 100, 8 minutes, 60 s learning)', () => {
  it('raises a technical alert for every lead-off and saturation stretch within 10 s and signal-lost within the deadline, and no clinical alert inside', async () => {
    const result = await runNoiseStress(record, defaultModelFor('100').model, noise, {
      learningSeconds: 60,
      gapSeconds: 20,
      limitSeconds: 480,
      faults: [
        { type: 'lead-off', seconds: 12 },
        { type: 'saturation', seconds: 12 },
        { type: 'signal-lost', seconds: 70 },
        { type: 'noise-ma', seconds: 20, snrDb: 0 },
      ],
    });
    expect(result.notPlaced).toEqual([]);
    const byType = Object.fromEntries(result.faults.map((f) => [f.type, f]));
    expect(byType['lead-off'].reason).toBe('lead-off');
    expect(byType['lead-off'].raisedAfter).toBeLessThanOrEqual(10);
    expect(byType.saturation.reason).toBe('saturation');
    expect(byType.saturation.raisedAfter).toBeLessThanOrEqual(10);
    expect(byType['signal-lost'].reason).toBe('signal-lost');
    expect(byType['signal-lost'].raisedAfter).toBeLessThanOrEqual(DEFAULT_NOISE_STRESS.timing.deadlineMs / 1000);
    // Never before the silence could have lasted the declare threshold less one write interval.
    const { lostAfterMs, writeEveryMs } = DEFAULT_NOISE_STRESS.timing;
    expect(byType['signal-lost'].raisedAfter).toBeGreaterThanOrEqual((lostAfterMs - writeEveryMs) / 1000);
    for (const f of result.faults) expect(f.clinicalInside, f.type).toBe(0);
    const total = noiseStressTotals([result], DEFAULT_NOISE_STRESS.timing);
    expect(total.acceptance).toEqual({ required: 3, requiredInTime: 3, clinicalInside: 0, met: true });
    expect(total.byFault['noise-ma 0 dB'].stretches).toBe(1);
  });
});
