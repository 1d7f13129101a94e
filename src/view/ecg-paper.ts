/**
 * ECG drawing shared by the web console and the static report: strips on standard ECG paper
 * (25 mm/s, 10 mm/mV, 1 mm and 5 mm grid), a flagged beat overlaid with the model's
 * reconstruction and the device's typical beat, the RR tachogram, and score charts with axes.
 * Pure functions from data to SVG text (no DOM), so the same code renders in Node and the browser.
 */

/** Escapes text for HTML/SVG content and attributes. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const f1 = (x: number) => (Math.round(x * 10) / 10).toString();

/** Paper speed and gain of a standard 12-lead printout. */
export const PAPER = Object.freeze({ mmPerSecond: 25, mmPerMv: 10 });

/** Colours: the pink grid of ECG paper, the trace, beat marks. */
export const INK = Object.freeze({
  minor: '#f6c9cf',
  major: '#e58f9b',
  trace: '#111827',
  normal: '#059669',
  flagged: '#dc2626',
  alert: '#fee2e2',
  recon: '#2563eb',
  typical: '#059669',
  error: '#f59e0b',
  threshold: '#d97706',
  axis: '#6b7280',
});

/** A beat mark on a strip. */
export interface StripMark {
  readonly t: number;
  readonly anomalous: boolean;
  readonly kind?: string;
  /** Annotated reference label (e.g. MIT-BIH `V`), when the record has one. */
  readonly reference?: string;
}

/** What {@link ecgStripSvg} draws. */
export interface StripInput {
  /** Samples in mV; `samples[i]` at `t0 + i * 1000 / fs`. */
  readonly samples: ArrayLike<number>;
  readonly fs: number;
  readonly t0: number;
  /** Time span to draw (default: all samples). */
  readonly from?: number;
  readonly to?: number;
  readonly marks?: readonly StripMark[];
  /** Times of the beats the alert flagged (highlighted). */
  readonly highlight?: readonly number[];
  /** Span of the alert, shaded. */
  readonly alertSpan?: { readonly from: number; readonly to: number };
  /** Pixels per millimetre of paper (default 4: 100 px per second). */
  readonly pxPerMm?: number;
  /** Fixed mV range (min, max), e.g. one scale across a device; default: the strip's own, to 0.5 mV. */
  readonly mvRange?: readonly [number, number];
  readonly title?: string;
}

/** Symbol of a beat kind on a strip. */
function kindLetter(m: StripMark): string {
  if (!m.anomalous) return 'N';
  if (m.kind === 'premature') return 'S';
  if (m.kind === 'gated') return '~';
  return 'V';
}

/** The mV range of samples rounded out to 0.5 mV, at least 2 mV tall. */
export function mvRangeOf(samples: ArrayLike<number>, from = 0, to = samples.length): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = Math.max(0, from); i < Math.min(samples.length, to); i++) {
    const v = samples[i];
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [-1, 1];
  lo = Math.floor(lo * 2) / 2 - 0.5;
  hi = Math.ceil(hi * 2) / 2 + 0.5;
  if (hi - lo < 2) {
    // Less than 2 mV tall: centre a 2 mV window on the signal so the grid is readable.
    const mid = (hi + lo) / 2;
    lo = Math.floor((mid - 1) * 2) / 2;
    hi = lo + 2;
  }
  return [lo, hi];
}

/**
 * An ECG strip on standard paper: 1 mm minor and 5 mm major grid lines, 25 mm/s, 10 mm/mV, a
 * 1 mV calibration pulse, seconds along the bottom, every detected beat marked (N green, flagged
 * red with its kind), the alert's flagged beats highlighted. The trace is one `<path
 * class="ecg-trace">`.
 *
 * @example
 * const svg = ecgStripSvg({ samples, fs: 360, t0, marks, highlight: [flaggedT] });
 */
