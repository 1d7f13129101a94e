import { MODEL_VERSION_FORM, MODEL_VERSION_PATTERN } from './ids';
/**
 * The S3 layout of docs/ARCHITECTURE.md §3.4: the keys of history, quarantine and models are built here,
 * so the archiver, the detector's adapters and the retraining job agree on them. All dates UTC.
 */

/** Prefix of the Firehose-style history archive. */
export const HISTORY_PREFIX = 'history/';
/** Prefix of quarantined records. */
export const REJECTED_PREFIX = 'rejected/';
/** Prefix of alert snippets (`alerts/YYYY/MM/DD/<alert id>.json`, see {@link alertSnippetKey}). */
export const ALERTS_PREFIX = 'alerts/';
/** Prefix where the archive (Firehose) writes the records it could not deliver to `history/`. */
export const HISTORY_ERRORS_PREFIX = 'history-errors/';
/** Prefix of model versions and the pointer. */
export const MODELS_PREFIX = 'models/';
/** Prefix of what devices learned: `devices/<deviceId>/profile.json`. */
export const DEVICES_PREFIX = 'devices/';
/** The pointer to the model the detector uses. */
export const MODEL_POINTER_KEY = `${MODELS_PREFIX}current.json`;
/**
 * Name part of history objects, like a Firehose delivery stream's name and version
 * (`<name>-<version>-YYYY-MM-DD-HH-MM-SS-<random>.gz`).
 */
export const DEFAULT_HISTORY_OBJECT_NAME = 'beatwatch-history-1';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `YYYY/MM/DD` of an epoch-ms instant. */
export function utcDayPath(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getUTCFullYear()}/${pad2(d.getUTCMonth() + 1)}/${pad2(d.getUTCDate())}`;
}

/**
 * `history/YYYY/MM/DD/HH/` of an instant (Firehose files objects by arrival hour).
 *
 * @example
 * historyHourPrefix(Date.UTC(2026, 10, 26, 19)) // 'history/2026/11/26/19/'
 */
export function historyHourPrefix(epochMs: number): string {
  return `${HISTORY_PREFIX}${utcDayPath(epochMs)}/${pad2(new Date(epochMs).getUTCHours())}/`;
}

/** `history/YYYY/MM/DD/` of an instant. */
export function historyDayPrefix(epochMs: number): string {
  return `${HISTORY_PREFIX}${utcDayPath(epochMs)}/`;
}

/**
 * Key of one history object, named like Firehose's objects:
 * `history/YYYY/MM/DD/HH/<name>-YYYY-MM-DD-HH-MM-SS-<unique>.gz`, timestamped at `epochMs`.
 *
 * @example
 * historyObjectKey(Date.UTC(2026, 10, 26, 19, 5, 7), '3f2a…')
 * // 'history/2026/11/26/19/beatwatch-history-1-2026-11-26-19-05-07-3f2a….gz'
 */
export function historyObjectKey(epochMs: number, unique: string, name = DEFAULT_HISTORY_OBJECT_NAME): string {
  const d = new Date(epochMs);
  const stamp = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}-${pad2(d.getUTCHours())}-${pad2(d.getUTCMinutes())}-${pad2(d.getUTCSeconds())}`;
  return `${historyHourPrefix(epochMs)}${name}-${stamp}-${unique}.gz`;
}

/**
 * Reads the hour a history key was filed under (`history/YYYY/MM/DD/HH/...`) as epoch ms,
 * or undefined for a key outside that layout.
 */
