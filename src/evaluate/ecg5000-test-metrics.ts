import type { SequenceAutoencoder } from '../nn';
import type { UcrDataset } from '../ecg';
import { averagePrecision, metricsAt, rocAuc, type ThresholdMetrics } from '../model';

/** The normal class of ECG5000; every other label (2-5) is an anomaly. */
export const ECG5000_NORMAL_LABEL = 1;

/** Figures of a model on a labelled ECG5000 split: ranking metrics and the decision at a threshold. */
export interface Ecg5000TestMetrics extends ThresholdMetrics {
  auc: number;
  prAuc: number;
  testWindows: number;
  testAbnormal: number;
}

/**
 * Scores every row of `test` and compares with the labels (abnormal = positive): ROC-AUC,
 * PR-AUC, and the confusion figures at `threshold` (flagged iff score > threshold).
 *
 * @example
 * const { artifact, model } = parseArtifact(text);
 * const m = ecg5000TestMetrics(model, await readUcr('ECG5000_TEST.txt'), artifact.threshold.value);
 */
export function ecg5000TestMetrics(model: SequenceAutoencoder, test: UcrDataset, threshold: number): Ecg5000TestMetrics {
  if (test.length !== model.config.steps)
    throw new RangeError(`ecg5000TestMetrics: rows have ${test.length} samples but the model takes ${model.config.steps}`);
  const scores = model.score(test.data, test.rows);
  const abnormal = new Uint8Array(test.rows);
  let positives = 0;
  for (let r = 0; r < test.rows; r++) {
    abnormal[r] = test.labels[r] === ECG5000_NORMAL_LABEL ? 0 : 1;
    positives += abnormal[r];
  }
  return {
    auc: rocAuc(scores, abnormal),
    prAuc: averagePrecision(scores, abnormal),
    ...metricsAt(scores, abnormal, threshold),
    testWindows: test.rows,
    testAbnormal: positives,
  };
}
