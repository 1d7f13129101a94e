/**
 * The alert state store (docs/ARCHITECTURE.md §3.7): one DynamoDB table holding every alert's
 * state (open or acknowledged, label, who and when, an audit trail) and every device's (last
 * seen, learning state, snooze). Snippets stay in S3; this table is what the console lists.
 *
 * Keys (one table, one index):
 * - device `pk = D#<deviceId>`, `sk = #DEVICE`; index `gsi1pk = DEVICES`, `gsi1sk = <deviceId>`
 * - alert `pk = D#<deviceId>`, `sk = A#<from, 15 digits>`; index `gsi1pk = ALERTS`, `gsi1sk = <from>#<id>`
 *
 * So "a device's alerts newest first" is a query on the table and "all alerts newest first" a
 * query on the index. Every action is a conditional write: a repeat of the same action changes
 * nothing (idempotent), and each change appends to the item's `audit` list.
 */
import {
  BatchGetItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { labelThresholdOf, type DeviceLabels } from '../contract';
import {
  type AlertMessage,
  type AlertSnippet,
  type DeviceSettings,
  type EpisodeAlertMessage,
  type RhythmLabel,
  type SnoozeSource,
  type TechnicalReason,
  RHYTHM_LABELS,
  TECHNICAL_REASONS,
} from '../detect';
import { DEVICE_SK, devicePk, fromItem, isConditionFailure, pad, toItem } from './dynamo-items';

/** Name of the table's one global secondary index. */
export const ALERT_STATE_INDEX = 'gsi1';

/** Who did something, and when (epoch ms). */
export interface Actor {
  readonly by: string;
  readonly at: number;
}

/** One entry of an item's audit trail. */
export interface AuditEntry extends Actor {
  readonly action: 'raised' | 'ended' | 'acknowledged' | 'labelled' | 'snoozed' | 'unsnoozed' | 'threshold';
  readonly detail?: string;
}

/** The alert kinds of the alert contract (docs/ARCHITECTURE.md §3.3). */
export type AlertKind = 'beat' | 'rhythm' | 'technical';

/** Every {@link AlertKind} (the console's filter). */
export const ALERT_KINDS: readonly AlertKind[] = Object.freeze(['beat', 'rhythm', 'technical'] as AlertKind[]);

/**
 * An alert's state as the console sees it: a beat alert (its beats and snippet), or a rhythm or
 * technical episode (one item per onset; its offset marks it ended).
 */
export interface AlertItem {
  readonly id: string;
  readonly deviceId: string;
  readonly severity: 'warning' | 'critical';
  /** `beat`, `rhythm` or `technical`, as in the SNS message. */
  readonly kind: AlertKind;
  /** Beat alerts: the kind of most of its flagged beats (`ventricular`, `premature`, ...). */
  readonly beatKind?: string;
  /** Rhythm alerts: the rhythm (`AFIB`, `VT`, ...). */
  readonly rhythm?: RhythmLabel;
  /** Technical alerts: the reason (`lead-off`, `noise`, `saturation`, `signal-lost`). */
  readonly reason?: TechnicalReason;
  /** Episodes: `onset` while it lasts, `offset` once it ended (at `endedAt`). */
  readonly phase?: 'onset' | 'offset';
  readonly endedAt?: number;
  readonly status: 'open' | 'acknowledged';
  /** When the episode or the first anomalous beat began (epoch ms, device clock). */
  readonly from: number;
  /** The beat that opened the alert, or when an episode's onset was decided. */
  readonly to: number;
  /** Beat alerts only: scores relative to the device's threshold, the beats, the snippet. */
  readonly maxScore?: number;
  readonly threshold?: number;
  readonly anomalousBeats?: number;
  readonly windowBeats?: number;
  /** The model in service when it was raised (null for `signal-lost`, raised without one). */
  readonly modelVersion: string | null;
  readonly snippetKey?: string;
  readonly calibrating?: boolean;
  /** The explanation's one-line summary and cause, for lists. */
  readonly summary?: string;
  readonly cause?: string;
  readonly acknowledged?: Actor;
  /** `true`: a true alarm; `false`: a false alarm. */
  readonly label?: Actor & { readonly value: boolean; readonly note: string };
  readonly audit: AuditEntry[];
}

/** A device's state. */
export interface DeviceItem {
  readonly deviceId: string;
  /** A display label (the demo's record name); absent in production, where ids are pseudonyms. */
  readonly label?: string;
  /** Device-clock epoch ms of its latest beat seen by the detector (written at most every 30 s of signal). */
  readonly lastSeen: number;
  readonly phase: 'learning' | 'learned';
  readonly snoozedUntil?: number;
  readonly snooze?: Actor;
  /** What labels did to its threshold (docs/ARCHITECTURE.md §3.9), written by retraining. */
  readonly labels?: DeviceLabels;
  readonly openAlerts: number;
  readonly audit: AuditEntry[];
}

/** Filters of {@link AlertStateStore.listAlerts}. */
export interface AlertFilter {
  readonly deviceId?: string;
  readonly severity?: 'warning' | 'critical';
  readonly kind?: AlertKind;
  readonly status?: 'open' | 'acknowledged';
  /** At most this many (default 100, at most 500). */
  readonly limit?: number;
}

/** Thrown for an alert or device the table does not hold. */
export class NotFoundError extends Error {
  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'NotFoundError';
  }
}

