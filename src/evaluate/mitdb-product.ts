/**
 * `eval mitdb` runs the product (docs/ARCHITECTURE.md §6): each record's first channel is cut into 1 s wire
 * records and pushed in batches through a {@link Detector} (real decoder, device state, learning
 * period, adaptation, alert policy; in-memory sinks and profile store), and every figure is
 * computed from the beats and alerts the detector reports. There is no evaluation-only scoring.
 */
import { aamiClass, type AamiClass, EC57_MATCH_WINDOW_SECONDS, type MitdbRecord } from '../ecg';
import { decodeRecord, cutWireRecord, cutWireRecordV2, recordCount, type WireLeadsSignal } from '../contract';
import { rocAuc, type LoadedBeatModel } from '../model';
import { DEFAULT_PRODUCER_GAIN } from '../producer';
import {
  DEFAULT_LEARNING_SECONDS,
  patientProfileAdapter,
  DEFAULT_ALERT_POLICY,
  type AlertPolicyOptions,
  MemoryProfileStore,
  type DeviceProfile,
  type PatientAdapter,
  isEpisodeAlert,
  type AlertMessage,
  type DetectSinks,
  type EpisodeAlertMessage,
  Detector,
  type InputRecord,
  type ScoredBeat,
  type MonitoredBeat,
  type RhythmOptions,
} from '../detect';
import { defaultModelFor, mitdbSplit } from './default-model';
import { rhythmFigures, rhythmJson, totalRhythmFigures, type RhythmFigures } from './rhythm-metrics';

/** Device clock of every record's first sample: a fixed epoch, so alert ids are reproducible. */
export const EVAL_EPOCH = Date.UTC(2026, 0, 1);

/** Records per `processBatch` call: the deployed event source mapping's batch size. */
export const EVAL_BATCH_RECORDS = 100;

/** Options of {@link runRecordThroughDetector}; every field has a documented default. */
export interface ProductRunOptions {
  /** Default {@link patientProfileAdapter}. */
  readonly adaptation: PatientAdapter;
  /** Default 300 s (EC57). */
  readonly learningSeconds: number;
  /** Default {@link DEFAULT_ALERT_POLICY}. */
  readonly policy: AlertPolicyOptions;
  /** Default {@link EVAL_BATCH_RECORDS}. */
  readonly batchRecords: number;
  /** Rhythm thresholds over the detector's defaults (default: none changed). */
  readonly rhythm?: Partial<RhythmOptions>;
  /**
   * Leads sent and detected on: 1 (default) sends the signal as v1 records of one lead; 2 sends
   * every lead of the device as v2 records and lets the detector use a second lead.
   */
  readonly leads: 1 | 2;
  /** With two leads, score beats on the second lead's own profile where MLII is unusable or noise (default on, as the detector's). */
  readonly secondLeadScoring?: boolean;
  /** Keep the beats as the rhythm rules were given them (`ProductRun.monitored`; default off). */
  readonly keepMonitoredBeats?: boolean;
}

export const DEFAULT_PRODUCT_RUN: ProductRunOptions = Object.freeze({
  adaptation: patientProfileAdapter(),
  learningSeconds: DEFAULT_LEARNING_SECONDS,
  policy: DEFAULT_ALERT_POLICY,
  batchRecords: EVAL_BATCH_RECORDS,
  leads: 1,
});

/** What the detector did with one record. */
export interface ProductRun {
  readonly beats: ScoredBeat[];
  readonly alerts: AlertMessage[];
  /** Rhythm and technical episode alerts, in order. */
  readonly episodes: EpisodeAlertMessage[];
  /** Seconds of the record whose beats were all gated, and beats gated. */
  readonly gatedBeats: number;
  /** Pauses not raised as asystole because another lead showed the beats (the detector's `asystoleVetoes`). */
  readonly asystoleVetoes: number;
  /** The profile the device learned (null: none, e.g. with the `off` adapter or a record shorter than the learning period). */
  readonly profile: DeviceProfile | null;
  /** With `keepMonitoredBeats`: every beat as the rhythm rules were given it, in order. */
  readonly monitored?: MonitoredBeat[];
}

