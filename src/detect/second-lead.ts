/**
 * A device's adaptation on its second lead (docs/ARCHITECTURE.md §3.2). The model was trained on
 * one lead; a device sending two learns its normal on the second one too, in the same learning
 * period and with the same adapter (its own templates, its own baseline of the model's error).
 * A beat is scored on the model's lead while that lead is usable there, and on the second lead
 * when the model's lead is lost or noisy (or its verdict gates the beat as noise) and the second
 * is usable, instead of being left out as noise. On MIT-BIH DS1 (leave-one-record-out) this
 * choice beat taking the larger score of the two and a weighted mean (README, "Measured").
 */
import type {
  BeatVerdict,
  DeviceProfile,
  LearnerContext,
  PatientAdapter,
  ProfileLearner,
  ProfileTracker,
  SecondLeadProfile,
} from './patient-adaptation';
import type { SegmentedBeat } from './ports';

/** Plain-JSON form of a {@link SecondLead} (part of the device state: snapshots and rollbacks cover it). */
export interface SecondLeadJson {
  readonly lead: string;
  /** The learner while the device learns (null once learned). */
  readonly learner: unknown;
  /** The tracker's live state once learned (null: not built yet, or the adapter keeps none). */
  readonly live: unknown;
}

/** Fewest usable second-lead beats a learning period needs for the second lead to be scored on (the adapters' own minimum). */
export const MIN_SECOND_LEAD_BEATS = 20;

/** The second lead's window of a multi-lead beat, as a beat of its own (same R peak and RR context); null when unusable or absent. */
export function secondLeadBeat(beat: SegmentedBeat): SegmentedBeat | null {
  const w = beat.leads?.[1];
  if (w === undefined || !w.usable) return null;
  const { rIndex, rrPrev, rrNext, rrLocalMean } = beat;
  return {
    rIndex,
    rrPrev,
    rrNext,
    ...(rrLocalMean === undefined ? {} : { rrLocalMean }),
    window: w.window,
    scale: w.scale,
    offset: w.offset,
  };
}

/** Whether the model's lead was usable over a beat's window (a one-lead beat always is). */
export function firstLeadUsable(beat: SegmentedBeat): boolean {
  return beat.leads?.[0]?.usable ?? true;
}

/**
 * Whether the second lead's own QRS detector found a beat where this one would be on it
 * (`LEAD_CONFIRM_SECONDS`). A beat placed by a noisy model lead alone has a second-lead window
 * cut at a time that lead does not vouch for: the QRS there is misplaced and looks unlike the
 * lead's normal beats, so `beatVerdict` does not judge that window where the model's lead was
 * unusable. Beats without the flag (one lead, older segmenters) count as confirmed.
 *
 * @example
 * secondLeadConfirms(beat); // false: V1 saw no QRS within 60 ms of where this beat's would be
 */
export function secondLeadConfirms(beat: SegmentedBeat): boolean {
  return beat.leads?.[1]?.confirmed !== false;
}

/**
 * The verdict a beat gets from its leads: the model's lead's unless it was unusable or gated the
 * beat as noise, then the second lead's when it has one that is not gated, else gated.
 *
 * @example
 * fuseVerdicts(null, { score: 1.8, kind: 'ventricular' }); // { verdict: {...}, lead: 1 }
 */
export function fuseVerdicts(first: BeatVerdict | null, second: BeatVerdict | null): { verdict: BeatVerdict; lead: 0 | 1 } {
  if (first !== null && first.kind !== 'gated') return { verdict: first, lead: 0 };
  if (second !== null && second.kind !== 'gated') return { verdict: second, lead: 1 };
  return { verdict: first ?? { score: 0, kind: 'gated' }, lead: 0 };
}

/**
 * One device's second lead: a learner during the learning period, then a scorer against what
 * it learned (the profile's `secondLead`), through the same adapter as the model's lead.
 *
 * @example
 * const second = SecondLead.learning(adapter, 'V1', context);
 * second.add(secondLeadBeat(beat)!, modelScore, error);
 */
