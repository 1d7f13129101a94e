import { alertSnippetKey } from '../contract/s3-layout';
import type { AlertDecision } from './alert-policy';
import type { KeptBeat } from './device-state';
import type { AlertMessage, AlertSnippet } from './ports';

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
