import { DEFAULT_SEGMENTER_OPTIONS, type Beat, type BeatSegmenterOptions } from './beat-segmenter';
import { DEFAULT_BEAT_WINDOW, type BeatWindowSpec } from './beat-window-spec';
import { ecgBeatWindow, normalizeBeat, validateBeatWindowSpec } from './beat-window';
import { ecgCleanDelay } from './ecg-clean';
import { LeadChannel, type LeadChannelState } from './lead-channel';
import { EC57_MATCH_WINDOW_SECONDS } from './match-beats';
import { resolveQrsOptions } from './qrs-options';
import { rrContext } from './rr-context';
import { readRing } from './sample-ring';
import type { PoorStretchRule, SecondQuality, SignalQualityOptions } from './signal-quality';

/** Most leads one segmenter fuses (QRS detection runs once per lead: cost grows with it). */
export const MAX_SEGMENTER_LEADS = 4;

/** Format version of {@link MultiLeadSegmenterState}. */
export const MULTI_LEAD_STATE_VERSION = 1;

/**
 * A lead other than the model's is trusted only while its QRS detections agree with the model
 * lead's: over the last {@link AGREEMENT_SECONDS} seconds both leads were usable, the share of
 * R peaks of either lead matched by the other within 150 ms must be at least
 * {@link AGREEMENT_MIN}. This is the beat-agreement index (bSQI) of Li, Mark and Clifford
 * ("Robust heart rate estimation from multiple asynchronous noisy sources using signal quality
 * indices and a Kalman filter", Physiological Measurement 29(1):15-32, 2008), across leads: a
 * second lead whose detector misses or invents beats (MIT-BIH 101, 108, 208 on V1) is not used,
 * even where its quality index finds nothing wrong. While the model lead is lost the trust
 * learned before stays.
 */
export const AGREEMENT_SECONDS = 10;
/** See {@link AGREEMENT_SECONDS}. */
export const AGREEMENT_MIN = 0.9;

/**
 * R peaks of one heartbeat fall at different times on different leads (the QRS's axis projects
 * differently: on MIT-BIH V1 tens of milliseconds from MLII, either way, by record). A beat
 * found on another lead is placed where lead 0 would have had its R peak: that lead's peak less
 * the median offset between the two leads' matched R peaks over the last
 * {@link LEAD_OFFSET_BEATS} beats both found while both were usable. So its windows are cut as
 * those of the beats lead 0 found, and compare with the shapes learned from them (a window a few
 * samples off correlates poorly with its own template), and RR intervals across a change of lead
 * do not jump by the offset.
 */
export const LEAD_OFFSET_BEATS = 31;

/**
 * A lead confirms a beat when its own QRS detector found an R peak within this many seconds of
 * where that beat's would fall on it: the beat's time plus the leads' median offset
 * ({@link LEAD_OFFSET_BEATS}). One heartbeat's R peaks on two leads lie inside the same QRS
 * complex; once the leads' usual offset is taken out, a difference of more than half the widest
 * normal QRS (120 ms, the conventional limit of a normal QRS duration; wider is a conduction
 * defect or a ventricular beat) means the other lead's QRS is not where the beat's time puts it:
 * a window cut there has its QRS misplaced by more than half its width, or holds none (a
 * detection in noise). A ventricular beat's R peaks may fall further apart (its axis differs),
 * so the detector asks for confirmation only where the lead that placed the beat was unusable.
 */
export const LEAD_CONFIRM_SECONDS = 0.06;

/** Options of {@link MultiLeadSegmenter}: a {@link BeatSegmenter}'s, the number of leads and the quality index's. */
export interface MultiLeadSegmenterOptions extends BeatSegmenterOptions {
  /** Leads fed together, in order of preference (lead 0 is the model's). 1 to {@link MAX_SEGMENTER_LEADS}. */
  readonly leads: number;
  /** Signal-quality thresholds (`SignalQualityIndex`) that decide when a lead is unusable. */
  readonly sqi?: Omit<SignalQualityOptions, 'fs'>;
  /** When poor seconds make a lead unusable for a stretch (default `DEFAULT_POOR_STRETCH`). */
  readonly stretch?: PoorStretchRule;
}

/** One lead's window of a beat, cut at the beat's R peak, and whether that lead was usable there. */
export interface LeadWindow {
  readonly window: Float32Array;
  readonly scale: number;
  readonly offset: number;
  /**
   * Every second the window spans was usable on this lead: acceptable quality (not flat,
   * saturated or noisy), outside a poor stretch, and for another lead than the model's, its
   * detections agreeing with the model lead's ({@link AGREEMENT_SECONDS}).
   */
  readonly usable: boolean;
  /**
   * No second the window spans was flat or saturated on this lead: unusable or not (noise, a poor
   * stretch), the window still shows a signal. A flat or clipped window shows nothing of a beat.
   */
  readonly readable: boolean;
  /**
   * This lead's own QRS detector found an R peak where the beat's would be on it
   * ({@link LEAD_CONFIRM_SECONDS}); always true on the lead that found the beat, false on a lead
   * not usable over the window. A window of a lead that does not confirm the beat is cut at a
   * time only another lead vouches for.
   */
  readonly confirmed: boolean;
}