export class SecondLead {
  private constructor(
    /** The lead's name. */
    readonly lead: string,
    private learner: ProfileLearner | null,
    private tracker: ProfileTracker | null,
    private live: unknown,
  ) {}

  /** A second lead starting its learning period. */
  static learning(adapter: PatientAdapter, lead: string, context: LearnerContext): SecondLead {
    return new SecondLead(lead, adapter.newLearner(context), null, null);
  }

  /** A second lead scored against a learned profile (a loaded one, or one learned here). */
  static learned(lead: string): SecondLead {
    return new SecondLead(lead, null, null, null);
  }

  /** Rebuilds one from {@link SecondLead.toJSON} output. */
  static fromJSON(json: SecondLeadJson, adapter: PatientAdapter, profile: DeviceProfile | null): SecondLead {
    const s = new SecondLead(json.lead, json.learner === null ? null : adapter.restoreLearner(json.learner), null, json.live ?? null);
    if (s.live !== null && profile !== null) s.trackerFor(adapter, profile);
    return s;
  }

  /** Whether it is learning. */
  get isLearning(): boolean {
    return this.learner !== null;
  }

  /** Takes one usable learning-period beat of this lead. */
  add(beat: SegmentedBeat, modelScore: number, reconstructionError: number): void {
    this.learner?.add(beat, modelScore, reconstructionError);
  }

  /**
   * Ends the learning period: what the second lead learned, or undefined when its learner is not
   * ready or saw fewer than {@link MIN_SECOND_LEAD_BEATS} usable beats (the lead is then not
   * scored on until the device learns again).
   */
  finish(populationThreshold: number): SecondLeadProfile | undefined {
    const learner = this.learner;
    this.learner = null;
    if (learner === null || learner.beats < MIN_SECOND_LEAD_BEATS || !(learner.ready?.() ?? true)) return undefined;
    const { threshold, features } = learner.finish(populationThreshold);
    return { lead: this.lead, beatsLearned: learner.beats, threshold, features };
  }

  /**
   * Scores a beat's second-lead window against the profile's `secondLead` (null when the profile
   * has none for this lead). Adapters that track a moving profile move it past the beat.
   */
  score(
    adapter: PatientAdapter,
    profile: DeviceProfile,
    beat: SegmentedBeat,
    modelScore: number,
    reconstructionError: number,
  ): BeatVerdict | null {
    const view = secondProfile(profile, this.lead);
    if (view === null) return null;
    const tracker = this.trackerFor(adapter, profile);
    return tracker !== null
      ? tracker.score(beat, modelScore, reconstructionError)
      : adapter.score(view, beat, modelScore, reconstructionError);
  }

  /** The features to persist when the second lead's tracked profile changed materially (see `ProfileTracker.update`). */
  update(t: number): Record<string, unknown> | null {
    return this.tracker?.update(t) ?? null;
  }

  /** Plain JSON. */
  toJSON(): SecondLeadJson {
    return { lead: this.lead, learner: this.learner === null ? null : this.learner.toJSON(), live: this.tracker?.toJSON() ?? this.live };
  }

  private trackerFor(adapter: PatientAdapter, profile: DeviceProfile): ProfileTracker | null {
    if (this.tracker !== null || adapter.track === undefined) return this.tracker;
    const view = secondProfile(profile, this.lead);
    if (view === null) return null;
    this.tracker = adapter.track(view, this.live);
    return this.tracker;
  }
}

/** The profile as the adapter sees it for the second lead: its threshold and features (null: none for `lead`). */
function secondProfile(profile: DeviceProfile, lead: string): DeviceProfile | null {
  const second = profile.secondLead;
  if (second === undefined || second.lead !== lead) return null;
  return { ...profile, beatsLearned: second.beatsLearned, threshold: second.threshold, features: second.features };
}