/**
 * The device and time of a beat alert id (`<deviceId>:<from>`, docs/ARCHITECTURE.md §3.3), or
 * null when it is not one.
 *
 * @example
 * parseAlertId('dev-1:1764150000000') // { deviceId: 'dev-1', from: 1764150000000 }
 */
export function parseAlertId(id: string): { deviceId: string; from: number } | null {
  const i = id.lastIndexOf(':');
  if (i <= 0) return null;
  const from = Number(id.slice(i + 1));
  if (!/^\d{1,15}$/.test(id.slice(i + 1)) || !Number.isSafeInteger(from)) return null;
  return { deviceId: id.slice(0, i), from };
}

const EPISODE_LABELS = new Set<string>([...RHYTHM_LABELS, ...TECHNICAL_REASONS]);

/** Where an alert item lives: its partition and sort key. */
interface AlertKey {
  readonly deviceId: string;
  readonly from: number;
  readonly sk: string;
}

/**
 * The table keys an alert id may name, most specific first: an episode onset
 * (`<deviceId>:<rhythm|reason>:<from>[:critical]`, sort key `A#<from>#<label>[#critical]`) and a
 * beat alert (`<deviceId>:<from>`, sort key `A#<from>`). A device id may itself contain `:`, so
 * an id of the episode form can also be a beat alert of a device named `<x>:<label>`: both are
 * candidates, and the one that exists is the alert.
 *
 * @example
 * alertKeys('dev-1:AFIB:1764150000000').map((k) => k.sk) // ['A#001764150000000#AFIB', 'A#001764150000000']
 */
export function alertKeys(id: string): AlertKey[] {
  const out: AlertKey[] = [];
  const m = /^(.+):([A-Za-z-]+):(\d{1,15})(:critical)?$/.exec(id);
  if (m && EPISODE_LABELS.has(m[2]) && Number.isSafeInteger(Number(m[3])))
    out.push({ deviceId: m[1], from: Number(m[3]), sk: `A#${pad(Number(m[3]))}#${m[2]}${m[4] ? '#critical' : ''}` });
  const beat = parseAlertId(id);
  if (beat) out.push({ ...beat, sk: `A#${pad(beat.from)}` });
  return out;
}

/** Most frequent kind of the anomalous beats of a snippet (ties: the first seen). */
function kindOf(snippet: AlertSnippet): string {
  const counts = new Map<string, number>();
  for (const b of snippet.beats) if (b.anomalous) counts.set(b.kind ?? 'anomalous', (counts.get(b.kind ?? 'anomalous') ?? 0) + 1);
  let best = 'anomalous';
  let n = 0;
  for (const [k, c] of counts)
    if (c > n) {
      best = k;
      n = c;
    }
  return best;
}

function alertOf(raw: Record<string, unknown>): AlertItem {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest } = raw;
  // Items written before the alert kinds (issue 13) held the beat kind in `kind`.
  if (typeof rest.kind === 'string' && !(ALERT_KINDS as readonly string[]).includes(rest.kind))
    return { ...rest, kind: 'beat', beatKind: rest.kind } as unknown as AlertItem;
  return rest as unknown as AlertItem;
}

/** Words for an episode, for lists (`Atrial fibrillation`, `Lead off`). */
const EPISODE_WORDS: Record<RhythmLabel | TechnicalReason, string> = {
  AFIB: 'Atrial fibrillation',
  AFL: 'Atrial flutter',
  VT: 'Ventricular tachycardia',
  VFL: 'Ventricular flutter/fibrillation',
  BIGEMINY: 'Ventricular bigeminy',
  TRIGEMINY: 'Ventricular trigeminy',
  ASYSTOLE: 'Asystole',
  BRADY: 'Extreme bradycardia',
  TACHY: 'Extreme tachycardia',
  'lead-off': 'Lead off',
  noise: 'Noisy signal',
  saturation: 'Clipped signal',
  'signal-lost': 'Signal lost',
};

