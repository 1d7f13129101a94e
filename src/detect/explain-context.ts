/**
 * What an alert's explanation needs from its device at the moment the alert was raised (its
 * recent beats, learned template and RR, signal quality, threshold): taken then, because the
 * explanation is written after every beat of the batch has moved the device on.
 */
import type { AlertDecision } from './alert-policy';
import type { DeviceState, KeptBeat } from './device-state';
import type { SecondQuality } from '../ecg';
import type { AlertSnippet, BeatModel } from './ports';

/** What an alert's explanation needs from its device at the moment it was raised. */
export interface ExplainContext {
  readonly recent: readonly KeptBeat[];
  readonly template: ArrayLike<number> | null;
  readonly typicalRr: number | null;
  readonly modelThreshold: number;
  readonly quality: readonly { readonly t: number; readonly quality: SecondQuality }[];
}

/**
 * The explanation context of an alert just raised: the device's kept beats, its learned template
 * and RR (when its profile has them), the quality of the seconds of the strip the clinician sees
 * (else of its beats, one second either side), and `modelThreshold`, the threshold on the model's
 * scale the alert was judged against.
 *
 * @example
 * const context = explainContextOf(state, snippet, decision, model.window, population * multiplier);
 */
export function explainContextOf(
  state: DeviceState,
  snippet: AlertSnippet,
  decision: AlertDecision,
  window: BeatModel['window'],
  modelThreshold: number,
): ExplainContext {
  const features = state.profile?.features ?? {};
  return {
    recent: [...state.kept],
    template: learnedTemplate(features, window),
    typicalRr: learnedRr(features),
    quality: snippet.strip
      ? state.qualityBetween(snippet.strip.t0, snippet.strip.t0 + (snippet.strip.samples.length * 1000) / snippet.strip.fs - 1)
      : state.qualityBetween(decision.beatTimes[0] - 1000, decision.to + 1000),
    modelThreshold,
  };
}

/**
 * The device's learned template in the model window's units, when its profile has one for the
 * same window: the patient-profile adapter keeps its dominant normal template in mV (base64
 * Float64, `templates x steps`, dominant first), so it is per-beat normalized as the model's
 * windows are. Null otherwise (the explanation then uses a recent median).
 *
 * @example
 * const template = learnedTemplate(state.profile?.features ?? {}, model.window); // number[] | null
 */
export function learnedTemplate(features: Readonly<Record<string, unknown>>, window: BeatModel['window']): number[] | null {
  const p = features.profile as { template?: unknown; window?: { before: number; after: number; steps: number } } | null | undefined;
  if (!window || !p || typeof p.template !== 'string' || !p.window) return null;
  if (p.window.steps !== window.steps || p.window.before !== window.before || p.window.after !== window.after) return null;
  const bytes = Buffer.from(p.template, 'base64');
  if (bytes.length < window.steps * 8) return null;
  const all = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + window.steps * 8));
  const t = Array.from(all);
  // A loaded model's window carries its per-beat normalization (`streamingWindowSpec`).
  if ((window as { normalization?: string }).normalization === 'zscore') {
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    const sd = Math.sqrt(t.reduce((a, b) => a + (b - mean) ** 2, 0) / t.length);
    return t.map((v) => (sd > 1e-6 ? (v - mean) / sd : v - mean));
  }
  return t.every(Number.isFinite) ? t : null;
}

/**
 * The profile's typical RR (s): the patient-profile adapter's learning-period median; null without one.
 *
 * @example
 * learnedRr({ profile: { rrMedian: 0.8 } }); // 0.8
 */
export function learnedRr(features: Readonly<Record<string, unknown>>): number | null {
  const p = features.profile as { rrMedian?: unknown } | null | undefined;
  return p && typeof p.rrMedian === 'number' && p.rrMedian > 0 ? p.rrMedian : null;
}
