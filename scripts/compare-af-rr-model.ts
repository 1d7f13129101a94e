/**
 * Issue 13 asks for atrial fibrillation from RR irregularity by "an established statistic, or an
 * RR-sequence model in our own recurrent engine: measure which is better". This script measures
 * it, leave-one-record-out on MIT-BIH DS1 (DS2 is never read).
 *
 * Both judges see the same windows: the 32 RR intervals of the patient's dominant rhythm that the
 * AF rule collects (`src/detect/af-rule.ts`), from one detector run per record replayed
 * (`src/evaluate/rhythm-replay.ts`).
 * - **Statistic**: Dash et al. 2009's normalized RMSSD above 0.1 with the turning-point guard
 *   (below 0.9). Nothing is fitted.
 * - **RR-sequence model**: a sequence autoencoder of `src/nn` (LSTM, 16 units) trained, per fold,
 *   on the non-AF windows of the 21 other records (every 4th window; RR over the window's median,
 *   minus 1, so a regular rhythm is near 0); an AF window is one it reconstructs badly. Its
 *   threshold is fitted on the same 21 records' windows (AF ones included) by the largest
 *   sensitivity + specificity. Seeded per fold.
 *
 * Reported, pooled over the left-out records: window sensitivity, specificity and positive
 * predictivity against the reference rhythm at the window's middle beat (atrial flutter left
 * out), the AUC of each judge's continuous value, and the EC57 AF episode and duration figures of
 * the AF rule with each judge, on RR alone and with the P-wave criterion both share.
 *
 * usage: npx tsx scripts/compare-af-rr-model.ts [--json] [--epochs N]
 */
import { fileURLToPath } from 'node:url';
import { loadMitdbRecord, DEFAULT_BEAT_WINDOW, EC57_LEARNING_SECONDS, rrIrregularity } from '../src/ecg';
import { SequenceAutoencoder, trainAutoencoder } from '../src/nn';
import { rocAuc } from '../src/model';
import { type AfWindowJudge, DEFAULT_RHYTHM_OPTIONS, afOptions, type MonitoredBeat } from '../src/detect';
import { MITDB_DS1, defaultModelFor } from '../src/evaluate/default-model';
import { EVAL_EPOCH, runRecordThroughDetector } from '../src/evaluate/mitdb-product';
import { monitoredBeatsOf, replayAf, type AfWindowSample } from '../src/evaluate/rhythm-replay';
import {
  clipSpans,
  compareEpisodes,
  episodeFigures,
  referenceRhythm,
  sumEpisodeCounts,
  type EpisodeCounts,
  type Span,
} from '../src/evaluate/rhythm-metrics';
import { scriptArgs } from './script-args';

const USAGE = 'npx tsx scripts/compare-af-rr-model.ts [--json] [--epochs N]';
const values = scriptArgs({ json: { type: 'boolean' }, epochs: { type: 'string' } }, USAGE);
const log = (m: string) => process.stderr.write(`${m}\n`);
const DATA = fileURLToPath(new URL('../data/mitdb', import.meta.url));
const STEPS = 32;
const EPOCHS = Number(values.epochs ?? 30);
const AF_OPTIONS = afOptions(DEFAULT_RHYTHM_OPTIONS);

interface RecordData {
  readonly name: string;
  readonly beats: MonitoredBeat[];
  readonly windows: AfWindowSample[];
  /** Per window: 1 AF, 0 not, -1 atrial flutter (left out). */
  readonly labels: number[];
  readonly ref: Span[];
  readonly flutter: Span[];
  readonly period: Span;
}

const inSpans = (t: number, spans: Span[]) => spans.some((s) => t >= s.from && t < s.to);

/** A window's RR intervals as the model sees them: over their median, minus 1, clipped to ±1. */
function modelInput(rr: readonly number[], out: Float32Array, at: number): void {
  const sorted = [...rr].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  for (let i = 0; i < STEPS; i++) out[at + i] = Math.max(-1, Math.min(1, rr[i] / median - 1));
}

