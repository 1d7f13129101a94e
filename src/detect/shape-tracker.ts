/**
 * What the rhythm rules need to know about a beat's shape, per device: how well its QRS matches
 * the patient's dominant QRS (learned online from the beats of good signal, `src/ecg/qrs-templates.ts`)
 * and the stretch of its window where a P wave would be (`src/ecg/beat-shape.ts`).
 */
import { P_WAVE_SPAN, QRS_SPAN, windowPart, type WindowSpan } from '../ecg/beat-shape';
import { QrsTemplates, type QrsTemplatesState } from '../ecg/qrs-templates';

/** A beat's window (per-beat normalized samples, evenly spaced) and where its R peak sits. */
export interface BeatShape extends WindowSpan {
  readonly window: ArrayLike<number>;
}

/** What {@link ShapeTracker.observe} tells about a beat. */
export interface ShapeView {
  /** Correlation of its QRS with the dominant QRS (null: no window, or no dominant shape yet). */
  readonly qrsSimilarity: number | null;
  /** The stretch where a P wave would be (null: no window, or one too short). */
  readonly pWave: Float64Array | null;
  /** The beat's QRS stretch (null: no window). */
  readonly qrs: Float64Array | null;
}

/** Plain-JSON state of a {@link ShapeTracker}. */
export interface ShapeTrackerState {
  readonly templates: QrsTemplatesState;
  readonly rrRecent: number[];
}

/** RR intervals whose median says whether a beat is on time. */
const RR_RECENT_KEPT = 16;
/** A beat at this share of the recent median RR or later is on time (EC57-style prematurity is 10-20 % early). */
const ON_TIME_FRACTION = 0.9;

/**
 * The shape state of one device.
 *
 * @example
 * const tracker = new ShapeTracker();
 * const { qrsSimilarity } = tracker.observe(beat.shape, beat.rrPrev, beat.gated);
 */
export class ShapeTracker {
  private readonly templates: QrsTemplates;
  private rrRecent: number[];

  constructor(state?: ShapeTrackerState) {
    this.templates = new QrsTemplates({}, state?.templates);
    this.rrRecent = state ? [...state.rrRecent] : [];
  }

  /**
   * One beat: its view against the shapes learned so far, then (unless `gated`: poor signal
   * teaches nothing) the beat is learned, an on-time beat voting for its shape as the dominant one.
   */
  observe(shape: BeatShape | undefined, rrPrev: number | null, gated: boolean): ShapeView {
    if (!shape) return { qrsSimilarity: null, pWave: null, qrs: null };
    const qrs = windowPart(shape.window, shape, QRS_SPAN);
    let qrsSimilarity: number | null;
    if (gated) qrsSimilarity = this.templates.similarity(qrs);
    else {
      const recent = [...this.rrRecent].sort((x, y) => x - y);
      const onTime = rrPrev !== null && recent.length >= 4 && rrPrev >= ON_TIME_FRACTION * recent[recent.length >> 1];
      qrsSimilarity = this.templates.observe(qrs, onTime);
      if (rrPrev !== null) {
        this.rrRecent.push(rrPrev);
        if (this.rrRecent.length > RR_RECENT_KEPT) this.rrRecent.shift();
      }
    }
    const pWave = windowPart(shape.window, shape, P_WAVE_SPAN);
    return { qrsSimilarity, pWave: pWave.length > 0 ? pWave : null, qrs: qrs.length > 1 ? qrs : null };
  }

  /** Plain-JSON state. */
  toJSON(): ShapeTrackerState {
    return { templates: this.templates.toJSON(), rrRecent: [...this.rrRecent] };
  }
}
