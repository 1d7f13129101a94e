/**
 * What the rhythm rules need to know about a beat's shape, per device: how well its QRS matches
 * the patient's dominant QRS (learned online from the beats of good signal, `src/ecg/qrs-templates.ts`)
 * and the stretch of its window where a P wave would be (`src/ecg/beat-shape.ts`). A device with
 * a second lead has the same on that lead, learned apart: a lead sees the heart from one angle,
 * so a ventricular beat or a P wave that one lead hardly shows is often plain on the other.
 */
import { P_WAVE_SPAN, QRS_SPAN, correlation, windowPart, type WindowSpan, QrsTemplates, type QrsTemplatesState } from '../ecg';

/** A beat's window (per-beat normalized samples, evenly spaced) and where its R peak sits. */
export interface BeatShape extends WindowSpan {
  /** Its window on the model's lead (absent: that lead lost the beat, its window there is noise). */
  readonly window?: ArrayLike<number>;
  /**
   * Where the model's lead lost the beat (another lead found it): its window there all the same.
   * Poor as it is, a ventricular beat's QRS may still plainly differ from the dominant one on it
   * (MIT-BIH 203: fast wide beats the quality index calls noise on MLII, whose V1 QRS resembles
   * the dominant V1 shape). It is compared with the templates, never learned, and gives no P wave.
   */
  readonly lost?: ArrayLike<number>;
  /** The same beat's window on the device's second lead, where that lead was usable (same span). */
  readonly second?: ArrayLike<number>;
}

/** What {@link ShapeTracker.observe} tells about a beat. */
export interface ShapeView {
  /** Correlation of its QRS with the dominant QRS (null: no window, or no dominant shape yet). */
  readonly qrsSimilarity: number | null;
  /**
   * How its QRS resembles the last on-time beats' QRS: the second-best correlation with the last
   * {@link ON_TIME_KEPT} (null: no window, or fewer than two kept). A beat like at least two of
   * the beats that came on time lately is conducted like them, whatever the dominant shape is.
   */
  readonly qrsOnTime: number | null;
  /** As `qrsOnTime`, on the second lead. */
  readonly qrsOnTime2: number | null;
  /** Its QRS (null: no window): what beats of a run are compared with each other on. */
  readonly qrs: Float64Array | null;
  /** The stretch where a P wave would be (null: no window, or one too short). */
  readonly pWave: Float64Array | null;
  /** As `qrsSimilarity`, on the second lead (null: no usable second-lead window, or no dominant shape there yet). */
  readonly qrsSimilarity2: number | null;
  /** As `qrs`, on the second lead. */
  readonly qrs2: Float64Array | null;
  /** As `pWave`, on the second lead. */
  readonly pWave2: Float64Array | null;
}

/** Plain-JSON state of a {@link ShapeTracker}. */
export interface ShapeTrackerState {
  readonly templates: QrsTemplatesState;
  /** The second lead's templates (absent in states saved before the second lead was tracked). */
  readonly templates2?: QrsTemplatesState;
  readonly rrRecent: number[];
  /** QRS of the last on-time beats on each lead (absent in states saved before they were kept). */
  readonly onTime?: number[][];
  readonly onTime2?: number[][];
}

/** On-time beats whose QRS a beat is compared with (`ShapeView.qrsOnTime`). */
const ON_TIME_KEPT = 4;

/** RR intervals whose median says whether a beat is on time. */
const RR_RECENT_KEPT = 16;
/**
 * A beat at this share of the recent median RR or later is on time (EC57-style prematurity is 10-20 % early).
 *
 * @example
 * const onTime = rr >= ON_TIME_FRACTION * medianRr;
 */
export const ON_TIME_FRACTION = 0.9;

/**
 * The shape state of one device.
 *
 * @example
 * const tracker = new ShapeTracker();
 * const { qrsSimilarity } = tracker.observe(beat.shape, beat.rrPrev, beat.gated);
 */
