/**
 * The producer library: what a gateway or device written in TypeScript/JavaScript uses to send
 * ECG into the stream (docs/ARCHITECTURE.md §3.1, §4). It keeps each device's `seq`, cuts each
 * device's signal into records of N seconds, encodes them as wire format v1 or v2, and sends
 * them with `PutRecords` (≤ 500 records, ≤ 5 MiB per request), retrying throttled or failed
 * entries with exponential back-off and jitter.
 *
 * Delivery is at-least-once with a stable `seq`: a failed entry is resent with the same `seq`
 * and the same bytes, never re-encoded, and a device has at most one record in flight per
 * request, so its own retries can neither lose, duplicate nor reorder its records.
 */
import { PutRecordsCommand, type PutRecordsCommandOutput, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { createRandom } from '../random';
import { chooseLead } from '../ecg';
import { encodeWireRecord, encodeWireRecordV2, type WireV2Coding, MAX_RECORD_SECONDS, checkDeviceId } from '../contract';

/** PutRecords limits: 500 entries and 5 MiB (data plus partition keys) per request. */
export const PUT_RECORDS_MAX_ENTRIES = 500;
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;

/** The one call the producer makes; a `KinesisClient` is one, tests wrap it to inject failures. */
export interface PutRecordsClient {
  send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput>;
}

/** One lead of a device's signal. */
export interface ProducerLead {
  /** Lead name (`MLII`, `V1`); v1 records carry the lead `chooseLead` picks (MLII first). */
  readonly name: string;
  /** ADC units per mV: the device's resolution (v2 sends integers at it; v1 sends adu with it). */
  readonly gain: number;
  /** ADC bits (2-24, default 16). */
  readonly bits?: number;
}

/** A device the producer sends for. */
export interface ProducerDevice {
  /** Pseudonymous device id, also the partition key. */
  readonly deviceId: string;
  /** Sampling rate, Hz. */
  readonly fs: number;
  /** Epoch ms of the device's first sample; record `t0`s count from it. */
  readonly t0: number;
  readonly leads: readonly ProducerLead[];
  /** `seq` of the device's first record (default 0): a restarted gateway continues where it stopped. */
  readonly firstSeq?: number;
}

/** Options of {@link EcgProducer}. */
export interface ProducerOptions {
  readonly kinesis: PutRecordsClient;
  readonly streamName: string;
  /** Wire format (default `v2`). */
  readonly format?: 'v1' | 'v2';
  /** v2 sample coding (default: the encoder's). */
  readonly coding?: WireV2Coding;
  /** Seconds of signal per record (default 1, at most 60). Longer records cost less, alert later. */
  readonly secondsPerRecord?: number;
  /** Retries of one record before {@link EcgProducer.flush} throws (default 8). */
  readonly maxRetries?: number;
  /** First back-off, ms (default 100); doubles per retry up to `maxDelayMs` (default 5000). */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Seed of the jitter (default 1); or a whole random source in [0, 1). */
  readonly seed?: number;
  readonly random?: () => number;
  /** How to wait (default `setTimeout`); tests pass a fake clock. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Records queued before `write` flushes by itself (default 500). */
  readonly highWaterRecords?: number;
  /** Told about each retry round (throttling is expected under load, not an error). */
  readonly onRetry?: (info: { attempt: number; failed: number; reason: string; delayMs: number }) => void;
  /**
   * What to do when the endpoint cannot be reached at all (connection refused, unknown host, no
   * route): `retry` (default: a gateway rides out a network outage, up to `maxRetries`) or
   * `throw` at once an {@link EndpointUnreachableError} (a command line: a wrong `--endpoint` is
   * not going to start answering).
   */
  readonly onUnreachable?: 'retry' | 'throw';
}

/**
 * Node's error codes for a request that never reached the service, in words. The SDK has
 * already retried each of them a few times by the time the producer sees it.
 */
const UNREACHABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EADDRNOTAVAIL: 'address not available',
};

/**
 * The Kinesis endpoint could not be reached (`onUnreachable: 'throw'`). `code` is Node's error
 * code (`ECONNREFUSED`), `address` what was dialled when Node says (`127.0.0.1:9`, a host name).
 */
