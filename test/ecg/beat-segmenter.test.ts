import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BeatSegmenter, ecgSegment, type Beat } from '../../src/ecg/beat-segmenter';
import { ecgSimulate } from '../../src/ecg/ecg-simulate';
import { ecgResample } from '../../src/ecg/resample';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { DEFAULT_BEAT_WINDOW, type BeatWindowSpec } from '../../src/ecg/beat-window-spec';
import { chunked, MITDB } from './helpers';

function plain(beats: Beat[]): unknown[] {
  return beats.map((b) => ({ ...b, window: Array.from(b.window) }));
}

function stream(signal: Float32Array, fs: number, sizes: number[], serializeAt: boolean[], window?: BeatWindowSpec): Beat[] {
  let segmenter = new BeatSegmenter({ fs, window });
  const beats: Beat[] = [];
  chunked(signal, sizes).forEach((chunk, k) => {
    beats.push(...segmenter.push(chunk));
    if (serializeAt[k % serializeAt.length]) segmenter = BeatSegmenter.fromJSON(JSON.parse(JSON.stringify(segmenter)));
  });
  beats.push(...segmenter.flush());
  return beats;
}

describe('BeatSegmenter chunk invariance (property)', () => {
  const real = loadMitdbRecord(MITDB, '106').signal.subarray(0, 360 * 45);
  for (const fs of [125, 250, 360, 500]) {
    it(`gives identical beats, windows and RR values for any chunking at ${fs} Hz`, () => {
      const sim = ecgSimulate({
        fs,
        seconds: 30,
        heartRate: 80,
        seed: 11,
        anomalies: [
          { kind: 'pvc', at: 9 },
          { kind: 'dropped', at: 18 },
        ],
      }).signal;
      const realAtFs = fs === 360 ? real : ecgResample(real, 360, fs);
      for (const signal of [sim, realAtFs]) {
        const whole = plain(ecgSegment(signal, fs));
        expect(whole.length).toBeGreaterThan(20);
        fc.assert(
          fc.property(
            fc.array(fc.integer({ min: 1, max: 2 * fs }), { minLength: 1, maxLength: 10 }),
            fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
            (sizes, serializeAt) => {
              expect(plain(stream(signal, fs, sizes, serializeAt))).toEqual(whole);
            },
          ),
          { numRuns: 8, seed: fs },
        );
      }
    });
  }
});

describe('BeatSegmenter sample by sample', () => {
  it('gives the whole-signal beats when fed one sample at a time', () => {
    const fs = 125;
    const signal = ecgSimulate({ fs, seconds: 20, heartRate: 90, seed: 8, anomalies: [{ kind: 'pvc', at: 7 }] }).signal;
    expect(plain(stream(signal, fs, [1], [false]))).toEqual(plain(ecgSegment(signal, fs)));
  });
});

