/**
 * The patient adapters shipped with the detector: `threshold-calibration` (the default: a
 * per-device threshold from the learning period's scores) and `off` (no adaptation: the
 * model's own threshold, for ablation and benchmarks). A research adapter plugs in the same way.
 */
import { calibrateThreshold, DEFAULT_CALIBRATION, type CalibrationOptions } from '../model/calibration';
import {
  populationVerdict,
  type BeatVerdict,
  type DeviceProfile,
  type LearnedProfile,
  type PatientAdapter,
  type ProfileLearner,
} from './patient-adaptation';

/** Default learning period: EC57's 5 minutes of signal. */
export const DEFAULT_LEARNING_SECONDS = 300;

/**
 * Fewest learning beats a calibrated threshold is trusted from; with fewer (asystole, lead off
 * for most of the period) the profile keeps the model's own threshold.
 */
export const MIN_LEARNING_BEATS = 20;

/** Learner of {@link thresholdCalibrationAdapter}: the learning period's model scores, in a growing typed array. */
class ScoreLearner implements ProfileLearner {
  private scores: Float64Array;
  beats = 0;
  constructor(
    private readonly rule: CalibrationOptions,
    initial: readonly number[] = [],
  ) {
    this.scores = new Float64Array(Math.max(512, initial.length));
    this.scores.set(initial);
    this.beats = initial.length;
  }
  add(_beat: unknown, modelScore: number): void {
    if (this.beats === this.scores.length) {
      const grown = new Float64Array(this.scores.length * 2);
      grown.set(this.scores);
      this.scores = grown;
    }
    this.scores[this.beats++] = modelScore;
  }
  finish(populationThreshold: number): LearnedProfile {
    const scores = this.scores.subarray(0, this.beats);
    if (this.beats < MIN_LEARNING_BEATS)
      return { threshold: populationThreshold, features: { rule: 'population', learningScoreMedian: null } };
    const sorted = Float64Array.from(scores).sort();
    const n = sorted.length;
    const median = n % 2 === 1 ? sorted[n >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    const threshold = calibrateThreshold(scores, this.rule);
    return { threshold, features: { rule: threshold < this.rule.medianFactor * median ? 'split' : 'median', learningScoreMedian: median } };
  }
  toJSON(): unknown {
    return { scores: Array.from(this.scores.subarray(0, this.beats)) };
  }
}

/**
 * The default adapter: the device's threshold is {@link calibrateThreshold} of its learning
 * period's model scores (6x their median, or 1.2x the split when ectopic beats form a second
 * population); a beat's relative score is its model score over that threshold, and every
 * flagged beat is taken for `ventricular` (this adapter does not tell kinds apart).
 *
 * @example
 * const detector = new Detector(sinks, decodeRecord, { adaptation: thresholdCalibrationAdapter() });
 */
export function thresholdCalibrationAdapter(rule: CalibrationOptions = DEFAULT_CALIBRATION): PatientAdapter {
  return {
    name: 'threshold-calibration',
    learns: true,
    separatesKinds: false,
    newLearner: () => new ScoreLearner(rule),
    restoreLearner: (json) => new ScoreLearner(rule, (json as { scores: number[] }).scores),
    score: (profile: DeviceProfile, _beat, modelScore: number): BeatVerdict => populationVerdict(modelScore, profile.threshold),
  };
}

/**
 * No adaptation: no learning period, the model's threshold (global or per device from the
 * artifact) throughout. Today's behaviour before issue 12; for ablation and benchmarks.
 *
 * @example
 * const detector = new Detector(sinks, decodeRecord, { adaptation: OFF_ADAPTER });
 */
export const OFF_ADAPTER: PatientAdapter = Object.freeze({
  name: 'off',
  learns: false,
  separatesKinds: false,
  newLearner(): ProfileLearner {
    throw new Error('the off adapter does not learn');
  },
  restoreLearner(): ProfileLearner {
    throw new Error('the off adapter does not learn');
  },
  score: (profile: DeviceProfile, _beat: unknown, modelScore: number): BeatVerdict => populationVerdict(modelScore, profile.threshold),
});

/** Names accepted by {@link adapterByName} (the `ADAPTATION` setting, `eval mitdb --adaptation`). */
export const ADAPTER_NAMES = ['threshold-calibration', 'off'] as const;

/**
 * The shipped adapter of a name (`calibration` is short for `threshold-calibration`).
 *
 * @example
 * adapterByName('off') // OFF_ADAPTER
 */
export function adapterByName(name: string): PatientAdapter {
  if (name === 'threshold-calibration' || name === 'calibration') return thresholdCalibrationAdapter();
  if (name === 'off') return OFF_ADAPTER;
  throw new RangeError(`unknown adaptation ${JSON.stringify(name)} (expected one of ${ADAPTER_NAMES.join(', ')})`);
}