/**
 * Streams a signal as device `deviceId` through a fresh {@link Detector}: 1 s wire records
 * (t0 = {@link EVAL_EPOCH} + offset), batches of `batchRecords`, in-memory sinks and profile store.
 * With `leads: 2` and a device of several leads (`leads`, each with its gain), the records are
 * v2 records of every lead; otherwise v1 records of `signal`.
 *
 * @example
 * const run = await runRecordThroughDetector({ deviceId: '119', signal, fs: 360 }, model);
 */
export async function runRecordThroughDetector(
  device: { deviceId: string; signal: Float32Array; fs: number; leads?: WireLeadsSignal['leads'] },
  model: LoadedBeatModel,
  options: Partial<ProductRunOptions> = {},
): Promise<ProductRun> {
  const o = { ...DEFAULT_PRODUCT_RUN, ...options };
  const alerts: AlertMessage[] = [];
  const episodes: EpisodeAlertMessage[] = [];
  const sinks: DetectSinks = {
    quarantine: async (r) => {
      throw new Error(`eval: a record was rejected: ${r.reason}`);
    },
    putSnippet: async () => undefined,
    publishAlert: async (m) => {
      if (isEpisodeAlert(m)) episodes.push(m);
      else alerts.push(m);
    },
  };
  const profiles = new MemoryProfileStore();
  const monitored: MonitoredBeat[] = [];
  const detector = new Detector(sinks, decodeRecord, {
    adaptation: o.adaptation,
    learningSeconds: o.learningSeconds,
    policy: o.policy,
    profiles,
    leads: o.leads,
    ...(o.secondLeadScoring === undefined ? {} : { secondLeadScoring: o.secondLeadScoring }),
    ...(o.rhythm ? { rhythm: o.rhythm } : {}),
    ...(o.keepMonitoredBeats === true ? { rhythmTap: (_: string, b: MonitoredBeat) => monitored.push(b) } : {}),
  });
  const beats: ScoredBeat[] = [];
  // The detector's own count (its metric), not a recount of the reported beats.
  let gatedBeats = 0;
  let asystoleVetoes = 0;
  const n = recordCount(device.signal.length, device.fs, 1);
  const cut = wireRecordCutter(device, o.leads > 1 && device.leads !== undefined && device.leads.length > 1 ? device.leads : null);
  for (let from = 0; from < n; from += o.batchRecords) {
    const batch: InputRecord[] = [];
    for (let seq = from; seq < Math.min(n, from + o.batchRecords); seq++)
      batch.push({ id: String(seq), data: cut(seq), arrivedAt: EVAL_EPOCH });
    const result = await detector.processBatch(batch, model);
    if (result.failedRecordIds.length > 0) throw new Error(`eval: ${result.failedRecordIds.length} records failed in memory`);
    beats.push(...result.beats);
    gatedBeats += result.counts.gatedBeats;
    asystoleVetoes += result.counts.asystoleVetoes;
  }
  return {
    beats,
    alerts,
    episodes,
    gatedBeats,
    asystoleVetoes,
    profile: profiles.get(device.deviceId),
    ...(o.keepMonitoredBeats === true ? { monitored } : {}),
  };
}

/** Sensitivity / positive predictivity counts of one beat class (NaN when undefined). */
export interface ClassDetection {
  readonly se: number;
  readonly ppv: number;
  readonly tp: number;
  readonly fn: number;
  readonly fp: number;
}

/** Figures of one record (or a total), learning-period beats left out as EC57 prescribes. */
export interface ProductMetrics {
  /** AUC of relative scores, V vs N (NaN without both); gated beats count with their score, 0. */
  readonly aucV: number;
  /** The same over the beats the detector scored, gated (noise) beats left out. */
  readonly aucVScored: number;
  /** Share of the annotated beats after learning that were gated as noise. */
  readonly gatedShare: number;
  /** AUC of relative scores, every non-N class vs N. */
  readonly aucAll: number;
  /** Flagged as `ventricular` vs AAMI V (reference V beats the QRS detector missed count as FN). */
  readonly veb: ClassDetection;
  /** Of kind `premature` (flagged or not: premature beats are counted, not alerted) vs AAMI S. */
  readonly sveb: ClassDetection;
  /** Alerts raised after the learning period. */
  readonly alerts: number;
  /** Critical alerts sent while learning (`calibrating`). */
  readonly calibratingAlerts: number;
  /** Alerts whose span, widened 1 s each side, holds no S, V, F or Q beat and overlaps no ventricular flutter/fibrillation episode. */
  readonly falseAlerts: number;
  /** Signal hours after the learning period. */
  readonly hours: number;
  readonly alertsPerHour: number;
  readonly falseAlertsPerHour: number;
  /** Runs of ≥ 3 consecutive V or S beats after learning, and how many an alert covers. */
  readonly episodes: { readonly runs: number; readonly alerted: number };
  readonly episodesAlerted: number;
  /** Seconds into the record the learning period ended, and beats it took (0, 0 without learning). */
  readonly learning: { readonly completedAt: number; readonly beats: number };
}

