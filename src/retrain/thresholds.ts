import type { SequenceAutoencoder } from '../nn';
import { DEFAULT_THRESHOLD_RULE, fitThreshold, type FittedThreshold, type ThresholdRule, applyBeatScoringRr } from '../model';
import type { DeviceBeats } from './dataset';
import { type BeatScoring, LABEL_MARGIN } from '../contract';
import { subsampleWindows, type WindowSet } from './split';
import { createRandom } from '../nn';

/** Options of {@link fitRetrainThresholds}. */
export interface RetrainThresholdOptions {
  readonly rule: ThresholdRule;
  /** The detector's scoring rule: thresholds apply to its scores, not to bare reconstruction errors. */
  readonly scoring: BeatScoring;
  /** Fewest normal beats of a device for its own threshold. */
  readonly minDeviceBeats: number;
  /** Most beats of a device scored for its threshold (a seeded sample beyond that). */
  readonly maxDeviceBeats: number;
  readonly seed: number;
  /** A device threshold is clamped to [lo, hi] x the global one. */
  readonly clamp: readonly [number, number];
  /**
   * Beats of each device's alerts labelled false alarms (`src/retrain/labels.ts`): that device's
   * threshold is at least just above the highest of their scores (within the clamp), so they
   * count as its normal.
   */
  readonly labelledNormal?: ReadonlyMap<string, WindowSet>;
}

/** The thresholds a promoted model ships with. */
export interface RetrainThresholds {
  readonly global: FittedThreshold;
  /** Device id -> threshold, for devices with enough beats. */
  readonly devices: Record<string, number>;
  /** Devices fitted, of which clamped, and devices with too few beats (global applies). */
  readonly fitted: number;
  readonly clamped: number;
  readonly tooFewBeats: number;
  /** Set when the requested rule could not be fitted and the default quantile rule was used. */
  readonly fallback?: string;
  /** Devices whose threshold was raised above its fit (or above the global one) by false-alarm labels. */
  readonly raisedByLabels: number;
}

/**
 * Fits the global threshold on the held-out normal beats' scores (the detector's scores: the
 * reconstruction error completed by `scoring`), with `rule`, falling back to
 * the default 99th percentile when e.g. a POT tail has too few peaks), then a threshold per
 * device with at least `minDeviceBeats` normal beats, same rule, on that device's beats, clamped
 * to [lo, hi] x global. The clamp bounds what one device's history can do to its own
 * sensitivity: its beats were filtered by the champion's threshold, so a device's fit would
 * otherwise ratchet down a little at every retraining.
 *
 * @throws RangeError when there are fewer held-out scores than a threshold needs.
 * @example
 * const t = fitRetrainThresholds(challenger, split.evaluate, dataset.devices, { rule, scoring: champion.scoring, minDeviceBeats: 200, maxDeviceBeats: 1000, seed: 1, clamp: [0.5, 4] });
 */
export function fitRetrainThresholds(
  model: SequenceAutoencoder,
  evaluate: WindowSet,
  devices: readonly DeviceBeats[],
  options: RetrainThresholdOptions,
): RetrainThresholds {
  const heldOut = model.score(evaluate.data, evaluate.count);
  applyBeatScoringRr(heldOut, evaluate.rr, evaluate.count, options.scoring);
  let rule = options.rule;
  let global: FittedThreshold;
  let fallback: string | undefined;
  try {
    global = fitThreshold(heldOut, rule);
  } catch (err) {
    if (rule.rule === DEFAULT_THRESHOLD_RULE.rule) throw err;
    fallback = `${rule.rule} could not be fitted (${(err as Error).message}); used ${DEFAULT_THRESHOLD_RULE.rule}`;
    rule = DEFAULT_THRESHOLD_RULE;
    global = fitThreshold(heldOut, rule);
  }
  const [lo, hi] = options.clamp;
  const result: Record<string, number> = {};
  let fitted = 0;
  let clamped = 0;
  let tooFewBeats = 0;
  let scores = new Float32Array(0);
  const rng = createRandom(options.seed ^ 0xd7);
  for (const d of devices) {
    if (d.normalCount < options.minDeviceBeats) {
      tooFewBeats++;
      continue;
    }
    const beats = subsampleWindows(
      { data: d.normal, rr: d.normalRr, count: d.normalCount },
      options.maxDeviceBeats,
      model.config.steps,
      rng,
    );
    if (scores.length < beats.count) scores = new Float32Array(beats.count);
    const own = model.score(beats.data, beats.count, scores).subarray(0, beats.count);
    applyBeatScoringRr(own, beats.rr, beats.count, options.scoring);
    let value: number;
    try {
      value = fitThreshold(own, rule).value;
    } catch {
      tooFewBeats++;
      continue;
    }
    const bounded = Math.min(hi * global.value, Math.max(lo * global.value, value));
    if (bounded !== value) clamped++;
    result[d.deviceId] = bounded;
    fitted++;
  }
  // False alarms are the device's normal: its threshold goes just above them (clamped like any fit).
  let raisedByLabels = 0;
  for (const [deviceId, beats] of options.labelledNormal ?? []) {
    if (beats.count === 0) continue;
    const own = model.score(beats.data, beats.count);
    applyBeatScoringRr(own, beats.rr, beats.count, options.scoring);
    const floor = Math.min(hi * global.value, Math.max(...own) * (1 + LABEL_MARGIN));
    const current = result[deviceId] ?? global.value;
    if (floor > current) {
      result[deviceId] = floor;
      raisedByLabels++;
    }
  }
  return { global, devices: result, fitted, clamped, tooFewBeats, raisedByLabels, ...(fallback ? { fallback } : {}) };
}
