/**
 * Patient adaptation, the port: each device learns its own normal from a learning period of its
 * first beats (EC57's first 5 minutes), and from then on its beats are scored against what it
 * learned. A {@link PatientAdapter} decides what is learned (a threshold, a template, an RR
 * baseline, ...) and how a beat is scored against it; the detector only runs the learning
 * period, keeps the learner in the device state and persists the {@link DeviceProfile}.
 */
import type { DeviceLabels } from '../contract';
import type { SegmentedBeat } from './ports';

/** What a beat is taken for: `gated` = left out of detection (noise, artefact) by the adapter. */
export type BeatKind = 'normal' | 'ventricular' | 'premature' | 'gated';

/** Where a device is: learning its profile (population scoring) or scored against it. */
export type DevicePhase = 'learning' | 'learned';

/** A beat's verdict: `score` is relative, 1 = the device's threshold (> 1 = anomalous). */
export interface BeatVerdict {
  readonly score: number;
  readonly kind: BeatKind;
}

/** What the detector knows about a beat's surroundings when it asks for its verdict. */
export interface BeatContext {
  /**
   * The signal-quality index calls the beat's second (or a neighbour) noisy. Only an adapter
   * that `gatesNoise` ever sees such a beat; it should judge its noise more strictly.
   */
  readonly noisySignal: boolean;
}

/** Version of the {@link DeviceProfile} JSON; a profile of another version is relearned. */
export const PROFILE_FORMAT_VERSION = 1;

/**
 * What a device learned, stored as `devices/<deviceId>/profile.json` (docs/ARCHITECTURE.md §3.4). Plain JSON.
 * `threshold` is in the model's score units (the calibrated threshold); `features` is the
 * adapter's own (template, RR baseline, error baseline, ...).
 */
export interface DeviceProfile {
  readonly formatVersion: typeof PROFILE_FORMAT_VERSION;
  /** The {@link PatientAdapter.name} that learned it: another adapter relearns. */
  readonly adapter: string;
  /** The model whose scores it was learned from: another model relearns. */
  readonly modelVersion: string;
  /** Device-clock epoch ms of the beat that completed the learning period (deterministic: a replay writes the same profile). */
  readonly learnedAt: number;
  /** Length of the learning period, seconds of signal. */
  readonly learningSeconds: number;
  readonly beatsLearned: number;
  readonly threshold: number;
  readonly features: Readonly<Record<string, unknown>>;
  /** Device-clock epoch ms of the last material update after learning (absent: none yet). */
  readonly updatedAt?: number;
  /**
   * What clinicians' labels did to the device, written by retraining (docs/ARCHITECTURE.md §3.9):
   * its threshold on the learned scale. The detector applies the alert state table's copy, which
   * it reads every batch, and falls back to this one.
   */
  readonly labels?: DeviceLabels;
  /**
   * What the device learned on its second lead in the same learning period (multi-lead devices,
   * docs/ARCHITECTURE.md §3.2): the lead's name, its threshold and the adapter's features.
   * Absent: none (one lead, or too few usable beats on the second).
   */
  readonly secondLead?: SecondLeadProfile;
}

/** The second lead's part of a {@link DeviceProfile}. */
export interface SecondLeadProfile {
  readonly lead: string;
  readonly beatsLearned: number;
  readonly threshold: number;
  readonly features: Readonly<Record<string, unknown>>;
}

/**
 * What a learner is told when it starts: the device's sampling rate, the model's beat window
 * (where R and the QRS lie in a window) and the model version it learns under.
 */
export interface LearnerContext {
  readonly fs: number;
  readonly window: { readonly before: number; readonly after: number; readonly steps: number };
  readonly modelVersion: string;
}

/** What a learner hands over at the end of the learning period. */
export interface LearnedProfile {
  readonly threshold: number;
  readonly features: Record<string, unknown>;
}

