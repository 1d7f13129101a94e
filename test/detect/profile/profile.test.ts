import { describe, expect, it } from 'vitest';
import { BeatSegmenter, type Beat } from '../../../src/ecg/beat-segmenter';
import { ecgSimulate, type SimulatedAnomaly } from '../../../src/ecg/ecg-simulate';
import { streamBeats } from '../../../src/ecg/qrs-evaluation';
import { PatientProfile, ProfileLearner, scoreBeat, type BeatVerdict, type PatientProfileJSON } from '../../../src/detect/profile';

const FS = 360;
const WINDOW = { before: 0.25, after: 0.45, steps: 64 };
/** A stand-in for the autoencoder: the same error for every beat, so only the patient terms decide. */
const AE = 0.05;

function simulate(seconds: number, anomalies: SimulatedAnomaly[], seed = 3) {
  const ecg = ecgSimulate({ fs: FS, seconds, heartRate: 70, seed, anomalies });
  const beats = streamBeats(ecg.signal, FS, 1, new BeatSegmenter({ fs: FS, window: { ...WINDOW, normalization: 'zscore' } }));
  const tol = Math.round(0.1 * FS);
  const label = (b: Beat) => {
    let best = -1;
    for (let i = 0; i < ecg.rPeaks.length; i++) if (Math.abs(ecg.rPeaks[i] - b.rIndex) <= tol) best = i;
    return best < 0 ? null : ecg.labels[best];
  };
  return { beats, labels: beats.map(label) };
}

function learnThenScore(beats: Beat[]) {
  const learner = new ProfileLearner({ fs: FS, window: WINDOW, modelVersion: 'test-model' });
  let profile: PatientProfile | null = null;
  let i = 0;
  for (; i < beats.length && !profile; i++) profile = learner.learn(beats[i], AE);
  if (!profile) throw new Error('learning did not complete');
  const verdicts: (BeatVerdict | null)[] = beats.map(() => null);
  for (; i < beats.length; i++) {
    const v = scoreBeat(profile, beats[i], AE);
    profile.observe(beats[i], v);
    verdicts[i] = v;
  }
  return { profile, verdicts };
}

const pvcsEvery = (from: number, to: number, step: number): SimulatedAnomaly[] => {
  const out: SimulatedAnomaly[] = [];
  for (let t = from; t < to; t += step) out.push({ kind: 'pvc', at: t });
  return out;
};

