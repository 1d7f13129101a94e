/**
 * Per-device signal quality, technical episodes and rhythm episodes (issue 13): the part of the
 * detector that judges the stream and the rhythm rather than single beats. It is fed twice per
 * record: {@link RhythmMonitor.samples} with the record's samples and the R peaks the segmenter
 * has found so far (signal quality, lead-off, asystole and the rate rules, which must not wait
 * for a beat to be cut), and {@link RhythmMonitor.beat} with each scored beat (atrial
 * fibrillation from RR irregularity, ventricular runs, bigeminy, trigeminy). It returns episode
 * events; the detector turns them into alerts raised at onset and at offset only (Drew et al.
 * 2014 recommend alerting on atrial fibrillation at its onset and end, not per beat).
 *
 * Plain-JSON state ({@link RhythmMonitor.toJSON}) so it is snapshotted and rolled back with the
 * rest of the device state.
 */
import {
  DEFAULT_POOR_STRETCH,
  isPoorQuality,
  poorStretchOnset,
  SECOND_QUALITY_CODE,
  secondQualityOf,
  SignalQualityIndex,
  type OtherLeadPeaks,
  type PoorStretchRule,
  type SecondQuality,
  type SignalQualityOptions,
  type SignalQualityState,
  type StreamHead,
} from '../ecg';
import { ALARM_LIMITS, alarmLimitProblem, alarmLimitsConflict, DEFAULT_ALARM_LIMITS, type AlarmLimitName } from '../contract';
import type { AlertSeverity } from './alert-policy';
import { mergeOtherLead, otherLeadShowsBeats, type OtherLeadState } from './asystole-veto';
import { headPauseEnd, headSlowRun, leadOffInPause, type HeadPauseContext } from './head-rules';
import { AfRule, type AfOptions, type AfRuleState } from './af-rule';
import { VtRule, type VtRuleState } from './vt-rule';
import { ShapeTracker, type BeatShape, type ShapeTrackerState } from './shape-tracker';

/** Rhythms raised as episodes. */
export type RhythmLabel = 'AFIB' | 'AFL' | 'VT' | 'VFL' | 'BIGEMINY' | 'TRIGEMINY' | 'ASYSTOLE' | 'BRADY' | 'TACHY';

/** Every {@link RhythmLabel} (alert ids are parsed against it). */
export const RHYTHM_LABELS: readonly RhythmLabel[] = Object.freeze([
  'AFIB',
  'AFL',
  'VT',
  'VFL',
  'BIGEMINY',
  'TRIGEMINY',
  'ASYSTOLE',
  'BRADY',
  'TACHY',
] as RhythmLabel[]);

/** Reasons of technical alerts. */
export type TechnicalReason = 'lead-off' | 'noise' | 'saturation' | 'signal-lost';

/** Every {@link TechnicalReason}. */
export const TECHNICAL_REASONS: readonly TechnicalReason[] = Object.freeze([
  'lead-off',
  'noise',
  'saturation',
  'signal-lost',
] as TechnicalReason[]);

/** One onset or offset of an episode (device-clock epoch ms). */
export interface EpisodeEvent {
  readonly kind: 'rhythm' | 'technical';
  readonly label: RhythmLabel | TechnicalReason;
  readonly phase: 'onset' | 'offset';
  readonly severity: AlertSeverity;
  /** When the episode began (its id is built from it). */
  readonly start: number;
  /** When the monitor decided (onset) or when the episode ended (offset). */
  readonly at: number;
  /** True for a second onset that raises an open episode to critical (a VT run reaching 5 beats). */
  readonly escalation?: true;
}

