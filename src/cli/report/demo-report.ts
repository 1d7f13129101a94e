import type { AlertMessage } from '../../detect/ports';
import type { ScoredBeat } from '../../detect/process-batch';
import { envelopePoints, esc, extent, scale } from './svg';

/** One device of the demo as the report shows it. */
export interface ReportDevice {
  readonly deviceId: string;
  /** Where its signal came from (e.g. `MIT-BIH 119`). */
  readonly label: string;
  readonly fs: number;
  /** The signal sent (mV), first sample at `startTime`. */
  readonly signal: Float32Array;
  readonly startTime: number;
  /** Beats the pipeline scored, in time order. */
  readonly beats: readonly ScoredBeat[];
  readonly alerts: readonly AlertMessage[];
}

/** What the whole report shows. */
export interface DemoReport {
  readonly title: string;
  readonly generatedAt: string;
  readonly modelVersion: string;
  /** Headline figures (the demo's `--json` object). */
  readonly summary: Record<string, unknown>;
  readonly devices: readonly ReportDevice[];
}

/** Seconds of ECG per strip. */
const STRIP_SECONDS = 10;
/** Strips per device at most (the first alerts'). */
const MAX_STRIPS = 3;
const WIDTH = 1000;

const COLORS = { ecg: '#1f2937', normal: '#10b981', flagged: '#dc2626', threshold: '#f59e0b', score: '#2563eb', grid: '#e5e7eb' };

function clock(t: number): string {
  return new Date(t).toISOString().slice(11, 19);
}

/** An ECG strip starting at `t` (epoch ms): the signal plus a mark on every beat, red if flagged. */
function ecgStrip(d: ReportDevice, t: number, caption: string): string {
  const from = Math.max(0, Math.round(((t - d.startTime) / 1000) * d.fs));
  const to = Math.min(d.signal.length, from + STRIP_SECONDS * d.fs);
  const height = 140;
  const [lo, hi] = extent(d.signal, from, to);
  const y = scale(lo, hi, height - 18, 8);
  const x = scale(from, to, 0, WIDTH);
  const marks = d.beats
    .filter((b) => {
      const i = ((b.t - d.startTime) / 1000) * d.fs;
      return i >= from && i < to;
    })
    .map((b) => {
      const px = x(((b.t - d.startTime) / 1000) * d.fs).toFixed(1);
      const color = b.anomalous ? COLORS.flagged : COLORS.normal;
      return `<line x1="${px}" x2="${px}" y1="${height - 14}" y2="${height - 2}" stroke="${color}" stroke-width="${b.anomalous ? 3 : 1.5}"><title>${clock(b.t)} score ${b.score.toFixed(3)} (threshold ${b.threshold.toFixed(3)})</title></line>`;
    })
    .join('');
  const seconds = Array.from(
    { length: STRIP_SECONDS + 1 },
    (_, s) =>
      `<line x1="${((s * WIDTH) / STRIP_SECONDS).toFixed(1)}" x2="${((s * WIDTH) / STRIP_SECONDS).toFixed(1)}" y1="0" y2="${height - 16}" stroke="${COLORS.grid}"/>`,
  ).join('');
  return `<figure><svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${esc(caption)}">${seconds}<polyline fill="none" stroke="${COLORS.ecg}" stroke-width="1" points="${envelopePoints(d.signal, from, to, WIDTH, y)}"/>${marks}</svg><figcaption>${esc(caption)}</figcaption></figure>`;
}

/** Scores of every beat over time against the threshold (log-free, clipped at 4x threshold). */
function scoreChart(d: ReportDevice): string {
  const height = 160;
  if (d.beats.length === 0) return '<p>No beats scored.</p>';
  const t0 = d.beats[0].t;
  const t1 = Math.max(t0 + 1, d.beats[d.beats.length - 1].t);
  const thr = d.beats[d.beats.length - 1].threshold;
  const top = Math.max(thr * 1.5, Math.min(thr * 4, Math.max(...d.beats.map((b) => b.score))));
  const x = scale(t0, t1, 40, WIDTH - 5);
  const y = scale(0, top, height - 20, 5);
  const dots = d.beats
    .map(
      (b) =>
        `<circle cx="${x(b.t).toFixed(1)}" cy="${y(Math.min(b.score, top)).toFixed(1)}" r="${b.anomalous ? 2.5 : 1.5}" fill="${b.anomalous ? COLORS.flagged : COLORS.score}"/>`,
    )
    .join('');
  const alerts = d.alerts
    .map(
      (a) =>
        `<rect x="${x(a.from).toFixed(1)}" width="${Math.max(2, x(a.to) - x(a.from)).toFixed(1)}" y="5" height="${height - 25}" fill="${COLORS.flagged}" opacity="0.12"><title>${esc(a.severity)} alert ${clock(a.from)}</title></rect>`,
    )
    .join('');
  const ty = y(thr).toFixed(1);
  return `<figure><svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="beat scores over time">${alerts}<line x1="40" x2="${WIDTH - 5}" y1="${ty}" y2="${ty}" stroke="${COLORS.threshold}" stroke-dasharray="6 4" stroke-width="1.5"/><text x="2" y="${ty}" font-size="11" fill="${COLORS.threshold}">thr</text>${dots}<text x="40" y="${height - 4}" font-size="11">${clock(t0)}</text><text x="${WIDTH - 60}" y="${height - 4}" font-size="11">${clock(t1)}</text></svg><figcaption>Score of each beat (blue; red above the threshold, dashed), alert windows shaded.</figcaption></figure>`;
}