describe('patient profile', () => {
  it('segmenter beats carry the scaling that restores the window in mV', () => {
    const { beats } = simulate(20, []);
    for (const b of beats.slice(2, -2)) {
      expect(b.scale).toBeGreaterThan(0.05);
      // A simulated QRS is about 1.35 mV peak to peak; the raw window must show it.
      let lo = Infinity;
      let hi = -Infinity;
      for (const w of b.window) {
        const v = w * (b.scale as number) + (b.offset as number);
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      expect(hi - lo).toBeGreaterThan(0.8);
      expect(hi - lo).toBeLessThan(2);
    }
  });

  it('scores PVCs after learning above 1 (ventricular) and normal beats below 1', () => {
    const { beats, labels } = simulate(420, pvcsEvery(320, 420, 7.3));
    const { verdicts } = learnThenScore(beats);
    let pvcs = 0;
    let normals = 0;
    verdicts.forEach((v, i) => {
      if (!v || i === beats.length - 1) return;
      if (labels[i] === 'V') {
        pvcs++;
        expect(v.kind).toBe('ventricular');
        expect(v.score).toBeGreaterThan(1);
      } else if (labels[i] === 'N') {
        normals++;
        expect(v.score).toBeLessThan(1);
        expect(v.kind).toBe('normal');
      }
    });
    expect(pvcs).toBeGreaterThan(8);
    expect(normals).toBeGreaterThan(80);
  });

  it('flags a normal-shaped early beat as premature, not ventricular', () => {
    const { beats } = simulate(330, []);
    const { profile } = learnThenScore(beats.slice(0, -30));
    const b = beats[beats.length - 10];
    const early = { ...b, rrPrev: 0.6 * (b.rrLocalMean as number) };
    const v = scoreBeat(profile, early, AE);
    expect(v.kind).toBe('premature');
    expect(v.terms.premature).toBeGreaterThan(1);
    expect(v.ventricular).toBeLessThan(1);
    // By default premature beats are counted, not alerted on (prematureWeight 0)...
    expect(v.score).toBeLessThan(1);
    // ...a device configured to alert on them gets a score above threshold.
    const alerting = PatientProfile.fromJSON({ ...profile.toJSON(), options: { ...profile.options, prematureWeight: 1 } });
    expect(scoreBeat(alerting, early, AE).score).toBeGreaterThan(1);
    expect(scoreBeat(profile, b, AE).score).toBeLessThan(1);
  });

  it('does not take bigeminy in the learning period as the template', () => {
    // A PVC about every other beat for the whole learning period, then sinus rhythm with a few PVCs.
    const { beats, labels } = simulate(420, [...pvcsEvery(2, 300, 1.72), ...pvcsEvery(330, 420, 9.1)]);
    const learningV = labels.filter((l, i) => l === 'V' && beats[i].rIndex < 300 * FS).length;
    const learningN = labels.filter((l, i) => l === 'N' && beats[i].rIndex < 300 * FS).length;
    expect(learningV).toBeGreaterThan(0.6 * learningN); // really bigeminy-like
    const { profile, verdicts } = learnThenScore(beats);
    expect(profile.templates).toBe(1); // the PVC cluster is premature, so it is no normal template
    verdicts.forEach((v, i) => {
      if (!v || beats[i].rIndex < 310 * FS || i === beats.length - 1) return;
      if (labels[i] === 'V') expect(v.kind).toBe('ventricular');
      if (labels[i] === 'N') expect(v.kind).toBe('normal');
    });
  });

  it('gates beats inside a noise burst instead of calling them ventricular', () => {
    const { beats, labels } = simulate(400, [{ kind: 'noiseBurst', at: 340, duration: 10, amplitude: 0.3 }]);
    const { verdicts } = learnThenScore(beats);
    let inBurst = 0;
    let gated = 0;
    verdicts.forEach((v, i) => {
      const t = beats[i].rIndex / FS;
      if (!v || t < 341 || t > 349 || labels[i] !== 'N') return;
      inBurst++;
      if (v.kind === 'gated') gated++;
      expect(v.kind).not.toBe('ventricular');
    });
    expect(inBurst).toBeGreaterThan(5);
    expect(gated).toBeGreaterThan(inBurst / 2);
  });

  it('adopts a lasting on-time change of the normal beat as a new normal template', () => {
    // Electrodes reattached the other way round at 330 s: every beat afterwards is inverted, far
    // beyond what the slow template update follows (adaptCap), so only promotion can adopt it.
    // Promotion wants a steady rhythm (each beat within about 7 % of the local mean RR), hence low HRV.
    const ecg = ecgSimulate({ fs: FS, seconds: 420, heartRate: 70, seed: 4, heartRateVariability: 0.01 });
    const signal = Float32Array.from(ecg.signal, (v, i) => (i >= 330 * FS ? -v : v));
    const beats = streamBeats(signal, FS, 1, new BeatSegmenter({ fs: FS, window: { ...WINDOW, normalization: 'zscore' } }));
    const { profile, verdicts } = learnThenScore(beats);
    const after = verdicts.filter((v, i) => v !== null && beats[i].rIndex > 331 * FS && i < beats.length - 1) as BeatVerdict[];
    const flagged = after.filter((v) => v.kind === 'ventricular').length;
    expect(flagged).toBeGreaterThan(0); // the change is noticed...
    expect(flagged).toBeLessThanOrEqual(40); // ...but stops being flagged after about promoteAfter beats
    expect(after.slice(-30).every((v) => v.kind === 'normal')).toBe(true);
    expect(profile.templates).toBeGreaterThan(1);
  });

  it('round-trips learner and profile through JSON exactly', () => {
    const { beats } = simulate(360, pvcsEvery(100, 360, 11));
    const a = new ProfileLearner({ fs: FS, window: WINDOW, modelVersion: 'm1' });
    let b: ProfileLearner | null = null;
    let pa: PatientProfile | null = null;
    let pb: PatientProfile | null = null;
    let i = 0;
    for (; i < beats.length && !pa; i++) {
      if (i === 150) b = ProfileLearner.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
      if (b) {
        expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
        pb = b.learn(beats[i], AE + i * 1e-4);
      }
      pa = a.learn(beats[i], AE + i * 1e-4);
    }
    expect(pa).not.toBeNull();
    expect(JSON.stringify(pb?.toJSON())).toBe(JSON.stringify(pa?.toJSON()));
    const live = pa as PatientProfile;
    for (; i < beats.length; i++) {
      const copy = PatientProfile.fromJSON(JSON.parse(JSON.stringify(live.toJSON())) as PatientProfileJSON);
      const v1 = scoreBeat(live, beats[i], AE);
      const v2 = scoreBeat(copy, beats[i], AE);
      expect(v2).toEqual(v1);
      live.observe(beats[i], v1);
      copy.observe(beats[i], v2);
      expect(copy.toJSON()).toEqual(live.toJSON());
    }
    expect(live.modelVersion).toBe('m1');
  });

  it('rejects unknown formats', () => {
    expect(() => PatientProfile.fromJSON({ format: 'beatwatch.profile', version: 99 } as unknown as PatientProfileJSON)).toThrow(/format/);
  });
});

/** The beat with its raw (mV) window scaled by `gain` about zero: a taller or smaller complex of the same shape. */
function scaled(b: Beat, gain: number): Beat {
  return { ...b, scale: (b.scale as number) * gain, offset: (b.offset as number) * gain };
}

/** The beat stretched in time about its R peak by `factor` (linear interpolation): a wider complex, same height. */
function stretched(b: Beat, factor: number): Beat {
  const r = (WINDOW.before / (WINDOW.before + WINDOW.after)) * (WINDOW.steps - 1);
  const w = new Float32Array(b.window.length);
  for (let k = 0; k < w.length; k++) {
    const at = Math.min(w.length - 1, Math.max(0, r + (k - r) / factor));
    const lo = Math.floor(at);
    const hi = Math.min(w.length - 1, lo + 1);
    w[k] = b.window[lo] + (at - lo) * (b.window[hi] - b.window[lo]);
  }
  return { ...b, window: w };
}

describe('patient profile: width, timing and size', () => {
  const { beats } = simulate(330, []);
  const { profile } = learnThenScore(beats.slice(0, -30));
  const beat = beats[beats.length - 10];

  it('a taller beat on time and of normal width is not ventricular; the same beat widened is', () => {
    const taller = scoreBeat(profile, scaled(beat, 2.5), AE);
    // The size change alone is far beyond the template's gain, so the template distance sees it...
    expect(taller.terms.morphology).toBeGreaterThan(1);
    expect(taller.terms.widening).toBeCloseTo(1, 1);
    // ...but a change on time and of normal width is drift or an amplitude change more often than ectopy.
    expect(taller.kind).toBe('normal');
    expect(taller.score).toBeLessThan(1);
    const wider = scoreBeat(profile, stretched(beat, 1.8), AE);
    expect(wider.terms.widening).toBeGreaterThan(1.4);
    expect(wider.kind).toBe('ventricular');
    expect(wider.score).toBeGreaterThan(1);
  });

  it('allows a larger beat more roughness, by the square root of its size: a large clean beat is not gated', () => {
    const normal = scoreBeat(profile, beat, AE);
    const large = scoreBeat(profile, scaled(beat, 4), AE);
    // Four times the slopes everywhere, but four times the QRS too: twice the noise, not four times.
    expect(large.terms.noise / normal.terms.noise).toBeCloseTo(2, 6);
    expect(large.kind).not.toBe('gated');
  });

  it('in a second the signal-quality index calls noisy, a beat must be cleaner to be scored', () => {
    // Roughen the beat outside its QRS (alternating steps, a high-frequency artefact) until its
    // noise term sits between the strict noisy-signal gate (2) and the normal gate (3).
    const g = profile.geometry;
    const rough = (level: number): Beat => {
      const w = Float32Array.from(beat.window);
      for (let k = 0; k < w.length; k++) if (k < g.qrsFrom || k >= g.qrsTo) w[k] += (k % 2 === 0 ? level : -level) / (beat.scale as number);
      return { ...beat, window: w };
    };
    let lo = 0;
    let hi = 1;
    for (let i = 0; i < 40; i++) {
      const mid = (lo + hi) / 2;
      if (scoreBeat(profile, rough(mid), AE).terms.noise < 2.5) lo = mid;
      else hi = mid;
    }
    const b = rough(lo);
    expect(scoreBeat(profile, b, AE).terms.noise).toBeCloseTo(2.5, 1);
    expect(scoreBeat(profile, b, AE).kind).not.toBe('gated');
    expect(scoreBeat(profile, b, AE, true).kind).toBe('gated');
    expect(scoreBeat(profile, beat, AE, true).kind).toBe('normal'); // a clean beat in a noisy second is scored
  });

  it('bigeminy is regular at lag 2 and keeps its prematurity; atrial fibrillation is irregular at every lag', () => {
    const withRr = (rr: number[], lags: number) =>
      PatientProfile.fromJSON({ ...profile.toJSON(), rr, rrAt: 0, options: { ...profile.options, irregularityLags: lags } });
    const bigeminy = [0.6, 1.0, 0.6, 1.0, 0.6, 1.0, 0.6, 1.0];
    expect(withRr(bigeminy, 1).irregularity()).toBeGreaterThan(0.4);
    expect(withRr(bigeminy, 3).irregularity()).toBeLessThan(0.01);
    const trigeminy = [0.8, 0.55, 1.05, 0.8, 0.55, 1.05, 0.8, 0.55];
    expect(withRr(trigeminy, 3).irregularity()).toBeLessThan(0.01);
    // Chaotic intervals stay far above sinus rhythm's few % at every lag.
    const af = [0.5, 0.92, 0.71, 0.55, 1.04, 0.62, 0.86, 0.58];
    expect(withRr(af, 3).irregularity()).toBeGreaterThan(0.12);
    // The ectopic beat of bigeminy (0.6 s after a normal one, local mean 0.8 s) is clearly premature.
    const ectopic = { ...beat, rrPrev: 0.6, rrLocalMean: 0.8 };
    expect(scoreBeat(withRr(bigeminy, 3), ectopic, AE).terms.premature).toBeGreaterThan(1);
    expect(scoreBeat(withRr(bigeminy, 1), ectopic, AE).terms.premature).toBeLessThan(0.5);
  });
});