/** Thresholds of the rules; every field has a documented default in {@link DEFAULT_RHYTHM_OPTIONS}. */
export interface RhythmOptions {
  /** Signal-quality index options (fs comes from the stream). */
  readonly sqi: Omit<SignalQualityOptions, 'fs'>;
  /** Seconds looked back by the technical rule. */
  readonly technicalWindowSeconds: number;
  /** Poor seconds among them that open a technical episode. */
  readonly technicalOnsetSeconds: number;
  /** Noisy seconds among them that open a `noise` episode (noise comes and goes in clean records too). */
  readonly noiseOnsetSeconds: number;
  /** Consecutive acceptable seconds that close it. */
  readonly technicalOffsetSeconds: number;
  /** No QRS for this long on a signal that is not flat or saturated: asystole. */
  readonly asystoleSeconds: number;
  readonly bradyBpm: number;
  /** Consecutive RR intervals below `bradyBpm`. */
  readonly bradyBeats: number;
  readonly tachyBpm: number;
  /** Consecutive RR intervals above `tachyBpm`. */
  readonly tachyBeats: number;
  /** Ventricular-looking beats in a row whose mean rate over them is above `vtBpm`: a VT run (warning). */
  readonly vtRunBeats: number;
  /** Run length at which VT becomes critical (bedside monitors' V-tach alarm). */
  readonly vtCriticalBeats: number;
  readonly vtBpm: number;
  /** QRS correlation with the dominant template below which a beat is ventricular-looking (`src/detect/vt-rule.ts`). */
  readonly vtShape: number;
  /** Relative score from which a beat inside a fast run is ventricular-looking. */
  readonly vtScore: number;
  /** QRS correlation from which a beat is the dominant shape, never ventricular-looking. */
  readonly vtDominant: number;
  /** During atrial fibrillation, the QRS correlation below which a beat is ventricular-looking. */
  readonly vtShapeInAf: number;
  /** During AF: QRS correlation with the last on-time beats from which a beat is conducted like them, never ventricular-looking (above 1: off). */
  readonly vtConductedInAf: number;
  /** QRS correlation with a VT run's previous beat from which a beat the scorer judged noise counts in the run. */
  readonly vtNoiseResemble: number;
  /** RR intervals before a VT run's first beat whose median it must come early against (`src/detect/vt-rule.ts`; 0: off). */
  readonly vtOnsetIntervals: number;
  /** A VT run counts its beats from the first the scorer flagged ventricular or could not judge (`src/detect/vt-rule.ts`). */
  readonly vtStartFlagged: boolean;
  /** Ventricular flutter/fibrillation: detected deflections above `vflBpm` for this long. */
  readonly vflSeconds: number;
  readonly vflBpm: number;
  /** RR intervals in the AF window (`src/detect/af-rule.ts`). */
  readonly afWindow: number;
  /** Normalized RMSSD above which the window is irregular (Dash et al. 2009). */
  readonly afRmssd: number;
  /** Turning-point ratio at or above which the window is alternation (bigeminy), not AF. */
  readonly afMaxTurningPoints: number;
  /** Median P-wave correlation below which no P wave repeats. */
  readonly afPWave: number;
  /** QRS correlation with the dominant template at which a beat belongs to the rhythm AF is judged on. */
  readonly afDominant: number;
  /** Consecutive AF windows that open an AF episode... */
  readonly afOnsetBeats: number;
  /** ...lasting at least this long (from its estimated start). */
  readonly afMinSeconds: number;
  /** Consecutive non-AF windows that close it. */
  readonly afOffsetBeats: number;
  /** Alternating cycles (normal, ventricular) that make bigeminy. */
  readonly bigeminyCycles: number;
  /** (normal, normal, ventricular) cycles that make trigeminy. */
  readonly trigeminyCycles: number;
  /** A bigeminy or trigeminy episode closes once its pattern has been broken for two cycles and this long. */
  readonly patternHoldSeconds: number;
}

/**
 * Defaults as the issue states them (bedside-monitor practice): asystole 4 s without QRS; extreme
 * bradycardia below 40 bpm for 5 consecutive beats; extreme tachycardia above 140 bpm for 17; a VT
 * run is 3 ventricular beats above 100 bpm, critical at 5; VFL 4 s (these alarm limits are defined,
 * with the variables that set them in a deployment, in `src/contract/alarm-limits.ts`). AF: a 32-interval window of
 * the dominant rhythm, Dash et al.'s normalized RMSSD above 0.1 with a turning-point ratio below
 * 0.9, no repeating P wave, onset after 16 AF windows and 30 s, offset after 16 non-AF windows.
 * The shape constants were chosen leave-one-record-out on MIT-BIH DS1
 * (`scripts/choose-rhythm-constants.ts`, replayed over the beats both leads gave the rules): a
 * beat belongs to the dominant rhythm for AF at QRS correlation 0.85 and no P wave repeats below
 * a median P-wave correlation of 0.6 (21 of 22 folds); for VT a beat is the dominant shape at
 * 0.97, ventricular-looking below 0.5 (below 0 during AF) or from a relative score of 0.75, and
 * a beat judged noise, or one the model's lead lost, counts when its QRS correlates 0.7 or more
 * with the run's previous beat (19 of 22 folds, re-chosen once the rules could see the model
 * lead's window of a beat that lead lost); a run is raised once a beat came early against the 1 interval before it
 * (chosen later with the others fixed: all 22 folds choose the rule); during AF a beat whose QRS
 * correlates 0.9 or more with two of the last on-time beats' is conducted, not ventricular (0.9:
 * the correlation at which the QRS templates call two beats one shape; chosen later with the
 * others fixed, `--rule vt-conducted`: 21 of 22 folds turn it on, 0.7 to 0.9 tie); a run's beats
 * count from the first one the scorer flagged ventricular or could not judge (chosen later with
 * the others fixed, `--rule vt-start`: all 22 folds turn it on). Bigeminy and trigeminy open after 4 and 3 cycles and close once broken for
 * two cycles and 10 s (a time hysteresis, as monitors give advisory alarms: over the 26 MIT-BIH
 * records it took their onsets from 178 to 104 and raised their episode sensitivity).
 * Technical: 6 poor seconds of the last 10 (9 when the poor seconds are noise), cleared after 5
 * acceptable ones.
 */
