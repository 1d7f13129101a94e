/**
 * The detector's and the sweep's {@link PresenceStore} on the alert state table
 * (docs/ARCHITECTURE.md §3.3, §3.7): each device's item (`pk = D#<deviceId>`, `sk = #DEVICE`)
 * holds `arrivedAt` (the stream arrival of its latest record written, epoch ms), `writtenAt`
 * (when the detector wrote it: the two give its lag behind the stream) and, while a
 * `signal-lost` episode is open, `lostFrom` (and `lostSilenced` when a snooze silenced it).
 *
 * Cost: the detector writes a device's item once per `writeEveryMs` of streaming (one
 * conditional UpdateItem, together with the console's last seen and phase), the sweep queries
 * the `DEVICES` partition of the index (one page read per 1 MB of device items), and an episode
 * costs two more writes (open and close).
 */
import { GetItemCommand, QueryCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LastArrivals, LostEpisode, PresenceStore, Sighting } from '../detect';
import { DEVICE_SK, devicePk, fromItem, isConditionFailure, toItem } from './dynamo-items';
import { ALERT_STATE_INDEX } from './alert-state-store';

/** The episode an item holds, or null. */
function episodeOf(item: Record<string, unknown> | undefined): LostEpisode | null {
  return item && typeof item.lostFrom === 'number' ? { from: item.lostFrom, silenced: item.lostSilenced === true } : null;
}

/**
 * A {@link PresenceStore} over the alert state table.
 *
 * @example
 * const presence = new DynamoPresenceStore(createDynamoClient(), process.env.ALERT_TABLE!);
 * const detector = new Detector(sinks, decodeRecord, { presence });
 */
export class DynamoPresenceStore implements PresenceStore {
  constructor(
    readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  async arrived(deviceId: string, sighting: Sighting): Promise<LostEpisode | null> {
    const beat = sighting.lastBeat;
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toItem({ pk: devicePk(deviceId), sk: DEVICE_SK }),
          // The console's device row comes with it: last seen (device clock of the latest beat, or
          // the arrival until a beat is scored) and the learning phase.
          UpdateExpression:
            `SET arrivedAt = :a${sighting.writtenAt === undefined ? '' : ', writtenAt = :w'}, deviceId = :d, gsi1pk = :g, gsi1sk = :d, audit = if_not_exists(audit, :empty), ` +
            (beat ? 'lastSeen = :t, phase = :p' : 'lastSeen = if_not_exists(lastSeen, :a), phase = if_not_exists(phase, :p)'),
          ConditionExpression: 'attribute_not_exists(arrivedAt) OR arrivedAt < :a',
          ExpressionAttributeValues: toItem({
            ':a': sighting.arrivedAt,
            ...(sighting.writtenAt === undefined ? {} : { ':w': sighting.writtenAt }),
            ':d': deviceId,
            ':g': 'DEVICES',
            ':empty': [],
            ':p': beat?.phase ?? 'learning',
            ...(beat ? { ':t': beat.t } : {}),
          }),
          ReturnValues: 'ALL_OLD',
        }),
      );
      return episodeOf(out.Attributes ? fromItem(out.Attributes) : undefined);
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      // A later arrival is recorded already (a redriven range): nothing to move, but an open
      // episode is still the caller's to end.
      const item = await this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: toItem({ pk: devicePk(deviceId), sk: DEVICE_SK }),
          ProjectionExpression: 'lostFrom, lostSilenced',
          ConsistentRead: true,
        }),
      );
      return episodeOf(item.Item ? fromItem(item.Item) : undefined);
    }
  }

  async lastArrivals(): Promise<LastArrivals> {
    let latest: LastArrivals['latest'] = null;
    const open: { deviceId: string; arrivedAt: number }[] = [];
    let start: Record<string, AttributeValue> | undefined;
    // Every page: a sweep must see every device (1 MB of items per page). A filter would not read
    // less (DynamoDB bills what it reads before filtering), and the latest write needs them all.
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: ALERT_STATE_INDEX,
          KeyConditionExpression: 'gsi1pk = :g',
          ProjectionExpression: 'deviceId, arrivedAt, writtenAt, lostFrom',
          ExpressionAttributeValues: toItem({ ':g': 'DEVICES' }),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const raw of page.Items ?? []) {
        const item = fromItem(raw);
        if (typeof item.deviceId !== 'string' || typeof item.arrivedAt !== 'number') continue;
        if (typeof item.writtenAt === 'number' && item.writtenAt > (latest?.writtenAt ?? -Infinity))
          latest = { arrivedAt: item.arrivedAt, writtenAt: item.writtenAt };
        if (typeof item.lostFrom !== 'number') open.push({ deviceId: item.deviceId, arrivedAt: item.arrivedAt });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return { open, latest };
  }

  async openLost(deviceId: string, episode: LostEpisode): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toItem({ pk: devicePk(deviceId), sk: DEVICE_SK }),
          UpdateExpression: 'SET lostFrom = :f, lostSilenced = :s',
          // One winner: no episode open, and no record arrived after the silence began.
          ConditionExpression: 'attribute_exists(arrivedAt) AND attribute_not_exists(lostFrom) AND arrivedAt <= :f',
          ExpressionAttributeValues: toItem({ ':f': episode.from, ':s': episode.silenced }),
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async closeLost(deviceId: string, from: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: toItem({ pk: devicePk(deviceId), sk: DEVICE_SK }),
          UpdateExpression: 'REMOVE lostFrom, lostSilenced',
          ConditionExpression: 'lostFrom = :f',
          ExpressionAttributeValues: toItem({ ':f': from }),
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err; // already closed
    }
  }
}