/** A beat of a multi-lead stream: `window`, `scale`, `offset` are lead 0's, `leads` every lead's. */
export interface MultiLeadBeat extends Beat {
  readonly window: Float32Array;
  readonly scale: number;
  readonly offset: number;
  /** The lead whose QRS detector found this beat (0 unless lead 0 was unusable there). */
  readonly lead: number;
  readonly leads: readonly LeadWindow[];
}

/**
 * Another lead's own QRS detections, reported with a second decided while the fused beats pause
 * (no beat for the detector's longest expected RR interval, `rrBounds[1]`): what the rhythm
 * monitor needs to tell a pause of the lead in use from one of the heart (its asystole rule).
 * Reported whether or not the lead is trusted (its detections agreeing with lead 0's): the
 * monitor judges them itself. Every R peak of the lead from `from * block - tolerance` to the
 * reporting second's end is there, whatever the chunking (the second waits until the lead's
 * detector has reported all of them).
 */
export interface OtherLeadPeaks {
  readonly lead: number;
  /** The first second `usable` covers. */
  readonly from: number;
  /** Per second from `from` to the reporting second: `1` usable on this lead (acceptable quality, outside a poor stretch; trust aside), else `0`. */
  readonly usable: string;
  /** The lead's R peaks (its own sample times, not shifted to lead 0's), ascending. */
  readonly peaks: readonly number[];
  /** Each peak's height on the lead detector's integrated signal (QRS energy in its detection band; 0: unknown). */
  readonly heights: readonly number[];
}

/*
 * The head of the stream: the seconds every lead has judged but the segmenter has not decided
 * yet (a second is decided only once the chosen lead's QRS detector has passed it, its
 * `maxLatency`, about 4 s at 360 Hz, and during a pause every other lead's too). A rhythm rule
 * that must not wait for that (asystole, issue 13: raised within 2 s of its definition) reads the
 * head as a single-lead monitor reads its stream: with the R peaks reported so far.
 */

/** One second of the head: the lead the segmenter would use there as things stand, its quality, and that lead's R peaks reported so far in it. */
export interface HeadSecond {
  readonly index: number;
  readonly quality: SecondQuality;
  readonly lead: number;
  /** R peaks the lead's detector has reported in the second so far, placed on lead 0's time (as beats are). */
  readonly peaks: readonly number[];
}

/** Another lead's report at the head ({@link OtherLeadPeaks} to the head's last second), and how far its detector has looked. */
export interface HeadReport extends OtherLeadPeaks {
  /** Every R peak this lead will ever report below this sample index is in `peaks`. */
  readonly horizon: number;
}

/** The undecided seconds of a multi-lead stream, oldest first, and every other lead's R peaks up to the last of them. */
export interface StreamHead {
  readonly seconds: readonly HeadSecond[];
  readonly others: readonly HeadReport[];
}

/** One second of the stream: the lead detection used and that lead's quality there. */
export interface FusedSecond {
  readonly index: number;
  readonly quality: SecondQuality;
  readonly lead: number;
  /** During a pause of the fused beats, every other lead's own R peaks ({@link OtherLeadPeaks}). */
  readonly others?: readonly OtherLeadPeaks[];
}

interface HeldBeat {
  rIndex: number;
  lead: number;
  rrPrev: number | null;
  rrLocalMean: number | null;
  windows: { window: Float32Array; scale: number; offset: number }[] | null;
  /** Per lead, where its R peak of this beat would be (the beat's R peak plus the lead's offset when accepted). */
  expected: number[];
  /** Per lead, whether its detector confirms the beat (null: not known yet). */
  confirmed: (boolean | null)[];
}