export const DEFAULT_RHYTHM_OPTIONS: RhythmOptions = Object.freeze({
  sqi: {},
  technicalWindowSeconds: DEFAULT_POOR_STRETCH.windowSeconds,
  technicalOnsetSeconds: DEFAULT_POOR_STRETCH.onsetSeconds,
  noiseOnsetSeconds: DEFAULT_POOR_STRETCH.noiseOnsetSeconds,
  technicalOffsetSeconds: DEFAULT_POOR_STRETCH.offsetSeconds,
  // Asystole, brady- and tachycardia, the VT run's length and rate, and VFL's duration.
  ...DEFAULT_ALARM_LIMITS,
  vtShape: 0.5,
  vtScore: 0.75,
  vtDominant: 0.97,
  vtShapeInAf: 0,
  vtConductedInAf: 0.9,
  vtNoiseResemble: 0.7,
  vtOnsetIntervals: 1,
  vtStartFlagged: true,
  vflBpm: 200,
  afWindow: 32,
  afRmssd: 0.1,
  afMaxTurningPoints: 0.9,
  afPWave: 0.6,
  afDominant: 0.85,
  afOnsetBeats: 16,
  afMinSeconds: 30,
  afOffsetBeats: 16,
  bigeminyCycles: 4,
  trigeminyCycles: 3,
  patternHoldSeconds: 10,
});

/**
 * The options, once their alarm limits are checked (`src/contract/alarm-limits.ts`): a limit out
 * of range or two that contradict each other throw a RangeError naming them.
 *
 * @example
 * const options = checkedAlarmLimits({ ...DEFAULT_RHYTHM_OPTIONS, asystoleSeconds: 6 });
 */
export function checkedAlarmLimits(o: RhythmOptions): RhythmOptions {
  for (const name of Object.keys(ALARM_LIMITS) as AlarmLimitName[]) {
    const problem = alarmLimitProblem(name, o[name]);
    if (problem !== null) throw new RangeError(`rhythm.${name} must be ${problem}, got ${String(o[name])} (${ALARM_LIMITS[name].what})`);
  }
  const conflict = alarmLimitsConflict(o);
  if (conflict !== null) throw new RangeError(`rhythm alarm limits contradict each other: ${conflict}`);
  return o;
}

/** Critical rhythms (life-threatening): VT (at `vtCriticalBeats`), VFL, asystole, extreme brady and tachycardia. */
const CRITICAL = new Set<RhythmLabel>(['VFL', 'ASYSTOLE', 'BRADY', 'TACHY']);

/** One scored beat as the rhythm rules see it. */
export interface MonitoredBeat {
  readonly t: number;
  readonly rIndex: number;
  readonly rrPrev: number | null;
  /** Flagged ventricular by the adapter (`ScoredBeat.kind === 'ventricular'`). */
  readonly ventricular: boolean;
  readonly gated: boolean;
  /**
   * The beat's shape is not to be trusted: the scorer judged it noise (a learned patient profile
   * does so beat by beat), or its seconds are flat or clipped. Not a beat to count in a VT run,
   * whatever its shape. Other gated beats (noisy seconds the scorer did not judge) count by shape.
   */
  readonly noise?: boolean;
  /**
   * The beat lies in flat or clipped seconds or near clipped samples: its window is no shape at
   * all. (`noise` alone: the scorer judged it noise, which a run of alike wide beats may overrule.)
   */
  readonly unreadable?: boolean;
  /** Relative score (1 = the device's threshold); absent for a gated beat. */
  readonly score?: number;
  /** The beat's window as the segmenter cut it, and the seconds it spans before and after the R peak. */
  readonly shape?: BeatShape;
}

export type { BeatShape } from './shape-tracker';

/** Plain-JSON state of a {@link RhythmMonitor}. */
export interface RhythmMonitorState {
  readonly fs: number;
  readonly options: RhythmOptions;
  readonly sqi: SignalQualityState;
  readonly quality: string;
  readonly qualityFrom: number;
  readonly technical: { reason: TechnicalReason; start: number; good: number } | null;
  /** End of the last technical episode: no rhythm episode begins before it (the signal was not readable). */
  readonly technicalEnd?: number;
  readonly lastR: number;
  readonly peaks: number[];
  readonly slow: number;
  readonly slowStart: number;
  readonly fast: number;
  readonly fastStart: number;
  readonly recover: number;
  readonly open: Partial<Record<RhythmLabel, { start: number; severity: AlertSeverity }>>;
  /** End of each rhythm's last episode: a new one never starts before it (ids stay unique). */
  readonly ended: Partial<Record<RhythmLabel, number>>;
  /** The device's QRS templates (dominant shape) and recent RR intervals (which beats are on time). */
  readonly shapes: ShapeTrackerState;
  readonly af: AfRuleState;
  readonly vt: VtRuleState;
  readonly pattern: string;
  readonly patternT: number[];
  /**
   * Per open bigeminy or trigeminy episode: beats in a row since its pattern last held, and when
   * it last held (absent in states saved before it was kept: counted from now).
   */
  readonly patternBroken?: Partial<Record<'BIGEMINY' | 'TRIGEMINY', { beats: number; lastHeld: number }>>;
  /** Per other lead (by index), what its reports during pauses showed (`src/detect/asystole-veto.ts`; absent: none yet). */
  readonly otherLeads?: Record<number, OtherLeadState>;
  /** Pauses of the lead in use that another lead showed to be a detection failure, not asystole (absent: none). */
  readonly asystoleVetoes?: number;
  /** The last beat before the last vetoed pause (each pause is counted once). */
  readonly vetoedAfter?: number;
}