/** An online accumulator of one device's learning period. Its `toJSON()` is part of the device state (snapshot, rollback). */
export interface ProfileLearner {
  /** Beats added so far. */
  readonly beats: number;
  /**
   * Takes one learning-period beat with the population model's score and the plain
   * reconstruction error behind it (the score less the artifact's prematurity term; absent: the
   * model score).
   */
  add(beat: SegmentedBeat, modelScore: number, reconstructionError?: number): void;
  /**
   * Whether the learner has what it needs to finish (absent: always). While false after the
   * learning period, the detector extends the period (up to {@link MAX_LEARNING_EXTENSION} times
   * its length, then finishes anyway): e.g. no dominant beat yet.
   */
  ready?(): boolean;
  /** The profile's threshold and features; `populationThreshold` is the model's own threshold for this device (a fallback). */
  finish(populationThreshold: number): LearnedProfile;
  /** Plain JSON from which {@link PatientAdapter.restoreLearner} rebuilds it. */
  toJSON(): unknown;
}

/**
 * A patient adaptation scheme, plugged into the detector (`DetectorOptions.adaptation`).
 *
 * @example
 * const detector = new Detector(sinks, decodeRecord, { adaptation: thresholdCalibrationAdapter() });
 */
export interface PatientAdapter {
  /** Recorded in every profile and in the evaluation output. */
  readonly name: string;
  /** False: no learning period at all; every beat is scored by `score` against the population profile. */
  readonly learns: boolean;
  /** Whether `score` tells `ventricular` from `premature` (else every flagged beat is `ventricular`). */
  readonly separatesKinds: boolean;
  /**
   * Whether a learned profile judges each beat's noise itself (kind `gated`): then seconds the
   * signal-quality index calls noisy do not gate its beats; flat and saturated seconds, and open
   * technical episodes, still do. Absent: false.
   */
  readonly gatesNoise?: boolean;
  newLearner(context?: LearnerContext): ProfileLearner;
  restoreLearner(json: unknown): ProfileLearner;
  /**
   * Scores one beat against a device's profile: relative score (1 = threshold) and kind. Keeps
   * no state: an adapter whose profile changes after learning also offers `track`, which the
   * detector uses instead.
   */
  score(profile: DeviceProfile, beat: SegmentedBeat, modelScore: number, reconstructionError?: number, context?: BeatContext): BeatVerdict;
  /**
   * A live scorer of a learned profile whose state moves with the beats (template drift, RR
   * history): built from the profile (`live` null) or restored from its own `toJSON()` (`live`,
   * a device-state snapshot). Absent: `score` is used.
   */
  track?(profile: DeviceProfile, live: unknown): ProfileTracker;
}

/**
 * A learned profile in use (see {@link PatientAdapter.track}). It is part of the device state:
 * snapshots and rollbacks cover its `toJSON()`, so a retried batch scores the same.
 */
export interface ProfileTracker {
  /** Scores one beat (as {@link PatientAdapter.score}), then moves the live state past it. */
  score(beat: SegmentedBeat, modelScore: number, reconstructionError: number, context?: BeatContext): BeatVerdict;
  /**
   * The profile's `features` to persist, when what was learned since the last persisted version
   * changed materially and the adapter's persistence interval (device clock, `t` in epoch ms)
   * has passed; else null. A non-null answer marks them persisted.
   */
  update(t: number): Record<string, unknown> | null;
  /** Plain JSON from which `track(profile, json)` rebuilds it. */
  toJSON(): unknown;
}

/**
 * How far past its learning period a device keeps learning while its learner is not
 * {@link ProfileLearner.ready}, as a multiple of the period (then it finishes with what it has).
 */
export const MAX_LEARNING_EXTENSION = 3;

/** Persistence of profiles (S3 `devices/<deviceId>/profile.json` in production). */
export interface ProfileStore {
  /** The device's profile, or null when it has none (a missing or unreadable object). Throws on any other failure. */
  load(deviceId: string): Promise<DeviceProfile | null>;
  /** Writes (overwrites) the device's profile. */
  save(deviceId: string, profile: DeviceProfile): Promise<void>;
}