/** Serialized {@link MultiLeadSegmenter}: plain JSON. */
export interface MultiLeadSegmenterState {
  readonly kind: 'multi-lead';
  readonly version: number;
  readonly fs: number;
  readonly window: BeatWindowSpec;
  readonly rrLocalBeats: number;
  readonly maxRrNext: number;
  readonly sqi: Omit<SignalQualityOptions, 'fs'>;
  readonly stretch?: PoorStretchRule;
  readonly n: number;
  readonly channels: LeadChannelState[];
  readonly held: {
    rIndex: number;
    lead: number;
    rrPrev: number | null;
    rrLocalMean: number | null;
    windows: { window: number[]; scale: number; offset: number }[] | null;
    /** Absent in older states: taken as the beat's R peak on every lead, confirmed. */
    expected?: number[];
    confirmed?: (boolean | null)[];
  }[];
  readonly lastBeat: number;
  readonly lastLead: number;
  readonly rr: number[];
  readonly nextSecond: number;
  readonly lastChoice: number;
  readonly seconds: FusedSecond[];
  /** Per lead, the recent per-second agreement with lead 0 ([matched peaks, peaks]), oldest first (lead 0's is empty). */
  readonly agreement: [number, number][][];
  /** Per lead, `1` for each merged second from `trustFrom` in which it was trusted, else `0`. */
  readonly trusted: string[];
  readonly trustFrom: number;
  /** Per lead, the last offsets (samples) of its matched R peaks from lead 0's ({@link LEAD_OFFSET_BEATS}; absent in older states: none yet). */
  readonly leadOffsets?: number[][];
}

/** Samples handed to the detectors at once. */
const BLOCK = 256;
/** Merged seconds whose trust is remembered (windows look a few seconds back). */
const TRUST_KEPT = 32;

/**
 * Streaming beat segmentation over several leads of one device (docs/ARCHITECTURE.md §3.2):
 * each lead runs its own QRS detector and signal-quality index, and for each second of the
 * stream the beats come from the first lead, in order of preference, usable there (its quality
 * acceptable: not flat, saturated or noisy, and not inside a poor stretch of that lead, the rule
 * of a technical episode applied to the lead alone); when none is, from lead 0. So detection follows
 * the model's lead while it is good and carries on with another when it is lost (a loose
 * electrode, noise), then returns. Around a change of lead a beat both leads found is taken
 * once (two R peaks closer than the refractory period are one beat). RR intervals are those
 * of the fused beats, and each beat carries a window of every lead cut at its R peak, with
 * whether that lead was usable over the window and whether its own detector confirms the beat
 * ({@link LEAD_CONFIRM_SECONDS}).
 *
 * With lead 0 usable throughout, the beats are exactly a {@link BeatSegmenter}'s on lead 0.
 * Chunk-invariant like it: the beats are the same whatever the split into chunks (decisions
 * wait until each second's quality and the chosen lead's R peaks up to its end are known, which
 * costs up to about a second of latency more than one lead). Plain-JSON state.
 *
 * @example
 * const seg = new MultiLeadSegmenter({ fs: 360, leads: 2 });
 * for (const [mlii, v1] of records) for (const beat of seg.push([mlii, v1])) score(beat.leads[beat.lead].window);
 */
export class MultiLeadSegmenter {
  readonly window: BeatWindowSpec;
  readonly fs: number;
  /** Number of leads. */
  readonly leadCount: number;
  private readonly rrLocalBeats: number;
  private readonly maxRrNext: number;
  private readonly sqiOptions: Omit<SignalQualityOptions, 'fs'>;
  private readonly stretch: PoorStretchRule | undefined;
  private readonly channels: LeadChannel[];
  private readonly block: number;
  private readonly refractory: number;
  /** How far back a newly chosen lead's R peaks are taken (half the refractory period). */
  private readonly lookBack: number;
  private readonly cleanDelay: number;
  private readonly beforeSamples: number;
  private readonly afterSamples: number;
  private readonly rawWindow: BeatWindowSpec;
  private readonly scratch: Float64Array;
  private readonly input = new Float64Array(BLOCK);
  private readonly cleaned = new Float32Array(BLOCK);
  private n: number;
  private held: HeldBeat[];
  private lastBeat: number;
  private lastLead: number;
  private rr: number[];
  private nextSecond: number;
  private lastChoice: number;
  private seconds: FusedSecond[];
  private agreement: [number, number][][];
  private trusted: string[];
  private trustFrom: number;
  private leadOffsets: number[][];
  /** Seconds the agreement of a second waits, so every lead's R peaks in it are known. */
  private readonly agreementLag: number;
  /** The detector's longest expected RR interval (`rrBounds[1]`), samples: no fused beat for longer is a pause ({@link OtherLeadPeaks}). */
  private readonly pauseSamples: number;
  /** Whole seconds of other leads' R peaks kept (and reported in a pause) before those the agreement needs. */
  private readonly pauseSeconds: number;
  private readonly tolerance: number;
  /** {@link LEAD_CONFIRM_SECONDS} in samples. */
  private readonly confirmTolerance: number;