export class ShapeTracker {
  private readonly templates: QrsTemplates;
  private readonly templates2: QrsTemplates;
  private rrRecent: number[];
  private readonly onTime: number[][];
  private readonly onTime2: number[][];

  constructor(state?: ShapeTrackerState) {
    this.templates = new QrsTemplates({}, state?.templates);
    this.templates2 = new QrsTemplates({}, state?.templates2);
    this.rrRecent = state ? [...state.rrRecent] : [];
    this.onTime = structuredClone(state?.onTime ?? []);
    this.onTime2 = structuredClone(state?.onTime2 ?? []);
  }

  /**
   * One beat: its view against the shapes learned so far, then (unless `gated`: poor signal
   * teaches nothing) the beat is learned, an on-time beat voting for its shape as the dominant one.
   */
  observe(shape: BeatShape | undefined, rrPrev: number | null, gated: boolean): ShapeView {
    if (!shape)
      return {
        qrsSimilarity: null,
        qrsOnTime: null,
        qrsOnTime2: null,
        qrs: null,
        pWave: null,
        qrsSimilarity2: null,
        qrs2: null,
        pWave2: null,
      };
    const recent = [...this.rrRecent].sort((x, y) => x - y);
    const onTime = rrPrev !== null && recent.length >= 4 && rrPrev >= ON_TIME_FRACTION * recent[recent.length >> 1];
    const first =
      shape.window !== undefined
        ? viewOn(this.templates, this.onTime, shape.window, shape, onTime, gated)
        : shape.lost !== undefined
          ? { ...viewOn(this.templates, this.onTime, shape.lost, shape, onTime, true), pWave: null }
          : null;
    const second = shape.second === undefined ? null : viewOn(this.templates2, this.onTime2, shape.second, shape, onTime, gated);
    if (!gated && rrPrev !== null) {
      this.rrRecent.push(rrPrev);
      if (this.rrRecent.length > RR_RECENT_KEPT) this.rrRecent.shift();
    }
    return {
      qrsSimilarity: first?.qrsSimilarity ?? null,
      qrsOnTime: first?.qrsOnTime ?? null,
      qrsOnTime2: second?.qrsOnTime ?? null,
      qrs: first?.qrs ?? null,
      pWave: first?.pWave ?? null,
      qrsSimilarity2: second?.qrsSimilarity ?? null,
      qrs2: second?.qrs ?? null,
      pWave2: second?.pWave ?? null,
    };
  }

  /** Plain-JSON state. */
  toJSON(): ShapeTrackerState {
    return {
      templates: this.templates.toJSON(),
      templates2: this.templates2.toJSON(),
      rrRecent: [...this.rrRecent],
      onTime: structuredClone(this.onTime),
      onTime2: structuredClone(this.onTime2),
    };
  }
}

/** One lead's view of a beat against that lead's templates and last on-time beats, which learn the beat unless it is gated. */
function viewOn(
  templates: QrsTemplates,
  kept: number[][],
  window: ArrayLike<number>,
  span: WindowSpan,
  onTime: boolean,
  gated: boolean,
): { qrsSimilarity: number | null; qrsOnTime: number | null; qrs: Float64Array; pWave: Float64Array | null } {
  const qrs = windowPart(window, span, QRS_SPAN);
  const r = kept.filter((k) => k.length === qrs.length).map((k) => correlation(qrs, k));
  const qrsOnTime = r.length >= 2 ? r.sort((x, y) => y - x)[1] : null;
  if (onTime && !gated) {
    kept.push(Array.from(qrs));
    if (kept.length > ON_TIME_KEPT) kept.shift();
  }
  const qrsSimilarity = gated ? templates.similarity(qrs) : templates.observe(qrs, onTime);
  const pWave = windowPart(window, span, P_WAVE_SPAN);
  return { qrsSimilarity, qrsOnTime, qrs, pWave: pWave.length > 0 ? pWave : null };
}