/** Options of {@link createDynamoClient}. */
export interface DynamoClientOptions {
  /** Emulator endpoint (else `AWS_ENDPOINT_URL_DYNAMODB`, then `AWS_ENDPOINT_URL`, from `env`). */
  readonly endpoint?: string;
  readonly region?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A DynamoDB client for AWS, or for the local emulator (dynalite) when an endpoint is given:
 * HTTP/1.1 and dummy credentials unless real ones are configured, as for the other emulators.
 *
 * @example
 * const dynamo = createDynamoClient({ endpoint: 'http://127.0.0.1:4567' });
 */
export function createDynamoClient(options: DynamoClientOptions = {}): DynamoDBClient {
  const env = options.env ?? process.env;
  const endpoint = options.endpoint ?? env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL;
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined);
  if (endpoint === undefined) return new DynamoDBClient({ region });
  const real = env.AWS_ACCESS_KEY_ID !== undefined || env.AWS_PROFILE !== undefined;
  return new DynamoDBClient({
    region,
    endpoint,
    requestHandler: new NodeHttpHandler(),
    ...(real ? {} : { credentials: { accessKeyId: 'beatwatch-local', secretAccessKey: 'beatwatch-local' } }),
  });
}

/**
 * Creates the table as the stack defines it (on demand, the one index); for the local stack.
 *
 * @example
 * await createAlertStateTable(dynamo, 'beatwatch-alert-state');
 */
export async function createAlertStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: ALERT_STATE_INDEX,
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
}

/**
 * The alert state store over one DynamoDB table. Also the detector's {@link SnoozeSource}.
 *
 * @example
 * const store = new AlertStateStore(createDynamoClient(), process.env.ALERT_TABLE!);
 * await store.acknowledge('dev-1:1764150000000', { by: 'dr.lee', at: Date.now() }); // { changed: true, alert }
 */
export class AlertStateStore implements SnoozeSource {
  constructor(
    readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  /** Records a raised alert; a retried alert (same id) changes nothing. */
  async putAlert(message: AlertMessage, snippet: AlertSnippet, at = Date.now()): Promise<void> {
    const item: AlertItem = {
      id: message.id,
      deviceId: message.deviceId,
      severity: message.severity,
      kind: 'beat',
      beatKind: kindOf(snippet),
      status: 'open',
      from: message.from,
      to: message.to,
      maxScore: message.maxScore,
      threshold: message.threshold,
      anomalousBeats: message.anomalousBeats,
      windowBeats: message.windowBeats,
      modelVersion: message.modelVersion,
      snippetKey: message.snippetKey,
      ...(message.calibrating ? { calibrating: true } : {}),
      ...(snippet.explanation
        ? {
            summary: snippet.explanation.summary,
            cause: snippet.explanation.flagged.some((f) => f.cause !== 'timing') ? 'shape' : 'timing',
          }
        : {}),
      audit: [{ action: 'raised', by: 'detector', at }],
    };
    await this.putAlertOnce(message.deviceId, `A#${pad(message.from)}`, item);
  }

  /** Writes an alert's item unless it is already there (a retried batch records nothing twice). */
  private async putAlertOnce(deviceId: string, sk: string, item: AlertItem): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem({ pk: devicePk(deviceId), sk, gsi1pk: 'ALERTS', gsi1sk: `${pad(item.from)}#${item.id}`, ...item }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  /**
   * Records a rhythm or technical episode: its onset as an open alert (a retried onset changes
   * nothing), its offset by marking the onset's item, and a critical escalation's, ended (a
   * repeated offset changes nothing; an offset whose onset was never recorded, e.g. snoozed,
   * records nothing).
   */
  async putEpisode(message: EpisodeAlertMessage, at = Date.now()): Promise<void> {
    const label = (message.rhythm ?? message.reason) as RhythmLabel | TechnicalReason;
    if (message.phase === 'onset') {
      const escalation = message.id.endsWith(':critical');
      const item: AlertItem = {
        id: message.id,
        deviceId: message.deviceId,
        severity: message.severity,
        kind: message.kind,
        ...(message.rhythm ? { rhythm: message.rhythm } : {}),
        ...(message.reason ? { reason: message.reason } : {}),
        phase: 'onset',
        status: 'open',
        from: message.from,
        to: message.to,
        modelVersion: message.modelVersion,
        summary: `${EPISODE_WORDS[label] ?? label}${escalation ? ' (critical)' : ''}`,
        audit: [{ action: 'raised', by: 'detector', at }],
      };
      await this.putAlertOnce(message.deviceId, `A#${pad(message.from)}#${label}${escalation ? '#critical' : ''}`, item);
      return;
    }
    for (const suffix of ['', '#critical']) {
      try {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: toItem({ pk: devicePk(message.deviceId), sk: `A#${pad(message.from)}#${label}${suffix}` }),
            UpdateExpression: 'SET phase = :off, endedAt = :to, audit = list_append(audit, :entry)',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(endedAt)',
            ExpressionAttributeValues: toItem({
              ':off': 'offset',
              ':to': message.to,
              ':entry': [{ action: 'ended', by: 'detector', at, detail: new Date(message.to).toISOString() }],
            }),
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err; // no such onset, or already ended
      }
    }
  }

  /** Notes that a device was seen (its latest beat, learning state); never moves `lastSeen` back. */
  async seen(deviceId: string, state: { lastSeen: number; phase: 'learning' | 'learned'; label?: string }): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toItem({ pk: devicePk(deviceId), sk: DEVICE_SK }),
          UpdateExpression: `SET lastSeen = :t, phase = :p, deviceId = :d, gsi1pk = :g, gsi1sk = :d, audit = if_not_exists(audit, :empty)${state.label ? ', label = :l' : ''}`,
          ConditionExpression: 'attribute_not_exists(lastSeen) OR lastSeen < :t',
          ExpressionAttributeValues: toItem({
            ':t': state.lastSeen,
            ':p': state.phase,
            ':d': deviceId,
            ':g': 'DEVICES',
            ':empty': [],
            ...(state.label ? { ':l': state.label } : {}),
          }),
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err; // a later sighting is already recorded
    }
  }