/**
 * The population verdict: the model's score against the model's threshold for the device,
 * flagged beats taken for ventricular. Used during learning and by the `off` adapter.
 */
export function populationVerdict(modelScore: number, populationThreshold: number): BeatVerdict {
  const score = modelScore / populationThreshold;
  return { score, kind: score > 1 ? 'ventricular' : 'normal' };
}

/**
 * Checks a parsed profile; returns it typed, or a reason it is unusable.
 *
 * @example
 * const p = parseDeviceProfile(JSON.parse(text)); // { ok: true, profile } | { ok: false, reason }
 */
export function parseDeviceProfile(value: unknown): { ok: true; profile: DeviceProfile } | { ok: false; reason: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'profile is not an object' };
  const o = value as Record<string, unknown>;
  if (o.formatVersion !== PROFILE_FORMAT_VERSION)
    return { ok: false, reason: `unknown profile formatVersion ${JSON.stringify(o.formatVersion)}` };
  for (const f of ['adapter', 'modelVersion'] as const)
    if (typeof o[f] !== 'string' || o[f] === '') return { ok: false, reason: `profile.${f}: expected a non-empty string` };
  for (const f of ['learnedAt', 'learningSeconds', 'beatsLearned'] as const)
    if (typeof o[f] !== 'number' || !Number.isFinite(o[f])) return { ok: false, reason: `profile.${f}: expected a finite number` };
  if (typeof o.threshold !== 'number' || !(o.threshold > 0) || !Number.isFinite(o.threshold))
    return { ok: false, reason: 'profile.threshold: expected a finite number > 0' };
  if (o.features === null || typeof o.features !== 'object' || Array.isArray(o.features))
    return { ok: false, reason: 'profile.features: expected an object' };
  if (o.secondLead !== undefined) {
    const second = o.secondLead as Record<string, unknown> | null;
    if (second === null || typeof second !== 'object' || Array.isArray(second))
      return { ok: false, reason: 'profile.secondLead: expected an object' };
    if (typeof second.lead !== 'string' || second.lead === '')
      return { ok: false, reason: 'profile.secondLead.lead: expected a non-empty string' };
    if (typeof second.beatsLearned !== 'number' || !Number.isFinite(second.beatsLearned))
      return { ok: false, reason: 'profile.secondLead.beatsLearned: expected a finite number' };
    if (typeof second.threshold !== 'number' || !(second.threshold > 0) || !Number.isFinite(second.threshold))
      return { ok: false, reason: 'profile.secondLead.threshold: expected a finite number > 0' };
    if (second.features === null || typeof second.features !== 'object' || Array.isArray(second.features))
      return { ok: false, reason: 'profile.secondLead.features: expected an object' };
  }
  return { ok: true, profile: o as unknown as DeviceProfile };
}

/**
 * A {@link ProfileStore} in memory (tests, evaluation): profiles copied in and out as JSON, loads
 * and saves counted.
 *
 * @example
 * const profiles = new MemoryProfileStore();
 * const detector = new Detector(sinks, decodeRecord, { profiles });
 */
export class MemoryProfileStore implements ProfileStore {
  readonly profiles = new Map<string, string>();
  loads = 0;
  saves = 0;
  async load(deviceId: string): Promise<DeviceProfile | null> {
    this.loads++;
    const text = this.profiles.get(deviceId);
    return text === undefined ? null : (JSON.parse(text) as DeviceProfile);
  }
  async save(deviceId: string, profile: DeviceProfile): Promise<void> {
    this.saves++;
    this.profiles.set(deviceId, JSON.stringify(profile));
  }
  /** The stored profile of a device, or null. */
  get(deviceId: string): DeviceProfile | null {
    const text = this.profiles.get(deviceId);
    return text === undefined ? null : (JSON.parse(text) as DeviceProfile);
  }
}