/** What totals are pooled from: a record's metrics plus its after-learning relative scores with classes. */
export interface ProductRecordResult {
  readonly metrics: ProductMetrics;
  readonly pooled: { readonly scores: number[]; readonly classes: AamiClass[]; readonly gated: boolean[] };
}

const ECTOPIC = new Set<AamiClass>(['S', 'V', 'F', 'Q']);

/**
 * Scores one record's detector run against its reference annotations: each scored beat matched
 * to the nearest reference beat within EC57's 150 ms.
 *
 * @example
 * const { metrics } = productMetrics(record, await runRecordThroughDetector({ deviceId: record.name, signal: record.signal, fs: record.fs }, model));
 */
export function productMetrics(record: MitdbRecord, run: ProductRun): ProductRecordResult {
  const fs = record.fs;
  const ref = record.beatSamples;
  const refClass: (AamiClass | null)[] = Array.from(record.beatSymbols, (s) => aamiClass(s) ?? null);
  const learnedAtMs = run.profile === null ? (run.beats.find((b) => b.phase === 'learned')?.t ?? EVAL_EPOCH) : run.profile.learnedAt;
  const learnedAtSample = ((learnedAtMs - EVAL_EPOCH) * fs) / 1000;
  const tolerance = Math.round(EC57_MATCH_WINDOW_SECONDS * fs);
  const matched = new Uint8Array(ref.length);
  const pooled: ProductRecordResult['pooled'] = { scores: [], classes: [], gated: [] };
  const veb = { tp: 0, fn: 0, fp: 0 };
  const sveb = { tp: 0, fn: 0, fp: 0 };
  const vS: number[] = [];
  const vL: number[] = [];
  const aS: number[] = [];
  const aL: number[] = [];
  const gatedV: boolean[] = [];
  let j = 0;
  let learningBeats = 0;
  for (const b of run.beats) {
    if (b.phase === 'learning') {
      learningBeats++;
      continue;
    }
    const r = ((b.t - EVAL_EPOCH) * fs) / 1000;
    // EC57 leaves ventricular flutter/fibrillation episodes out of the beat statistics (they hold
    // no beat annotations): a detection there is neither a true nor a false VEB.
    if (record.excluded.some(([from, to]) => r >= from && r <= to)) continue;
    while (j < ref.length && ref[j] < r - tolerance) j++;
    let best = -1;
    for (let k = j; k < ref.length && ref[k] <= r + tolerance; k++)
      if (best < 0 || Math.abs(ref[k] - r) < Math.abs(ref[best] - r)) best = k;
    const c = best >= 0 ? refClass[best] : null;
    if (best >= 0) matched[best] = 1;
    // A gated beat (poor signal, or near clipped samples) is neither anomalous nor premature: a
    // reference V or S beat there is missed; it still counts in the AUCs with its score, 0.
    const vent = b.anomalous && b.kind === 'ventricular';
    // A premature (supraventricular) verdict is a detection even below the alert threshold: the
    // patient-profile adapter counts such beats but keeps them out of the alert score.
    const prem = b.kind === 'premature';
    if (c === 'V') {
      if (vent) veb.tp++;
      else veb.fn++;
    } else if (vent && c !== 'F' && c !== 'Q') veb.fp++;
    if (c === 'S') {
      if (prem) sveb.tp++;
      else sveb.fn++;
    } else if (prem && c !== 'F' && c !== 'Q') sveb.fp++;
    if (c === null) continue;
    pooled.scores.push(b.score);
    pooled.classes.push(c);
    pooled.gated.push(b.kind === 'gated');
    if (c === 'N' || c === 'V') {
      vS.push(b.score);
      vL.push(c === 'V' ? 1 : 0);
      gatedV.push(b.kind === 'gated');
    }
    aS.push(b.score);
    aL.push(c === 'N' ? 0 : 1);
  }
  // Reference V and S beats after learning that no detected beat matched: missed, as EC57 counts them.
  for (let k = 0; k < ref.length; k++) {
    if (matched[k] || ref[k] < learnedAtSample) continue;
    if (refClass[k] === 'V') veb.fn++;
    if (refClass[k] === 'S') sveb.fn++;
  }

  const refMs = (k: number) => EVAL_EPOCH + (ref[k] * 1000) / fs;
  const after = run.alerts.filter((a) => a.calibrating !== true && a.to >= learnedAtMs);
  let falseAlerts = 0;
  // Ventricular flutter/fibrillation episodes ([ to ]) hold no beat annotations, and EC57 leaves
  // them out of the beat statistics: an alert overlapping one is a true alarm, not a false one.
  const inFlutter = (a: AlertMessage) =>
    record.excluded.some(([from, to]) => EVAL_EPOCH + (from * 1000) / fs <= a.to + 1000 && EVAL_EPOCH + (to * 1000) / fs >= a.from - 1000);
  for (const a of after) {
    if (inFlutter(a)) continue;
    let ectopic = false;
    for (let k = 0; k < ref.length && !ectopic; k++) {
      const t = refMs(k);
      if (t >= a.from - 1000 && t <= a.to + 1000 && refClass[k] !== null && ECTOPIC.has(refClass[k] as AamiClass)) ectopic = true;
    }
    if (!ectopic) falseAlerts++;
  }
  let runs = 0;
  let alerted = 0;
  for (let k = 0; k < ref.length;) {
    if (refClass[k] !== 'V' && refClass[k] !== 'S') {
      k++;
      continue;
    }
    let end = k;
    while (end + 1 < ref.length && (refClass[end + 1] === 'V' || refClass[end + 1] === 'S')) end++;
    if (end - k + 1 >= 3 && ref[k] >= learnedAtSample) {
      runs++;
      const from = refMs(k);
      const to = refMs(end);
      if (run.alerts.some((a) => a.from - 1000 <= to && a.to + 1000 >= from)) alerted++;
    }
    k = end + 1;
  }
  const hours = Math.max(0, record.signal.length / fs - (learnedAtMs - EVAL_EPOCH) / 1000) / 3600;
  return {
    metrics: {
      aucV: safeAuc(vS, vL),
      aucVScored: safeAuc(
        vS.filter((_, i) => !gatedV[i]),
        vL.filter((_, i) => !gatedV[i]),
      ),
      gatedShare: pooled.gated.length > 0 ? pooled.gated.filter(Boolean).length / pooled.gated.length : 0,
      aucAll: safeAuc(aS, aL),
      veb: detection(veb),
      sveb: detection(sveb),
      alerts: after.length,
      calibratingAlerts: run.alerts.filter((a) => a.calibrating === true).length,
      falseAlerts,
      hours,
      alertsPerHour: hours > 0 ? after.length / hours : 0,
      falseAlertsPerHour: hours > 0 ? falseAlerts / hours : 0,
      episodes: { runs, alerted },
      episodesAlerted: runs > 0 ? alerted / runs : Number.NaN,
      learning: { completedAt: (learnedAtMs - EVAL_EPOCH) / 1000, beats: learningBeats },
    },
    pooled,
  };
}

