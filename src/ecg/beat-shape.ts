/**
 * Parts of a beat window the rhythm rules compare between beats: the QRS complex (is this beat
 * shaped like the patient's usual one, or wide and different like a ventricular beat?) and the
 * stretch before it where a P wave sits (is there a P wave that repeats from beat to beat, or
 * only fibrillatory activity?). Windows are the segmenter's: `steps` evenly spaced samples from
 * `before` seconds before the R peak to `after` seconds after it, normalized per beat.
 */

/** Where a window's samples lie relative to its R peak, seconds. */
export interface WindowSpan {
  readonly before: number;
  readonly after: number;
}

/**
 * The QRS complex: 100 ms either side of the R peak. A normal QRS lasts 80-100 ms and a
 * ventricular one 120 ms or more (ANSI/AAMI EC57's "wide"), so ±100 ms holds the whole of a
 * normal complex and the part of a wide one that differs from it most.
 */
export const QRS_SPAN: WindowSpan = Object.freeze({ before: 0.1, after: 0.1 });

/**
 * The P wave: 250 ms to 70 ms before the R peak. A normal PR interval is 120-200 ms and a P wave
 * lasts up to 120 ms, so the P wave of a conducted beat lies inside it while the QRS (which
 * starts 40-50 ms before the R peak) stays out.
 */
export const P_WAVE_SPAN: WindowSpan = Object.freeze({ before: 0.25, after: -0.07 });

/**
 * The samples of `window` (spanning `span` around its R peak) that fall within `part` around the
 * R peak, copied; empty when the window does not reach that far.
 *
 * @example
 * windowPart(beat.window, { before: 0.25, after: 0.45 }, QRS_SPAN).length // 19 for a 64-step window
 */
export function windowPart(window: ArrayLike<number>, span: WindowSpan, part: WindowSpan): Float64Array {
  const steps = window.length;
  if (steps < 2 || !(span.before + span.after > 0)) return new Float64Array(0);
  const dt = (span.before + span.after) / (steps - 1);
  const from = Math.max(0, Math.ceil((span.before - part.before) / dt - 1e-9));
  const to = Math.min(steps - 1, Math.floor((span.before + part.after) / dt + 1e-9));
  if (to < from || span.before < part.before - dt / 2) return new Float64Array(0);
  return Float64Array.from({ length: to - from + 1 }, (_, i) => window[from + i]);
}

/**
 * Pearson correlation of two equally long sequences (0 when either is constant or they differ in
 * length).
 *
 * @example
 * correlation([1, 2, 3], [2, 4, 6.5]) // 0.999
 */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n !== b.length || n < 2) return 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i] - ma;
    const y = b[i] - mb;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  const d = Math.sqrt(aa * bb);
  return d > 1e-12 ? ab / d : 0;
}
