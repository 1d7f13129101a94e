import { fileURLToPath } from 'node:url';
import type { CommandModule } from '../command';
import { UsageError } from '../command';
import { choiceFlag, numberFlag, parseFlags, printJson, progress } from '../args';
import {
  adapterByName,
  ADAPTER_NAMES,
  DEFAULT_LEARNING_SECONDS,
  patientProfileAdapter,
  SCORE_TERMS,
  scoreTermsOptions,
} from '../../detect';
import { createMitdbProductEvaluation } from '../../evaluate/mitdb-product';
import type { MitdbEvalStep } from '../../evaluate/mitdb-eval';
import { listMitdbRecords, loadMitdbRecord, MODEL_LEAD, scoreQrs, streamBeats, streamLeadBeats, totalQrs, type QrsScore } from '../../ecg';

const BUNDLED = fileURLToPath(new URL('../../../data/mitdb', import.meta.url));

const usage = [
  'usage: beatwatch eval mitdb [--records DIR] [--record 100,106] [--chunk SECONDS] [--leads 1|2] [--second-lead-scoring on|off]',
  '                            [--lead NAME]',
  '                            [--adaptation patient-profile|threshold-calibration|off] [--learning-seconds S]',
  '                            [--score-terms both|autoencoder|patient]',
  '                            [--qrs-only] [--json]',
  '',
  'Streams each MIT-BIH record (MLII by name, and with --leads 2 its second lead too) through the',
  'production beat segmenter in chunks (1 s by default) and scores the detected R peaks against the',
  'reference beat annotations (ANSI/AAMI EC57: a match within 150 ms; only beat annotations count;',
  'ventricular flutter/fibrillation episodes, [ to ], are left out as EC57 prescribes).',
  '',
  '  --records DIR   folder of WFDB records (.hea/.dat/.atr); default: the bundled data/mitdb',
  '  --record LIST   comma-separated record names; default: all records of DIR',
  '  --chunk S       chunk length in seconds (default 1)',
  '  --leads 1|2     2 (default): both leads, sent as v2 records; beats are detected on MLII and, where',
  '                  MLII is unusable (flat, saturated, noisy), on the other lead when it agrees with MLII;',
  '                  beats are scored on MLII (gated where it is unusable); 1: MLII alone, as v1 records',
  '  --second-lead-scoring on|off  with --leads 2: each record also learns its second lead, and beats where',
  "                  MLII is unusable or noise are scored on it (the detector's option; on by default)",
  "  --lead NAME     the lead to detect and score first (default MLII, the models' lead; a warning when",
  '                  it is another)',
  '  --adaptation A  patient adaptation of the detector (default patient-profile: each record learns',
  '                  its dominant beats, AE baseline, noise and rhythm from its learning period and',
  '                  every later beat is scored against them; threshold-calibration: a learned',
  '                  threshold on the model score; off: the model threshold throughout)',
  `  --learning-seconds S  the detector's learning period (default ${DEFAULT_LEARNING_SECONDS}, EC57); its beats are not counted`,
  '  --score-terms T  with patient-profile, which terms make the ventricular evidence (ablation):',
  "                  both (default, the product), autoencoder (the autoencoder's error against the",
  "                  patient's own, alone), patient (template distance, QRS width and prematurity",
  "                  against the patient's own, without the autoencoder)",
  '  --qrs-only      skip the beat anomaly scoring',
  '  --json          print {records:[{record,lead,tp,fn,fp,se,ppv,beats,excludedSeconds,anomaly}],',
  '                  total:{tp,fn,fp,se,ppv,anomaly}}; anomaly = {model, split, adaptation, leads, secondLeadScoring,',
  '                  threshold, aucV,',
  '                  aucVScored (gated beats left out), gatedShare, aucAll,',
  '                  veb:{se,ppv,tp,fn,fp}, sveb:{...}, alerts, alertsPerHour, falseAlertsPerHour,',
  "                  episodes:{runs,alerted}, episodesAlerted, learning:{completedAt,beats}}; the total's",
  '                  anomaly also has splits:{DS1,DS2} (MIT-BIH DS1 = the records the models are',
  '                  trained and tuned on, each scored by its leave-one-record-out fold; DS2 = all others),',
  '                  with patient-profile, scoreTerms;',
  '                  rhythm (per record, in total and split DS1/DS2; EC57 as epicmp and rxr apply it, from',
  '                  5 min on): af {episodeSe, episodePpv, durationSe, durationPpv} (atrial flutter cut',
  '                  out of AF detections), vtRuns {se, ppv} against runs of 3+ V beats above 100 bpm (a',
  '                  detection in a (VT episode is true), vtRunsWithVtEpisodes against those runs merged',
  '                  with every (VT episode (stricter: slower annotated VT too), bigeminy and trigeminy',
  '                  {episodeSe, episodePpv, durationSe, durationPpv} against (B and (T, technicalPerCleanHour',
  '                  (technical alert onsets per hour outside the reference noise marks), onsets by label',
  '',
  'Beat anomalies run the product: each record is cut into 1 s wire records (device id = record',
  'name) and pushed in batches of 100 through the detector (decoder, device state, learning',
  'period, adaptation, alert policy), and every figure comes from the beats and alerts it reports.',
  'Anomaly scores come from the shipped default model, or for a record it was trained on, from',
  'the fold model trained without that record (data/default-model/folds), so no record is',
  'scored by a model that saw it. Beat classes follow AAMI (N, S, V, F, Q).',
].join('\n');