export function ecgStripSvg(input: StripInput): string {
  const { samples, fs, t0 } = input;
  const pxPerMm = input.pxPerMm ?? 4;
  const from = input.from ?? t0;
  const to = input.to ?? t0 + (samples.length * 1000) / fs;
  const i0 = Math.max(0, Math.floor(((from - t0) * fs) / 1000));
  const i1 = Math.min(samples.length, Math.ceil(((to - t0) * fs) / 1000));
  const [lo, hi] = input.mvRange ?? mvRangeOf(samples, i0, i1);
  const left = 10 * pxPerMm; // room for the calibration pulse and mV labels
  const top = 9 * pxPerMm; // room for the paper settings and beat marks
  const hasReference = (input.marks ?? []).some((m) => m.reference !== undefined);
  const bottom = (hasReference ? 9 : 6) * pxPerMm; // reference labels, then time labels
  const pxPerS = PAPER.mmPerSecond * pxPerMm;
  const pxPerMv = PAPER.mmPerMv * pxPerMm;
  const plotW = ((to - from) / 1000) * pxPerS;
  const plotH = (hi - lo) * pxPerMv;
  const W = Math.ceil(left + plotW + 2);
  const H = Math.ceil(top + plotH + bottom);
  const x = (t: number) => left + ((t - from) / 1000) * pxPerS;
  const y = (mv: number) => top + (hi - mv) * pxPerMv;
  const out: string[] = [];
  out.push(
    `<svg class="ecg-strip" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(input.title ?? 'ECG strip')}">`,
  );
  out.push(`<rect x="${left}" y="${top}" width="${f1(plotW)}" height="${f1(plotH)}" fill="#fff7f8"/>`);
  if (input.alertSpan)
    out.push(
      `<rect class="alert-span" x="${f1(x(Math.max(from, input.alertSpan.from - 300)))}" y="${top}" width="${f1(Math.max(2, x(Math.min(to, input.alertSpan.to + 300)) - x(Math.max(from, input.alertSpan.from - 300))))}" height="${f1(plotH)}" fill="${INK.alert}" opacity="0.8"/>`,
    );
  // Grid: minor every 1 mm, major every 5 mm, as printed paper.
  const grid = (step: number, color: string, width: number) => {
    const parts: string[] = [];
    for (let mm = 0; mm * pxPerMm <= plotW + 0.01; mm += step) parts.push(`M${f1(left + mm * pxPerMm)} ${top}v${f1(plotH)}`);
    for (let mm = 0; mm * pxPerMm <= plotH + 0.01; mm += step) parts.push(`M${left} ${f1(top + mm * pxPerMm)}h${f1(plotW)}`);
    return `<path d="${parts.join('')}" stroke="${color}" stroke-width="${width}" fill="none"/>`;
  };
  out.push(grid(1, INK.minor, 0.5), grid(5, INK.major, 1));
  // Calibration pulse: 1 mV tall, 0.2 s wide, standing on 0 mV (or the bottom if 0 is off the strip).
  const base = lo <= 0 && hi >= 1 ? y(0) : y(lo + 0.25);
  const cw = 0.2 * pxPerS;
  out.push(
    `<path class="calibration" d="M2 ${f1(base)}h${f1(pxPerMm)}v${f1(-pxPerMv)}h${f1(Math.min(cw, left - 3 * pxPerMm))}v${f1(pxPerMv)}h${f1(pxPerMm)}" stroke="${INK.trace}" fill="none" stroke-width="1.2"/>`,
    `<text x="2" y="${f1(base - pxPerMv - 3)}" font-size="10" fill="${INK.axis}">1 mV</text>`,
  );
  if (hasReference) out.push(`<text x="2" y="${f1(top + plotH + 3.2 * pxPerMm)}" font-size="9" fill="${INK.axis}">ref.</text>`);
  // Time labels every second (seconds into the strip) and the paper settings.
  for (let s = 0; s * 1000 <= to - from + 1; s++)
    out.push(`<text x="${f1(left + s * pxPerS)}" y="${H - 4}" font-size="10" fill="${INK.axis}" text-anchor="middle">${s} s</text>`);
  out.push(
    `<text x="${left}" y="${f1(top - 4.2 * pxPerMm)}" font-size="10" fill="${INK.axis}">25 mm/s · 10 mm/mV · from ${new Date(from).toISOString().slice(11, 19)} UTC</text>`,
  );
  // The trace: one point per sample (at most 4 px apart at 360 Hz, so no decimation is needed).
  const d: string[] = [];
  let pen = false;
  for (let i = i0; i < i1; i++) {
    const v = samples[i];
    if (!Number.isFinite(v)) {
      pen = false;
      continue;
    }
    const px = x(t0 + (i * 1000) / fs);
    d.push(`${pen ? 'L' : 'M'}${f1(px)} ${f1(y(Math.max(lo, Math.min(hi, v))))}`);
    pen = true;
  }
  out.push(`<path class="ecg-trace" d="${d.join('')}" stroke="${INK.trace}" stroke-width="1.1" fill="none" stroke-linejoin="round"/>`);
  // Beat marks above the trace.
  const highlight = new Set(input.highlight ?? []);
  for (const m of input.marks ?? []) {
    if (m.t < from || m.t > to) continue;
    const px = f1(x(m.t));
    const color = m.anomalous ? INK.flagged : INK.normal;
    const label = kindLetter(m);
    if (highlight.has(m.t))
      out.push(
        `<rect class="flagged-beat" x="${f1(x(m.t) - 0.25 * pxPerS)}" y="${top}" width="${f1(0.7 * pxPerS)}" height="${f1(plotH)}" fill="none" stroke="${INK.flagged}" stroke-width="1.5" stroke-dasharray="4 3"/>`,
      );
    out.push(
      `<g class="beat-mark${m.anomalous ? ' anomalous' : ''}"><line x1="${px}" x2="${px}" y1="${top - 2 * pxPerMm}" y2="${top}" stroke="${color}" stroke-width="${m.anomalous ? 2.5 : 1.2}"/><text x="${px}" y="${f1(top - 2.5 * pxPerMm)}" font-size="10" fill="${color}" text-anchor="middle" font-weight="${m.anomalous ? 'bold' : 'normal'}">${esc(label)}</text></g>`,
    );
    if (m.reference !== undefined)
      out.push(
        `<text class="reference" x="${px}" y="${f1(top + plotH + 3.2 * pxPerMm)}" font-size="10" fill="${m.reference === 'N' ? INK.axis : '#7c2d12'}" text-anchor="middle">${esc(m.reference)}</text>`,
      );
  }
  out.push('</svg>');
  return out.join('');
}

