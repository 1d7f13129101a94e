import type { AlertMessage, EpisodeAlertMessage, ScoredBeat } from '../../detect';
import { ecgStripSvg, esc, mvRangeOf, scoreChartSvg, type StripMark } from '../../view/ecg-paper';

/** One device of the demo as the report shows it. */
export interface ReportDevice {
  readonly deviceId: string;
  /** Where its signal came from (e.g. `mitdb/119`). */
  readonly label: string;
  readonly fs: number;
  /** The signal sent (mV), first sample at `startTime`. */
  readonly signal: Float32Array;
  readonly startTime: number;
  /** Beats the pipeline scored, in time order. */
  readonly beats: readonly ScoredBeat[];
  readonly alerts: readonly AlertMessage[];
  /** The record's reference beat labels (annotation symbol at epoch ms), when it has them. */
  readonly annotations?: readonly { readonly t: number; readonly symbol: string }[];
  /** Rhythm and technical episode alerts (onsets and offsets), in time order. */
  readonly episodes?: readonly EpisodeAlertMessage[];
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
/** Scores above this multiple of the threshold are pinned to the top of a chart (and counted in its caption). */
const SCORE_CAP = 4;
/** A reference label within this of a detected beat belongs to it (EC57's match window). */
const MATCH_MS = 150;

function clock(t: number): string {
  return new Date(t).toISOString().slice(11, 19);
}

/** `m:ss` into the recording. */
function into(t: number, start: number): string {
  const s = Math.max(0, Math.round((t - start) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Readable labels of the demo summary's fields; anything else is shown with its own name. */
function summaryCards(summary: Record<string, unknown>): string {
  const cards: [string, string][] = [];
  const n = (k: string) => (typeof summary[k] === 'number' ? (summary[k] as number).toLocaleString('en') : undefined);
  const add = (value: string | undefined, label: string) => value !== undefined && cards.push([value, label]);
  add(n('devices'), 'devices streamed');
  add(n('records'), 'one-second records sent');
  add(n('beats'), 'beats scored');
  add(n('anomalousBeats'), 'beats above their threshold');
  add(n('alerts'), 'alerts raised');
  add(n('episodeAlerts'), 'rhythm and technical alerts (onsets and offsets)');
  add(n('rejected'), 'records rejected');
  add(n('lost'), 'beats lost (must be 0)');
  add(n('skipped'), 'records skipped');
  const lat = summary.latencyMs as { p50?: number; p95?: number } | undefined;
  if (lat && typeof lat.p50 === 'number') cards.push([`${lat.p50} / ${lat.p95} ms`, 'time to score a record (median / 95th pct.)']);
  const learned = summary.learnedAt as Record<string, number | null> | undefined;
  if (learned) {
    const values = Object.values(learned);
    const done = values.filter((v): v is number => v !== null);
    cards.push([
      `${done.length} of ${values.length}`,
      done.length > 0 ? `devices learned their normal (by ${Math.max(...done)} s into the stream)` : 'devices learned their normal',
    ]);
  }
  const retrain = summary.retrain as { decision?: string; reason?: string } | undefined;
  if (retrain?.decision) cards.push([retrain.decision, `retraining decision${retrain.reason ? `: ${retrain.reason}` : ''}`]);
  const known = new Set([
    'devices',
    'records',
    'beats',
    'anomalousBeats',
    'alerts',
    'episodeAlerts',
    'rejected',
    'lost',
    'skipped',
    'latencyMs',
    'learnedAt',
    'retrain',
  ]);
  for (const [k, v] of Object.entries(summary))
    if (!known.has(k) && (typeof v === 'number' || typeof v === 'string')) cards.push([String(v), k]);
  return cards.map(([value, label]) => `<div><b>${esc(value)}</b><span>${esc(label)}</span></div>`).join('');
}

/** Poor signal of a device: each gated beat (half a second either side) and each technical episode. */
function poorSignal(d: ReportDevice, end: number): { from: number; to: number; label: string }[] {
  const gated = d.beats.filter((b) => b.kind === 'gated').map((b) => ({ from: b.t - 500, to: b.t + 500, label: 'gated beat' }));
  return [...gated, ...spans(d.episodes ?? [], 'technical', end)];
}

/** Episodes of a kind rebuilt from onset/offset messages (an open one ends at `end`). */
function spans(episodes: readonly EpisodeAlertMessage[], kind: 'rhythm' | 'technical', end: number) {
  const out: { label: string; from: number; to: number }[] = [];
  for (const e of episodes) {
    if (e.kind !== kind || e.phase !== 'onset' || e.id.endsWith(':critical')) continue;
    const off = episodes.find((o) => o.phase === 'offset' && o.id === `${e.id}:offset`);
    out.push({ label: (e.rhythm ?? e.reason) as string, from: e.from, to: off ? off.to : end });
  }
  return out;
}

function episodeTable(episodes: readonly EpisodeAlertMessage[]): string {
  if (episodes.length === 0) return '<p>No rhythm or technical episodes.</p>';
  const rows = episodes
    .map(
      (e) =>
        `<tr><td>${clock(e.phase === 'onset' ? e.to : e.to)}</td><td>${esc(e.kind)}</td><td>${esc(e.rhythm ?? e.reason ?? '')}</td><td>${esc(e.phase)}</td><td>${esc(e.severity)}</td><td>${clock(e.from)}</td><td><code>${esc(e.id)}</code></td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>time (UTC)</th><th>kind</th><th>rhythm / reason</th><th>phase</th><th>severity</th><th>episode from</th><th>alert id</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The reference label of each scored beat (the nearest annotation within {@link MATCH_MS}). */
function referenceOf(d: ReportDevice): Map<number, string> {
  const out = new Map<number, string>();
  const ann = d.annotations ?? [];
  let j = 0;
  for (const b of d.beats) {
    while (j < ann.length && ann[j].t < b.t - MATCH_MS) j++;
    let best: { t: number; symbol: string } | undefined;
    for (let k = j; k < ann.length && ann[k].t <= b.t + MATCH_MS; k++)
      if (!best || Math.abs(ann[k].t - b.t) < Math.abs(best.t - b.t)) best = ann[k];
    if (best) out.set(b.t, best.symbol);
  }
  return out;
}

/** One mV scale for a device's strips: its signal's range (0.1-99.9 %), rounded out to 0.5 mV. */
function deviceMvRange(signal: Float32Array): [number, number] {
  const finite = Array.from(signal).filter(Number.isFinite);
  if (finite.length === 0) return [-1, 1];
  const sorted = Float32Array.from(finite).sort();
  const lo = sorted[Math.floor(sorted.length * 0.001)];
  const hi = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.999))];
  return mvRangeOf([lo, hi]);
}

function strip(d: ReportDevice, from: number, marks: StripMark[], range: [number, number], alert: AlertMessage | null): string {
  const start = Math.max(d.startTime, from);
  const end = Math.min(start + STRIP_SECONDS * 1000, d.startTime + (d.signal.length * 1000) / d.fs);
  return ecgStripSvg({
    samples: d.signal,
    fs: d.fs,
    t0: d.startTime,
    from: start,
    to: end,
    marks,
    mvRange: range,
    highlight: alert ? d.beats.filter((b) => b.anomalous && b.t >= alert.from && b.t <= alert.to).map((b) => b.t) : [],
    ...(alert ? { alertSpan: { from: alert.from, to: alert.to } } : {}),
    title: alert ? `ECG around the alert at ${clock(alert.from)}` : 'ECG',
  });
}

function deviceSection(d: ReportDevice, index: number): string {
  const anomalous = d.beats.filter((b) => b.anomalous).length;
  const refs = referenceOf(d);
  const marks: StripMark[] = d.beats.map((b) => ({
    t: b.t,
    anomalous: b.anomalous,
    kind: b.kind,
    ...(refs.has(b.t) ? { reference: refs.get(b.t) as string } : {}),
  }));
  const range = deviceMvRange(d.signal);
  const end = d.startTime + (d.signal.length * 1000) / d.fs;
  const chart =
    d.beats.length === 0
      ? { svg: '<p>No beats scored.</p>', pinned: 0 }
      : scoreChartSvg(d.beats, { from: d.startTime, to: end, alerts: d.alerts, poor: poorSignal(d, end), cap: SCORE_CAP });
  const anchor = (i: number) => `d${index}-alert-${i + 1}`;
  const strips =
    d.alerts.length > 0
      ? d.alerts
          .map(
            (a, i) =>
              `<figure id="${anchor(i)}"><figcaption><b>Alert ${i + 1}</b>: ${esc(a.severity)} at ${into(a.from, d.startTime)} into the recording (${clock(a.from)} UTC), ${a.anomalousBeats} of ${a.windowBeats} beats anomalous, max score ${a.maxScore.toFixed(2)}× the threshold</figcaption><div class="strip">${strip(d, a.to + 1000 - STRIP_SECONDS * 1000, marks, range, a)}</div></figure>`,
          )
          .join('')
      : `<figure><figcaption>First ${STRIP_SECONDS} s (no alerts)</figcaption><div class="strip">${strip(d, d.startTime, marks, range, null)}</div></figure>`;
  const rows = d.alerts
    .map(
      (a, i) =>
        `<tr class="${a.severity}"><td><a href="#${anchor(i)}">alert ${i + 1}</a></td><td>${into(a.from, d.startTime)}–${into(a.to, d.startTime)}</td><td>${clock(a.from)}</td><td>${esc(a.severity)}${a.calibrating ? ' (calibrating)' : ''}</td><td>${a.anomalousBeats} of ${a.windowBeats}</td><td>${a.maxScore.toFixed(2)}×</td><td>${[...new Set(d.beats.filter((b) => b.anomalous && b.t >= a.from && b.t <= a.to).map((b) => refs.get(b.t) ?? '?'))].join(' ') || '–'}</td></tr>`,
    )
    .join('');
  const table =
    d.alerts.length === 0
      ? '<p>No alerts.</p>'
      : `<table><thead><tr><th>strip</th><th>into the recording</th><th>time (UTC)</th><th>severity</th><th>anomalous beats</th><th>max score</th><th>reference labels of flagged beats</th></tr></thead><tbody>${rows}</tbody></table>`;
  const pinned =
    chart.pinned > 0
      ? ` ${chart.pinned === 1 ? '1 beat' : `${chart.pinned} beats`} above ${SCORE_CAP}× the threshold ${chart.pinned === 1 ? 'is drawn as a triangle' : 'are drawn as triangles'} at the top.`
      : '';
  return `<section><h2>${esc(d.label)}</h2><p>${d.beats.length} beats scored, ${anomalous} above the threshold, ${d.alerts.length} alert${d.alerts.length === 1 ? '' : 's'}.${d.annotations ? ' Reference labels are the record\u2019s annotations (N normal, V ventricular, A/S supraventricular, …).' : ''}</p>
<figure>${chart.svg}<figcaption>Score of every beat relative to the device's threshold (1, dashed): blue below, red above; alerts shaded red, poor signal (gated beats, technical episodes) grey.${pinned}</figcaption></figure>
${table}${strips}<h3>Rhythm and technical episodes</h3>${episodeTable(d.episodes ?? [])}</section>`;
}

/**
 * Renders the demo's self-contained HTML report: readable summary cards, then per device the
 * scores over time (y axis in multiples of the threshold, x in minutes into the recording), the
 * alert table linking each alert to its strip, and a strip on standard ECG paper (25 mm/s,
 * 10 mm/mV, one mV scale across the device) for every alert, beats marked with what the detector
 * took them for and, below, the record's reference label. Drawing shared with the console
 * (`src/view/ecg-paper.ts`). Inline SVG and CSS only.
 *
 * @example
 * writeFileSync('out/report.html', renderDemoReport({ title, generatedAt, modelVersion, summary, devices }));
 */
export function renderDemoReport(report: DemoReport): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(report.title)}</title><style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1120px;color:#111827;padding:0 .8rem}
h1{margin-bottom:.2rem}.meta{color:#6b7280}
.summary{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:.6rem;margin:1rem 0}
.summary div{border:1px solid #e5e7eb;border-radius:8px;padding:.5rem .8rem;display:flex;flex-direction:column}
.summary b{font-size:1.3rem}.summary span{color:#4b5563;font-size:.85rem}
section{border-top:2px solid #e5e7eb;margin-top:1.5rem}figure{margin:.8rem 0}figcaption{color:#4b5563;font-size:.85rem;margin:.2rem 0}
.strip{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.6rem 0}td,th{border-bottom:1px solid #e5e7eb;padding:.25rem .4rem;text-align:left}
tr.critical td:nth-child(4){color:#dc2626;font-weight:bold}tr.warning td:nth-child(4){color:#b45309}
figure:target{outline:3px solid #fca5a5;outline-offset:4px}
</style></head><body><h1>${esc(report.title)}</h1><p class="meta">Generated ${esc(report.generatedAt)} · model ${esc(report.modelVersion)} · strips on standard ECG paper (25 mm/s, 10 mm/mV); beats marked N (normal) or V/S (flagged: ventricular/premature) above the trace, the record's reference label below</p><div class="summary">${summaryCards(report.summary)}</div>${report.devices.map(deviceSection).join('')}</body></html>
`;
}