export type { MitdbEvalStep, MitdbRecordContext } from '../../evaluate/mitdb-eval';

/** QRS detection: EC57 tp/fn/fp, Se, +P per record and gross totals. */
const qrsStep: MitdbEvalStep = {
  record: ({ record, beats }) => ({
    ...scoreQrs(
      record.beatSamples,
      beats.map((b) => b.rIndex),
      record.fs,
      record.excluded,
    ),
    beats: record.beatSamples.length,
    excludedSeconds: record.excluded.reduce((sum, [from, to]) => sum + (to - from), 0) / record.fs,
  }),
  total: (rows) => ({ ...totalQrs(rows as unknown as QrsScore[]) }),
};

/**
 * The evaluation steps, in order. QRS detection is first; further steps (beat anomaly scoring)
 * append here and read the same streamed beats.
 */
export const EVAL_STEPS: MitdbEvalStep[] = [qrsStep];

const pct = (x: number): string => (100 * x).toFixed(2).padStart(7);

interface AnomalyRow {
  model?: string;
  adaptation: string;
  aucV: number | null;
  veb: { se: number | null; ppv: number | null };
  sveb: { se: number | null; ppv: number | null };
  alertsPerHour: number | null;
  falseAlertsPerHour: number | null;
  episodes: { runs: number; alerted: number };
  learning?: { completedAt: number | null };
}

const fmt = (x: number | null, percent = false): string => (x === null ? 'n/a' : percent ? `${(100 * x).toFixed(1)}%` : x.toFixed(3));

function anomalyLine(name: string, a: AnomalyRow): string {
  return [
    name.padEnd(6),
    (a.model ?? '').padEnd(12),
    (a.learning?.completedAt === null || a.learning === undefined ? '' : String(a.learning.completedAt)).padStart(7),
    fmt(a.aucV).padStart(6),
    fmt(a.veb.se, true).padStart(7),
    fmt(a.veb.ppv, true).padStart(7),
    fmt(a.sveb.se, true).padStart(7),
    fmt(a.sveb.ppv, true).padStart(7),
    fmt(a.alertsPerHour).padStart(7),
    fmt(a.falseAlertsPerHour).padStart(7),
    `${a.episodes.alerted}/${a.episodes.runs}`.padStart(8),
  ].join(' ');
}

