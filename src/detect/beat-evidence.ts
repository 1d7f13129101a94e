/**
 * What a beat is evidence of, before the alert policy sees it: whether its signal can be read
 * at all (gating), and its relative score, threshold, anomaly and kind from its verdict.
 * Pure functions of what the detector has judged; the detector applies them beat by beat.
 */
import type { BeatKind, BeatVerdict, DevicePhase } from './patient-adaptation';
import type { RhythmMonitor } from './rhythm-monitor';

/** How readable a beat's signal is. */
export interface SignalReading {
  /** The signal-quality index calls the beat's seconds poor (flat, clipped, noisy, a technical episode, or an implausible RR). */
  readonly poorSignal: boolean;
  /** Flat or clipped seconds or a technical episode: the beat's shape says nothing either. */
  readonly unreadable: boolean;
  /** The beat is left out as noise: not a clinical anomaly, not learned from, not seen by the alert policy. */
  readonly gated: boolean;
}

/**
 * How readable a beat's signal is. A beat in seconds the signal-quality index calls poor is
 * gated, except that a device whose adapter judges noise beat by beat (`judgesNoise`: learned,
 * `gatesNoise`) is gated only by flat or clipped seconds and technical episodes (a second of
 * wide ventricular beats looks noisy too): its adapter is told the signal is noisy and judges
 * the beat more strictly. No monitor: nothing is gated.
 *
 * @example
 * const { gated, poorSignal } = readSignal(state.monitor, beat, phase === 'learned' && adapter.gatesNoise === true);
 */
export function readSignal(
  monitor: Pick<RhythmMonitor, 'gated'> | null,
  beat: { readonly rIndex: number; readonly rrPrev: number | null },
  judgesNoise: boolean,
): SignalReading {
  if (monitor === null) return { poorSignal: false, unreadable: false, gated: false };
  const poorSignal = monitor.gated(beat.rIndex, beat.rrPrev);
  const unreadable = monitor.gated(beat.rIndex, beat.rrPrev, false);
  return { poorSignal, unreadable, gated: judgesNoise ? unreadable : poorSignal };
}

/**
 * Whether a beat at `t` lies in the device's artefact span (near a record with clipped samples).
 *
 * @example
 * inArtefact([1000, 3000], 2000); // true
 */
export function inArtefact(artifact: readonly [number, number] | null, t: number): boolean {
  return artifact !== null && t >= artifact[0] && t <= artifact[1];
}

/** What {@link classifyBeat} judges a scored beat with. */
export interface BeatEvidenceInput {
  /** The adapter's verdict (score on the device's scale: 1 = its threshold). */
  readonly verdict: BeatVerdict;
  /** The detector's `thresholdMultiplier`. */
  readonly multiplier: number;
  readonly phase: DevicePhase;
  /** The device's label threshold on its learned scale (1 without labels). */
  readonly labelled: number;
  /** The beat is near clipped samples. */
  readonly artefact: boolean;
}

/** A scored beat's evidence: what the alert policy, the rhythm rules and observers see. */
export interface BeatEvidence {
  /** Relative score (1 = the device's threshold), the multiplier applied. */
  readonly score: number;
  readonly threshold: number;
  readonly anomalous: boolean;
  readonly kind: BeatKind;
}

/**
 * A scored beat's relative score, threshold, anomaly and kind. Labels speak of the device's
 * learned scale, so a device still learning keeps threshold 1. A beat near clipped samples is
 * an artefact: reported (`gated`), never anomalous.
 *
 * @example
 * classifyBeat({ verdict: { score: 3, kind: 'ventricular' }, multiplier: 1.5, phase: 'learned', labelled: 1, artefact: false });
 * // { score: 2, threshold: 1, anomalous: true, kind: 'ventricular' }
 */
export function classifyBeat(input: BeatEvidenceInput): BeatEvidence {
  const { verdict, artefact } = input;
  const score = verdict.score / input.multiplier;
  const threshold = input.phase === 'learned' ? input.labelled : 1;
  const anomalous = score > threshold && !artefact;
  // Premature beats keep their kind below the threshold (counted, not alerted: they add
  // nothing to the score the policy sees); a beat over it is ventricular unless the adapter
  // said premature.
  const kind: BeatKind = artefact
    ? 'gated'
    : verdict.kind === 'gated' || verdict.kind === 'premature'
      ? verdict.kind
      : anomalous
        ? 'ventricular'
        : 'normal';
  return { score, threshold, anomalous, kind };
}