  constructor(options: MultiLeadSegmenterOptions, state?: MultiLeadSegmenterState) {
    this.fs = options.fs;
    this.leadCount = options.leads;
    if (!(Number.isInteger(this.leadCount) && this.leadCount >= 1 && this.leadCount <= MAX_SEGMENTER_LEADS))
      throw new RangeError(`MultiLeadSegmenter: leads must be an integer from 1 to ${MAX_SEGMENTER_LEADS}, got ${options.leads}`);
    this.window = validateBeatWindowSpec(options.window ?? DEFAULT_BEAT_WINDOW);
    this.rawWindow = { ...this.window, normalization: 'none' };
    this.rrLocalBeats = options.rrLocalBeats ?? DEFAULT_SEGMENTER_OPTIONS.rrLocalBeats;
    this.maxRrNext = options.maxRrNext ?? DEFAULT_SEGMENTER_OPTIONS.maxRrNext;
    if (!(Number.isInteger(this.rrLocalBeats) && this.rrLocalBeats >= 1))
      throw new RangeError(`MultiLeadSegmenter: rrLocalBeats must be an integer >= 1, got ${this.rrLocalBeats}`);
    if (!(this.maxRrNext > 0)) throw new RangeError(`MultiLeadSegmenter: maxRrNext must be positive, got ${this.maxRrNext}`);
    this.sqiOptions = { ...options.sqi };
    this.stretch = options.stretch === undefined ? undefined : { ...options.stretch };
    const qrs = resolveQrsOptions({ ...options.qrs, fs: this.fs });
    this.refractory = Math.round(qrs.refractory * this.fs);
    this.lookBack = Math.round(this.refractory / 2);
    this.cleanDelay = ecgCleanDelay(this.fs);
    this.beforeSamples = Math.ceil(this.window.before * this.fs) + 1;
    this.afterSamples = Math.ceil(this.window.after * this.fs) + 1;
    this.scratch = new Float64Array(this.beforeSamples + this.afterSamples + 1);
    const probe = new LeadChannel({ fs: this.fs, ringLength: 1, qrs: options.qrs, sqi: this.sqiOptions });
    this.block = probe.block;
    // Beats are decided up to the detector's latency plus a second after their R peak.
    const ringLength = probe.detector.maxLatency + this.beforeSamples + this.afterSamples + this.cleanDelay + BLOCK + 2 + 2 * this.block;
    this.tolerance = Math.round(EC57_MATCH_WINDOW_SECONDS * this.fs);
    this.confirmTolerance = Math.round(LEAD_CONFIRM_SECONDS * this.fs);
    this.agreementLag = Math.ceil((probe.detector.maxLatency + this.tolerance) / this.block);
    this.pauseSamples = Math.round(qrs.rrBounds[1] * this.fs);
    this.pauseSeconds = Math.ceil(this.pauseSamples / this.block);
    const channelOptions = {
      fs: this.fs,
      ringLength,
      qrs: options.qrs,
      sqi: this.sqiOptions,
      ...(this.stretch ? { stretch: this.stretch } : {}),
    };
    if (state) {
      if (state.channels.length !== this.leadCount) throw new TypeError(`MultiLeadSegmenter state: expected ${this.leadCount} channels`);
      this.channels = state.channels.map((c) => new LeadChannel(channelOptions, c));
      this.n = state.n;
      this.held = state.held.map((b) => ({
        ...b,
        windows: b.windows ? b.windows.map((w) => ({ window: Float32Array.from(w.window), scale: w.scale, offset: w.offset })) : null,
        expected: b.expected ? [...b.expected] : this.channels.map(() => b.rIndex),
        confirmed: b.confirmed ? [...b.confirmed] : this.channels.map(() => true),
      }));
      this.lastBeat = state.lastBeat;
      this.lastLead = state.lastLead;
      this.rr = [...state.rr];
      this.nextSecond = state.nextSecond;
      this.lastChoice = state.lastChoice;
      this.seconds = state.seconds.map((s) => ({ ...s }));
      this.agreement = state.agreement.map((a) => a.map(([m, n]) => [m, n] as [number, number]));
      this.trusted = [...state.trusted];
      this.trustFrom = state.trustFrom;
      this.leadOffsets = state.leadOffsets?.map((o) => [...o]) ?? this.channels.map(() => []);
    } else {
      this.channels = Array.from({ length: this.leadCount }, () => new LeadChannel(channelOptions));
      this.n = 0;
      this.held = [];
      this.lastBeat = -1;
      this.lastLead = -1;
      this.rr = [];
      this.nextSecond = 0;
      this.lastChoice = -1;
      this.seconds = [];
      this.agreement = this.channels.map(() => []);
      this.trusted = this.channels.map(() => '');
      this.trustFrom = 0;
      this.leadOffsets = this.channels.map(() => []);
    }
  }

