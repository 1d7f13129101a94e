/**
 * Beat features measured against a patient's own dominant beat. Pure functions over typed
 * arrays; nothing here allocates, so a device can score every beat without garbage.
 *
 * All windows are the segmenter's beat windows (R-aligned, `steps` samples over
 * `[-before, +after]` seconds around R). "Raw" means mV: `window[k] * scale + offset`.
 */

/** Where the QRS complex and the rest of a window lie, in window steps. */
export interface WindowGeometry {
  readonly steps: number;
  /** Seconds per step. */
  readonly dt: number;
  /** Step of the R peak (fractional). */
  readonly r: number;
  /** First and one-past-last step of the QRS region (R - 0.1 s .. R + 0.15 s). */
  readonly qrsFrom: number;
  readonly qrsTo: number;
}

/**
 * QRS region: 100 ms before R covers the Q wave and a late-detected R of a wide beat; 150 ms
 * after covers the S wave and the broad terminal part of a ventricular QRS (120-200 ms wide),
 * which is what tells it apart from a narrow (80-100 ms) supraventricular QRS.
 */
const QRS_BEFORE = 0.1;
const QRS_AFTER = 0.15;

/** Largest alignment shift tried, in window steps (3 steps = 33 ms at the default window). */
export const MAX_SHIFT = 3;

/** Geometry of a window spec (`before`, `after` in seconds, `steps` samples). */
export function windowGeometry(before: number, after: number, steps: number): WindowGeometry {
  const dt = (before + after) / (steps - 1);
  const r = before / dt;
  const qrsFrom = Math.max(0, Math.floor(r - QRS_BEFORE / dt));
  const qrsTo = Math.min(steps, Math.ceil(r + QRS_AFTER / dt) + 1);
  return { steps, dt, r, qrsFrom, qrsTo };
}

/** Writes the beat's raw (mV) window into `out`; without a known scale the normalized window is used as is. */
export function rawWindow(window: Float32Array, scale: number | undefined, offset: number | undefined, out: Float32Array): Float32Array {
  const s = scale ?? 1;
  const o = offset ?? 0;
  for (let k = 0; k < window.length; k++) out[k] = window[k] * s + o;
  return out;
}

/**
 * Morphology distance of a beat `x` from a template `t` over the QRS region: the root of the
 * residual energy over the template's own energy (each about its QRS-region mean, so a baseline
 * offset does not count). Sensitive to shape, width and amplitude at once: about 0.1-0.3 for the
 * patient's normal beats (respiration changes amplitude by 10-20 %), around 1 or more for a
 * ventricular beat (wide, other axis, often twice as large).
 */
export function morphologyDistance(x: Float32Array, t: ArrayLike<number>, g: WindowGeometry, gain = 1, maxShift = MAX_SHIFT): number {
  // The detector's R fiducial jitters by a few ms on normal beats and can jump to the other peak
  // of an M-shaped (bundle branch block) QRS; the smallest residual over small shifts of the beat
  // keeps that jitter from reading as a change of shape. Amplitude within [1/gain, gain] of the
  // template is free (respiration, posture and electrode contact change it on normal beats); the
  // residual is measured against the template scaled by the fitted gain.
  let best = Infinity;
  for (let s = -maxShift; s <= maxShift; s++) {
    const from = Math.max(g.qrsFrom, -s);
    const to = Math.min(g.qrsTo, g.steps - s);
    const n = to - from;
    if (n <= 0) continue;
    let mx = 0;
    let mt = 0;
    for (let k = from; k < to; k++) {
      mx += x[k + s];
      mt += t[k];
    }
    mx /= n;
    mt /= n;
    let sxx = 0;
    let stt = 0;
    let sxt = 0;
    for (let k = from; k < to; k++) {
      const a = x[k + s] - mx;
      const b = t[k] - mt;
      sxx += a * a;
      stt += b * b;
      sxt += a * b;
    }
    if (!(stt > 0)) continue;
    const beta = Math.min(gain, Math.max(1 / gain, sxt / stt));
    const residual = Math.max(0, sxx - 2 * beta * sxt + beta * beta * stt);
    const d = Math.sqrt(residual / stt);
    if (d < best) best = d;
  }
  return best === Infinity ? 0 : best;
}

/** Peak-to-peak amplitude over the QRS region. */
export function qrsAmplitude(x: ArrayLike<number>, g: WindowGeometry): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = g.qrsFrom; k < g.qrsTo; k++) {
    if (x[k] < lo) lo = x[k];
    if (x[k] > hi) hi = x[k];
  }
  return hi - lo;
}

