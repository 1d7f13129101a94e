/**
 * A device's share of one batch: its records in the device's order, its beats and where their
 * scores sit in the batched model call, and what the batch decided for it (alerts, episode
 * events, a profile to save) until the side effects run. Also the per-device helpers of the
 * batch: record order, latest arrival, arrivals for `signal-lost`.
 */
import type { AlertDecision } from './alert-policy';
import type { InputRecord, ScoredBeat } from './batch-result';
import type { DeviceState, DeviceStateJson, TimedBeat } from './device-state';
import type { ExplainContext } from './explain-context';
import type { DeviceProfile } from './patient-adaptation';
import type { AlertMessage, AlertSnippet, DecodedRecord } from './ports';
import type { EpisodeEvent } from './rhythm-monitor';
import type { DeviceArrival } from './signal-lost';

/** One decoded record of a device, with the input record it came in. */
export interface WorkRecord {
  readonly id: string;
  readonly record: DecodedRecord;
  readonly item: InputRecord;
}

/** A beat alert the batch raised for a device: its message, its snippet (explained before it goes out) and what the explanation needs. */
export interface RaisedAlert {
  readonly decision: AlertDecision;
  readonly message: AlertMessage;
  snippet: AlertSnippet;
  readonly context: ExplainContext;
}

/** A device's share of one batch, filled in step by step by `Detector.processBatch`. */
export interface DeviceWork {
  readonly deviceId: string;
  /** The device's state, held for the whole batch (the registry may evict it meanwhile). */
  state: DeviceState | null;
  readonly records: WorkRecord[];
  /** The device's state before the batch: a failed side effect rolls the device back to it. */
  snapshot: DeviceStateJson | null;
  beats: TimedBeat[];
  /** Index in the batched scores of the device's first beat (its beats are scored in a row). */
  firstScore: number;
  /** Per beat, the index in the batched scores of its second-lead window (-1: not scored). */
  second: number[];
  decisions: RaisedAlert[];
  /** A profile learned in this batch, to save before any alert goes out. */
  learned: DeviceProfile | null;
  /** A learned profile that changed materially in this batch, to save likewise. */
  updated: DeviceProfile | null;
  /** Rhythm and technical episode events of this batch, in order. */
  events: EpisodeEvent[];
}

/**
 * A device's work before any step ran: no records, no state, nothing decided.
 *
 * @example
 * const work = newDeviceWork('dev-1');
 * work.records.push({ id, record, item });
 */
export function newDeviceWork(deviceId: string): DeviceWork {
  return {
    deviceId,
    state: null,
    records: [],
    snapshot: null,
    beats: [],
    firstScore: 0,
    second: [],
    decisions: [],
    learned: null,
    updated: null,
    events: [],
  };
}

/**
 * Puts a device's records of a batch in the device's order: seq order, unless the stream order
 * already has increasing t0 (a device that restarted its counter within the batch: seq goes back
 * while time goes on, and sorting by seq would interleave its two runs). Kinesis keeps a
 * partition key's order; seq order repairs a producer that reordered records in one put.
 *
 * @example
 * inDeviceOrder(work.records); // sorted in place
 */
export function inDeviceOrder(records: { record: DecodedRecord }[]): void {
  let bySeq = true;
  let byTime = true;
  for (let i = 1; i < records.length; i++) {
    if (records[i].record.seq < records[i - 1].record.seq) bySeq = false;
    if (records[i].record.t0 < records[i - 1].record.t0) byTime = false;
  }
  if (!bySeq && !byTime) records.sort((a, b) => a.record.seq - b.record.seq);
}

/**
 * The latest arrival (epoch ms) of a device's records in the batch: when the device was last active.
 *
 * @example
 * const activeAt = latestArrival(work);
 */
export function latestArrival(work: Pick<DeviceWork, 'records'>): number {
  return Math.max(...work.records.map((r) => r.item.arrivedAt));
}

/**
 * Each device's latest arrival in the batch, and its latest scored beat (for the console's last
 * seen and phase).
 *
 * @example
 * const arrivals = arrivalsOf(byDevice, beats); // [{ deviceId, sighting: { arrivedAt, lastBeat? } }]
 */
export function arrivalsOf(byDevice: ReadonlyMap<string, DeviceWork>, beats: readonly ScoredBeat[]): DeviceArrival[] {
  const last = new Map<string, ScoredBeat>();
  for (const b of beats) if (b.t >= (last.get(b.deviceId)?.t ?? -Infinity)) last.set(b.deviceId, b);
  return [...byDevice.values()].map((work) => {
    const beat = last.get(work.deviceId);
    return {
      deviceId: work.deviceId,
      sighting: {
        arrivedAt: latestArrival(work),
        ...(beat ? { lastBeat: { t: beat.t, phase: beat.phase } } : {}),
      },
    };
  });
}