/**
 * The technical rule of rhythm options as a poor-stretch rule (`src/ecg/signal-quality.ts`): what
 * makes a technical episode on the stream also makes a lead unusable in a multi-lead segmenter.
 *
 * @example
 * poorStretchRule(DEFAULT_RHYTHM_OPTIONS); // { windowSeconds: 10, onsetSeconds: 6, noiseOnsetSeconds: 9, offsetSeconds: 5 }
 */
export function poorStretchRule(o: RhythmOptions): PoorStretchRule {
  return {
    windowSeconds: o.technicalWindowSeconds,
    onsetSeconds: o.technicalOnsetSeconds,
    noiseOnsetSeconds: o.noiseOnsetSeconds,
    offsetSeconds: o.technicalOffsetSeconds,
  };
}

const TECHNICAL_REASON: Record<'flat' | 'saturated' | 'noisy', TechnicalReason> = {
  flat: 'lead-off',
  saturated: 'saturation',
  noisy: 'noise',
};
/** Seconds of quality kept (asystole looks back over the whole pause). */
const QUALITY_KEPT = 120;
const PEAKS_KEPT = 40;

/**
 * The monitor of one device stream (one segmenter's lifetime: a gap makes a new one, episodes
 * carried over by {@link RhythmMonitor.restart}).
 *
 * @example
 * const monitor = new RhythmMonitor(360);
 * const events = monitor.samples(record.samples, startIndex, peaks, (i) => state.timeOf(i));
 */
export class RhythmMonitor {
  private s: { -readonly [K in keyof RhythmMonitorState]: RhythmMonitorState[K] };
  private sqi: SignalQualityIndex;
  private shapes: ShapeTracker;
  private af: AfRule;
  private vt: VtRule;

  constructor(
    fs: number,
    private readonly o: RhythmOptions = DEFAULT_RHYTHM_OPTIONS,
    state?: RhythmMonitorState,
  ) {
    if (state) {
      // States saved before the shape-aware rules lack their parts: those start afresh.
      this.s = structuredClone(state);
      this.sqi = SignalQualityIndex.fromJSON(state.sqi);
      this.shapes = new ShapeTracker(state.shapes);
      this.af = new AfRule(afOptions(o), isAfState(state.af) ? state.af : undefined);
      this.vt = new VtRule(vtOptions(o), state.vt);
      return;
    }
    this.shapes = new ShapeTracker();
    this.af = new AfRule(afOptions(o));
    this.vt = new VtRule(vtOptions(o));
    this.sqi = new SignalQualityIndex({ fs, ...o.sqi });
    this.s = {
      fs,
      options: o,
      sqi: this.sqi.toJSON(),
      quality: '',
      qualityFrom: 0,
      technical: null,
      lastR: 0,
      peaks: [],
      slow: 0,
      slowStart: 0,
      fast: 0,
      fastStart: 0,
      recover: 0,
      open: {},
      ended: {},
      shapes: this.shapes.toJSON(),
      af: this.af.toJSON(),
      vt: this.vt.toJSON(),
      pattern: '',
      patternT: [],
    };
  }

  /** A restarted stream (gap, new fs): fresh quality and rate state, open episodes kept. */
  restart(fs: number): void {
    // The patient's shapes and rhythm survive a gap. A VT run does not: the first beat after it
    // has no RR interval, which ends the run (and raises its offset) through the VT rule.
    const keep = {
      open: this.s.open,
      ended: this.s.ended,
      technical: this.s.technical,
      technicalEnd: this.s.technicalEnd,
      ...(this.s.asystoleVetoes === undefined ? {} : { asystoleVetoes: this.s.asystoleVetoes }),
      shapes: this.shapes.toJSON(),
      af: this.af.toJSON(),
    };
    const fresh = new RhythmMonitor(fs, this.o);
    this.s = { ...fresh.s, ...keep };
    this.sqi = fresh.sqi;
    this.af.skip();
  }

  /**
   * This monitor under other options: itself when they are the ones it has, otherwise a monitor
   * that carries on from its state under them. A device restored from its saved state after the
   * configuration changed (an alarm limit set in the deployment) then follows the new limits at
   * once; the signal-quality index keeps its own options until the stream restarts.
   *
   * @example
   * state.monitor = state.monitor.withOptions(configured);
   */
  withOptions(o: RhythmOptions): RhythmMonitor {
    if (o === this.o) return this;
    return new RhythmMonitor(this.s.fs, o, { ...this.toJSON(), options: o });
  }

  /** Open episodes, by label (technical ones under their reason). */
  openEpisodes(): string[] {
    return [...Object.keys(this.s.open), ...(this.s.technical ? [this.s.technical.reason] : [])];
  }

  /** Quality of a completed second (null: not judged yet or too old). */
  qualityOf(second: number): SecondQuality | null {
    const k = second - this.s.qualityFrom;
    return k >= 0 && k < this.s.quality.length ? (secondQualityOf(this.s.quality[k]) ?? null) : null;
  }

  /** The judged seconds still kept (the last 120), oldest first: each one's first sample index and verdict. */
  judgedSeconds(): { start: number; quality: SecondQuality }[] {
    const out: { start: number; quality: SecondQuality }[] = [];
    for (let k = 0; k < this.s.quality.length; k++)
      out.push({ start: (this.s.qualityFrom + k) * this.sqi.block, quality: secondQualityOf(this.s.quality[k]) as SecondQuality });
    return out;
  }