  /** Restores a segmenter from {@link MultiLeadSegmenter.toJSON} output. */
  static fromJSON(state: MultiLeadSegmenterState): MultiLeadSegmenter {
    if (state?.kind !== 'multi-lead' || state.version !== MULTI_LEAD_STATE_VERSION)
      throw new TypeError(`MultiLeadSegmenter state: unknown kind or version (expected multi-lead ${MULTI_LEAD_STATE_VERSION})`);
    const { fs, window, rrLocalBeats, maxRrNext, sqi, stretch } = state;
    return new MultiLeadSegmenter(
      { fs, window, rrLocalBeats, maxRrNext, sqi, ...(stretch ? { stretch } : {}), leads: state.channels.length },
      state,
    );
  }

  /** Samples consumed per lead so far. */
  get consumed(): number {
    return this.n;
  }

  /**
   * Feeds the next stretch of every lead (mV): one chunk per lead, all of the same length; `null`
   * for a lead absent from this stretch (it holds its last value: flat, so unused there). At
   * least one lead must be present. Returns the beats completed, in R-peak order.
   */
  push(chunks: readonly (ArrayLike<number> | null)[]): MultiLeadBeat[] {
    if (chunks.length !== this.leadCount)
      throw new RangeError(`MultiLeadSegmenter: expected ${this.leadCount} leads, got ${chunks.length}`);
    let length = -1;
    for (const c of chunks) {
      if (c === null) continue;
      if (length >= 0 && c.length !== length) throw new RangeError('MultiLeadSegmenter: every lead of a stretch must have as many samples');
      length = c.length;
    }
    if (length < 0) throw new RangeError('MultiLeadSegmenter: a stretch needs at least one lead');
    const out: MultiLeadBeat[] = [];
    this.feed(chunks, length, out);
    return out;
  }

  /** The stream's seconds decided since the last call: the lead used in each and its quality (for the rhythm monitor). */
  takeSeconds(): FusedSecond[] {
    const out = this.seconds;
    this.seconds = [];
    return out;
  }

  /**
   * The seconds every lead has judged that are not decided yet ({@link StreamHead}): per second,
   * the lead {@link MultiLeadSegmenter} would choose there as things stand (the trust it last
   * knew), its quality and its R peaks reported so far; and every other lead's report as of the
   * last of them. Nothing changes: the seconds are decided later, as ever.
   *
   * @example
   * const { seconds, others } = seg.head();
   */
  head(): StreamHead {
    const B = this.block;
    const complete = Math.min(...this.channels.map((c) => c.completedSeconds));
    const seconds: HeadSecond[] = [];
    let previous = this.lastChoice;
    for (let s = this.nextSecond; s < complete; s++) {
      const k = this.headChoice(s);
      const quality = this.channels[k].qualityOf(s);
      if (quality === null) break;
      // As `merge` takes them: after a change of lead, from half a refractory period before the second.
      const from = previous >= 0 && previous !== k ? s * B - this.lookBack : s * B;
      const peaks = this.channels[k].peaks.filter((r) => r >= from && r < (s + 1) * B).map((r) => r - this.offsetOf(k));
      seconds.push({ index: s, quality, lead: k, peaks });
      previous = k;
    }
    const last = seconds.at(-1);
    if (last === undefined) return { seconds, others: [] };
    const others = this.otherLeadPeaks(last.index).map((report) => ({ ...report, horizon: this.channels[report.lead].horizon(this.n) }));
    return { seconds, others };
  }

  /** {@link MultiLeadSegmenter.choose} for an undecided second: a lead's trust there not known yet is the last it had. */
  private headChoice(s: number): number {
    for (let k = 0; k < this.leadCount; k++) {
      if (this.channels[k].usableOf(s) !== true) continue;
      const trust = this.trusted[k];
      const i = Math.min(s - this.trustFrom, trust.length - 1);
      if (k === 0 || (i >= 0 && trust[i] === '1')) return k;
    }
    return 0;
  }

  /** R peaks taken as beats but not emitted yet, oldest first. */
  pendingPeaks(): number[] {
    return this.held.map((b) => b.rIndex);
  }

  /**
   * Ends the stream (as {@link BeatSegmenter.flush}): every lead continues at its last value
   * long enough to confirm a final beat and complete its window, every second not decided yet is
   * decided with the quality known, and all held beats are emitted (the last with `rrNext`
   * null). Use once, at the end of a finite recording.
   */
  flush(): MultiLeadBeat[] {
    const out: MultiLeadBeat[] = [];
    const detector = this.channels[0].detector;
    this.feed(
      this.channels.map(() => null),
      Math.max(detector.flushLength, this.afterSamples + this.cleanDelay + 1),
      out,
    );
    this.merge(true);
    this.release(out, true);
    return out;
  }

  private feed(chunks: readonly (ArrayLike<number> | null)[], length: number, out: MultiLeadBeat[]): void {
    for (let start = 0; start < length; start += BLOCK) {
      const end = Math.min(length, start + BLOCK);
      for (let k = 0; k < this.leadCount; k++) this.channels[k].push(chunks[k], start, end, this.n, this.input, this.cleaned);
      this.n += end - start;
      this.merge(false);
      this.cutReady();
      this.release(out, false);
    }
  }