describe('BeatSegmenter windows and RR context', () => {
  const fs = 360;
  const sim = ecgSimulate({
    fs,
    seconds: 60,
    heartRate: 72,
    seed: 5,
    noise: 0.005,
    anomalies: [
      { kind: 'pvc', at: 20 },
      { kind: 'pvc', at: 40 },
    ],
  });
  const beats = ecgSegment(sim.signal, fs);

  it('emits one beat per simulated beat, at its R peak', () => {
    expect(beats).toHaveLength(sim.rPeaks.length);
    // Within 10 ms (wide ventricular beats peak later on the cleaned signal) plus quantization.
    beats.forEach((b, i) => expect(Math.abs(b.rIndex - sim.rPeaks[i])).toBeLessThanOrEqual(Math.ceil(0.01 * fs) + 1));
  });

  it('z-scores each window of spec.steps samples', () => {
    for (const b of beats) {
      expect(b.window).toHaveLength(DEFAULT_BEAT_WINDOW.steps);
      const mean = b.window.reduce((a, x) => a + x, 0) / b.window.length;
      const variance = b.window.reduce((a, x) => a + (x - mean) ** 2, 0) / b.window.length;
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(variance).toBeCloseTo(1, 4);
    }
  });

  it('centres the R peak where the spec puts it', () => {
    const spec: BeatWindowSpec = { before: 0.2, after: 0.2, steps: 41, normalization: 'none' };
    const centred = ecgSegment(sim.signal, fs, spec);
    const normal = centred.filter((_, i) => sim.labels[i] === 'N').slice(2);
    for (const b of normal) {
      let best = 0;
      for (let k = 1; k < b.window.length; k++) if (b.window[k] > b.window[best]) best = k;
      expect(Math.abs(best - 20)).toBeLessThanOrEqual(1);
      expect(b.window[20]).toBeGreaterThan(0.7); // mV: the 1 mV R wave survives cleaning
    }
  });

  it('links RR intervals: rrNext of a beat is rrPrev of the next; rrLocalMean is the mean before it', () => {
    expect(beats[0].rrPrev).toBeNull();
    expect(beats[1].rrLocalMean).toBeNull();
    for (let i = 0; i + 1 < beats.length; i++) {
      expect(beats[i].rrNext).toBeCloseTo((beats[i + 1].rIndex - beats[i].rIndex) / fs, 12);
      expect(beats[i + 1].rrPrev).toBe(beats[i].rrNext);
    }
    expect(beats[beats.length - 1].rrNext).toBeNull();
    for (let i = 2; i < beats.length; i++) {
      const previous = beats.slice(Math.max(1, i - 8), i).map((b) => b.rrPrev as number);
      expect(beats[i].rrLocalMean).toBeCloseTo(previous.reduce((a, x) => a + x, 0) / previous.length, 12);
    }
  });

  it('shows premature ventricular beats as premature with a compensatory pause', () => {
    const pvcs = beats.filter((_, i) => sim.labels[i] === 'V');
    expect(pvcs).toHaveLength(2);
    for (const b of pvcs) {
      expect((b.rrPrev as number) / (b.rrLocalMean as number)).toBeLessThan(0.7);
      expect((b.rrNext as number) / (b.rrLocalMean as number)).toBeGreaterThan(1.2);
    }
  });

  it('gives rrNext null when no beat follows within maxRrNext', () => {
    const a = ecgSimulate({ fs, seconds: 10, heartRate: 70, seed: 1, noise: 0.002, baselineWander: 0 });
    const b = ecgSimulate({ fs, seconds: 10, heartRate: 70, seed: 2, noise: 0.002, baselineWander: 0 });
    const pause = Math.round(2.6 * fs);
    const signal = new Float32Array(a.signal.length + pause + b.signal.length);
    signal.set(a.signal);
    signal.set(b.signal, a.signal.length + pause);
    const out = ecgSegment(signal, fs, DEFAULT_BEAT_WINDOW, { maxRrNext: 2 });
    const beforePause = out.findLast((x) => x.rIndex < a.signal.length) as Beat;
    const afterPause = out.find((x) => x.rIndex > a.signal.length) as Beat;
    expect(beforePause.rrNext).toBeNull();
    expect(afterPause.rrPrev).toBeGreaterThan(2.6);
  });

  it('holds a beat about one RR interval: emitted once its successor is detected', () => {
    const segmenter = new BeatSegmenter({ fs });
    const latencies: number[] = [];
    for (const chunk of chunked(sim.signal, [36])) {
      for (const b of segmenter.push(chunk)) latencies.push((segmenter.consumed - b.rIndex) / fs);
    }
    const sorted = latencies.slice(2).sort((x, y) => x - y);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(1.4);
  });

  it("keeps each window's scaling: window * scale + offset is the cleaned signal in mV", () => {
    const raw = ecgSegment(sim.signal, fs, { ...DEFAULT_BEAT_WINDOW, normalization: 'none' });
    expect(raw).toHaveLength(beats.length);
    beats.forEach((b, i) => {
      expect(b.scale).toBeGreaterThan(0);
      expect(raw[i].scale).toBe(1);
      expect(raw[i].offset).toBe(0);
      b.window.forEach((w, k) => expect(w * (b.scale as number) + (b.offset as number)).toBeCloseTo(raw[i].window[k], 5));
    });
  });

  it('restores a state written before beats carried their scaling (held beats then come without it)', () => {
    const segmenter = new BeatSegmenter({ fs });
    segmenter.push(sim.signal.subarray(0, 10 * fs));
    const state = JSON.parse(JSON.stringify(segmenter));
    const old = { ...state, held: state.held.map(({ scale: _s, offset: _o, ...h }: Record<string, unknown>) => h) };
    const restored = BeatSegmenter.fromJSON(old);
    const out = restored.push(sim.signal.subarray(10 * fs, 20 * fs));
    const fresh = new BeatSegmenter({ fs });
    fresh.push(sim.signal.subarray(0, 10 * fs));
    const expected = fresh.push(sim.signal.subarray(10 * fs, 20 * fs));
    expect(out.map((b) => b.rIndex)).toEqual(expected.map((b) => b.rIndex));
    out.forEach((b, i) => {
      expect(Array.from(b.window)).toEqual(Array.from(expected[i].window));
      if (b.scale !== undefined) expect(b.scale).toBe(expected[i].scale);
    });
  });

  it('keeps a small JSON state and rejects a damaged one', () => {
    const segmenter = new BeatSegmenter({ fs });
    segmenter.push(sim.signal.subarray(0, 20 * fs));
    const state = JSON.parse(JSON.stringify(segmenter));
    expect(JSON.stringify(state).length).toBeLessThan(25_000);
    expect(() => BeatSegmenter.fromJSON({ ...state, ring: state.ring.slice(0, -8) })).toThrow(/ring must be base64 of \d+ Float32 values/);
    expect(() => BeatSegmenter.fromJSON({ ...state, version: 2 })).toThrow(/unknown version 2/);
  });

  it('rejects a bad window spec naming the field', () => {
    expect(() => new BeatSegmenter({ fs, window: { ...DEFAULT_BEAT_WINDOW, steps: 1 } })).toThrow(/steps must be an integer >= 2/);
    expect(() => new BeatSegmenter({ fs, window: { ...DEFAULT_BEAT_WINDOW, before: -1 } })).toThrow(/before must be >= 0/);
  });
});