/**
 * Totals over records: AUCs of the pooled relative scores (each record on its own device's
 * scale, as the product sees it), counts and hours summed.
 */
export function totalProductMetrics(results: readonly ProductRecordResult[]): ProductMetrics {
  const vS: number[] = [];
  const vL: number[] = [];
  const aS: number[] = [];
  const aL: number[] = [];
  const sS: number[] = [];
  const sL: number[] = [];
  for (const { pooled } of results) {
    pooled.scores.forEach((s, i) => {
      const c = pooled.classes[i];
      if (c === 'N' || c === 'V') {
        vS.push(s);
        vL.push(c === 'V' ? 1 : 0);
        if (!pooled.gated[i]) {
          sS.push(s);
          sL.push(c === 'V' ? 1 : 0);
        }
      }
      aS.push(s);
      aL.push(c === 'N' ? 0 : 1);
    });
  }
  const sum = (f: (m: ProductMetrics) => number) => results.reduce((n, r) => n + f(r.metrics), 0);
  const hours = sum((m) => m.hours);
  const alerts = sum((m) => m.alerts);
  const falseAlerts = sum((m) => m.falseAlerts);
  const runs = sum((m) => m.episodes.runs);
  const alerted = sum((m) => m.episodes.alerted);
  const beats = results.reduce((n, r) => n + r.pooled.scores.length, 0);
  return {
    aucV: safeAuc(vS, vL),
    aucVScored: safeAuc(sS, sL),
    gatedShare: beats > 0 ? results.reduce((n, r) => n + r.pooled.gated.filter(Boolean).length, 0) / beats : 0,
    aucAll: safeAuc(aS, aL),
    veb: detection({ tp: sum((m) => m.veb.tp), fn: sum((m) => m.veb.fn), fp: sum((m) => m.veb.fp) }),
    sveb: detection({ tp: sum((m) => m.sveb.tp), fn: sum((m) => m.sveb.fn), fp: sum((m) => m.sveb.fp) }),
    alerts,
    calibratingAlerts: sum((m) => m.calibratingAlerts),
    falseAlerts,
    hours,
    alertsPerHour: hours > 0 ? alerts / hours : 0,
    falseAlertsPerHour: hours > 0 ? falseAlerts / hours : 0,
    episodes: { runs, alerted },
    episodesAlerted: runs > 0 ? alerted / runs : Number.NaN,
    learning: { completedAt: Number.NaN, beats: sum((m) => m.learning.beats) },
  };
}

