/**
 * Step 4b of a batch: an explanation added to the snippet of each alert the batch raised, the
 * flagged beats of all of them reconstructed in one batched model call.
 */
import type { RaisedAlert } from './device-work';
import { explainAlert } from './explain';
import type { BeatModel } from './ports';

/**
 * Adds an explanation to each raised alert's snippet. The reconstructions come from one batched
 * call; a model that cannot reconstruct (or fails to) is explained against the typical beat. A
 * model without a window span explains nothing.
 *
 * @example
 * explainAlerts([...byDevice.values()].flatMap((w) => w.decisions), model);
 */
export function explainAlerts(raised: readonly RaisedAlert[], model: BeatModel): void {
  const span = model.window;
  if (raised.length === 0 || !span) return;
  const flagged = raised.flatMap((d) => d.snippet.beats.filter((b) => b.anomalous && b.window.length === span.steps));
  let recons: Float32Array[] | null = null;
  try {
    recons =
      model.reconstructBeats && flagged.length > 0
        ? model.reconstructBeats(
            flagged.map((b) => ({ rIndex: 0, window: Float32Array.from(b.window), rrPrev: b.rrPrev, rrNext: b.rrNext })),
          )
        : null;
  } catch {
    recons = null; // an explanation is never worth failing an alert for
  }
  let next = 0;
  for (const d of raised) {
    const beats = d.snippet.beats;
    const reconstructions = beats
      .filter((b) => b.anomalous)
      .map((b) => (b.window.length === span.steps && recons ? (recons[next++] ?? null) : null));
    d.snippet = {
      ...d.snippet,
      explanation: explainAlert({
        modelVersion: d.message.modelVersion,
        score: d.message.maxScore,
        threshold: d.message.threshold,
        modelThreshold: d.context.modelThreshold,
        span,
        beats,
        reconstructions,
        template: d.context.template,
        typicalRr: d.context.typicalRr,
        recent: d.context.recent,
        quality: d.context.quality,
      }),
    };
  }
}