  /** Every device, with its count of open alerts. */
  async listDevices(): Promise<DeviceItem[]> {
    const raw = await this.queryAll(
      { IndexName: ALERT_STATE_INDEX, KeyConditionExpression: 'gsi1pk = :g', ExpressionAttributeValues: toItem({ ':g': 'DEVICES' }) },
      1000,
    );
    return Promise.all(
      raw.map(async (d) => {
        const open = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)',
            FilterExpression: '#s = :open',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: toItem({ ':pk': devicePk(d.deviceId as string), ':a': 'A#', ':open': 'open' }),
            Select: 'COUNT',
          }),
        );
        const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest } = d;
        return { ...(rest as unknown as DeviceItem), openAlerts: open.Count ?? 0 };
      }),
    );
  }

  /** Alerts newest first, filtered. */
  async listAlerts(filter: AlertFilter = {}): Promise<AlertItem[]> {
    const limit = Math.min(500, Math.max(1, filter.limit ?? 100));
    const conds: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    if (filter.severity) {
      conds.push('severity = :sev');
      values[':sev'] = filter.severity;
    }
    if (filter.kind === 'beat') {
      // Beat alerts written before the alert kinds hold their beat kind in `kind`.
      conds.push('NOT (kind IN (:rhythm, :technical))');
      values[':rhythm'] = 'rhythm';
      values[':technical'] = 'technical';
    } else if (filter.kind) {
      conds.push('kind = :kind');
      values[':kind'] = filter.kind;
    }
    if (filter.status) {
      conds.push('#s = :st');
      names['#s'] = 'status';
      values[':st'] = filter.status;
    }
    const key = filter.deviceId
      ? { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :a)', v: { ':pk': devicePk(filter.deviceId), ':a': 'A#' } }
      : { IndexName: ALERT_STATE_INDEX, KeyConditionExpression: 'gsi1pk = :g', v: { ':g': 'ALERTS' } };
    const raw = await this.queryAll(
      {
        ...(key.IndexName ? { IndexName: key.IndexName } : {}),
        KeyConditionExpression: key.KeyConditionExpression,
        ...(conds.length > 0 ? { FilterExpression: conds.join(' AND ') } : {}),
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: toItem({ ...key.v, ...values }),
        ScanIndexForward: false,
      },
      limit,
    );
    return raw.map(alertOf);
  }

  /** One alert; throws {@link NotFoundError}. */
  async getAlert(id: string): Promise<AlertItem> {
    for (const key of alertKeys(id)) {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: toItem({ pk: devicePk(key.deviceId), sk: key.sk }), ConsistentRead: true }),
      );
      if (out.Item && out.Item.id?.S === id) return alertOf(fromItem(out.Item));
    }
    throw new NotFoundError(`alert ${JSON.stringify(id)}`);
  }

  /** The key of the alert `id` names: the only candidate, or the one that exists. */
  private async keyOf(id: string): Promise<AlertKey> {
    const keys = alertKeys(id);
    if (keys.length === 0) throw new NotFoundError(`alert ${JSON.stringify(id)}`);
    if (keys.length === 1) return keys[0];
    for (const key of keys) {
      const out = await this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: toItem({ pk: devicePk(key.deviceId), sk: key.sk }),
          ProjectionExpression: 'id',
          ConsistentRead: true,
        }),
      );
      if (out.Item?.id?.S === id) return key;
    }
    throw new NotFoundError(`alert ${JSON.stringify(id)}`);
  }

  /** Acknowledges an alert once: a second acknowledgement changes nothing and reports `changed: false`. */
  async acknowledge(id: string, actor: Actor): Promise<{ changed: boolean; alert: AlertItem }> {
    return this.update(id, {
      UpdateExpression: 'SET #s = :ack, acknowledged = :actor, audit = list_append(audit, :entry)',
      ConditionExpression: 'attribute_exists(pk) AND #s = :open',
      ExpressionAttributeNames: { '#s': 'status' },
      values: {
        ':ack': 'acknowledged',
        ':open': 'open',
        ':actor': { by: actor.by, at: actor.at },
        ':entry': [{ action: 'acknowledged', by: actor.by, at: actor.at }],
      },
    });
  }

  /**
   * Labels an alert a true or a false alarm (with an optional note); acknowledges it too if it
   * was open. The same label and note again change nothing; a different one is recorded (audited).
   */
  async label(id: string, value: boolean, note: string, actor: Actor): Promise<{ changed: boolean; alert: AlertItem }> {
    return this.update(id, {
      UpdateExpression:
        'SET label = :label, acknowledged = if_not_exists(acknowledged, :actor), #s = :ack, audit = list_append(audit, :entry)',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(label) OR label.#v <> :v OR label.note <> :note)',
      ExpressionAttributeNames: { '#s': 'status', '#v': 'value' },
      values: {
        ':label': { value, note, by: actor.by, at: actor.at },
        ':v': value,
        ':note': note,
        ':ack': 'acknowledged',
        ':actor': { by: actor.by, at: actor.at },
        ':entry': [
          { action: 'labelled', by: actor.by, at: actor.at, detail: `${value ? 'true' : 'false'} alarm${note ? `: ${note}` : ''}` },
        ],
      },
    });
  }

  /**
   * Snoozes a device's warnings until `until` (epoch ms; 0 or past = unsnooze). The same `until`
   * again changes nothing. Critical alerts are never snoozed (the detector's rule).
   */
  async snooze(deviceId: string, until: number, actor: Actor): Promise<{ changed: boolean; device: DeviceItem }> {
    const action = until > actor.at ? 'snoozed' : 'unsnoozed';
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toItem({ pk: devicePk(deviceId), sk: DEVICE_SK }),
          UpdateExpression: 'SET snoozedUntil = :u, snooze = :actor, audit = list_append(audit, :entry)',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(snoozedUntil) OR snoozedUntil <> :u)',
          ExpressionAttributeValues: toItem({
            ':u': until,
            ':actor': { by: actor.by, at: actor.at },
            ':entry': [{ action, by: actor.by, at: actor.at, detail: new Date(until).toISOString() }],
          }),
        }),
      );
      return { changed: true, device: await this.getDevice(deviceId) };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return { changed: false, device: await this.getDevice(deviceId) };
    }
  }

  /** One device; throws {@link NotFoundError}. */
  async getDevice(deviceId: string): Promise<DeviceItem> {
    const out = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: toItem({ pk: devicePk(deviceId), sk: DEVICE_SK }), ConsistentRead: true }),
    );
    if (!out.Item) throw new NotFoundError(`device ${JSON.stringify(deviceId)}`);
    const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest } = fromItem(out.Item);
    return { ...(rest as unknown as Omit<DeviceItem, 'openAlerts'>), openAlerts: 0 };
  }

  /** The detector's {@link SnoozeSource}: snoozes only (see {@link AlertStateStore.deviceSettings}). */
  async snoozedUntil(deviceIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const out = new Map<string, number>();
    for (const [id, s] of await this.deviceSettings(deviceIds)) if (s.snoozedUntil !== undefined) out.set(id, s.snoozedUntil);
    return out;
  }

  /** The detector's settings read: each device's snooze and label threshold, one batched read for a batch's devices. */
  async deviceSettings(deviceIds: readonly string[]): Promise<ReadonlyMap<string, DeviceSettings>> {
    const out = new Map<string, DeviceSettings>();
    for (let i = 0; i < deviceIds.length; i += 100) {
      let keys: Record<string, AttributeValue>[] | undefined = deviceIds
        .slice(i, i + 100)
        .map((id) => toItem({ pk: devicePk(id), sk: DEVICE_SK }));
      for (let round = 0; keys && keys.length > 0 && round < 5; round++) {
        const res: import('@aws-sdk/client-dynamodb').BatchGetItemCommandOutput = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.tableName]: { Keys: keys, ProjectionExpression: 'deviceId, snoozedUntil, labels' } },
          }),
        );
        for (const item of res.Responses?.[this.tableName] ?? []) {
          const o = fromItem(item);
          if (typeof o.deviceId !== 'string') continue;
          const threshold = labelThresholdOf(o.labels);
          const settings: DeviceSettings = {
            ...(typeof o.snoozedUntil === 'number' ? { snoozedUntil: o.snoozedUntil } : {}),
            ...(threshold !== null ? { threshold } : {}),
          };
          if (Object.keys(settings).length > 0) out.set(o.deviceId, settings);
        }
        keys = res.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return out;
  }

  /**
   * Stores what labels did to a device (retraining, docs/ARCHITECTURE.md §3.9), audited. False
   * when the table has no item for the device (the detector never saw it).
   */
  async setDeviceLabels(deviceId: string, labels: DeviceLabels, actor: Actor): Promise<boolean> {
    const before = labelThresholdOf((await this.getDevice(deviceId).catch(() => null))?.labels) ?? 1;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toItem({ pk: devicePk(deviceId), sk: DEVICE_SK }),
          UpdateExpression: 'SET labels = :l, audit = list_append(audit, :entry)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: toItem({
            ':l': labels,
            ':entry': [
              {
                action: 'threshold',
                by: actor.by,
                at: actor.at,
                detail: `${before.toFixed(2)} -> ${labels.threshold.toFixed(2)} (${labels.falseAlarms} false alarms, ${labels.truePositives} true)`,
              },
            ],
          }),
        }),
      );
      return true;
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return false;
    }
  }

  /** Labelled alerts (for retraining), newest first. */
  async labelledAlerts(limit = 1000): Promise<AlertItem[]> {
    const raw = await this.queryAll(
      {
        IndexName: ALERT_STATE_INDEX,
        KeyConditionExpression: 'gsi1pk = :g',
        FilterExpression: 'attribute_exists(label)',
        ExpressionAttributeValues: toItem({ ':g': 'ALERTS' }),
        ScanIndexForward: false,
      },
      limit,
    );
    return raw.map(alertOf);
  }

  private async update(
    id: string,
    u: {
      UpdateExpression: string;
      ConditionExpression: string;
      ExpressionAttributeNames: Record<string, string>;
      values: Record<string, unknown>;
    },
  ): Promise<{ changed: boolean; alert: AlertItem }> {
    const key = await this.keyOf(id);
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toItem({ pk: devicePk(key.deviceId), sk: key.sk }),
          UpdateExpression: u.UpdateExpression,
          ConditionExpression: u.ConditionExpression,
          ExpressionAttributeNames: u.ExpressionAttributeNames,
          ExpressionAttributeValues: toItem(u.values),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { changed: true, alert: alertOf(fromItem(out.Attributes ?? {})) };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // Either it does not exist (404) or the action was already done (idempotent no-op).
      return { changed: false, alert: await this.getAlert(id) };
    }
  }

  private async queryAll(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>, limit: number) {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    // Bounded: filters may skip many items, but a console list never needs more than a few pages.
    for (let page = 0; page < 20 && items.length < limit; page++) {
      const out = await this.client.send(
        new QueryCommand({ ...input, TableName: this.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      for (const it of out.Items ?? []) if (items.length < limit) items.push(fromItem(it));
      start = out.LastEvaluatedKey;
      if (!start) break;
    }
    return items;
  }
}