  /**
   * Whether a beat at sample `rIndex` is in a poor-quality stretch (its second or a neighbour is
   * flat, saturated or noisy, or a technical episode is open): such a beat is not scored as a
   * clinical anomaly. A beat faster than 300 bpm after the previous one is implausible too.
   * `noisySeconds` false leaves noisy seconds to a caller that judges noise beat by beat (a
   * second of wide ventricular beats has the low slope kurtosis of noise).
   */
  gated(rIndex: number, rrPrev: number | null, noisySeconds = true): boolean {
    if (this.s.technical !== null) return true;
    if (rrPrev !== null && rrPrev < 0.2) return true;
    const second = Math.floor(rIndex / this.sqi.block);
    for (let k = second - 1; k <= second + 1; k++) {
      const q = this.qualityOf(k);
      if (q !== null && isPoorQuality(q) && (noisySeconds || q !== 'noisy')) return true;
    }
    return false;
  }

  /**
   * Whether the signal around a beat at sample `rIndex` is in doubt without being unreadable: its
   * second or a neighbour (the seconds {@link RhythmMonitor.gated} looks at) is called wander.
   * Such a beat is still scored; the alert policy does not let it alone make an alert critical.
   */
  wanderNear(rIndex: number): boolean {
    const second = Math.floor(rIndex / this.sqi.block);
    for (let k = second - 1; k <= second + 1; k++) if (this.qualityOf(k) === 'wander') return true;
    return false;
  }

  /**
   * A record's samples, starting at sample `startIndex` of the stream, and the R peaks detected
   * so far (emitted or still held by the segmenter). Returns technical and rate-rule events.
   */
  samples(samples: ArrayLike<number>, peaks: readonly number[], timeOf: (index: number) => number): EpisodeEvent[] {
    return this.judged(this.sqi.push(samples), peaks, timeOf);
  }

  /**
   * As {@link RhythmMonitor.samples}, with each second's quality judged elsewhere: by a
   * multi-lead segmenter, on the lead it used there (seconds in order, from the stream's first).
   * `head`: the seconds the segmenter has judged but not decided yet, where asystole is raised
   * as soon as its definition is met (`src/detect/head-rules.ts`); they come again as decided seconds.
   */
  judged(
    seconds: readonly { readonly index: number; readonly quality: SecondQuality; readonly others?: readonly OtherLeadPeaks[] }[],
    peaks: readonly number[],
    timeOf: (index: number) => number,
    head?: StreamHead,
  ): EpisodeEvent[] {
    const out: EpisodeEvent[] = [];
    const fresh = peaks.filter((r) => r > this.s.lastR || (this.s.peaks.length === 0 && r >= this.s.lastR)).sort((a, b) => a - b);
    // Each second is judged after the R peaks before its end and before the later ones: a peak
    // ends a pause before the pause rule looks at it, and a peak after the second does not hide
    // the pause the second completes (a multi-lead segmenter decides the seconds of a pause
    // late, together with the peak that ends it). The same events whatever the chunking.
    let next = 0;
    for (const second of seconds) {
      const end = (second.index + 1) * this.sqi.block;
      while (next < fresh.length && fresh[next] < end) this.onPeak(fresh[next++], timeOf, out);
      this.s.quality += SECOND_QUALITY_CODE[second.quality];
      if (this.s.quality.length > QUALITY_KEPT) {
        this.s.quality = this.s.quality.slice(1);
        this.s.qualityFrom++;
      }
      this.technicalRule(second.index, second.quality, timeOf, out);
      for (const report of second.others ?? []) {
        const kept = (this.s.otherLeads ??= {});
        kept[report.lead] = mergeOtherLead(kept[report.lead], report);
      }
      this.pauseRules(end, timeOf, out);
    }
    while (next < fresh.length) this.onPeak(fresh[next++], timeOf, out);
    if (head !== undefined) this.headRules(head, timeOf, out);
    return out;
  }

  /** Asystole and extreme bradycardia in the undecided seconds of a multi-lead stream, judged as one lead's stream is (`src/detect/head-rules.ts`). */
  private headRules(head: StreamHead, timeOf: (i: number) => number, out: EpisodeEvent[]): void {
    const s = this.s;
    if (s.technical !== null) return;
    const context: HeadPauseContext = {
      lastR: s.lastR,
      beats: s.peaks,
      fs: s.fs,
      block: this.sqi.block,
      asystoleSeconds: this.o.asystoleSeconds,
      bradyBpm: this.o.bradyBpm,
      qualityOf: (k) => this.qualityOf(k),
      qualityCodes: s.quality,
      stretch: poorStretchRule(this.o),
      otherLeads: s.otherLeads,
    };
    if (!s.open.BRADY) {
      const run = headSlowRun(head, context, {
        hasBeat: s.peaks.length > 0,
        slow: s.slow,
        slowStart: s.slowStart,
        bradyBeats: this.o.bradyBeats,
      });
      if (run !== null) this.openEpisode('BRADY', timeOf(run.start), timeOf(run.at), out);
    }
    if (s.open.ASYSTOLE) return;
    const end = headPauseEnd(head, context);
    if (end === null) return;
    if (s.open.VFL) this.close('VFL', timeOf(s.lastR), out);
    this.openEpisode('ASYSTOLE', timeOf(s.lastR), timeOf(end), out);
  }