/**
 * Width of the QRS complex, in seconds: twice the spread (square root of the second moment) of
 * the slope energy (squared first difference) over the QRS region around its centroid. A
 * ventricular QRS (120-200 ms) is broad and its slope energy spread out; a supraventricular one
 * (80-100 ms) concentrates it near R. A moment rather than onset/offset points because at the
 * window's resolution (about 11 ms a step) a delineator would jitter by a step or two, while the
 * moment moves smoothly with the shape; squared slopes rather than absolute ones so the steep
 * QRS dominates small noise and the P and T waves' shoulders (on MIT-BIH DS1 as a whole the
 * ratio to the template's width tells V from N beats with an AUC of 0.97 squared, 0.91 absolute).
 * Amplitude-free (a scaled beat has the same width) and baseline-free (slopes only).
 *
 * @example
 * const widening = qrsWidth(beat, g) / qrsWidth(template, g); // about 1 for normal beats, 1.3-2 for ventricular ones
 */
export function qrsWidth(x: ArrayLike<number>, g: WindowGeometry, floor = 0): number {
  // The mean slope over the region is a straight baseline under the QRS (wander, a tilt): taken
  // out, so baseline wander does not read as a broad complex. Noise adds about `floor` of slope
  // energy at every step, spread evenly over the region, which would widen the moment: it is
  // taken off each step's energy (what is left of a step cannot go below 0).
  const n = g.qrsTo - 1 - g.qrsFrom;
  if (n < 2) return 0;
  const tilt = (x[g.qrsTo - 1] - x[g.qrsFrom]) / n;
  let sum = 0;
  let first = 0;
  for (let k = g.qrsFrom; k + 1 < g.qrsTo; k++) {
    const d = x[k + 1] - x[k] - tilt;
    const e = Math.max(0, d * d - floor);
    sum += e;
    first += e * k;
  }
  if (!(sum > 0)) return 0;
  const centre = first / sum;
  let second = 0;
  for (let k = g.qrsFrom; k + 1 < g.qrsTo; k++) {
    const d = x[k + 1] - x[k] - tilt;
    second += Math.max(0, d * d - floor) * (k - centre) * (k - centre);
  }
  return 2 * Math.sqrt(second / sum) * g.dt;
}

/**
 * Slope energy of the window outside the QRS: the mean squared first difference, less its mean
 * (a straight baseline), over the parts of the window that hold neither this beat's QRS nor a
 * neighbour's (as {@link noiseLevel} cuts them). On a clean beat it is the P and T waves' small
 * slopes; noise (wander with fast components, muscle) adds its own energy there and, evenly, in
 * the QRS region, where {@link qrsWidth} takes it off. 0 when no span is left.
 *
 * @example
 * const width = qrsWidth(beat, g, slopeFloor(beat, g, rrPrev, rrNext));
 */
export function slopeFloor(x: ArrayLike<number>, g: WindowGeometry, rrPrev: number | null, rrNext: number | null): number {
  const from = rrPrev === null ? 0 : Math.max(0, Math.ceil(g.r - (rrPrev - QRS_BEFORE) / g.dt));
  const to = rrNext === null ? g.steps - 1 : Math.min(g.steps - 1, Math.floor(g.r + (rrNext - QRS_BEFORE) / g.dt));
  let sum = 0;
  let sq = 0;
  let n = 0;
  for (let k = from; k < to; k++) {
    if (k + 1 >= g.qrsFrom && k < g.qrsTo) continue;
    const d = x[k + 1] - x[k];
    sum += d;
    sq += d * d;
    n++;
  }
  if (n < 2) return 0;
  const mean = sum / n;
  return Math.max(0, sq / n - mean * mean);
}

/**
 * High-frequency roughness outside the QRS: RMS of the second difference over the parts of the
 * window that hold neither this beat's QRS nor a neighbour's (a neighbour closer than the window
 * edge is cut out using the RR intervals). P, ST and T are smooth at this resolution, so
 * roughness there is muscle or electrode noise, the main source of false alerts on sinus records.
 * Returned in the window's units; the caller divides by the template's QRS amplitude. 0 when no
 * span is left.
 */
export function noiseLevel(x: Float32Array, g: WindowGeometry, rrPrev: number | null, rrNext: number | null): number {
  // A neighbour's QRS spans its R +- 0.1 s; keep clear of it.
  const from = rrPrev === null ? 1 : Math.max(1, Math.ceil(g.r - (rrPrev - QRS_BEFORE) / g.dt));
  const to = rrNext === null ? g.steps - 1 : Math.min(g.steps - 1, Math.floor(g.r + (rrNext - QRS_BEFORE) / g.dt));
  let sum = 0;
  let n = 0;
  for (let k = from; k < to; k++) {
    if (k >= g.qrsFrom && k < g.qrsTo) continue;
    const d2 = x[k + 1] - 2 * x[k] + x[k - 1];
    sum += d2 * d2;
    n++;
  }
  return n > 0 ? Math.sqrt(sum / n) : 0;
}

/** Median of the first `n` values of `xs` (sorts a scratch copy in place). */
export function medianOf(xs: Float64Array, n: number, scratch: Float64Array): number {
  if (n === 0) return Number.NaN;
  const s = scratch.subarray(0, n);
  s.set(xs.subarray(0, n));
  s.sort();
  return n % 2 === 1 ? s[(n - 1) >> 1] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}
