import { createRandom, type Random } from '../random';

/** An event injected into a simulated ECG. Times are seconds from the start. */
export type SimulatedAnomaly =
  /** A premature ventricular beat: early (coupling `coupling` x RR), wide, no P wave, discordant T, then a compensatory pause. */
  | { readonly kind: 'pvc'; readonly at: number; readonly coupling?: number }
  /** A dropped beat: the first beat after `at` keeps its P wave but has no QRS-T (as in AV block). */
  | { readonly kind: 'dropped'; readonly at: number }
  /** A sinus pause (arrest): no beat (nor P wave) from `at` for `duration` seconds (default 3). */
  | { readonly kind: 'pause'; readonly at: number; readonly duration?: number }
  /** A burst of broadband noise (muscle artifact, electrode motion). */
  | { readonly kind: 'noiseBurst'; readonly at: number; readonly duration?: number; readonly amplitude?: number }
  /** A step of the baseline (electrode shift) that persists. */
  | { readonly kind: 'baselineJump'; readonly at: number; readonly amplitude?: number };

/** Options of {@link ecgSimulate}. */
export interface EcgSimulateOptions {
  /** Sample rate in Hz. */
  readonly fs: number;
  /** Duration in seconds. */
  readonly seconds: number;
  /** Mean heart rate in beats per minute. Default 70. */
  readonly heartRate?: number;
  /** Beat-to-beat RR variability (std as a fraction of the mean RR). Default 0.03. */
  readonly heartRateVariability?: number;
  /** Seed of the PRNG: the same options give the same signal. Default 1. */
  readonly seed?: number;
  /** Random source to draw from instead of a generator seeded with `seed` (e.g. one shared by several simulations). */
  readonly random?: Random;
  /** Std of additive white noise in mV. Default 0.01. */
  readonly noise?: number;
  /** Amplitude of respiratory baseline wander (0.25 Hz) in mV. Default 0.05. */
  readonly baselineWander?: number;
  /** Events to inject. */
  readonly anomalies?: readonly SimulatedAnomaly[];
}

/** Label of a simulated beat: `N` normal, `V` premature ventricular. */
export type SimulatedBeatLabel = 'N' | 'V';

/** A simulated recording and its ground truth. */
export interface SimulatedEcg {
  /** Signal in mV. */
  readonly signal: Float32Array;
  /** Sample index of every R peak (every QRS actually present), ascending. */
  readonly rPeaks: Int32Array;
  /** Label of each R peak, aligned with `rPeaks`. */
  readonly labels: SimulatedBeatLabel[];
  /** Sample indices where a beat was dropped (its P wave is present, its QRS is not). */
  readonly dropped: Int32Array;
}

/** One Gaussian wave of a beat template: centre (s from R), width (s), amplitude (mV). */
interface Wave {
  readonly at: number;
  readonly width: number;
  readonly amplitude: number;
  /** Whether the centre scales with sqrt(RR) (P and T move with heart rate; QRS does not). */
  readonly scales: boolean;
}

/** Normal sinus beat as a sum of Gaussians (the P-Q-R-S-T description of McSharry's ECGSYN). */
const NORMAL_P: Wave = { at: -0.2, width: 0.025, amplitude: 0.15, scales: true };
const NORMAL_QRST: readonly Wave[] = [
  { at: -0.03, width: 0.01, amplitude: -0.1, scales: false },
  { at: 0, width: 0.012, amplitude: 1.0, scales: false },
  { at: 0.03, width: 0.01, amplitude: -0.25, scales: false },
  { at: 0.3, width: 0.06, amplitude: 0.3, scales: true },
];
/** Premature ventricular beat: no P wave, a wide tall QRS, a deep S and an inverted T. */
const PVC: readonly Wave[] = [
  { at: 0, width: 0.035, amplitude: 1.4, scales: false },
  { at: 0.07, width: 0.03, amplitude: -0.5, scales: false },
  { at: 0.32, width: 0.08, amplitude: -0.4, scales: false },
];

/** Default coupling of a simulated PVC (fraction of the RR interval). */
export const DEFAULT_PVC_COUPLING = 0.6;

/**
 * Synthetic ECG: beats drawn from Gaussian-wave templates (P, Q, R, S, T as in ECGSYN) at a
 * heart rate with beat-to-beat variability and respiratory modulation, plus baseline wander and
 * white noise, with optional anomalies. Any sample rate; seeded, so reproducible.
 *
 * @example
 * const { signal, rPeaks, labels } = ecgSimulate({ fs: 250, seconds: 60, seed: 7,
 *   anomalies: [{ kind: 'pvc', at: 20 }, { kind: 'noiseBurst', at: 40, duration: 2 }] });
 */
