import type { KinesisClient, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { cutWireRecord, recordCount, type SimulatedDevice } from './device-records';
import { chunkEntries, putRecordsReliably, type PutRetryOptions } from './put-records';

export { pseudonymousDeviceId, type SimulatedDevice } from './device-records';

/** Options of {@link simulateDevices}. */
export interface DeviceSimulatorOptions extends PutRetryOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly devices: readonly SimulatedDevice[];
  /** Seconds of signal per record (default {@link DEFAULT_RECORD_SECONDS}). */
  readonly recordSeconds?: number;
  /**
   * Playback speed: 1 = real time (a record leaves when its last sample has been "measured"),
   * N = N times faster, `max` = as fast as PutRecords goes (default 1).
   */
  readonly speed?: number | 'max';
  /** Device clock at the first sample, epoch ms (default: now). Record `t0`s count from it. */
  readonly startTime?: number;
  /** Stop after this many seconds of signal per device (default: the whole signal). */
  readonly seconds?: number;
  /**
   * Consecutive records of each device per PutRecords request (default 1). One keeps every
   * device's records in order whatever fails: a device's next record leaves only once the
   * previous one is in the stream. More cuts the per-request cost (kinesis-local spends tens of
   * ms per request) for fast replays, but a throttled entry then lands behind its successors
   * (counted in `reorderedEntries`; the detector sees a gap). Keep 1 against AWS.
   */
  readonly ticksPerRequest?: number;
  /** Decimal places of samples on the wire (default: the codec's). */
  readonly decimals?: number;
  /** Told after each tick's records are in the stream. */
  readonly onProgress?: (progress: SimulationProgress) => void;
  /** Aborts between ticks (the records already put stay in the stream). */
  readonly signal?: AbortSignal;
}

/** Progress after a tick. */
export interface SimulationProgress {
  /** Records put so far (all devices). */
  readonly records: number;
  /** Seconds of signal sent per device so far. */
  readonly signalSeconds: number;
  /** Wall ms since the start. */
  readonly elapsedMs: number;
}

/** What a simulation did. */
export interface SimulationStats {
  readonly devices: number;
  readonly records: number;
  readonly bytes: number;
  readonly requests: number;
  readonly retriedEntries: number;
  readonly throttledEntries: number;
  /** Records that reached the stream ahead of a resent predecessor (only with `ticksPerRequest` > 1). */
  readonly reorderedEntries: number;
  /** Device-seconds of signal sent. */
  readonly deviceSeconds: number;
  /** NaN samples replaced by the last valid value. */
  readonly heldSamples: number;
  readonly elapsedMs: number;
  readonly aborted: boolean;
}

/** One record per device per second, as docs/ARCHITECTURE.md's wire format assumes. */
export const DEFAULT_RECORD_SECONDS = 1;

/**
 * Replays signals as devices into a Kinesis stream: each device's signal is cut into
 * `recordSeconds` wire records (`seq` from 0, `t0` from `startTime`), partition key = device id.
 * Tick k sends record k of every device once its time has come (real time × `speed`), in
 * PutRecords requests of ≤ 500 records / 5 MiB; throttled or failed entries are retried with
 * backoff. By default a device's next record is only sent after the previous one is in the
 * stream, so retries never reorder a device's records (see `ticksPerRequest`).
 *
 * @example
 * const rec = readWfdbRecord('data/mitdb/208');
 * await simulateDevices({ kinesis: aws.kinesis, streamName, speed: 'max',
 *   devices: [{ deviceId: pseudonymousDeviceId('mitdb/208'), signal: rec.signals[0].samples, fs: rec.fs }] });
 */
export async function simulateDevices(options: DeviceSimulatorOptions): Promise<SimulationStats> {
  const recordSeconds = options.recordSeconds ?? DEFAULT_RECORD_SECONDS;
  const speed = options.speed ?? 1;
  if (!(recordSeconds > 0)) throw new RangeError(`recordSeconds must be > 0, got ${recordSeconds}`);
  if (speed !== 'max' && !(speed > 0)) throw new RangeError(`speed must be > 0 or "max", got ${speed}`);
  const startTime = options.startTime ?? Date.now();
  const ids = new Set(options.devices.map((d) => d.deviceId));
  if (ids.size !== options.devices.length) throw new Error('simulateDevices: device ids must be unique');
  const limit = options.seconds;
  const counts = options.devices.map((d) => {
    const total = recordCount(d.signal.length, d.fs, recordSeconds);
    return limit === undefined ? total : Math.min(total, Math.ceil(limit / recordSeconds));
  });
  const ticks = Math.max(0, ...counts);
  const scratch = options.devices.map((d) => new Float32Array(Math.ceil(recordSeconds * d.fs) + 1));
  const perRequest = options.ticksPerRequest ?? 1;
  if (!Number.isInteger(perRequest) || perRequest < 1) throw new RangeError(`ticksPerRequest must be an integer >= 1, got ${perRequest}`);
  const startWall = Date.now();
  let records = 0;
  let bytes = 0;
  let requests = 0;
  let retriedEntries = 0;
  let throttledEntries = 0;
  let reorderedEntries = 0;
  let deviceSeconds = 0;
  let heldSamples = 0;
  let aborted = false;
  for (let first = 0; first < ticks; first += perRequest) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    const last = Math.min(ticks, first + perRequest) - 1;
    if (speed !== 'max') {
      // Record `last` is complete once its last sample has been measured.
      const due = startWall + ((last + 1) * recordSeconds * 1000) / speed;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const entries: PutRecordsRequestEntry[] = [];
    for (let seq = first; seq <= last; seq++) {
      options.devices.forEach((device, i) => {
        if (seq >= counts[i]) return;
        const cut = cutWireRecord(
          device,
          seq,
          startTime,
          recordSeconds,
          scratch[i],
          options.decimals === undefined ? {} : { decimals: options.decimals },
        );
        heldSamples += cut.held;
        deviceSeconds += cut.samples / device.fs;
        const data = Buffer.from(cut.text, 'utf8');
        bytes += data.byteLength;
        entries.push({ PartitionKey: device.deviceId, Data: data });
      });
    }
    for (const group of chunkEntries(entries)) {
      const r = await putRecordsReliably(options.kinesis, options.streamName, group, options);
      requests += r.requests;
      retriedEntries += r.retriedEntries;
      throttledEntries += r.throttledEntries;
      reorderedEntries += r.reorderedEntries;
    }
    records += entries.length;
    options.onProgress?.({ records, signalSeconds: (last + 1) * recordSeconds, elapsedMs: Date.now() - startWall });
  }
  return {
    devices: options.devices.length,
    records,
    bytes,
    requests,
    retriedEntries,
    throttledEntries,
    reorderedEntries,
    deviceSeconds,
    heldSamples,
    elapsedMs: Date.now() - startWall,
    aborted,
  };
}
