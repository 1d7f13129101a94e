/** Small inline-SVG helpers for the demo report (no external assets, no libraries). */

/** Escapes text for HTML/SVG content and attributes. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A linear map from a data range to a pixel range. */
export function scale(d0: number, d1: number, p0: number, p1: number): (x: number) => number {
  const k = d1 === d0 ? 0 : (p1 - p0) / (d1 - d0);
  return (x) => p0 + (x - d0) * k;
}

const fmt = (x: number) => (Math.round(x * 10) / 10).toString();

/**
 * Polyline points of a signal over `[from, to)` samples drawn `width` px wide: each pixel column
 * keeps the min and max of its samples, so QRS spikes survive any decimation.
 */
export function envelopePoints(
  signal: ArrayLike<number>,
  from: number,
  to: number,
  width: number,
  y: (v: number) => number,
  x0 = 0,
): string {
  const n = Math.max(0, to - from);
  const cols = Math.max(1, Math.min(width, n));
  const parts: string[] = [];
  for (let c = 0; c < cols; c++) {
    const a = from + Math.floor((c * n) / cols);
    const b = Math.max(a + 1, from + Math.floor(((c + 1) * n) / cols));
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = a; i < b && i < to; i++) {
      const v = signal[i];
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === Infinity) continue;
    const px = fmt(x0 + (c * width) / cols);
    parts.push(`${px},${fmt(y(lo))}`, `${px},${fmt(y(hi))}`);
  }
  return parts.join(' ');
}

/** Min and max of the finite values of a range (fallback [-1, 1] when empty). */
export function extent(values: ArrayLike<number>, from = 0, to = values.length): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo === Infinity ? [-1, 1] : lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}