async function load(name: string): Promise<RecordData> {
  const record = loadMitdbRecord(DATA, name);
  const { model } = defaultModelFor(name);
  const run = await runRecordThroughDetector({ deviceId: name, signal: record.signal, fs: record.fs }, model);
  const beats = monitoredBeatsOf(record, run, model.window ?? DEFAULT_BEAT_WINDOW);
  const toMs = (s: number) => EVAL_EPOCH + (s * 1000) / record.fs;
  const ref = referenceRhythm(record, 'AFIB', toMs);
  const flutter = referenceRhythm(record, 'AFL', toMs);
  const { windows } = replayAf(beats);
  const labels = windows.map((w) => {
    const middle = w.t[w.t.length >> 1];
    return inSpans(middle, flutter) ? -1 : inSpans(middle, ref) ? 1 : 0;
  });
  const period = { from: toMs(EC57_LEARNING_SECONDS * record.fs), to: toMs(record.signal.length) };
  return { name, beats, windows, labels, ref, flutter, period };
}

function scoresOf(model: SequenceAutoencoder, windows: AfWindowSample[]): Float32Array {
  const data = new Float32Array(windows.length * STEPS);
  windows.forEach((w, i) => modelInput(w.rr, data, i * STEPS));
  return model.score(data, windows.length);
}

/** The threshold with the largest sensitivity + specificity over scored windows (1 = AF). */
function youdenThreshold(scores: ArrayLike<number>, labels: number[]): number {
  const pairs = labels
    .map((l, i) => [scores[i], l] as const)
    .filter(([, l]) => l >= 0)
    .sort((a, b) => a[0] - b[0]);
  const pos = pairs.filter(([, l]) => l === 1).length;
  const neg = pairs.length - pos;
  let best = Infinity;
  let bestJ = -Infinity;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < pairs.length; i++) {
    if (pairs[i][1] === 1) fn++;
    else tn++;
    const j = (pos - fn) / Math.max(1, pos) + tn / Math.max(1, neg);
    if (j > bestJ && (i + 1 === pairs.length || pairs[i + 1][0] > pairs[i][0])) {
      bestJ = j;
      best = i + 1 < pairs.length ? (pairs[i][0] + pairs[i + 1][0]) / 2 : pairs[i][0] + 1e-9;
    }
  }
  return best;
}

interface Tally {
  tp: number;
  fn: number;
  fp: number;
  tn: number;
  scores: number[];
  labels: number[];
  episodes: EpisodeCounts[];
  episodesWithP: EpisodeCounts[];
}
const tally = (): Tally => ({ tp: 0, fn: 0, fp: 0, tn: 0, scores: [], labels: [], episodes: [], episodesWithP: [] });

function count(t: Tally, says: boolean[], values: number[], labels: number[]): void {
  labels.forEach((l, i) => {
    if (l < 0) return;
    t.scores.push(values[i]);
    t.labels.push(l);
    if (l === 1 && says[i]) t.tp++;
    else if (l === 1) t.fn++;
    else if (says[i]) t.fp++;
    else t.tn++;
  });
}

function episodesOf(r: RecordData, judge: AfWindowJudge): EpisodeCounts {
  const det = clipSpans(replayAf(r.beats, judge).episodes, r.period);
  return compareEpisodes(clipSpans(r.ref, r.period), det, { exclude: clipSpans(r.flutter, r.period) });
}