  /** The lead used in second `s`: the first usable there, else lead 0. */
  private choose(s: number): number {
    for (let k = 0; k < this.leadCount; k++) if (this.leadUsable(k, s) === true) return k;
    return 0;
  }

  /**
   * Whether lead `k` is usable in a merged second: its quality acceptable and outside a poor
   * stretch, and (another lead than the model's) trusted then. Null when not known.
   */
  private leadUsable(k: number, s: number): boolean | null {
    const usable = this.channels[k].usableOf(s);
    if (usable !== true || k === 0) return usable;
    const i = s - this.trustFrom;
    return i >= 0 && i < this.trusted[k].length ? this.trusted[k][i] === '1' : null;
  }

  /**
   * Adds second `q`'s agreement of every lead with lead 0 when both were usable there (quality
   * and stretch): R peaks of either matched by the other within 150 ms. `q` lies far enough back
   * that every lead's peaks in it are reported.
   */
  private agree(q: number): void {
    if (q < 0 || this.channels[0].usableOf(q) !== true) return;
    const B = this.block;
    const tol = this.tolerance;
    const inSecond = (peaks: readonly number[]) => peaks.filter((r) => r >= q * B && r < (q + 1) * B);
    const near = (peaks: readonly number[], r: number) => peaks.some((p) => Math.abs(p - r) <= tol);
    const first = this.channels[0].peaks;
    const own = inSecond(first);
    for (let k = 1; k < this.leadCount; k++) {
      if (this.channels[k].usableOf(q) !== true) continue;
      const other = inSecond(this.channels[k].peaks);
      const total = own.length + other.length;
      if (total === 0) continue;
      const matched = this.matchOwn(k, own, this.channels[k].peaks) + other.filter((r) => near(first, r)).length;
      const ring = this.agreement[k];
      ring.push([matched, total]);
      if (ring.length > AGREEMENT_SECONDS) ring.shift();
    }
  }

  /**
   * How many of lead 0's `own` R peaks lead `k`'s `peaks` match within 150 ms; the offset of each
   * one's nearest match is kept ({@link LEAD_OFFSET_BEATS}).
   */
  private matchOwn(k: number, own: readonly number[], peaks: readonly number[]): number {
    const kept = this.leadOffsets[k];
    let matched = 0;
    for (const r of own) {
      let best: number | null = null;
      for (const p of peaks) if (Math.abs(p - r) <= this.tolerance && (best === null || Math.abs(p - r) < Math.abs(best))) best = p - r;
      if (best === null) continue;
      matched++;
      kept.push(best);
      if (kept.length > LEAD_OFFSET_BEATS) kept.shift();
    }
    return matched;
  }

  /** The median offset of lead `k`'s R peaks from lead 0's, samples (0 for lead 0 and before any is known; {@link LEAD_OFFSET_BEATS}). */
  private offsetOf(k: number): number {
    const kept = this.leadOffsets[k];
    if (k === 0 || kept.length === 0) return 0;
    const sorted = [...kept].sort((a, b) => a - b);
    return sorted[sorted.length >> 1];
  }

  /** Records, for the next merged second, which leads are trusted (their recent agreement with lead 0). */
  private trust(): void {
    for (let k = 0; k < this.leadCount; k++) {
      let matched = 0;
      let total = 0;
      for (const [m, n] of this.agreement[k]) {
        matched += m;
        total += n;
      }
      const trusted = k === 0 || (this.agreement[k].length >= AGREEMENT_SECONDS && matched >= AGREEMENT_MIN * total);
      this.trusted[k] += trusted ? '1' : '0';
    }
    if (this.trusted[0].length > TRUST_KEPT) {
      this.trusted = this.trusted.map((t) => t.slice(1));
      this.trustFrom++;
    }
  }