/** What {@link beatOverlaySvg} draws. */
export interface OverlayInput {
  readonly span: { readonly before: number; readonly after: number; readonly steps: number };
  readonly window: readonly number[];
  readonly reconstruction?: readonly number[] | null;
  readonly typical?: readonly number[] | null;
  readonly error?: readonly number[];
  readonly parts?: readonly { readonly name: string; readonly from: number; readonly to: number }[];
  readonly worstPart?: string | null;
  readonly width?: number;
  readonly height?: number;
}

/**
 * A flagged beat (black) overlaid with the model's reconstruction (blue, dashed) and the
 * device's typical beat (green), the beat's parts shaded (the worst in amber), and the
 * per-sample error as bars underneath. Units are the model's: the z-scored beat window.
 *
 * @example
 * beatOverlaySvg({ span, window: f.window, reconstruction: f.reconstruction, typical: e.typical?.window, error: f.error, parts: e.parts })
 */
export function beatOverlaySvg(input: OverlayInput): string {
  const W = input.width ?? 420;
  const H = input.height ?? 260;
  const left = 34;
  const right = 8;
  const top = 16;
  const errH = 40;
  const axisH = 18;
  const plotH = H - top - errH - axisH - 8;
  const { before, after, steps } = input.span;
  const tOf = (k: number) => -before + (k * (before + after)) / (steps - 1);
  const x = (s: number) => left + ((s + before) / (before + after)) * (W - left - right);
  const series = [input.window, input.reconstruction ?? [], input.typical ?? []].flat().filter(Number.isFinite);
  let lo = Math.min(...series, -1);
  let hi = Math.max(...series, 1);
  const pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const y = (v: number) => top + ((hi - v) / (hi - lo)) * plotH;
  const line = (values: readonly number[] | null | undefined, cls: string, color: string, dash = '') =>
    values && values.length === steps
      ? `<path class="${cls}" d="${values.map((v, k) => `${k === 0 ? 'M' : 'L'}${f1(x(tOf(k)))} ${f1(y(v))}`).join('')}" stroke="${color}" stroke-width="${cls === 'beat' ? 2 : 1.6}" fill="none"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`
      : '';
  const out: string[] = [
    `<svg class="beat-overlay" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" style="max-width:${W}px" role="img" aria-label="flagged beat with reconstruction and typical beat">`,
  ];
  for (const p of input.parts ?? []) {
    const x0 = x(Math.max(-before, p.from));
    const x1 = x(Math.min(after, p.to));
    const worst = p.name === input.worstPart;
    out.push(
      `<rect x="${f1(x0)}" y="${top}" width="${f1(x1 - x0)}" height="${f1(plotH)}" fill="${worst ? '#fde68a' : '#f3f4f6'}" opacity="${worst ? 0.7 : 0.5}"/><text x="${f1((x0 + x1) / 2)}" y="${top - 4}" font-size="10" text-anchor="middle" fill="${worst ? '#92400e' : INK.axis}" font-weight="${worst ? 'bold' : 'normal'}">${esc(p.name)}</text>`,
    );
  }
  out.push(`<line x1="${f1(x(0))}" x2="${f1(x(0))}" y1="${top}" y2="${top + plotH}" stroke="${INK.axis}" stroke-dasharray="2 3"/>`);
  for (const v of [Math.ceil(lo), 0, Math.floor(hi)])
    out.push(`<text x="${left - 4}" y="${f1(y(v) + 3)}" font-size="9" text-anchor="end" fill="${INK.axis}">${v}</text>`);
  out.push(`<text x="4" y="${top + 8}" font-size="9" fill="${INK.axis}">SD</text>`);
  out.push(
    line(input.typical, 'typical', INK.typical),
    line(input.reconstruction, 'reconstruction', INK.recon, '5 3'),
    line(input.window, 'beat', INK.trace),
  );
  // Error bars, scaled to their own maximum.
  const err = input.error ?? [];
  const emax = Math.max(...err, 1e-9);
  const ey = top + plotH + 8;
  const bw = Math.max(1, (W - left - right) / steps - 1);
  out.push(
    `<g class="error-bars">${err.map((e, k) => `<rect x="${f1(x(tOf(k)) - bw / 2)}" y="${f1(ey + errH - (e / emax) * errH)}" width="${f1(bw)}" height="${f1((e / emax) * errH)}" fill="${INK.error}"/>`).join('')}</g>`,
    `<text x="4" y="${f1(ey + errH / 2)}" font-size="9" fill="${INK.axis}">error</text>`,
  );
  for (const s of [-0.2, 0, 0.2, 0.4].filter((v) => v >= -before && v <= after))
    out.push(`<text x="${f1(x(s))}" y="${H - 4}" font-size="9" text-anchor="middle" fill="${INK.axis}">${Math.round(s * 1000)} ms</text>`);
  out.push('</svg>');
  return out.join('');
}

