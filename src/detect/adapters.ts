/**
 * The patient adapters shipped with the detector: `patient-profile` (the default: each device's
 * own dominant beats, AE baseline, noise and rhythm, `src/detect/profile`), `threshold-calibration`
 * (a per-device threshold from the learning period's model scores) and `off` (no adaptation: the
 * model's own threshold). The last two stay for ablation and benchmarks.
 */
import { calibrateThreshold, DEFAULT_CALIBRATION, type CalibrationOptions } from '../model';
import { DEFAULT_BEAT_WINDOW } from '../ecg';
import {
  populationVerdict,
  type BeatContext,
  type BeatVerdict,
  type DeviceProfile,
  type LearnedProfile,
  type LearnerContext,
  type PatientAdapter,
  type ProfileLearner,
  type ProfileTracker,
} from './patient-adaptation';
import type { SegmentedBeat } from './ports';
import { morphologyDistance } from './profile/features';
import {
  DEFAULT_PROFILE_OPTIONS,
  PatientProfile,
  ProfileLearner as ProfileClusterLearner,
  scoreBeat,
  type PatientProfileJSON,
  type ProfileLearnerJSON,
  type ProfileOptions,
} from './profile/profile';

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
 * The device's threshold is {@link calibrateThreshold} of its learning
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

/** Names accepted by {@link adapterByName} (the `ADAPTATION` setting, `eval mitdb --adaptation`); the first is the default. */
export const ADAPTER_NAMES = ['patient-profile', 'threshold-calibration', 'off'] as const;

/**
 * The shipped adapter of a name (`profile` is short for `patient-profile`, `calibration` for
 * `threshold-calibration`).
 *
 * @example
 * adapterByName('off') // OFF_ADAPTER
 */
export function adapterByName(name: string): PatientAdapter {
  if (name === 'patient-profile' || name === 'profile') return patientProfileAdapter();
  if (name === 'threshold-calibration' || name === 'calibration') return thresholdCalibrationAdapter();
  if (name === 'off') return OFF_ADAPTER;
  throw new RangeError(`unknown adaptation ${JSON.stringify(name)} (expected one of ${ADAPTER_NAMES.join(', ')})`);
}

/**
 * Which terms make a patient-profile beat's ventricular evidence (for ablations; the product uses
 * `both`): `autoencoder` is the autoencoder's error judged against this patient's own (a robust
 * z-score against the learning period) alone; `patient` the patient terms alone (distance from
 * the patient's templates, QRS widening, prematurity against the patient's rhythm); `both` all.
 */
export const SCORE_TERMS = ['both', 'autoencoder', 'patient'] as const;

/** One of {@link SCORE_TERMS}. */
export type ScoreTerms = (typeof SCORE_TERMS)[number];

/**
 * Robust z at threshold of the autoencoder term when it scores alone: the shared `aeZ` (17) is the
 * scale at which the AE term adds to the template distance, and alone it flags no beat at all.
 * Chosen like the product's constants, leave-one-record-out on MIT-BIH DS1 from {2, 3, 4, 6, 8}
 * (20 of 22 folds chose 6).
 */
export const AUTOENCODER_ALONE_Z = 6;

/**
 * The profile switches of a {@link ScoreTerms} choice.
 *
 * @example
 * patientProfileAdapter({ profile: scoreTermsOptions('autoencoder') })
 */
export function scoreTermsOptions(terms: ScoreTerms): Partial<ProfileOptions> {
  if (terms === 'autoencoder') return { useAe: true, useMorphology: false, useTiming: false, aeZ: AUTOENCODER_ALONE_Z };
  if (terms === 'patient') return { useAe: false, useMorphology: true, useTiming: true };
  return { useAe: true, useMorphology: true, useTiming: true };
}