export function historyKeyHour(key: string): number | undefined {
  const m = /^history\/(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\//.exec(key);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Reads the timestamp in a history object's name (`...-YYYY-MM-DD-HH-MM-SS-<unique>.gz`: the
 * arrival of its oldest record, to the second) as epoch ms, or undefined for a key outside that
 * layout.
 *
 * @example
 * historyKeyTime('history/2026/11/26/19/beatwatch-history-1-2026-11-26-19-05-07-3f2a.gz') // Date.UTC(2026, 10, 26, 19, 5, 7)
 */
export function historyKeyTime(key: string): number | undefined {
  if (historyKeyHour(key) === undefined) return undefined;
  const name = key.slice(key.lastIndexOf('/') + 1);
  const m = /-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-/.exec(name);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isFinite(t) ? t : undefined;
}

/**
 * Day prefixes covering the `days` days up to `now` (oldest first): the listing plan of the
 * history reader.
 */
export function historyDayPrefixes(days: number, now: number): string[] {
  if (!Number.isFinite(days) || days <= 0) throw new RangeError(`days must be > 0, got ${days}`);
  const from = now - days * 86_400_000;
  const prefixes: string[] = [];
  for (
    let t = Date.UTC(new Date(from).getUTCFullYear(), new Date(from).getUTCMonth(), new Date(from).getUTCDate());
    t <= now;
    t += 86_400_000
  ) {
    prefixes.push(historyDayPrefix(t));
  }
  return prefixes;
}

/** Replaces characters that do not belong in a key segment (keeps ids readable and keys safe). */
export function keySegment(text: string): string {
  return text.replace(/[^A-Za-z0-9._:-]/g, '_');
}

/**
 * Key of a quarantined record: `rejected/YYYY/MM/DD/<shard>-<sequence number>.json`, dated by
 * arrival. Derived from the record's position in the stream, so a retried batch overwrites
 * the same object instead of adding a duplicate.
 */
export function rejectedKey(arrivedAt: number, recordId: string, shardId?: string): string {
  const name = shardId === undefined ? keySegment(recordId) : `${keySegment(shardId)}-${keySegment(recordId)}`;
  return `${REJECTED_PREFIX}${utcDayPath(arrivedAt)}/${name}.json`;
}

/**
 * S3 key of an alert's snippet: `alerts/YYYY/MM/DD/<alert id>.json`, dated by the alert's first
 * anomalous beat (UTC), so a retried alert overwrites the same object.
 *
 * @example
 * alertSnippetKey('dev-1:1764150000000', 1764150000000) // 'alerts/2025/11/26/dev-1:1764150000000.json'
 */
export function alertSnippetKey(alertId: string, from: number): string {
  return `${ALERTS_PREFIX}${utcDayPath(from)}/${alertId}.json`;
}

/**
 * S3 key of the marker written once an alert's SNS message went out:
 * `alerts/YYYY/MM/DD/<alert id>.sent.json`, beside its snippet. `beatwatch redrive` checks it,
 * so re-driving records whose alerts were already sent does not send them again.
 *
 * @example
 * alertSentKey('dev-1:1764150000000', 1764150000000) // 'alerts/2025/11/26/dev-1:1764150000000.sent.json'
 */
export function alertSentKey(alertId: string, from: number): string {
  return `${ALERTS_PREFIX}${utcDayPath(from)}/${alertId}.sent.json`;
}

/** Keys of one model version: `models/<version>/model.json` and `report.json`. */
export function modelVersionKeys(version: string): { model: string; report: string } {
  if (!MODEL_VERSION_PATTERN.test(version))
    throw new RangeError(`model version must look like ${MODEL_VERSION_FORM}, got ${JSON.stringify(version)}`);
  return { model: `${MODELS_PREFIX}${version}/model.json`, report: `${MODELS_PREFIX}${version}/report.json` };
}

/**
 * Key of a device's learned profile: `devices/<deviceId>/profile.json` (docs/ARCHITECTURE.md §3.4). Wire
 * device ids are already key-safe (`[A-Za-z0-9._:-]`); anything else is replaced all the same.
 *
 * @example
 * deviceProfileKey('dev-7f3a') // 'devices/dev-7f3a/profile.json'
 */
export function deviceProfileKey(deviceId: string): string {
  return `${DEVICES_PREFIX}${keySegment(deviceId)}/profile.json`;
}