/** A model to evaluate a record with, and the records it was trained on. */
export type ModelChooser = (record: string) => { model: LoadedBeatModel; name: string; trainedOn: readonly string[] };

const round = (x: number, d = 4): number | null => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);

/** A {@link ProductMetrics} as printed in `--json` (NaN → null, rounded). */
export function metricsJson(m: ProductMetrics) {
  const det = (d: ClassDetection) => ({ se: round(d.se), ppv: round(d.ppv), tp: d.tp, fn: d.fn, fp: d.fp });
  return {
    aucV: round(m.aucV),
    aucVScored: round(m.aucVScored),
    gatedShare: round(m.gatedShare),
    aucAll: round(m.aucAll),
    veb: det(m.veb),
    sveb: det(m.sveb),
    alerts: m.alerts,
    calibratingAlerts: m.calibratingAlerts,
    falseAlerts: m.falseAlerts,
    hours: round(m.hours, 3),
    alertsPerHour: round(m.alertsPerHour, 2),
    falseAlertsPerHour: round(m.falseAlertsPerHour, 2),
    episodes: m.episodes,
    episodesAlerted: round(m.episodesAlerted, 3),
    learning: { completedAt: round(m.learning.completedAt, 1), beats: m.learning.beats },
  };
}

/**
 * The beat-anomaly step of `eval mitdb`: each record through the product (see
 * {@link runRecordThroughDetector}) with a model never trained on it (default
 * {@link defaultModelFor}), its figures added to the record's row under `anomaly`, and totals.
 *
 * @example
 * const steps = [...EVAL_STEPS, createMitdbProductEvaluation({ adaptation: OFF_ADAPTER })];
 */