/** Options of {@link patientProfileAdapter}. */
export interface PatientProfileAdapterOptions {
  /** Scoring constants (default {@link DEFAULT_PROFILE_OPTIONS}; `learnSeconds` is ignored: the detector times learning). */
  readonly profile?: Partial<ProfileOptions>;
  /**
   * Least device-clock time between two persisted updates of a learned profile (default 3600 s):
   * bounds the S3 PUTs to 24 per device-day whatever the signal does.
   */
  readonly persistEverySeconds?: number;
  /**
   * How far a normal template must have moved from its persisted version to count as a material
   * change (default 0.1, in {@link morphologyDistance} units without gain or shift): a fifth of
   * the distance that separates morphologies (`clusterDistance` 0.5), about the beat-to-beat
   * spread of one patient's normal beats, so the stored template stays within one normal beat of
   * the live one.
   */
  readonly materialDistance?: number;
}

/** Defaults of {@link PatientProfileAdapterOptions}. */
export const DEFAULT_PATIENT_PROFILE_ADAPTER: Required<Omit<PatientProfileAdapterOptions, 'profile'>> = Object.freeze({
  persistEverySeconds: 3600,
  materialDistance: 0.1,
});

/** What a tracker is configured with: when to persist, and the scoring constants it scores with. */
type PersistRule = Required<Omit<PatientProfileAdapterOptions, 'profile'>> & {
  /**
   * The adapter's scoring constants. They are code, not learned state: a profile saved by an
   * earlier version scores with today's constants (its templates and baselines mean the same).
   */
  readonly scoring: ProfileOptions;
};

/** A stored profile with the adapter's scoring constants in place of the ones it was saved with. */
function withScoring(json: PatientProfileJSON, scoring: ProfileOptions): PatientProfileJSON {
  return { ...json, options: { ...json.options, ...scoring } };
}

/** Live state of a {@link PatientProfileTracker} as it goes into device-state snapshots. */
interface TrackerJson {
  readonly profile: PatientProfileJSON | null;
  /** Templates (concatenated) and promotions as last persisted, and when (device-clock epoch ms). */
  readonly persisted: { readonly template: number[]; readonly promotions: number; readonly at: number };
}

/** The live profile of a device: scoring, template drift and promotions, and when to persist them. */
class PatientProfileTracker implements ProfileTracker {
  private readonly profile: PatientProfile | null;
  private persistedTemplate: Float64Array;
  private persistedPromotions: number;
  private persistedAt: number;
  /** Scratch for the material-change check (morphologyDistance reads a Float32Array). */
  private readonly current: Float32Array;

  constructor(
    private readonly populationThreshold: number,
    json: TrackerJson,
    private readonly options: PersistRule,
  ) {
    this.profile = json.profile === null ? null : PatientProfile.fromJSON(withScoring(json.profile, options.scoring));
    this.persistedTemplate = Float64Array.from(json.persisted.template);
    this.persistedPromotions = json.persisted.promotions;
    this.persistedAt = json.persisted.at;
    this.current = new Float32Array(this.profile?.geometry.steps ?? 0);
  }

  score(beat: SegmentedBeat, modelScore: number, reconstructionError = modelScore, context?: BeatContext): BeatVerdict {
    // No dominant beat was ever learned (no beats in the learning period and its extensions):
    // the population verdict, as without adaptation; in noisy seconds, gated as without it.
    if (this.profile === null)
      return context?.noisySignal === true ? { score: 0, kind: 'gated' } : populationVerdict(modelScore, this.populationThreshold);
    const verdict = scoreBeat(this.profile, beat, reconstructionError, context?.noisySignal === true);
    this.profile.observe(beat, verdict);
    return { score: verdict.score, kind: verdict.kind };
  }

  update(t: number): Record<string, unknown> | null {
    const p = this.profile;
    if (p === null || t - this.persistedAt < this.options.persistEverySeconds * 1000) return null;
    const steps = p.geometry.steps;
    let material = p.promotions !== this.persistedPromotions || p.templates * steps !== this.persistedTemplate.length;
    for (let j = 0; j < p.templates && !material; j++) {
      this.current.set(p.views[j]);
      const was = this.persistedTemplate.subarray(j * steps, (j + 1) * steps);
      material = morphologyDistance(this.current, was, p.geometry, 1, 0) >= this.options.materialDistance;
    }
    if (!material) return null;
    this.persistedTemplate = p.template.slice(0, p.templates * steps);
    this.persistedPromotions = p.promotions;
    this.persistedAt = t;
    return { profile: p.toJSON() };
  }

