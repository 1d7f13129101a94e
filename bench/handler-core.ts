import { decodeRecord } from '../src/contract';
import { type DetectSinks, Detector, type DetectorOptions, type InputRecord } from '../src/detect';
import type { LoadedBeatModel } from '../src/model';

/** What one pass of a fresh detector over a stream did, and how long it took. */
export interface CoreRun {
  /** Beats scored (each beat once, whatever the leads). */
  readonly beats: number;
  /** Windows the model scored: the beats, plus their second-lead windows with second-lead scoring. */
  readonly windows: number;
  readonly alerts: number;
  /** Beats judged on the second lead, or found only there (the detector's `leadFallbackBeats`). */
  readonly secondLeadBeats: number;
  /** Beats scored while their device learned. */
  readonly learningBeats: number;
  /** Time in the batched scoring call (ms). */
  readonly scoringMs: number;
  /** Time spent explaining alerts (ms). */
  readonly explainMs: number;
  /** Wall-clock seconds of the pass. */
  readonly seconds: number;
  /** CPU seconds of this process over the pass (less sensitive to other jobs on the machine). */
  readonly cpuSeconds: number;
}

/** The handler's sinks with no I/O: the bench times the detector's work alone. */
const NO_SINKS: DetectSinks = {
  quarantine: async () => undefined,
  putSnippet: async () => undefined,
  publishAlert: async () => undefined,
};

/**
 * Streams `batches` through a fresh {@link Detector} built with `options` (no-op sinks), batch by
 * batch as the handler does, and times the pass.
 *
 * @example
 * const run = await runHandlerCore(batches, model, { leads: 2, secondLeadScoring: false });
 * run.beats / run.seconds; // beats/s
 */
export async function runHandlerCore(
  batches: readonly InputRecord[][],
  model: LoadedBeatModel,
  options: DetectorOptions,
): Promise<CoreRun> {
  let windows = 0;
  // The same model, counting what it is asked to score (one call per batch: nothing measurable added).
  const counted: LoadedBeatModel = {
    ...model,
    scoreBeats: (beats) => {
      windows += beats.length;
      return model.scoreBeats(beats);
    },
  };
  const detector = new Detector(NO_SINKS, decodeRecord, options);
  let beats = 0;
  let alerts = 0;
  let secondLeadBeats = 0;
  let learningBeats = 0;
  let scoringMs = 0;
  let explainMs = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const batch of batches) {
    const r = await detector.processBatch(batch, counted);
    beats += r.counts.beatsScored;
    alerts += r.counts.alerts;
    secondLeadBeats += r.counts.leadFallbackBeats;
    learningBeats += r.counts.learningBeats;
    scoringMs += r.scoringMs;
    explainMs += r.explainMs;
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    beats,
    windows,
    alerts,
    secondLeadBeats,
    learningBeats,
    scoringMs,
    explainMs,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}