export class EndpointUnreachableError extends Error {
  override readonly name = 'EndpointUnreachableError';
  /** What happened, in words and code: `connection refused (ECONNREFUSED)`. */
  readonly reason: string;
  constructor(
    readonly code: string,
    readonly address: string | undefined,
    options: { cause: unknown },
  ) {
    const reason = `${UNREACHABLE[code] ?? code} (${code})`;
    super(address === undefined ? reason : `${reason} at ${address}`, options);
    this.reason = reason;
  }
}

/** Node's error code of a failed request, when it has one. */
function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Where a network error says it was going: `host:port`, a host name, or nothing. */
function dialled(err: unknown): string | undefined {
  const e = err as { address?: unknown; port?: unknown; hostname?: unknown } | null;
  if (typeof e?.address === 'string') return typeof e.port === 'number' ? `${e.address}:${e.port}` : e.address;
  return typeof e?.hostname === 'string' ? e.hostname : undefined;
}

/** Counters of a producer since it was created. */
export interface ProducerStats {
  /** Records encoded (queued or sent). */
  records: number;
  /** Records in the stream. */
  delivered: number;
  /** Bytes of the records encoded. */
  bytes: number;
  requests: number;
  /** Entries sent again after a failure. */
  retriedEntries: number;
  throttledEntries: number;
  /** Samples that were not finite (NaN) and were sent as the lead's last value. */
  heldSamples: number;
}

interface QueuedRecord {
  readonly seq: number;
  readonly data: Uint8Array;
  failures: number;
}

/** Per-device state: the signal not yet cut into records, and the records not yet sent. */
interface DeviceState {
  readonly device: ProducerDevice;
  /** Per lead: samples in mV not yet in a record, in a growable buffer. */
  readonly buffers: Float64Array[];
  /** Samples buffered (same for every lead). */
  length: number;
  /** Device sample index of `buffers[*][0]`. */
  offset: number;
  /** Next record index (seq = firstSeq + index). */
  index: number;
  /** Last finite value of each lead (held over NaN). */
  readonly last: Float64Array;
  readonly queue: QueuedRecord[];
  /** Lead a v1 record carries. */
  readonly v1Lead: number;
}

/** Errors no retry fixes (a missing stream, a malformed request, no permission). */
const FATAL = new Set(['ResourceNotFoundException', 'ValidationException', 'InvalidArgumentException', 'AccessDeniedException']);

/**
 * Sends the ECG of many devices into a Kinesis stream as wire records.
 *
 * @example
 * const producer = new EcgProducer({ kinesis: new KinesisClient({}), streamName: 'ecg', format: 'v2', secondsPerRecord: 5 });
 * producer.addDevice({ deviceId: 'dev-7f3a', fs: 360, t0: Date.now(), leads: [{ name: 'MLII', gain: 200, bits: 11 }] });
 * await producer.write('dev-7f3a', [mlii]);   // any number of samples, each call
 * await producer.close();                     // the last partial record too
 */
export class EcgProducer {
  readonly stats: ProducerStats = {
    records: 0,
    delivered: 0,
    bytes: 0,
    requests: 0,
    retriedEntries: 0,
    throttledEntries: 0,
    heldSamples: 0,
  };
  private readonly devices = new Map<string, DeviceState>();
  private readonly format: 'v1' | 'v2';
  private readonly secondsPerRecord: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private queued = 0;

