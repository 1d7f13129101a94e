import { PutRecordsCommand, type KinesisClient, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { decodeRecord } from '../src/contract';
import type { SegmenterFactory } from '../src/detect';
import type { SimulatedDevice } from '../src/local/device-simulator';
import { EcgProducer, leadBits, type PutRecordsClient } from '../src/producer';

/** ADC units per mV the fleet sends at (MIT-BIH's). */
const GAIN = 200;

/** What {@link sendFleet} put in the stream. */
export interface SentFleet {
  readonly records: number;
  readonly bytes: number;
  readonly requests: number;
  readonly deviceSeconds: number;
  /** Per device, its records exactly as they went into the stream, in order. */
  readonly payloads: Map<string, Uint8Array[]>;
}

/**
 * Sends a fleet through the producer library as a gateway would: wire format v2 (MLII, the
 * smallest records: kinesis-local's cost is per byte), records of `recordSeconds`, all devices
 * advancing together, `PutRecords` of up to 500 entries with retries. Every entry the stream
 * accepted is kept, per device, to count the beats that went in.
 *
 * @example
 * const sent = await sendFleet(aws.kinesis, streamName, devices, 5, Date.now());
 */
export async function sendFleet(
  kinesis: KinesisClient,
  streamName: string,
  devices: readonly SimulatedDevice[],
  recordSeconds: number,
  startTime: number,
): Promise<SentFleet> {
  const payloads = new Map<string, Uint8Array[]>(devices.map((d) => [d.deviceId, []]));
  const recording: PutRecordsClient = {
    async send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
      const out = await kinesis.send(command);
      const entries = command.input.Records ?? [];
      (out.Records ?? []).forEach((r, i) => {
        if (r.ErrorCode === undefined) payloads.get(entries[i].PartitionKey as string)?.push(entries[i].Data as Uint8Array);
      });
      return out;
    },
  };
  const producer = new EcgProducer({ kinesis: recording, streamName, format: 'v2', secondsPerRecord: recordSeconds });
  for (const d of devices)
    producer.addDevice({
      deviceId: d.deviceId,
      fs: d.fs,
      t0: startTime,
      leads: [{ name: 'MLII', gain: GAIN, bits: leadBits(d.signal, GAIN) }],
    });
  const longest = Math.max(...devices.map((d) => d.signal.length / d.fs));
  for (let at = 0; at < longest; at += recordSeconds) {
    for (const d of devices) {
      const from = Math.round(at * d.fs);
      const to = Math.min(d.signal.length, Math.round((at + recordSeconds) * d.fs));
      if (to > from) await producer.write(d.deviceId, [d.signal.subarray(from, to)]);
    }
  }
  await producer.close();
  return {
    records: producer.stats.delivered,
    bytes: producer.stats.bytes,
    requests: producer.stats.requests,
    deviceSeconds: devices.reduce((s, d) => s + d.signal.length / d.fs, 0),
    payloads,
  };
}

/**
 * The beats (epoch ms of each R peak) in a device's records as sent: decoded as the detector
 * decodes them and pushed through a fresh segmenter, offline (the independent count the
 * streaming path is checked against).
 *
 * @example
 * const times = beatsIn(sent.payloads.get(id) ?? [], model.segmenters);
 */
export function beatsIn(records: readonly Uint8Array[], segmenters: SegmenterFactory): number[] {
  const times: number[] = [];
  const anchors: [number, number][] = [];
  let segmenter: ReturnType<SegmenterFactory['create']> | undefined;
  let fs = 0;
  let index = 0;
  for (const data of records) {
    const decoded = decodeRecord(data);
    if (!decoded.ok) throw new Error(`a sent record does not decode: ${decoded.reason}`);
    const r = decoded.record;
    segmenter ??= segmenters.create((fs = r.fs));
    anchors.push([index, r.t0]);
    index += r.samples.length;
    for (const beat of segmenter.push(r.samples)) {
      let k = anchors.length - 1;
      while (k > 0 && anchors[k][0] > beat.rIndex) k--;
      times.push(Math.round(anchors[k][1] + ((beat.rIndex - anchors[k][0]) * 1000) / fs));
    }
  }
  return times;
}