  /** One scored beat: AF, VT runs, bigeminy and trigeminy. */
  beat(b: MonitoredBeat): EpisodeEvent[] {
    const out: EpisodeEvent[] = [];
    const s = this.s;
    // Implausibly close to the previous beat (or a technical episode): nothing to judge a rhythm on.
    if (s.technical !== null || (b.rrPrev !== null && b.rrPrev < 0.2)) {
      this.closeVentricularRun(out);
      this.resetPattern();
      this.af.skip();
      return out;
    }
    const { qrsSimilarity, qrs, pWave, qrsSimilarity2, qrs2, pWave2, qrsOnTime, qrsOnTime2 } = this.shapes.observe(
      b.shape,
      b.rrPrev,
      b.gated,
    );
    this.vtRule(b, { qrsSimilarity, qrsSimilarity2, qrs, qrs2, qrsOnTime, qrsOnTime2 }, out);
    if (b.gated) {
      this.resetPattern();
      this.af.skip();
      return out;
    }
    this.patternRule(b, out);
    // The AF rule counts a beat in the rhythm by its shape on the model's lead, not on a window that
    // lead lost. (Such beats are gated today, and gated beats skip AF above; this keeps it so if not.)
    const modelLeadSimilarity = b.shape?.window === undefined ? null : qrsSimilarity;
    const d = this.af.beat(
      { t: b.t, rrPrev: b.rrPrev, ventricular: b.ventricular, qrsSimilarity: modelLeadSimilarity, pWave, pWave2 },
      !!s.open.AFIB,
      s.technical === null,
    );
    if (d !== null && 'onset' in d) this.openEpisode('AFIB', d.onset, b.t, out);
    else if (d !== null) this.close('AFIB', d.offset, out);
    return out;
  }

  private resetPattern(): void {
    this.s.pattern = '';
    this.s.patternT = [];
  }

  private onPeak(r: number, timeOf: (i: number) => number, out: EpisodeEvent[]): void {
    const s = this.s;
    const o = this.o;
    const fs = s.fs;
    const t = timeOf(r);
    const hadPeak = s.peaks.length > 0;
    if (s.open.ASYSTOLE) this.close('ASYSTOLE', t, out);
    if (hadPeak) {
      const rr = (r - s.lastR) / fs;
      if (rr > 60 / o.bradyBpm) {
        if (s.slow++ === 0) s.slowStart = s.lastR;
      } else s.slow = 0;
      if (rr < 60 / o.tachyBpm) {
        if (s.fast++ === 0) s.fastStart = s.lastR;
      } else s.fast = 0;
      if (s.slow >= o.bradyBeats && !s.open.BRADY && s.technical === null) this.openEpisode('BRADY', timeOf(s.slowStart), t, out);
      if (s.fast >= o.tachyBeats && !s.open.TACHY && s.technical === null) this.openEpisode('TACHY', timeOf(s.fastStart), t, out);
      // Offsets need a few beats back inside the limits (hysteresis).
      if (s.open.BRADY) s.recover = s.slow === 0 ? s.recover + 1 : 0;
      if (s.open.TACHY) s.recover = s.fast === 0 ? s.recover + 1 : 0;
      if (s.open.BRADY && s.recover >= 3) this.close('BRADY', t, out);
      if (s.open.TACHY && s.recover >= 5) this.close('TACHY', t, out);
    }
    s.lastR = r;
    s.peaks.push(r);
    if (s.peaks.length > PEAKS_KEPT) s.peaks.shift();
    if (!s.open.BRADY && !s.open.TACHY) s.recover = 0;
    // VFL: deflections faster than vflBpm throughout the last vflSeconds.
    const span = o.vflSeconds * fs;
    const inSpan = s.peaks.filter((p) => p > r - span);
    const rate = ((inSpan.length - 1) * 60) / o.vflSeconds;
    if (!s.open.VFL && rate > o.vflBpm && inSpan[0] - (r - span) < 0.4 * fs && s.technical === null)
      this.openEpisode('VFL', timeOf(inSpan[0]), t, out);
    else if (s.open.VFL && rate < 0.75 * o.vflBpm) this.close('VFL', t, out);
  }

  /** Asystole at a second boundary: no peak for `asystoleSeconds`, and the signal was there. */
  private pauseRules(end: number, timeOf: (i: number) => number, out: EpisodeEvent[]): void {
    const s = this.s;
    const fs = s.fs;
    if (s.open.ASYSTOLE || s.technical !== null) return;
    if (end - s.lastR < this.o.asystoleSeconds * fs) return;
    if (leadOffInPause(s.lastR, end, this.sqi.block, (k) => this.qualityOf(k))) return;
    if (this.otherLeadBeats(end)) return;
    if (s.open.VFL) this.close('VFL', timeOf(s.lastR), out);
    this.openEpisode('ASYSTOLE', timeOf(s.lastR), timeOf(end), out);
  }