export function ecgSimulate(options: EcgSimulateOptions): SimulatedEcg {
  const { fs, seconds } = options;
  if (!(fs > 0 && Number.isFinite(fs))) throw new RangeError(`ecgSimulate: fs must be positive, got ${fs}`);
  if (!(seconds > 0 && Number.isFinite(seconds))) throw new RangeError(`ecgSimulate: seconds must be positive, got ${seconds}`);
  const heartRate = options.heartRate ?? 70;
  if (!(heartRate >= 20 && heartRate <= 250)) throw new RangeError(`ecgSimulate: heartRate must be in [20, 250] bpm, got ${heartRate}`);
  const hrv = options.heartRateVariability ?? 0.03;
  const rng = options.random ?? createRandom(options.seed ?? 1);
  const length = Math.round(seconds * fs);
  const signal = new Float64Array(length);
  const meanRr = 60 / heartRate;
  const anomalies = [...(options.anomalies ?? [])].sort((a, b) => a.at - b.at);
  const pvcs = anomalies.filter((a) => a.kind === 'pvc');
  const drops = anomalies.filter((a) => a.kind === 'dropped');
  const pauses = anomalies.filter((a) => a.kind === 'pause');

  const rPeaks: number[] = [];
  const labels: SimulatedBeatLabel[] = [];
  const dropped: number[] = [];
  // The first beat falls 0.3-0.7 RR in; `t` is the time of the previous beat.
  let t = meanRr * (0.4 * rng.next() - 0.7);
  let pvcIndex = 0;
  let dropIndex = 0;
  let pauseIndex = 0;
  while (t < seconds) {
    // Respiratory sinus arrhythmia (0.25 Hz) plus random beat-to-beat variability.
    const rr = meanRr * (1 + 0.04 * Math.sin(2 * Math.PI * 0.25 * t) + hrv * rng.normal());
    const pvc = pvcs[pvcIndex];
    const drop = drops[dropIndex];
    if (pvc && pvc.kind === 'pvc' && pvc.at <= t + rr) {
      pvcIndex++;
      const coupling = pvc.coupling ?? DEFAULT_PVC_COUPLING;
      const at = t + coupling * rr;
      if (at < seconds) addBeat(signal, fs, at, rr, PVC, rPeaks, labels, 'V');
      // Full compensatory pause: the sinus beat due at t + rr is blocked (the ventricles are
      // refractory), so the next one comes two RR after the last conducted beat.
      t += rr;
      continue;
    }
    t += rr;
    const pause = pauses[pauseIndex];
    if (pause && pause.kind === 'pause' && pause.at <= t) {
      pauseIndex++;
      // No beat until the pause ends; the next one falls about when it does.
      t = Math.max(t, pause.at + (pause.duration ?? 3)) - rr;
      continue;
    }
    if (t >= seconds) break;
    if (drop && drop.at <= t) {
      dropIndex++;
      addWave(signal, fs, t, rr, NORMAL_P);
      dropped.push(Math.round(t * fs));
      continue;
    }
    addWave(signal, fs, t, rr, NORMAL_P);
    addBeat(signal, fs, t, rr, NORMAL_QRST, rPeaks, labels, 'N');
  }

  addNoise(signal, fs, rng, options.noise ?? 0.01, options.baselineWander ?? 0.05, anomalies);
  // R peaks too close to the ends to be seen whole are still listed; callers trim as they need.
  const order = rPeaks.map((r, i) => [r, i] as const).sort((a, b) => a[0] - b[0]);
  return {
    signal: Float32Array.from(signal),
    rPeaks: Int32Array.from(order.map(([r]) => r)),
    labels: order.map(([, i]) => labels[i]),
    dropped: Int32Array.from(dropped),
  };
}

function addBeat(
  signal: Float64Array,
  fs: number,
  t: number,
  rr: number,
  waves: readonly Wave[],
  rPeaks: number[],
  labels: SimulatedBeatLabel[],
  label: SimulatedBeatLabel,
): void {
  for (const wave of waves) addWave(signal, fs, t, rr, wave);
  const r = Math.round(t * fs);
  if (r >= 0 && r < signal.length) {
    rPeaks.push(r);
    labels.push(label);
  }
}

/** Adds one Gaussian wave, over +/- 4 widths only. */
function addWave(signal: Float64Array, fs: number, t: number, rr: number, wave: Wave): void {
  const centre = t + wave.at * (wave.scales ? Math.sqrt(rr) : 1);
  const from = Math.max(0, Math.floor((centre - 4 * wave.width) * fs));
  const to = Math.min(signal.length - 1, Math.ceil((centre + 4 * wave.width) * fs));
  const k = 1 / (2 * wave.width * wave.width);
  for (let i = from; i <= to; i++) {
    const d = i / fs - centre;
    signal[i] += wave.amplitude * Math.exp(-d * d * k);
  }
}

function addNoise(
  signal: Float64Array,
  fs: number,
  rng: Random,
  noise: number,
  wander: number,
  anomalies: readonly SimulatedAnomaly[],
): void {
  const phase = 2 * Math.PI * rng.next();
  for (let i = 0; i < signal.length; i++) {
    signal[i] += wander * Math.sin(2 * Math.PI * 0.25 * (i / fs) + phase) + noise * rng.normal();
  }
  for (const a of anomalies) {
    const start = Math.max(0, Math.round(a.at * fs));
    if (a.kind === 'noiseBurst') {
      const end = Math.min(signal.length, start + Math.round((a.duration ?? 1) * fs));
      const amplitude = a.amplitude ?? 0.3;
      for (let i = start; i < end; i++) signal[i] += amplitude * rng.normal();
    } else if (a.kind === 'baselineJump') {
      const amplitude = a.amplitude ?? 1;
      for (let i = start; i < signal.length; i++) signal[i] += amplitude;
    }
  }
}