/** `beatwatch eval mitdb`: QRS detection on MIT-BIH records, streamed as in production. */
const command: CommandModule = {
  summary: 'QRS detection (and beat scores) on MIT-BIH Arrhythmia records, streamed',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      records: { type: 'string' },
      record: { type: 'string' },
      chunk: { type: 'string' },
      adaptation: { type: 'string' },
      'learning-seconds': { type: 'string' },
      leads: { type: 'string' },
      'second-lead-scoring': { type: 'string' },
      lead: { type: 'string' },
      'score-terms': { type: 'string' },
      'qrs-only': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const leads = Number(choiceFlag(values.leads, 'leads', ['1', '2'] as const, '2')) as 1 | 2;
    const secondLeadFlag = choiceFlag(values['second-lead-scoring'], 'second-lead-scoring', ['on', 'off'] as const, 'on');
    if (values['second-lead-scoring'] === 'on' && leads !== 2) throw new UsageError('--second-lead-scoring on needs --leads 2');
    // With one lead there is no second lead to score on.
    const secondLeadScoring = secondLeadFlag === 'on' && leads === 2;
    if (values.lead !== undefined && values.lead.trim() === '') throw new UsageError('--lead: a lead name is needed');
    const lead = values.lead ?? MODEL_LEAD;
    // Every shipped model (default and folds) was trained on MLII.
    if (lead.toLowerCase() !== MODEL_LEAD.toLowerCase())
      progress(`eval mitdb: scoring lead "${lead}" first: the models were trained on ${MODEL_LEAD}`);
    const adaptationName = choiceFlag(
      values.adaptation,
      'adaptation',
      [...ADAPTER_NAMES, 'calibration', 'profile'] as const,
      ADAPTER_NAMES[0],
    );
    const terms = choiceFlag(values['score-terms'], 'score-terms', SCORE_TERMS, SCORE_TERMS[0]);
    const profileAdapter = adaptationName === 'patient-profile' || adaptationName === 'profile';
    if (values['score-terms'] !== undefined && !profileAdapter)
      throw new UsageError('--score-terms applies to --adaptation patient-profile only');
    const adaptation = profileAdapter ? patientProfileAdapter({ profile: scoreTermsOptions(terms) }) : adapterByName(adaptationName);
    const learningSeconds = numberFlag(values['learning-seconds'], 'learning-seconds', DEFAULT_LEARNING_SECONDS, 0, 1e6);
    const steps: MitdbEvalStep[] = values['qrs-only']
      ? EVAL_STEPS
      : [
          ...EVAL_STEPS,
          createMitdbProductEvaluation({
            adaptation,
            learningSeconds,
            leads,
            secondLeadScoring,
            ...(values.lead === undefined ? {} : { lead }),
          }),
        ];
    const folder = values.records ?? BUNDLED;
    const chunkSeconds = numberFlag(values.chunk, 'chunk', 1, 0.001, 60);
    const names = values.record
      ? values.record
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : listMitdbRecords(folder);
    if (names.length === 0) throw new UsageError(`no records found in ${folder}`);
    const rows: (Record<string, unknown> & { record: string } & QrsScore)[] = [];
    for (const name of names) {
      const record = loadMitdbRecord(folder, name, lead);
      if (record.warning) progress(`${name}: ${record.warning}`);
      const started = performance.now();
      const other = leads > 1 ? record.leads?.find((l) => l.samples !== record.signal) : undefined;
      const beats = other
        ? streamLeadBeats([record.signal, other.samples], record.fs, chunkSeconds)
        : streamBeats(record.signal, record.fs, chunkSeconds);
      let row: Record<string, unknown> = { record: name, lead: other ? [record.lead, other.name] : [record.lead] };
      for (const step of steps) row = { ...row, ...(await step.record({ record, beats })) };
      const r = row as (typeof rows)[number];
      rows.push(r);
      progress(
        `${name}: beats ${record.beatSamples.length} tp ${r.tp} fn ${r.fn} fp ${r.fp} Se ${pct(r.se)}% +P ${pct(r.ppv)}% (${((performance.now() - started) / 1000).toFixed(1)} s)`,
      );
    }
    let totals: Record<string, unknown> = {};
    for (const step of steps) if (step.total) totals = { ...totals, ...step.total(rows) };
    // Which terms scored the beats, so an ablation's output says what it measured.
    if (profileAdapter && totals.anomaly) totals = { ...totals, anomaly: { ...(totals.anomaly as object), scoreTerms: terms } };
    const total = totals as unknown as QrsScore;
    if (values.json) {
      printJson({ records: rows, total });
    } else {
      const lines = ['record   beats     tp   fn   fp      Se%     +P%'];
      for (const r of rows)
        lines.push(
          `${r.record.padEnd(6)} ${String(r.beats).padStart(7)} ${String(r.tp).padStart(6)} ${String(r.fn).padStart(4)} ${String(r.fp).padStart(4)} ${pct(r.se)} ${pct(r.ppv)}`,
        );
      lines.push(
        `total  ${String(total.tp + total.fn).padStart(7)} ${String(total.tp).padStart(6)} ${String(total.fn).padStart(4)} ${String(total.fp).padStart(4)} ${pct(total.se)} ${pct(total.ppv)}`,
      );
      const anomaly = (totals as { anomaly?: AnomalyRow }).anomaly;
      if (anomaly) {
        lines.push(
          '',
          `beat anomalies through the detector (adaptation ${anomaly.adaptation}, ${leads === 2 ? `two leads${secondLeadScoring ? ', second-lead scoring' : ''}` : 'one lead'}; learning-period beats left out):`,
          'record model        learned   AUC-V   VEB-Se  VEB-+P  SVEB-Se SVEB-+P alerts/h false/h episodes',
        );
        for (const r of rows) lines.push(anomalyLine(r.record, r.anomaly as AnomalyRow));
        const splits = (anomaly as AnomalyRow & { splits?: Record<string, AnomalyRow & { records: number }> }).splits ?? {};
        for (const [split, t] of Object.entries(splits)) if (t.records > 0) lines.push(anomalyLine(split, t));
        lines.push(anomalyLine('total', anomaly));
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  },
};
export default command;