  /**
   * Whether another lead's own QRS detector showed the heart beating through the pause ending at
   * `end` (`src/detect/asystole-veto.ts`): the pause is then the lead in use failing, not
   * asystole; it is counted once ({@link RhythmMonitor.asystoleVetoes}). Judged again at every
   * second, so asystole is raised as soon as that lead stops showing beats.
   */
  private otherLeadBeats(end: number): boolean {
    const s = this.s;
    const pause = { lastR: s.lastR, end, beats: s.peaks, fs: s.fs, block: this.sqi.block, bradyBpm: this.o.bradyBpm };
    if (!Object.values(s.otherLeads ?? {}).some((lead) => otherLeadShowsBeats(lead, pause))) return false;
    if (s.vetoedAfter !== s.lastR) {
      s.asystoleVetoes = (s.asystoleVetoes ?? 0) + 1;
      s.vetoedAfter = s.lastR;
    }
    return true;
  }

  /** Pauses vetoed so far as detection failures of the lead in use, not asystole (another lead showed the beats). */
  get asystoleVetoes(): number {
    return this.s.asystoleVetoes ?? 0;
  }

  private technicalRule(second: number, quality: SecondQuality, timeOf: (i: number) => number, out: EpisodeEvent[]): void {
    const s = this.s;
    const o = this.o;
    const tEnd = timeOf((second + 1) * this.sqi.block);
    if (s.technical !== null) {
      s.technical.good = isPoorQuality(quality) ? 0 : s.technical.good + 1;
      if (s.technical.good >= o.technicalOffsetSeconds) {
        const end = timeOf((second + 1 - s.technical.good) * this.sqi.block);
        out.push({ kind: 'technical', label: s.technical.reason, phase: 'offset', severity: 'warning', start: s.technical.start, at: end });
        s.technical = null;
        s.technicalEnd = end;
      }
      return;
    }
    if (!isPoorQuality(quality)) return;
    const onset = poorStretchOnset(this.s.quality, poorStretchRule(o));
    if (onset === null) return;
    const reason = TECHNICAL_REASON[onset.quality];
    const startSecond = second + 1 - onset.window + onset.firstPoor;
    const start = timeOf(startSecond * this.sqi.block);
    s.technical = { reason, start, good: 0 };
    out.push({ kind: 'technical', label: reason, phase: 'onset', severity: 'warning', start, at: tEnd });
    // Rhythm episodes cannot be judged on this signal: close them where the signal went bad.
    for (const label of Object.keys(s.open) as RhythmLabel[]) this.close(label, start, out);
    s.slow = 0;
    s.fast = 0;
  }

  private vtRule(
    b: MonitoredBeat,
    view: {
      qrsSimilarity: number | null;
      qrsSimilarity2: number | null;
      qrs: Float64Array | null;
      qrs2: Float64Array | null;
      qrsOnTime: number | null;
      qrsOnTime2: number | null;
    },
    out: EpisodeEvent[],
  ): void {
    const beat = {
      t: b.t,
      rrPrev: b.rrPrev,
      ventricular: b.ventricular,
      gated: b.gated,
      noise: b.noise === true,
      lost: b.shape?.window === undefined && b.shape?.lost !== undefined,
      unreadable: b.unreadable === true,
      ...view,
      ...(b.score === undefined ? {} : { score: b.score }),
    };
    for (const e of this.vt.beat(beat, !!this.s.open.AFIB)) this.onVtEvent(e, b.t, out);
  }

  private onVtEvent(e: ReturnType<VtRule['beat']>[number], at: number, out: EpisodeEvent[]): void {
    const s = this.s;
    if (e.kind === 'offset') {
      this.close('VT', e.end, out);
      return;
    }
    if (e.kind === 'critical') {
      if (!s.open.VT) return;
      s.open.VT.severity = 'critical';
      out.push({ kind: 'rhythm', label: 'VT', phase: 'onset', severity: 'critical', start: s.open.VT.start, at, escalation: true });
      return;
    }
    // As openEpisode: too late to reopen a VT a technical episode closed later than this beat.
    if (at < (s.ended.VT ?? -Infinity)) return;
    const start = Math.max(e.start, (s.ended.VT ?? -Infinity) + 1, s.technicalEnd ?? -Infinity);
    s.open.VT = { start, severity: e.critical ? 'critical' : 'warning' };
    out.push({ kind: 'rhythm', label: 'VT', phase: 'onset', severity: s.open.VT.severity, start, at });
  }

  private closeVentricularRun(out: EpisodeEvent[]): void {
    for (const e of this.vt.end()) this.onVtEvent(e, e.kind === 'offset' ? e.end : 0, out);
  }

