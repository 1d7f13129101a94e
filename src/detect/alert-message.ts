import { alertSnippetKey } from '../contract';
import type { AlertDecision } from './alert-policy';
import type { KeptBeat } from './device-state';
import type { AlertMessage, AlertSnippet, AnyAlertMessage, EpisodeAlertMessage } from './ports';
import type { EpisodeEvent, RhythmLabel, TechnicalReason } from './rhythm-monitor';

/**
 * S3 key of an alert's snippet: `alerts/YYYY/MM/DD/<alert id>.json` (docs/ARCHITECTURE.md §3.4), dated by
 * the alert's first anomalous beat (UTC), so a retried alert overwrites the same object.
 *
 * @example
 * snippetKeyOf('dev-1:1764150000000', 1764150000000) // 'alerts/2025/11/26/dev-1:1764150000000.json'
 */
export function snippetKeyOf(alertId: string, from: number): string {
  return alertSnippetKey(alertId, from);
}

/**
 * The SNS body of docs/ARCHITECTURE.md §3.3 for a policy decision: no samples, exactly these fields, plus
 * `calibrating: true` when the device was still learning its profile. Scores and threshold are
 * relative to the device's threshold (threshold 1) once the device has learned.
 */
export function toAlertMessage(decision: AlertDecision, modelVersion: string, calibrating = false): AlertMessage {
  return {
    type: 'beatwatch.alert',
    kind: 'beat',
    id: decision.id,
    deviceId: decision.deviceId,
    severity: decision.severity,
    from: decision.from,
    to: decision.to,
    anomalousBeats: decision.anomalousBeats,
    windowBeats: decision.windowBeats,
    maxScore: decision.maxScore,
    threshold: decision.threshold,
    modelVersion,
    snippetKey: snippetKeyOf(decision.id, decision.from),
    ...(calibrating ? { calibrating: true as const } : {}),
  };
}

/** The S3 snippet of an alert: the message plus every beat of its window with its window samples. */
export function toAlertSnippet(message: AlertMessage, decision: AlertDecision, kept: readonly KeptBeat[]): AlertSnippet {
  const wanted = new Set(decision.beatTimes);
  return { alert: message, ...(message.calibrating ? { calibrating: true as const } : {}), beats: kept.filter((b) => wanted.has(b.t)) };
}

/**
 * The SNS body of an episode event (onset or offset of a rhythm or technical episode). The id
 * is built from the device, the label and the episode's start, so a replay raises the same ids.
 *
 * @example
 * toEpisodeMessage('dev-1', { kind: 'rhythm', label: 'AFIB', phase: 'onset', severity: 'warning', start: 1000, at: 31000 }, 'v3')
 * // { kind: 'rhythm', rhythm: 'AFIB', phase: 'onset', id: 'dev-1:AFIB:1000', from: 1000, to: 31000, ... }
 */
export function toEpisodeMessage(deviceId: string, event: EpisodeEvent, modelVersion: string | null): EpisodeAlertMessage {
  const id = `${deviceId}:${event.label}:${event.start}${event.escalation ? ':critical' : ''}${event.phase === 'offset' ? ':offset' : ''}`;
  return {
    type: 'beatwatch.alert',
    kind: event.kind,
    id,
    deviceId,
    severity: event.severity,
    phase: event.phase,
    ...(event.kind === 'rhythm' ? { rhythm: event.label as RhythmLabel } : { reason: event.label as TechnicalReason }),
    from: event.start,
    to: event.at,
    modelVersion,
  };
}

/**
 * Whether a message on the alerts topic is an episode alert (rhythm or technical) rather than a
 * beat alert.
 *
 * @example
 * if (isEpisodeAlert(message)) console.log(message.phase, message.rhythm ?? message.reason);
 */
export function isEpisodeAlert(message: AnyAlertMessage): message is EpisodeAlertMessage {
  return message.kind === 'rhythm' || message.kind === 'technical';
}