  constructor(private readonly options: ProducerOptions) {
    this.format = options.format ?? 'v2';
    if (this.format !== 'v1' && this.format !== 'v2') throw new RangeError(`format must be "v1" or "v2", got ${String(this.format)}`);
    this.secondsPerRecord = options.secondsPerRecord ?? 1;
    if (!(this.secondsPerRecord > 0 && this.secondsPerRecord <= MAX_RECORD_SECONDS))
      throw new RangeError(`secondsPerRecord must be in (0, ${MAX_RECORD_SECONDS}], got ${this.secondsPerRecord}`);
    const rng = createRandom(options.seed ?? 1);
    this.random = options.random ?? (() => rng.next());
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /**
   * Registers a device (its rate, lead names and resolution, clock and first `seq`). Throws a
   * `RangeError` when the device is already known or a v1 record could not carry it.
   */
  addDevice(device: ProducerDevice): void {
    if (this.devices.has(device.deviceId)) throw new RangeError(`device ${device.deviceId} is already registered`);
    const badId = checkDeviceId(device.deviceId);
    if (badId) throw new RangeError(badId.reason);
    if (device.leads.length === 0) throw new RangeError('a device needs at least one lead');
    const perRecord = Math.ceil(this.secondsPerRecord * device.fs) + 1;
    const { index: v1Lead } = chooseLead({
      leads: device.leads.map((l) => ({ name: l.name, unit: 'mV' as const, samples: new Float32Array(0) })),
    });
    this.devices.set(device.deviceId, {
      device,
      buffers: device.leads.map(() => new Float64Array(Math.max(16, perRecord))),
      length: 0,
      offset: 0,
      index: 0,
      last: new Float64Array(device.leads.length),
      queue: [],
      v1Lead,
    });
  }

  /**
   * Appends samples (mV, one array per lead, all the same length) to a device's signal; every
   * record that is complete is encoded and queued. Flushes by itself when the queue is full.
   */
  async write(deviceId: string, leads: readonly ArrayLike<number>[]): Promise<void> {
    const state = this.state(deviceId);
    if (leads.length !== state.buffers.length)
      throw new RangeError(`device ${deviceId} has ${state.buffers.length} leads, ${leads.length} given`);
    const n = leads[0].length;
    for (const l of leads) if (l.length !== n) throw new RangeError('every lead of a write needs the same number of samples');
    this.reserve(state, state.length + n);
    for (let j = 0; j < leads.length; j++) {
      const buffer = state.buffers[j];
      const src = leads[j];
      let last = state.last[j];
      for (let i = 0; i < n; i++) {
        const x = src[i];
        // A device holds its output over a sample it could not measure (WFDB marks them NaN).
        if (Number.isFinite(x)) last = x;
        else this.stats.heldSamples++;
        buffer[state.length + i] = last;
      }
      state.last[j] = last;
    }
    state.length += n;
    this.cut(state, false);
    if (this.queued >= (this.options.highWaterRecords ?? PUT_RECORDS_MAX_ENTRIES)) await this.flush();
  }

  /** Sends every queued record; resolves once all are in the stream, throws after `maxRetries`. */
  async flush(): Promise<void> {
    let attempt = 0;
    for (;;) {
      const batch = this.nextBatch();
      if (batch.length === 0) return;
      const failed = await this.put(batch);
      if (failed.count === 0) {
        attempt = 0;
        continue;
      }
      const worst = Math.max(...batch.filter((b) => b.failed).map((b) => b.record.failures));
      const maxRetries = this.options.maxRetries ?? 8;
      if (worst > maxRetries)
        throw new Error(
          `PutRecords to ${this.options.streamName}: ${failed.count} records still failing after ${maxRetries} retries (${failed.reason})`,
        );
      // Exponential back-off with "equal jitter": half the step fixed, half random, so a fleet of
      // gateways throttled together does not come back together.
      const step = Math.min(this.options.maxDelayMs ?? 5000, (this.options.baseDelayMs ?? 100) * 2 ** attempt);
      const delayMs = step / 2 + (step / 2) * this.random();
      attempt++;
      this.options.onRetry?.({ attempt, failed: failed.count, reason: failed.reason, delayMs });
      await this.sleep(delayMs);
    }
  }

  /** Queues every device's last partial record and flushes: the end of the stream. */
  async close(): Promise<void> {
    for (const state of this.devices.values()) this.cut(state, true);
    await this.flush();
  }

  /** Next `seq` of a device (the one its next record will carry), for a gateway to persist. */
  nextSeq(deviceId: string): number {
    const s = this.state(deviceId);
    return (s.device.firstSeq ?? 0) + s.index;
  }

  private state(deviceId: string): DeviceState {
    const s = this.devices.get(deviceId);
    if (!s) throw new RangeError(`device ${deviceId} is not registered (addDevice first)`);
    return s;
  }

  private reserve(state: DeviceState, size: number): void {
    if (state.buffers[0].length >= size) return;
    let capacity = state.buffers[0].length;
    while (capacity < size) capacity *= 2;
    for (let j = 0; j < state.buffers.length; j++) {
      const grown = new Float64Array(capacity);
      grown.set(state.buffers[j].subarray(0, state.length));
      state.buffers[j] = grown;
    }
  }

  /** Cuts the complete records (and with `partial` the last incomplete one) of a device. */
  private cut(state: DeviceState, partial: boolean): void {
    const { device } = state;
    let consumed = 0;
    for (;;) {
      // Boundaries from the record index, not accumulated, so non-integer fs·seconds never drifts.
      const start = Math.round(state.index * this.secondsPerRecord * device.fs) - state.offset;
      const end = Math.round((state.index + 1) * this.secondsPerRecord * device.fs) - state.offset;
      if (end > state.length && !(partial && start < state.length)) break;
      const stop = Math.min(end, state.length);
      const seq = (device.firstSeq ?? 0) + state.index;
      const t0 = device.t0 + Math.round(((state.offset + start) / device.fs) * 1000);
      const data = this.encode(state, seq, t0, start, stop);
      state.queue.push({ seq, data, failures: 0 });
      this.queued++;
      this.stats.records++;
      this.stats.bytes += data.byteLength;
      state.index++;
      consumed = stop;
      if (stop === state.length) break;
    }
    if (consumed > 0) {
      for (const b of state.buffers) b.copyWithin(0, consumed, state.length);
      state.length -= consumed;
      state.offset += consumed;
    }
  }

  private encode(state: DeviceState, seq: number, t0: number, start: number, stop: number): Uint8Array {
    const { device } = state;
    if (this.format === 'v1') {
      const text = encodeWireRecord({
        deviceId: device.deviceId,
        seq,
        t0,
        fs: device.fs,
        samples: state.buffers[state.v1Lead].subarray(start, stop),
      });
      return Buffer.from(text, 'utf8');
    }
    return encodeWireRecordV2(
      {
        deviceId: device.deviceId,
        seq,
        t0,
        fs: device.fs,
        leads: device.leads.map((l, j) => ({
          name: l.name,
          gain: l.gain,
          bits: l.bits ?? 16,
          samples: state.buffers[j].subarray(start, stop),
        })),
      },
      this.options.coding === undefined ? {} : { coding: this.options.coding },
    );
  }

  /** The head record of each device with one queued, within PutRecords' limits. */
  private nextBatch(): { state: DeviceState; record: QueuedRecord; failed: boolean }[] {
    const batch: { state: DeviceState; record: QueuedRecord; failed: boolean }[] = [];
    let bytes = 0;
    for (const state of this.devices.values()) {
      const record = state.queue[0];
      if (record === undefined) continue;
      const size = record.data.byteLength + Buffer.byteLength(state.device.deviceId, 'utf8');
      if (batch.length === PUT_RECORDS_MAX_ENTRIES || bytes + size > PUT_RECORDS_MAX_BYTES) break;
      batch.push({ state, record, failed: false });
      bytes += size;
    }
    return batch;
  }

  /** One PutRecords call; removes what arrived from the queues, marks what failed. */
  private async put(batch: { state: DeviceState; record: QueuedRecord; failed: boolean }[]): Promise<{ count: number; reason: string }> {
    const entries: PutRecordsRequestEntry[] = batch.map((b) => ({ PartitionKey: b.state.device.deviceId, Data: b.record.data }));
    this.stats.requests++;
    let out: PutRecordsCommandOutput;
    try {
      out = await this.options.kinesis.send(new PutRecordsCommand({ StreamName: this.options.streamName, Records: entries }));
    } catch (err) {
      const name = (err as Error).name;
      if (FATAL.has(name)) throw err;
      const code = errorCode(err);
      if (code !== undefined && code in UNREACHABLE && this.options.onUnreachable === 'throw')
        throw new EndpointUnreachableError(code, dialled(err), { cause: err });
      // A whole-request failure (network, throttling of the call): everything is resent.
      for (const b of batch) {
        b.failed = true;
        b.record.failures++;
      }
      this.stats.retriedEntries += batch.length;
      // A plain Error from Node's network stack says what happened in its code, not its name.
      return { count: batch.length, reason: name === 'Error' && code !== undefined ? code : name };
    }
    const results = out.Records ?? [];
    const codes = new Set<string>();
    let count = 0;
    batch.forEach((b, i) => {
      const code = results[i]?.ErrorCode ?? (results[i] === undefined ? 'NoResult' : undefined);
      if (code === undefined) {
        b.state.queue.shift();
        this.queued--;
        this.stats.delivered++;
        return;
      }
      // Kept at the head of its device's queue, same seq and bytes: resent before anything newer.
      b.failed = true;
      b.record.failures++;
      codes.add(code);
      count++;
      if (code === 'ProvisionedThroughputExceededException') this.stats.throttledEntries++;
    });
    this.stats.retriedEntries += count;
    return { count, reason: [...codes].join(', ') };
  }
}
