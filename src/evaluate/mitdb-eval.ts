import type { Beat, MitdbRecord } from '../ecg';

/**
 * The shape of a `beatwatch eval mitdb` step: the command streams each record once and hands
 * the beats to every step, which adds its fields to the record's row (and to the total).
 */

/** What every per-record step sees: the record and the beats the stream produced. */
export interface MitdbRecordContext {
  readonly record: MitdbRecord;
  /**
   * Beats of the record's scored lead (MLII by name) streamed in chunks through a default
   * {@link BeatSegmenter}, or of both leads through a `MultiLeadSegmenter` (`--leads 2`).
   */
  readonly beats: readonly Beat[];
}

/** One evaluation step: fields it adds to each record's row and, optionally, to the total. */
export interface MitdbEvalStep {
  record(ctx: MitdbRecordContext): Record<string, unknown> | Promise<Record<string, unknown>>;
  total?(rows: readonly Record<string, unknown>[]): Record<string, unknown>;
}
