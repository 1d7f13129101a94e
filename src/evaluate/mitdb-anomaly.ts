import { BeatSegmenter } from '../ecg/beat-segmenter';
import { DEFAULT_BEAT_WINDOW, type BeatWindowSpec } from '../ecg/beat-window-spec';
import { streamBeats } from '../ecg/qrs-evaluation';
import { streamingWindowSpec } from '../contract/artifact';
import { evaluateAnomaly, NORMAL_RECORDS, totalAnomaly, type AnomalyEvalOptions, type RecordAnomaly } from './anomaly-eval';
import type { LoadedBeatModel } from '../model/beat-model';
import { defaultModelFor } from './default-model';
import { labelBeats } from './labelled-beats';
import type { MitdbEvalStep, MitdbRecordContext } from './mitdb-eval';

/** A model to evaluate a record with, and the records it was trained on. */
export type ModelChooser = (record: string) => { model: LoadedBeatModel; name: string; trainedOn: readonly string[] };

/** Per-record anomaly figures as `eval mitdb` prints them. */
export interface MitdbAnomalyRow {
  readonly aucV: number | null;
  readonly aucAll: number | null;
  readonly veb: { se: number | null; ppv: number | null };
  readonly alertsPerHour: number;
  readonly threshold: number;
  /** Which shipped model scored the record (never one trained on it). */
  readonly model: string;
}

const num = (x: number): number | null => (Number.isFinite(x) ? Number(x.toFixed(4)) : null);

function sameWindow(a: BeatWindowSpec, b: BeatWindowSpec): boolean {
  return a.before === b.before && a.after === b.after && a.steps === b.steps && a.normalization === b.normalization;
}

/**
 * Anomaly evaluation of MIT-BIH records streamed through the detector's code, shaped as an
 * `eval mitdb` step ({@link MitdbEvalStep}): `record` adds `anomaly` to a record's row (reusing the
 * beats the command streamed when their window matches the model's), `total` adds the totals
 * over every record seen. Each record is scored by a model never trained on it (default:
 * {@link defaultModelFor}). One evaluation object per run: it accumulates the records.
 *
 * @example
 * const steps = [...EVAL_STEPS, createMitdbAnomalyEvaluation({ calibration: 'per-record' })];
 */
export function createMitdbAnomalyEvaluation(options: Partial<AnomalyEvalOptions> = {}, chooseModel: ModelChooser = defaultModelFor) {
  const results: { name: string; result: RecordAnomaly }[] = [];
  return {
    record({ record, beats }: MitdbRecordContext): { anomaly: MitdbAnomalyRow } {
      const { model, name } = chooseModel(record.name);
      const spec = streamingWindowSpec(model.artifact);
      // The QRS step's beats are cut with the default window; re-stream only if the model's differs.
      const cut = sameWindow(spec, DEFAULT_BEAT_WINDOW)
        ? [...beats]
        : streamBeats(record.signal, record.fs, 1, new BeatSegmenter({ fs: record.fs, window: spec }));
      const { classes, times } = labelBeats(record, cut);
      const scores = model.scoreBeats(cut);
      const result = evaluateAnomaly({ scores, times, classes, globalThreshold: model.threshold }, options);
      results.push({ name: record.name, result });
      const m = result.metrics;
      return {
        anomaly: {
          aucV: num(m.aucV),
          aucAll: num(m.aucAll),
          veb: { se: num(m.veb.se), ppv: num(m.veb.ppv) },
          alertsPerHour: Number(m.alertsPerHour.toFixed(2)),
          threshold: Number(m.threshold.toFixed(4)),
          model: name,
        },
      };
    },
    total(): {
      anomaly: {
        aucV: number | null;
        aucAll: number | null;
        veb: { se: number | null; ppv: number | null };
        alertsPerHourOnNormal: number | null;
      };
    } {
      const t = totalAnomaly(results, NORMAL_RECORDS);
      return {
        anomaly: {
          aucV: num(t.aucV),
          aucAll: num(t.aucAll),
          veb: { se: num(t.veb.se), ppv: num(t.veb.ppv) },
          alertsPerHourOnNormal: t.alertsPerHourOnNormal === null ? null : Number(t.alertsPerHourOnNormal.toFixed(2)),
        },
      };
    },
  } satisfies MitdbEvalStep;
}