/** Legend of {@link beatOverlaySvg} as HTML. */
export const OVERLAY_LEGEND = `<span style="color:${INK.trace}">━ flagged beat</span> <span style="color:${INK.recon}">╍ model's reconstruction</span> <span style="color:${INK.typical}">━ typical beat</span> <span style="color:${INK.error}">▮ error per sample</span>`;

/**
 * The RR tachogram: each beat's RR interval (s) at its time, flagged beats red; the y axis in
 * seconds, x in seconds from `from`.
 *
 * @example
 * tachogramSvg(snippet.strip.beats, { from: strip.t0, to: strip.t0 + 12_000 })
 */
export function tachogramSvg(
  beats: readonly { readonly t: number; readonly rrPrev: number | null; readonly anomalous: boolean }[],
  range: { readonly from: number; readonly to: number; readonly width?: number; readonly height?: number },
): string {
  const W = range.width ?? 600;
  const H = range.height ?? 150;
  const left = 40;
  const bottom = 20;
  const top = 10;
  const pts = beats.filter((b) => b.rrPrev !== null && b.t >= range.from && b.t <= range.to);
  const rrs = pts.map((b) => b.rrPrev as number);
  const lo = Math.max(0, Math.floor((Math.min(...rrs, 0.6) - 0.1) * 10) / 10);
  const hi = Math.ceil((Math.max(...rrs, 1.0) + 0.1) * 10) / 10;
  const x = (t: number) => left + ((t - range.from) / Math.max(1, range.to - range.from)) * (W - left - 8);
  const y = (v: number) => top + ((hi - v) / (hi - lo)) * (H - top - bottom);
  const out = [
    `<svg class="tachogram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" style="max-width:${W}px" role="img" aria-label="RR tachogram">`,
  ];
  for (let v = lo; v <= hi + 1e-9; v += 0.2) {
    const yy = f1(y(v));
    out.push(
      `<line x1="${left}" x2="${W - 8}" y1="${yy}" y2="${yy}" stroke="#e5e7eb"/><text x="${left - 4}" y="${f1(y(v) + 3)}" font-size="9" text-anchor="end" fill="${INK.axis}">${v.toFixed(1)}</text>`,
    );
  }
  out.push(`<text x="2" y="${top + 4}" font-size="9" fill="${INK.axis}">RR s</text>`);
  const secs = Math.floor((range.to - range.from) / 1000);
  for (let s = 0; s <= secs; s += secs > 30 ? 10 : 2)
    out.push(`<text x="${f1(x(range.from + s * 1000))}" y="${H - 5}" font-size="9" text-anchor="middle" fill="${INK.axis}">${s} s</text>`);
  if (pts.length > 1)
    out.push(
      `<path class="rr-line" d="${pts.map((b, i) => `${i === 0 ? 'M' : 'L'}${f1(x(b.t))} ${f1(y(b.rrPrev as number))}`).join('')}" stroke="${INK.axis}" fill="none"/>`,
    );
  for (const b of pts)
    out.push(
      `<circle cx="${f1(x(b.t))}" cy="${f1(y(b.rrPrev as number))}" r="${b.anomalous ? 4 : 2.5}" fill="${b.anomalous ? INK.flagged : INK.normal}"><title>RR ${(b.rrPrev as number).toFixed(3)} s</title></circle>`,
    );
  out.push('</svg>');
  return out.join('');
}