  /**
   * Decides seconds in order, each once its quality is known on every lead and the chosen lead's
   * R peaks up to its end are all reported: that lead's peaks in the second become beats (after
   * a change of lead, from half a refractory period before it, so a beat straddling the change is
   * not lost), other leads' are dropped. `final` (end of stream) decides every second left with
   * what is known.
   */
  private merge(final: boolean): void {
    const B = this.block;
    for (;;) {
      const s = this.nextSecond;
      const end = (s + 1) * B;
      if (final ? s * B >= this.n : this.channels.some((c) => c.completedSeconds <= s)) return;
      // Once per second (a second may wait here for its chosen lead's peaks, and come back).
      if (s === this.trustFrom + this.trusted[0].length) {
        this.agree(s - this.agreementLag);
        this.trust();
      }
      const k = this.choose(s);
      const chosen = this.channels[k];
      // In a pause of the fused beats, the second also waits for every other lead's R peaks up to its end.
      const pause = this.leadCount > 1 && this.lastBeat >= 0 && this.lastBeat < s * B - this.pauseSamples;
      if (!final && (chosen.horizon(this.n) < end || (pause && this.channels.some((c) => c.horizon(this.n) < end)))) return;
      const from = this.lastChoice >= 0 && this.lastChoice !== k ? s * B - this.lookBack : s * B;
      for (const r of chosen.peaks) if (r >= from && r < end) this.accept(r, k);
      const others = pause ? this.otherLeadPeaks(s) : undefined;
      // Peaks are kept for the agreement, which looks `agreementLag` seconds back, and for a
      // pause's report, `pauseSeconds` before that. Held beats not confirmed yet still need the peaks around them.
      const kept = Math.min(
        (s + 1 - this.agreementLag - this.pauseSeconds) * B - this.tolerance,
        this.firstUnconfirmed() - this.confirmTolerance,
      );
      for (const c of this.channels) c.dropPeaks(kept);
      const quality = chosen.qualityOf(s);
      if (quality !== null) this.seconds.push({ index: s, quality, lead: k, ...(others === undefined ? {} : { others }) });
      this.lastChoice = k;
      this.nextSecond++;
    }
  }

  /** Every other lead's R peaks and usable seconds over what a pause's report covers ({@link OtherLeadPeaks}), as of second `s`. */
  private otherLeadPeaks(s: number): OtherLeadPeaks[] {
    const B = this.block;
    // All kept since the previous second's drop (see `merge`), whatever the chunking.
    const first = Math.max(0, s - this.agreementLag - this.pauseSeconds);
    const lo = first * B - this.tolerance;
    const hi = (s + 1) * B;
    const out: OtherLeadPeaks[] = [];
    for (let k = 1; k < this.leadCount; k++) {
      const c = this.channels[k];
      let usable = '';
      for (let q = first; q <= s; q++) usable += c.usableOf(q) === true ? '1' : '0';
      const peaks: number[] = [];
      const heights: number[] = [];
      c.peaks.forEach((r, i) => {
        if (r < lo || r >= hi) return;
        peaks.push(r);
        heights.push(c.heights[i]);
      });
      out.push({ lead: k, from: first, usable, peaks, heights });
    }
    return out;
  }

  /** Takes an R peak of `lead` as the next beat, placed on lead 0's time: RR context as a {@link BeatSegmenter} computes it. */
  private accept(peak: number, lead: number): void {
    const r = peak - this.offsetOf(lead);
    if (this.lastBeat >= 0) {
      if (r <= this.lastBeat) return;
      // One heartbeat seen by two leads: their R peaks fall within the refractory period.
      if (lead !== this.lastLead && r - this.lastBeat < this.refractory) return;
    }
    const { rrPrev, rrLocalMean } = rrContext(r, this.lastBeat, this.rr, this.rrLocalBeats, this.fs);
    this.lastBeat = r;
    this.lastLead = lead;
    const expected = this.channels.map((_, k) => (k === lead ? peak : r + this.offsetOf(k)));
    const confirmed = this.channels.map((_, k) => (k === lead ? true : null));
    this.held.push({ rIndex: r, lead, rrPrev, rrLocalMean, windows: null, expected, confirmed });
  }

  /** The earliest expected R peak of a held beat some lead has not confirmed or refuted yet (Infinity: none). */
  private firstUnconfirmed(): number {
    let first = Infinity;
    for (const b of this.held) for (let k = 0; k < this.leadCount; k++) if (b.confirmed[k] === null) first = Math.min(first, b.expected[k]);
    return first;
  }

  /**
   * Decides, for each lead not decided yet, whether its detector confirms the beat: once every
   * R peak it will report up to the tolerance past the expected one is known (or at the end of
   * the stream, `final`); at once, not confirmed, for a lead unusable over the beat's window (its
   * detections there are not trusted, and a flat lead's detector may report nothing for seconds).
   * Returns whether every lead is decided.
   */
  private confirm(beat: HeldBeat, usable: readonly boolean[], final: boolean): boolean {
    let done = true;
    for (let k = 0; k < this.leadCount; k++) {
      if (beat.confirmed[k] !== null) continue;
      if (!usable[k]) {
        beat.confirmed[k] = false;
        continue;
      }
      const at = beat.expected[k];
      const channel = this.channels[k];
      if (!final && channel.horizon(this.n) <= at + this.confirmTolerance) {
        done = false;
        continue;
      }
      beat.confirmed[k] = channel.peaks.some((p) => Math.abs(p - at) <= this.confirmTolerance);
    }
    return done;
  }

