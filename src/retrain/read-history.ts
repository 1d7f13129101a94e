import type { TimeBudget } from './budget';
import type { HistoryDataset, HistoryDatasetBuilder } from './dataset';
import type { RetrainProgress } from './options';
import type { HistoryRead } from './ports';
import type { HistorySummary } from './result';

/** Records between two progress reports. */
const PROGRESS_EVERY = 5000;

/**
 * Feeds a history read into the dataset builder until the history ends or `historyShare` of the
 * budget is used (then the job goes on with what it has, and says so).
 *
 * @example
 * const { dataset, summary } = await consumeHistory(history.read({ days, now }), builder, budget, 0.4, days);
 */
export async function consumeHistory(
  read: HistoryRead,
  builder: HistoryDatasetBuilder,
  budget: TimeBudget,
  historyShare: number,
  days: number,
  onProgress?: (p: RetrainProgress) => void,
): Promise<{ dataset: HistoryDataset; summary: HistorySummary }> {
  const started = budget.elapsedMs();
  let truncated = false;
  let n = 0;
  for await (const record of read.records) {
    builder.add(record);
    n++;
    if (n % PROGRESS_EVERY === 0) {
      onProgress?.({
        phase: 'history',
        message: `${n} records read from ${read.stats.objects} objects, ${builder.devices} devices sampled`,
        data: { records: n, objects: read.stats.objects },
      });
    }
    if (budget.used(historyShare)) {
      truncated = true;
      break;
    }
  }
  const dataset = builder.finish();
  const s = read.stats;
  const summary: HistorySummary = {
    days,
    objects: s.objects,
    malformedObjects: s.malformedObjects,
    records: s.records,
    malformedRecords: s.malformedRecords,
    duplicates: dataset.signal.duplicates,
    gaps: dataset.signal.gaps,
    backwardJumps: dataset.signal.backwardJumps,
    unusableRecords: dataset.signal.unusable,
    recordsOfUnsampledDevices: dataset.recordsOfUnsampledDevices,
    truncatedByBudget: truncated,
    seconds: (budget.elapsedMs() - started) / 1000,
  };
  onProgress?.({
    phase: 'history',
    message: `history: ${s.records} records in ${s.objects} objects (${s.malformedRecords} malformed records, ${s.malformedObjects} unreadable objects skipped)${truncated ? ', stopped at the time budget' : ''}`,
    data: { records: s.records, objects: s.objects, malformedRecords: s.malformedRecords, malformedObjects: s.malformedObjects, truncated },
  });
  return { dataset, summary };
}