  private patternRule(b: MonitoredBeat, out: EpisodeEvent[]): void {
    const s = this.s;
    const o = this.o;
    s.pattern += b.ventricular ? 'V' : 'N';
    s.patternT.push(b.t);
    const keep = Math.max(2 * o.bigeminyCycles, 3 * o.trigeminyCycles) + 2;
    if (s.pattern.length > keep) {
      s.pattern = s.pattern.slice(-keep);
      s.patternT = s.patternT.slice(-keep);
    }
    const p = s.pattern;
    const ends = (unit: string, cycles: number) => {
      for (let r = 0; r < unit.length; r++) {
        const rotated = unit.slice(r) + unit.slice(0, r);
        if (p.endsWith(rotated.repeat(cycles))) return true;
      }
      return false;
    };
    const bigeminy = ends('NV', o.bigeminyCycles);
    const trigeminy = !bigeminy && ends('NNV', o.trigeminyCycles);
    const startOf = (beats: number) => s.patternT[Math.max(0, s.patternT.length - beats)];
    if (bigeminy && !s.open.BIGEMINY && !s.open.VT) this.openEpisode('BIGEMINY', startOf(2 * o.bigeminyCycles), b.t, out);
    if (trigeminy && !s.open.TRIGEMINY && !s.open.VT) this.openEpisode('TRIGEMINY', startOf(3 * o.trigeminyCycles), b.t, out);
    // Close once the pattern has been broken for two whole cycles (4 beats, 6 beats) and
    // `patternHoldSeconds`, dated to the last beat where it held: a beat the scorer left
    // unflagged (or a gated one) inside a long run of the pattern would otherwise end the episode
    // and start another a few beats on, an onset and an offset alert each time (alarm fatigue:
    // closing at the first broken cycle, 208's 19 trigeminy episodes raised 55).
    this.patternHolds('BIGEMINY', ends('NV', 2), 4, b.t, out);
    this.patternHolds('TRIGEMINY', ends('NNV', 2), 6, b.t, out);
  }

  private patternHolds(label: 'BIGEMINY' | 'TRIGEMINY', holds: boolean, closeAfter: number, t: number, out: EpisodeEvent[]): void {
    const s = this.s;
    const broken = (s.patternBroken ??= {});
    if (!s.open[label]) {
      delete broken[label];
      return;
    }
    const was = broken[label] ?? { beats: 0, lastHeld: t };
    broken[label] = holds ? { beats: 0, lastHeld: t } : { beats: was.beats + 1, lastHeld: was.lastHeld };
    if ((broken[label]?.beats ?? 0) >= closeAfter && t - was.lastHeld >= this.o.patternHoldSeconds * 1000) {
      this.close(label, was.lastHeld, out);
      delete broken[label];
    }
  }

  private openEpisode(label: RhythmLabel, start: number, at: number, out: EpisodeEvent[]): void {
    // A batch feeds all its samples before its beats, so a technical episode may already have
    // closed this rhythm at a later time than the beat deciding it: too late to reopen it there.
    if (at < (this.s.ended[label] ?? -Infinity)) return;
    const severity: AlertSeverity = CRITICAL.has(label) ? 'critical' : 'warning';
    start = Math.max(start, (this.s.ended[label] ?? -Infinity) + 1, this.s.technicalEnd ?? -Infinity);
    this.s.open[label] = { start, severity };
    out.push({ kind: 'rhythm', label, phase: 'onset', severity, start, at });
  }

  private close(label: RhythmLabel, at: number, out: EpisodeEvent[]): void {
    const episode = this.s.open[label];
    if (!episode) return;
    delete this.s.open[label];
    const end = Math.max(at, episode.start);
    this.s.ended[label] = end;
    out.push({ kind: 'rhythm', label, phase: 'offset', severity: episode.severity, start: episode.start, at: end });
  }

  /** Plain-JSON state. */
  toJSON(): RhythmMonitorState {
    return structuredClone({
      ...this.s,
      sqi: this.sqi.toJSON(),
      shapes: this.shapes.toJSON(),
      af: this.af.toJSON(),
      vt: this.vt.toJSON(),
    });
  }

  /** Rebuilds a monitor from {@link RhythmMonitor.toJSON} output. */
  static fromJSON(state: RhythmMonitorState): RhythmMonitor {
    // Options saved by an earlier version lack the newer thresholds: those take their defaults.
    return new RhythmMonitor(state.fs, { ...DEFAULT_RHYTHM_OPTIONS, ...state.options }, state);
  }
}

/**
 * The AF rule's thresholds within a monitor's options.
 *
 * @example
 * new AfRule(afOptions(DEFAULT_RHYTHM_OPTIONS));
 */
export function afOptions(o: RhythmOptions): AfOptions {
  return {
    window: o.afWindow,
    rmssd: o.afRmssd,
    maxTurningPoints: o.afMaxTurningPoints,
    pWave: o.afPWave,
    dominant: o.afDominant,
    onsetBeats: o.afOnsetBeats,
    minSeconds: o.afMinSeconds,
    offsetBeats: o.afOffsetBeats,
  };
}

function vtOptions(o: RhythmOptions) {
  return {
    runBeats: o.vtRunBeats,
    criticalBeats: o.vtCriticalBeats,
    bpm: o.vtBpm,
    shape: o.vtShape,
    score: o.vtScore,
    dominant: o.vtDominant,
    shapeInAf: o.vtShapeInAf,
    conductedInAf: o.vtConductedInAf,
    noiseResemble: o.vtNoiseResemble,
    onsetIntervals: o.vtOnsetIntervals,
    startFlagged: o.vtStartFlagged,
  };
}

/** Whether a saved AF state is the current rule's (states of the earlier rule had no `p`). */
function isAfState(af: unknown): af is AfRuleState {
  return typeof af === 'object' && af !== null && Array.isArray((af as AfRuleState).p);
}