function summary(t: Tally) {
  const r = (a: number, b: number) => (b > 0 ? Number((a / b).toFixed(4)) : null);
  const ep = (cs: EpisodeCounts[]) => {
    const { episodeSe, episodePpv, durationSe, durationPpv, detEpisodes } = episodeFigures(sumEpisodeCounts(cs));
    return { episodeSe, episodePpv, durationSe, durationPpv, detEpisodes };
  };
  return {
    windows: {
      se: r(t.tp, t.tp + t.fn),
      sp: r(t.tn, t.tn + t.fp),
      ppv: r(t.tp, t.tp + t.fp),
      auc: Number(rocAuc(t.scores, t.labels).toFixed(4)),
      n: t.labels.length,
    },
    rrOnly: ep(t.episodes),
    withPWave: ep(t.episodesWithP),
  };
}

const records: RecordData[] = [];
for (const name of MITDB_DS1) {
  records.push(await load(name));
  log(`${name}: ${records[records.length - 1].windows.length} windows`);
}

const statistic = tally();
const network = tally();
const statisticRr: AfWindowJudge = (rr, _p, o) => {
  const x = rrIrregularity(rr);
  return x.normalizedRmssd > o.rmssd && x.turningPointRatio < o.maxTurningPoints;
};
const folds: { record: string; threshold: number; epochs: number }[] = [];
for (let k = 0; k < records.length; k++) {
  const test = records[k];
  const train = records.filter((_, i) => i !== k);
  // Statistic: nothing fitted.
  count(
    statistic,
    test.windows.map((w) => statisticRr(w.rr, null, AF_OPTIONS)),
    test.windows.map((w) => rrIrregularity(w.rr).normalizedRmssd),
    test.labels,
  );
  statistic.episodes.push(episodesOf(test, statisticRr));
  statistic.episodesWithP.push(episodesOf(test, (rr, p, o) => statisticRr(rr, p, o) && (p === null || p < o.pWave)));
  // Model: trained on the other records' non-AF windows.
  const normal = train.flatMap((r) => r.windows.filter((_, i) => r.labels[i] === 0)).filter((_, i) => i % 4 === 0);
  const data = new Float32Array(normal.length * STEPS);
  normal.forEach((w, i) => modelInput(w.rr, data, i * STEPS));
  const model = SequenceAutoencoder.create({ steps: STEPS, hidden: 16 }, { seed: 13 + k });
  const report = await trainAutoencoder(model, data, normal.length, {
    epochs: EPOCHS,
    batchSize: 32,
    learningRate: 3e-3,
    patience: 5,
    seed: 13 + k,
    workers: 1,
  });
  const trainWindows = train.flatMap((r) => r.windows);
  const threshold = youdenThreshold(
    scoresOf(model, trainWindows),
    train.flatMap((r) => r.labels),
  );
  folds.push({ record: test.name, threshold: Number(threshold.toFixed(6)), epochs: report.epochsRun });
  const testScores = scoresOf(model, test.windows);
  count(
    network,
    Array.from(testScores, (s) => s > threshold),
    Array.from(testScores),
    test.labels,
  );
  const networkRr: AfWindowJudge = (rr) => scoresOf(model, [{ rr, t: [], pWave: null }])[0] > threshold;
  network.episodes.push(episodesOf(test, networkRr));
  network.episodesWithP.push(episodesOf(test, (rr, p, o) => networkRr(rr, p, o) && (p === null || p < o.pWave)));
  log(`fold without ${test.name}: ${normal.length} training windows, ${report.epochsRun} epochs, threshold ${threshold.toFixed(5)}`);
}

const result = {
  protocol: 'MIT-BIH DS1, leave-one-record-out; the same dominant-rhythm RR windows for both judges',
  statistic: { judge: 'Dash et al. 2009: normalized RMSSD > 0.1, turning-point ratio < 0.9 (nothing fitted)', ...summary(statistic) },
  rrSequenceModel: {
    judge: 'LSTM sequence autoencoder (16 units) on non-AF windows, reconstruction error over a threshold fitted per fold',
    ...summary(network),
    folds,
  },
};
if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else
  process.stdout.write(
    `${JSON.stringify({ statistic: result.statistic, rrSequenceModel: { ...result.rrSequenceModel, folds: undefined } }, null, 2)}\n`,
  );