/**
 * Beat scores over time: y axis with ticks (relative score, 1 = threshold), x axis in minutes
 * into the recording, the threshold dashed, alerts shaded; scores above `cap`x the threshold are
 * drawn as triangles at the top and the caption says so.
 *
 * @example
 * scoreChartSvg(beats, { from: startTime, to: endTime, alerts })
 */
export function scoreChartSvg(
  beats: readonly { readonly t: number; readonly score: number; readonly anomalous: boolean }[],
  options: {
    readonly from: number;
    readonly to: number;
    readonly alerts?: readonly { readonly from: number; readonly to: number; readonly severity: string }[];
    /** Stretches of poor signal (gated beats, technical episodes), shaded grey under the alerts. */
    readonly poor?: readonly { readonly from: number; readonly to: number; readonly label?: string }[];
    readonly cap?: number;
    readonly width?: number;
    readonly height?: number;
  },
): { svg: string; pinned: number } {
  const W = options.width ?? 1000;
  const H = options.height ?? 180;
  const left = 44;
  const bottom = 30;
  const top = 10;
  const cap = options.cap ?? 4;
  const maxScore = Math.max(1.5, ...beats.map((b) => b.score));
  const hi = Math.min(cap, Math.ceil(maxScore * 2) / 2);
  const x = (t: number) => left + ((t - options.from) / Math.max(1, options.to - options.from)) * (W - left - 10);
  const y = (v: number) => top + ((hi - Math.min(v, hi)) / hi) * (H - top - bottom);
  const out = [
    `<svg class="score-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="beat scores over time">`,
  ];
  for (const p of options.poor ?? [])
    out.push(
      `<rect class="poor-signal" x="${f1(x(p.from))}" y="${top}" width="${f1(Math.max(2, x(p.to) - x(p.from)))}" height="${H - top - bottom}" fill="#888" opacity="0.2">${p.label ? `<title>${esc(p.label)}</title>` : ''}</rect>`,
    );
  for (const a of options.alerts ?? [])
    out.push(
      `<rect x="${f1(x(a.from))}" y="${top}" width="${f1(Math.max(3, x(a.to) - x(a.from)))}" height="${H - top - bottom}" fill="${INK.flagged}" opacity="0.15"><title>${esc(a.severity)} alert</title></rect>`,
    );
  const step = hi <= 2 ? 0.5 : 1;
  for (let v = 0; v <= hi + 1e-9; v += step)
    out.push(
      `<line x1="${left}" x2="${W - 10}" y1="${f1(y(v))}" y2="${f1(y(v))}" stroke="#eef0f3"/><text x="${left - 5}" y="${f1(y(v) + 3)}" font-size="10" text-anchor="end" fill="${INK.axis}">${v}</text>`,
    );
  out.push(
    `<text transform="translate(11 ${f1((H - bottom) / 2)}) rotate(-90)" font-size="10" text-anchor="middle" fill="${INK.axis}">score (× threshold)</text>`,
  );
  const minutes = (options.to - options.from) / 60_000;
  const tick = minutes > 20 ? 5 : minutes > 6 ? 1 : 0.5;
  for (let m = 0; m <= minutes + 1e-9; m += tick)
    out.push(
      `<text x="${f1(x(options.from + m * 60_000))}" y="${H - bottom + 14}" font-size="10" text-anchor="middle" fill="${INK.axis}">${m % 1 === 0 ? `${m}:00` : `${Math.floor(m)}:30`}</text>`,
    );
  out.push(
    `<text x="${f1((W + left) / 2)}" y="${H - 3}" font-size="10" text-anchor="middle" fill="${INK.axis}">time into the recording (min:s)</text>`,
  );
  out.push(
    `<line x1="${left}" x2="${W - 10}" y1="${f1(y(1))}" y2="${f1(y(1))}" stroke="${INK.threshold}" stroke-dasharray="6 4" stroke-width="1.5"/><text x="${W - 12}" y="${f1(y(1) - 3)}" font-size="10" text-anchor="end" fill="${INK.threshold}">threshold</text>`,
  );
  let pinned = 0;
  for (const b of beats) {
    const cx = f1(x(b.t));
    if (b.score > hi) {
      pinned++;
      out.push(`<path d="M${cx} ${top}l-3.5 6h7z" fill="${INK.flagged}"><title>score ${b.score.toFixed(2)} (off the chart)</title></path>`);
    } else
      out.push(
        `<circle cx="${cx}" cy="${f1(y(b.score))}" r="${b.anomalous ? 2.4 : 1.4}" fill="${b.anomalous ? INK.flagged : '#2563eb'}"/>`,
      );
  }
  out.push('</svg>');
  return { svg: out.join(''), pinned };
}