export function createMitdbProductEvaluation(
  options: Partial<ProductRunOptions> & {
    /** Detect and score this lead first instead of the model's own (the model is told it was trained on it). */
    readonly lead?: string;
  } = {},
  chooseModel: ModelChooser = defaultModelFor,
) {
  const results: ProductRecordResult[] = [];
  const splits: ('DS1' | 'DS2')[] = [];
  const rhythms: RhythmFigures[] = [];
  const adaptation = options.adaptation ?? DEFAULT_PRODUCT_RUN.adaptation;
  return {
    async record({ record }: { record: MitdbRecord }) {
      const chosen = chooseModel(record.name);
      const model = options.lead === undefined ? chosen.model : { ...chosen.model, lead: options.lead };
      const name = chosen.name;
      const run = await runRecordThroughDetector(
        { deviceId: record.name, signal: record.signal, fs: record.fs, ...(record.leads ? { leads: withGains(record.leads) } : {}) },
        model,
        options,
      );
      const result = productMetrics(record, run);
      results.push(result);
      splits.push(mitdbSplit(record.name));
      const rhythm = rhythmFigures(record, run.episodes, run.gatedBeats, (sample) => EVAL_EPOCH + (sample * 1000) / record.fs);
      rhythms.push(rhythm);
      return {
        rhythm: rhythmJson(rhythm),
        anomaly: {
          model: name,
          split: splits[splits.length - 1],
          adaptation: adaptation.name,
          leads: options.leads ?? DEFAULT_PRODUCT_RUN.leads,
          secondLeadScoring: (options.leads ?? DEFAULT_PRODUCT_RUN.leads) === 2 && options.secondLeadScoring !== false,
          threshold: run.profile === null ? null : round(run.profile.threshold),
          ...metricsJson(result.metrics),
        },
      };
    },
    total() {
      const totalOf = (rs: ProductRecordResult[]) => {
        const { learning, ...total } = metricsJson(totalProductMetrics(rs));
        return { records: rs.length, ...total, learningBeats: learning.beats };
      };
      // DS1 (trained and tuned on, each record by its leave-one-record-out fold) and DS2 (never
      // tuned on) reported apart as well as together: only DS2 says how unseen patients fare.
      const bySplit = Object.fromEntries(
        (['DS1', 'DS2'] as const).map((split) => [split, totalOf(results.filter((_, i) => splits[i] === split))]),
      );
      return {
        anomaly: {
          adaptation: adaptation.name,
          leads: options.leads ?? DEFAULT_PRODUCT_RUN.leads,
          secondLeadScoring: (options.leads ?? DEFAULT_PRODUCT_RUN.leads) === 2 && options.secondLeadScoring !== false,
          ...totalOf(results),
          splits: bySplit,
        },
        // Rhythm totals split the same way: DS1 is where the rhythm constants were chosen.
        rhythm: {
          ...rhythmJson(totalRhythmFigures(rhythms)),
          splits: Object.fromEntries(
            (['DS1', 'DS2'] as const).map((split) => [
              split,
              rhythmJson(totalRhythmFigures(rhythms.filter((_, i) => splits[i] === split))),
            ]),
          ),
        },
      };
    },
  };
}

/**
 * The 1 s wire record `seq` of a device's stream, as the evaluations send it: v2 records of
 * `leads` when given, else v1 records of `signal` (from `EVAL_EPOCH`).
 *
 * @example
 * const cut = wireRecordCutter(device, null);
 * batch.push({ id: '0', data: cut(0), arrivedAt: EVAL_EPOCH });
 */
export function wireRecordCutter(
  device: { readonly deviceId: string; readonly signal: Float32Array; readonly fs: number },
  leads: WireLeadsSignal['leads'] | null,
): (seq: number) => Uint8Array {
  if (leads !== null) {
    const multi = { deviceId: device.deviceId, fs: device.fs, leads };
    return (seq) => cutWireRecordV2(multi, seq, EVAL_EPOCH, 1).data;
  }
  const scratch = new Float32Array(Math.ceil(device.fs) + 1);
  return (seq) => Buffer.from(cutWireRecord(device, seq, EVAL_EPOCH, 1, scratch).text);
}

/**
 * Leads as v2 records carry them: a lead without a gain (made by hand) is sent at 1 µV per unit.
 *
 * @example
 * runRecordThroughDetector({ deviceId, signal, fs, leads: withGains(record.leads) }, model, { leads: 2 });
 */
export function withGains(leads: NonNullable<MitdbRecord['leads']>): WireLeadsSignal['leads'] {
  return leads.map((l) => ({ name: l.name, samples: l.samples, gain: l.gain ?? DEFAULT_PRODUCER_GAIN }));
}

function detection(c: { tp: number; fn: number; fp: number }): ClassDetection {
  return { se: c.tp / (c.tp + c.fn), ppv: c.tp / (c.tp + c.fp), ...c };
}

function safeAuc(scores: number[], labels: number[]): number {
  const pos = labels.reduce((a, b) => a + b, 0);
  return pos === 0 || pos === labels.length ? Number.NaN : rocAuc(scores, labels);
}