function alertTable(alerts: readonly AlertMessage[]): string {
  if (alerts.length === 0) return '<p>No alerts.</p>';
  const rows = alerts
    .map(
      (a) =>
        `<tr class="${a.severity}"><td>${clock(a.from)}–${clock(a.to)}</td><td>${esc(a.severity)}</td><td>${a.anomalousBeats}/${a.windowBeats}</td><td>${a.maxScore.toFixed(3)}</td><td>${a.threshold.toFixed(3)}</td><td><code>${esc(a.id)}</code></td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>time (UTC)</th><th>severity</th><th>anomalous beats</th><th>max score</th><th>threshold</th><th>alert id</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function deviceSection(d: ReportDevice): string {
  const anomalous = d.beats.filter((b) => b.anomalous).length;
  const stripStarts = d.alerts.length > 0 ? d.alerts.slice(0, MAX_STRIPS).map((a) => a.to - STRIP_SECONDS * 500) : [d.startTime];
  const strips = stripStarts
    .map((t, i) =>
      ecgStrip(
        d,
        Math.max(d.startTime, t),
        d.alerts.length > 0
          ? `${STRIP_SECONDS} s around alert ${i + 1} (${clock(d.alerts[i].to)}): beats marked green, flagged beats red`
          : `first ${STRIP_SECONDS} s: beats marked green, flagged beats red`,
      ),
    )
    .join('');
  return `<section><h2>${esc(d.label)} <small><code>${esc(d.deviceId)}</code></small></h2><p>${d.beats.length} beats scored, ${anomalous} above the threshold, ${d.alerts.length} alert${d.alerts.length === 1 ? '' : 's'}.</p>${scoreChart(d)}${strips}${alertTable(d.alerts)}</section>`;
}

/**
 * Renders the demo's self-contained HTML report: headline figures, then per device the score
 * over time against the threshold, ECG strips with detected and flagged beats marked, and the
 * alert table. Inline SVG and CSS only.
 *
 * @example
 * writeFileSync('out/report.html', renderDemoReport({ title, generatedAt, modelVersion, summary, devices }));
 */
export function renderDemoReport(report: DemoReport): string {
  const summary = Object.entries(report.summary)
    .map(([k, v]) => `<div><b>${esc(typeof v === 'object' ? JSON.stringify(v) : String(v))}</b><span>${esc(k)}</span></div>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(report.title)}</title><style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:1040px;color:#111827}
h1{margin-bottom:.2rem}.meta{color:#6b7280}
.summary{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}.summary div{border:1px solid #e5e7eb;border-radius:6px;padding:.4rem .8rem;display:flex;flex-direction:column}
.summary b{font-size:1.2rem}.summary span{color:#6b7280;font-size:.8rem}
section{border-top:2px solid #e5e7eb;margin-top:1.5rem}figure{margin:.5rem 0}figcaption{color:#6b7280;font-size:.8rem}
table{border-collapse:collapse;width:100%;font-size:.85rem}td,th{border-bottom:1px solid #e5e7eb;padding:.25rem .4rem;text-align:left}
tr.critical td:nth-child(2){color:#dc2626;font-weight:bold}tr.warning td:nth-child(2){color:#b45309}
</style></head><body><h1>${esc(report.title)}</h1><p class="meta">Generated ${esc(report.generatedAt)} · model ${esc(report.modelVersion)}</p><div class="summary">${summary}</div>${report.devices.map(deviceSection).join('')}</body></html>
`;
}
