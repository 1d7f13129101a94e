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
import {
  DEFAULT_NOISE_STRESS,
  injectFaults,
  noiseStressTotals,
  placeFaults,
  runNoiseStress,
  type FaultOutcome,
} from '../../src/evaluate/noise-stress';

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

describe('eval noise with two leads', () => {
  it('injects every fault into the model lead only: the other lead is sent byte for byte as recorded (114 stores MLII second)', () => {
    const r114 = loadMitdbRecord('data/mitdb', '114');
    const fs = r114.fs;
    const total = 300;
    const { placed } = placeFaults(
      r114,
      {
        learningSeconds: 60,
        gapSeconds: 20,
        faults: [
          { type: 'noise-ma', seconds: 20, snrDb: 0 },
          { type: 'lead-off', seconds: 12 },
          { type: 'saturation', seconds: 12 },
          { type: 'signal-lost', seconds: 20 },
        ],
      },
      total,
    );
    expect(placed.map((f) => f.type)).toEqual(['noise-ma', 'lead-off', 'saturation', 'signal-lost']);
    const one = injectFaults(r114, placed, noise, { total, leads: 1 });
    const two = injectFaults(r114, placed, noise, { total, leads: 2 });
    expect(one.leads).toBeNull();
    expect(two.leads?.map((l) => l.name)).toEqual(['V5', 'MLII']);
    const [v5, mlii] = two.leads ?? [];
    const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    const recordedV5 = r114.leads?.[0].samples.subarray(0, total * fs) as Float32Array;
    expect(bytes(v5.samples).equals(bytes(recordedV5))).toBe(true);
    // MLII carries exactly the one-lead run's faults, and differs from the recording inside each replaced or noisy stretch only.
    expect(bytes(mlii.samples).equals(bytes(one.signal))).toBe(true);
    const recordedMlii = r114.signal.subarray(0, total * fs);
    const inside = (i: number) => placed.some((f) => f.type !== 'signal-lost' && i >= f.from && i < f.from + f.length);
    let changedInside = 0;
    for (let i = 0; i < mlii.samples.length; i++) {
      if (!inside(i)) expect(mlii.samples[i]).toBe(recordedMlii[i]);
      else if (mlii.samples[i] !== recordedMlii[i]) changedInside++;
    }
    expect(changedInside).toBeGreaterThan(0.5 * (12 + 12 + 20) * fs);
    // A dropout drops whole records: every lead.
    expect([...two.dropped]).toEqual([...one.dropped]);
    expect(two.dropped.size).toBe(20);
  });

  it('keeps reporting the beats inside a lead-off of MLII from the second lead (record 100, 150 s, 60 s learning)', async () => {
    const options = { learningSeconds: 60, gapSeconds: 20, limitSeconds: 150, faults: [{ type: 'lead-off' as const, seconds: 12 }] };
    const [two, one] = await Promise.all(
      ([2, 1] as const).map((leads) => runNoiseStress(record, defaultModelFor('100').model, noise, { ...options, leads })),
    );
    const [f] = two.faults;
    expect(f.startSecond).toBe(80);
    expect(f.beats?.reference).toBeGreaterThan(10);
    // Record 100's V5 is clean here: every beat is still found, on V5.
    expect(f.beats?.reported).toBe(f.beats?.reference);
    expect(f.beats?.secondLead).toBeGreaterThanOrEqual((f.beats?.reference ?? 0) - 1);
    expect(f.clinicalInside).toBe(0);
    expect(f.clinicalAfter).toBe(0);
    // One lead: the stretch is flat, the device raises lead-off and reports no coverage.
    expect(one.faults[0].reason).toBe('lead-off');
    expect(one.faults[0].beats).toBeUndefined();
  });

  it('raises no VT from the beats V1 finds while MLII is off (209 at 330 s: its sinus beats, alike on V1, made a run once)', async () => {
    const options = { limitSeconds: 380, faults: [{ type: 'lead-off' as const, seconds: 15 }], leads: 2 as const };
    const result = await runNoiseStress(loadMitdbRecord('data/mitdb', '209'), defaultModelFor('209').model, noise, options);
    const [f] = result.faults;
    expect(f.startSecond).toBe(330);
    expect(f.beats?.secondLead).toBeGreaterThan(10);
    expect(f.insideKinds).toEqual([]);
  });

  it('judges no beat on V1 that V1 did not find (205, muscle noise at 0 dB on MLII from 1233 s: a beat placed 100 ms late alerted once)', async () => {
    // The default protocol's faults, so the noise stretch and its noise are those of the eval.
    const options = { limitSeconds: 1300, leads: 2 as const };
    const result = await runNoiseStress(loadMitdbRecord('data/mitdb', '205'), defaultModelFor('205').model, noise, options);
    const f = result.faults.find((x) => x.type === 'noise-ma' && x.snrDb === 0);
    expect(f?.startSecond).toBe(1233);
    // Its beats are still reported, most judged on V1 where MLII's noise hides them.
    expect(f?.beats?.reported).toBeGreaterThanOrEqual((f?.beats?.reference ?? 0) - 2);
    expect(f?.beats?.secondLead).toBeGreaterThan(20);
    expect(f?.insideKinds).toEqual([]);
  });

  it('requires a technical alert for signal-lost only, and totals the beat coverage of each fault', () => {
    const fault = (type: FaultOutcome['type'], raisedAfter: number | null, reported: number): FaultOutcome => ({
      type,
      snrDb: null,
      startSecond: 400,
      seconds: 15,
      raisedAfter,
      reason: raisedAfter === null ? null : type,
      clinicalInside: 0,
      clinicalAfter: 0,
      insideKinds: [],
      beats: { reference: 20, reported, secondLead: reported },
    });
    const records = [
      { record: 'a', faults: [fault('lead-off', null, 20), fault('signal-lost', 40, 0)], notPlaced: [], technicalElsewhere: 0 },
      { record: 'b', faults: [fault('lead-off', 6, 0), fault('signal-lost', 41, 0)], notPlaced: [], technicalElsewhere: 0 },
    ];
    const two = noiseStressTotals(records, DEFAULT_NOISE_STRESS.timing, 2);
    expect(two.acceptance).toEqual({ required: 2, requiredInTime: 2, clinicalInside: 0, met: true });
    expect(two.byFault['lead-off'].beats).toEqual({ reference: 40, reported: 20, secondLead: 20 });
    expect(two.byFault['lead-off'].raised).toBe(1);
    const one = noiseStressTotals(records, DEFAULT_NOISE_STRESS.timing);
    expect(one.acceptance).toEqual({ required: 4, requiredInTime: 3, clinicalInside: 0, met: false });
    expect(one.byFault['lead-off'].beats).toBeUndefined();
  });
});
