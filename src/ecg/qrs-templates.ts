/**
 * The patient's dominant QRS shape, learned online: beats are clustered by the correlation of
 * their QRS complexes (a beat joins the template it matches best at `match` or more, or starts a
 * new one), and the dominant template is the one most beats on time have joined lately. "On
 * time" (not premature, decided by the caller from the RR intervals) is what makes the sinus
 * beat dominant in bigeminy, where normal and ventricular beats are equally many but only the
 * normal ones follow a full interval. Weights decay per beat, so a lasting change of conduction
 * (a bundle branch block that comes and goes) becomes the new dominant shape.
 *
 * This is the classic template matching of arrhythmia monitors, kept small (a few templates of
 * one QRS span each, plain-JSON state) because it runs per beat per device.
 */
import { correlation } from './beat-shape';

/** Options of {@link QrsTemplates}; every field has a documented default. */
export interface QrsTemplateOptions {
  /** Templates kept (the lightest is replaced by a new shape). Default 4. */
  readonly maxTemplates?: number;
  /** Correlation at which a beat joins a template. Default 0.9. */
  readonly match?: number;
  /** Weight kept per beat (0.99: a template's weight halves in about 70 beats without members). Default 0.99. */
  readonly decay?: number;
  /** Share of a joining beat in its template's update. Default 0.1. */
  readonly rate?: number;
  /** On-time beats a template needs before it can be dominant. Default 3. */
  readonly minWeight?: number;
}

/** Plain-JSON state of a {@link QrsTemplates}. */
export interface QrsTemplatesState {
  readonly templates: { readonly shape: number[]; readonly weight: number }[];
}

const DEFAULTS: Required<QrsTemplateOptions> = Object.freeze({ maxTemplates: 4, match: 0.9, decay: 0.99, rate: 0.1, minWeight: 3 });

/**
 * Online QRS templates of one device.
 *
 * @example
 * const templates = new QrsTemplates();
 * const r = templates.observe(windowPart(beat.window, span, QRS_SPAN), onTime); // correlation with the dominant shape, or null
 */
export class QrsTemplates {
  private readonly o: Required<QrsTemplateOptions>;
  private templates: { shape: number[]; weight: number }[];

  constructor(options: QrsTemplateOptions = {}, state?: QrsTemplatesState) {
    this.o = { ...DEFAULTS, ...options };
    this.templates = state ? (structuredClone(state.templates) as { shape: number[]; weight: number }[]) : [];
  }

  /** Correlation of a QRS with the dominant template (null: no dominant template yet, or a QRS of another length). */
  similarity(qrs: ArrayLike<number>): number | null {
    const dominant = this.dominant();
    return dominant !== null && dominant.length === qrs.length ? correlation(qrs, dominant) : null;
  }

  /**
   * One beat's QRS: its correlation with the dominant template as it stood before this beat
   * (null while there is none), then the beat is learned (`onTime` beats add weight).
   */
  observe(qrs: ArrayLike<number>, onTime: boolean): number | null {
    const similarity = this.similarity(qrs);
    if (qrs.length < 2) return similarity;
    let best = -1;
    let bestR = -Infinity;
    for (let k = 0; k < this.templates.length; k++) {
      const t = this.templates[k];
      t.weight *= this.o.decay;
      const r = t.shape.length === qrs.length ? correlation(qrs, t.shape) : -Infinity;
      if (r > bestR) {
        bestR = r;
        best = k;
      }
    }
    let joined: { shape: number[]; weight: number };
    if (best >= 0 && bestR >= this.o.match) {
      joined = this.templates[best];
      for (let i = 0; i < qrs.length; i++) joined.shape[i] += this.o.rate * (qrs[i] - joined.shape[i]);
    } else {
      joined = { shape: Array.from(qrs), weight: 0 };
      if (this.templates.length < this.o.maxTemplates) this.templates.push(joined);
      else {
        let lightest = 0;
        for (let k = 1; k < this.templates.length; k++) if (this.templates[k].weight < this.templates[lightest].weight) lightest = k;
        this.templates[lightest] = joined;
      }
    }
    if (onTime) joined.weight += 1;
    return similarity;
  }

  /** The dominant template (heaviest with at least `minWeight`), or null. */
  dominant(): readonly number[] | null {
    let best: { shape: number[]; weight: number } | null = null;
    for (const t of this.templates) if (t.weight >= this.o.minWeight && (best === null || t.weight > best.weight)) best = t;
    return best?.shape ?? null;
  }

  /** Plain-JSON state. */
  toJSON(): QrsTemplatesState {
    return { templates: structuredClone(this.templates) };
  }
}