  /** Cuts every lead's window of the beats whose post-R span has arrived. */
  private cutReady(): void {
    for (const beat of this.held) {
      if (beat.windows) continue;
      const center = beat.rIndex + this.cleanDelay;
      if (center + this.afterSamples > this.n) return;
      beat.windows = this.channels.map((c) => this.cut(c.ring, center));
    }
  }

  /** One lead's window around `center`, as a {@link BeatSegmenter} cuts it. */
  private cut(ring: Float32Array, center: number): { window: Float32Array; scale: number; offset: number } {
    const from = center - this.beforeSamples;
    const scratch = this.scratch;
    readRing(ring, this.n, from, scratch);
    const window = ecgBeatWindow(scratch, this.fs, center, this.rawWindow, undefined, from);
    const { offset, scale } = normalizeBeat(window, this.window.normalization);
    return { window, scale, offset };
  }

  /** Seconds a beat's window spans in the raw signal, first and last. */
  private spanOf(r: number): [number, number] {
    const B = this.block;
    return [Math.floor(Math.max(0, r - this.beforeSamples) / B), Math.floor((r + this.afterSamples) / B)];
  }

  /**
   * Emits held beats in order once cut, once every lead's quality over their window is known,
   * and once their successor is known or can no longer come within `maxRrNext` (decided seconds
   * are final), so `rrNext` is the same for every chunking.
   */
  private release(out: MultiLeadBeat[], all: boolean): void {
    const maxRr = this.maxRrNext * this.fs;
    const decided = this.nextSecond * this.block - this.lookBack;
    while (this.held.length > 0) {
      const beat = this.held[0];
      if (!beat.windows) {
        if (!all) return;
        beat.windows = this.channels.map((c) => this.cut(c.ring, beat.rIndex + this.cleanDelay));
      }
      const [first, last] = this.spanOf(beat.rIndex);
      if (!all && last >= this.nextSecond) return;
      const usable = this.channels.map((_, k) => this.usable(k, first, last));
      if (!this.confirm(beat, usable, all)) return;
      let rrNext: number | null = null;
      if (this.held.length > 1) {
        const gap = this.held[1].rIndex - beat.rIndex;
        rrNext = gap <= maxRr ? gap / this.fs : null;
      } else if (!all && decided <= beat.rIndex + maxRr) {
        return;
      }
      this.held.shift();
      const leads = beat.windows.map((w, k) => ({
        ...w,
        usable: usable[k],
        readable: this.readable(k, first, last),
        confirmed: beat.confirmed[k] === true,
      }));
      out.push({
        rIndex: beat.rIndex,
        window: leads[0].window,
        scale: leads[0].scale,
        offset: leads[0].offset,
        rrPrev: beat.rrPrev,
        rrNext,
        rrLocalMean: beat.rrLocalMean,
        lead: beat.lead,
        leads,
      });
    }
  }

  /** Whether lead `k` was usable in every second from `first` to `last` (unknown seconds do not count against it). */
  private usable(k: number, first: number, last: number): boolean {
    for (let s = first; s <= last; s++) if (this.leadUsable(k, s) === false) return false;
    return true;
  }

  /** Whether no second from `first` to `last` was flat or saturated on lead `k` (unknown seconds do not count against it). */
  private readable(k: number, first: number, last: number): boolean {
    for (let s = first; s <= last; s++) {
      const q = this.channels[k].qualityOf(s);
      if (q === 'flat' || q === 'saturated') return false;
    }
    return true;
  }

  /** JSON-serializable state. */
  toJSON(): MultiLeadSegmenterState {
    return {
      kind: 'multi-lead',
      version: MULTI_LEAD_STATE_VERSION,
      fs: this.fs,
      window: this.window,
      rrLocalBeats: this.rrLocalBeats,
      maxRrNext: this.maxRrNext,
      sqi: { ...this.sqiOptions },
      ...(this.stretch ? { stretch: { ...this.stretch } } : {}),
      n: this.n,
      channels: this.channels.map((c) => c.toJSON()),
      held: this.held.map((b) => ({
        rIndex: b.rIndex,
        lead: b.lead,
        rrPrev: b.rrPrev,
        rrLocalMean: b.rrLocalMean,
        windows: b.windows ? b.windows.map((w) => ({ window: Array.from(w.window), scale: w.scale, offset: w.offset })) : null,
        expected: [...b.expected],
        confirmed: [...b.confirmed],
      })),
      lastBeat: this.lastBeat,
      lastLead: this.lastLead,
      rr: [...this.rr],
      nextSecond: this.nextSecond,
      lastChoice: this.lastChoice,
      seconds: this.seconds.map((s) => ({ ...s })),
      agreement: this.agreement.map((a) => a.map(([m, n]) => [m, n] as [number, number])),
      trusted: [...this.trusted],
      trustFrom: this.trustFrom,
      leadOffsets: this.leadOffsets.map((o) => [...o]),
    };
  }
}