  toJSON(): TrackerJson {
    return {
      profile: this.profile === null ? null : this.profile.toJSON(),
      persisted: { template: Array.from(this.persistedTemplate), promotions: this.persistedPromotions, at: this.persistedAt },
    };
  }

  /** The tracker of a freshly loaded or learned profile: what is stored is what is persisted. */
  static fromProfile(profile: DeviceProfile, options: PersistRule): PatientProfileTracker {
    const json = (profile.features as { profile?: PatientProfileJSON | null }).profile ?? null;
    const live = json === null ? null : PatientProfile.fromJSON(withScoring(json, options.scoring));
    return new PatientProfileTracker(
      profile.threshold,
      {
        profile: json,
        persisted: {
          template: live === null ? [] : Array.from(live.template.subarray(0, live.templates * live.geometry.steps)),
          promotions: live === null ? 0 : live.promotions,
          at: profile.updatedAt ?? profile.learnedAt,
        },
      },
      options,
    );
  }
}

/** Learner of {@link patientProfileAdapter}: the research learner (online clustering, baselines) behind the port. */
class PatientLearner implements ProfileLearner {
  constructor(private readonly inner: ProfileClusterLearner) {}
  get beats(): number {
    return this.inner.beats;
  }
  add(beat: SegmentedBeat, modelScore: number, reconstructionError = modelScore): void {
    this.inner.add(beat, reconstructionError);
  }
  ready(): boolean {
    return this.inner.ready();
  }
  finish(populationThreshold: number): LearnedProfile {
    const profile = this.inner.build();
    return { threshold: populationThreshold, features: { profile: profile === null ? null : profile.toJSON() } };
  }
  toJSON(): unknown {
    return this.inner.toJSON();
  }
}

/**
 * The default adapter: each device learns its own dominant beat(s), how well the autoencoder
 * reconstructs them, its lead's noise and its rhythm (`src/detect/profile`), and every later beat
 * is scored against them: ventricular evidence `max(ae, morphology)` (robust z-scores against the
 * learning period, 1 = threshold), scaled up to 2x when the beat is also premature; prematurity
 * alone makes a beat `premature` (counted, never alerted: the score the alert policy sees is the
 * ventricular evidence); noisy or implausible beats are `gated` (score 0). Templates follow slow
 * drift and adopt a lasting new on-time morphology; that state lives in the device state
 * (snapshots, rollbacks) and is persisted when it changes materially (see
 * {@link PatientProfileAdapterOptions}).
 *
 * @example
 * const detector = new Detector(sinks, decodeWireRecord, { adaptation: patientProfileAdapter() });
 */
export function patientProfileAdapter(options: PatientProfileAdapterOptions = {}): PatientAdapter {
  const constants = options.profile ?? {};
  const persist: PersistRule = {
    persistEverySeconds: options.persistEverySeconds ?? DEFAULT_PATIENT_PROFILE_ADAPTER.persistEverySeconds,
    materialDistance: options.materialDistance ?? DEFAULT_PATIENT_PROFILE_ADAPTER.materialDistance,
    scoring: { ...DEFAULT_PROFILE_OPTIONS, ...constants },
  };
  const track = (profile: DeviceProfile, live: unknown): ProfileTracker =>
    live === null || live === undefined
      ? PatientProfileTracker.fromProfile(profile, persist)
      : new PatientProfileTracker(profile.threshold, live as TrackerJson, persist);
  return {
    name: 'patient-profile',
    learns: true,
    separatesKinds: true,
    gatesNoise: true,
    newLearner: (context?: LearnerContext) =>
      new PatientLearner(
        new ProfileClusterLearner({
          fs: context?.fs ?? 360,
          window: context?.window ?? DEFAULT_BEAT_WINDOW,
          modelVersion: context?.modelVersion ?? 'unknown',
          options: constants,
        }),
      ),
    restoreLearner: (json) => new PatientLearner(ProfileClusterLearner.fromJSON(json as ProfileLearnerJSON)),
    // Stateless scoring (inspection, tests): a fresh tracker per call, so nothing is remembered.
    score: (profile, beat, modelScore, reconstructionError, context) =>
      PatientProfileTracker.fromProfile(profile, persist).score(beat, modelScore, reconstructionError, context),
    track,
  };
}
