import { createRandom, type Random } from '../../nn';
import { applyInputNormalization } from '../artifact';
import { BeatReservoir } from './beat-reservoir';
import type { Champion } from './champion';
import { DeviceSample } from './device-sample';
import { DeviceSignal, emptySignalCounters, type SignalCounters } from './device-signal';
import type { Beat } from '../../ecg/beat-segmenter';
import type { HistoryRecord } from './ports';

/** Limits of a {@link HistoryDatasetBuilder}. */
export interface DatasetLimits {
  readonly maxDevices: number;
  readonly maxNormalBeats: number;
  readonly maxFlaggedBeats: number;
  readonly reorderWindow: number;
  readonly seed: number;
}

/**
 * One device's sampled beats, in the model's input space (per-beat and global normalization
 * applied), with each beat's RR context `[rrPrev, rrNext]` (seconds, NaN unknown) beside it.
 */
export interface DeviceBeats {
  readonly deviceId: string;
  /** Beats the champion scored at or below the device's threshold, packed [normalCount, steps]. */
  readonly normal: Float32Array;
  readonly normalRr: Float32Array;
  readonly normalCount: number;
  /** Beats the champion flagged, packed [flaggedCount, steps]. */
  readonly flagged: Float32Array;
  readonly flaggedRr: Float32Array;
  readonly flaggedCount: number;
  /** Every beat cut from this device, and how many of them the champion flagged (before sampling). */
  readonly beatsSeen: number;
  readonly flaggedSeen: number;
}

/** What history became: sampled beats per device and the counters of the way there. */
export interface HistoryDataset {
  readonly steps: number;
  /** Devices in ascending id order. */
  readonly devices: readonly DeviceBeats[];
  readonly signal: Readonly<SignalCounters>;
  /** Distinct devices seen in history, and records of devices left out of the sample. */
  readonly devicesSeen: number;
  readonly recordsOfUnsampledDevices: number;
  /** Beats the champion scored as normal / flagged, over all sampled devices. */
  readonly beatsNormal: number;
  readonly beatsFlagged: number;
  /** Peak bytes of sampled windows held. */
  readonly peakWindowBytes: number;
}

interface Track {
  readonly id: string;
  readonly signal: DeviceSignal;
  readonly normal: BeatReservoir;
  readonly flagged: BeatReservoir;
  readonly threshold: number;
  beats: number;
  flaggedSeen: number;
}

/** Beats scored by the champion per call. */
const SCORE_BATCH = 256;
/** A stored row: the window, then rrPrev and rrNext. */
const RR_COLUMNS = 2;

/**
 * Turns a stream of history records into a bounded training set: per device the signal is put
 * back in `seq` order and segmented with the champion's window spec ({@link DeviceSignal}); the
 * champion scores every beat (in batches, with the detector's scoring rule) against the
 * device's threshold; normal beats go to
 * the device's reservoir, flagged ones to a separate one (they never train the challenger, so
 * anomalies do not teach it they are normal; they measure separation). Memory is bounded by the
 * limits, whatever the history: at most `maxDevices` devices (a seeded sample), and
 * `maxNormalBeats` / `maxFlaggedBeats` windows split evenly between them.
 *
 * @example
 * const builder = new HistoryDatasetBuilder(champion, limits);
 * for await (const record of history.records) builder.add(record);
 * const dataset = builder.finish();
 */
export class HistoryDatasetBuilder {
  private readonly tracks = new Map<string, Track>();
  private readonly sample: DeviceSample;
  private readonly rng: Random;
  private readonly steps: number;
  private readonly counters = emptySignalCounters();
  private readonly seenIds = new Set<string>();
  private devicesSeenBeyondSet = 0;
  private recordsOfUnsampledDevices = 0;
  private beatsNormal = 0;
  private beatsFlagged = 0;
  private peakWindowBytes = 0;
  private readonly batch: Float32Array;
  private readonly batchRr = new Float32Array(SCORE_BATCH * RR_COLUMNS);
  private readonly row: Float32Array;
  private readonly batchTracks: Track[] = [];
  private readonly scores = new Float32Array(SCORE_BATCH);
  private finished = false;

  constructor(
    private readonly champion: Champion,
    private readonly limits: DatasetLimits,
  ) {
    this.steps = champion.model.config.steps;
    this.sample = new DeviceSample(limits.maxDevices, limits.seed);
    this.rng = createRandom(limits.seed);
    this.batch = new Float32Array(SCORE_BATCH * this.steps);
    this.row = new Float32Array(this.steps + RR_COLUMNS);
  }

  /** Devices sampled so far. */
  get devices(): number {
    return this.tracks.size;
  }

  /** Takes one history record. */
  add(record: HistoryRecord): void {
    if (this.finished) throw new Error('HistoryDatasetBuilder: add after finish');
    this.countDevice(record.deviceId);
    let track = this.tracks.get(record.deviceId);
    if (track === undefined) {
      const { admitted, evicted } = this.sample.admit(record.deviceId);
      if (!admitted) {
        this.recordsOfUnsampledDevices++;
        return;
      }
      if (evicted !== undefined) this.drop(evicted);
      track = this.createTrack(record.deviceId);
    }
    track.signal.add(record);
  }

  /** Ends every device's signal, scores what is pending and returns the dataset. */
  finish(): HistoryDataset {
    if (!this.finished) {
      for (const track of this.tracks.values()) track.signal.finish();
      this.scorePending();
      this.finished = true;
    }
    const devices = [...this.tracks.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((t) => {
        const normal = unpack(t.normal, this.steps);
        const flagged = unpack(t.flagged, this.steps);
        return {
          deviceId: t.id,
          normal: normal.windows,
          normalRr: normal.rr,
          normalCount: t.normal.count,
          flagged: flagged.windows,
          flaggedRr: flagged.rr,
          flaggedCount: t.flagged.count,
          beatsSeen: t.beats,
          flaggedSeen: t.flaggedSeen,
        };
      });
    return {
      steps: this.steps,
      devices,
      signal: { ...this.counters },
      devicesSeen: this.seenIds.size + this.devicesSeenBeyondSet,
      recordsOfUnsampledDevices: this.recordsOfUnsampledDevices,
      beatsNormal: this.beatsNormal,
      beatsFlagged: this.beatsFlagged,
      peakWindowBytes: this.peakWindowBytes,
    };
  }

  /** Counts distinct devices; past 4x the sample size only an approximate count is kept (memory stays bounded). */
  private countDevice(deviceId: string): void {
    if (this.seenIds.has(deviceId)) return;
    if (this.seenIds.size < 4 * this.limits.maxDevices) this.seenIds.add(deviceId);
    else if (!this.sample.has(deviceId) && !this.tracks.has(deviceId)) this.devicesSeenBeyondSet++;
  }

  private createTrack(deviceId: string): Track {
    const n = this.sample.size;
    const normalCap = Math.max(1, Math.floor(this.limits.maxNormalBeats / n));
    const flaggedCap = Math.floor(this.limits.maxFlaggedBeats / n);
    // A new device lowers everyone's share: shrink now so the total stays within the budget.
    for (const t of this.tracks.values()) {
      t.normal.shrink(normalCap);
      t.flagged.shrink(flaggedCap);
    }
    const track: Track = {
      id: deviceId,
      // The callback runs only once records arrive, after `track` is initialised.
      signal: new DeviceSignal(this.champion.window, this.limits.reorderWindow, this.counters, (w) => this.onBeat(track, w)),
      normal: new BeatReservoir(this.steps + RR_COLUMNS, normalCap, this.rng),
      flagged: new BeatReservoir(this.steps + RR_COLUMNS, flaggedCap, this.rng),
      threshold: this.champion.thresholdFor(deviceId),
      beats: 0,
      flaggedSeen: 0,
    };
    this.tracks.set(deviceId, track);
    return track;
  }

  /** Forgets an evicted device, including its beats still waiting to be scored. */
  private drop(deviceId: string): void {
    const track = this.tracks.get(deviceId);
    if (track === undefined) return;
    this.scorePending();
    this.tracks.delete(deviceId);
  }

  private onBeat(track: Track, beat: Beat): void {
    const k = this.batchTracks.length;
    this.batch.set(beat.window, k * this.steps);
    this.batchRr[k * RR_COLUMNS] = beat.rrPrev ?? NaN;
    this.batchRr[k * RR_COLUMNS + 1] = beat.rrNext ?? NaN;
    this.batchTracks.push(track);
    if (this.batchTracks.length === SCORE_BATCH) this.scorePending();
  }

  /** Scores the pending beats with the champion and routes each to its device's reservoirs. */
  private scorePending(): void {
    const count = this.batchTracks.length;
    if (count === 0) return;
    const windows = this.batch.subarray(0, count * this.steps);
    applyInputNormalization(windows, this.champion.artifact.normalization);
    const scores = this.champion.model.score(windows, count, this.scores);
    this.champion.scoring.complete(scores, this.batchRr, count);
    const row = this.row;
    const steps = this.steps;
    for (let k = 0; k < count; k++) {
      const track = this.batchTracks[k];
      if (!this.tracks.has(track.id)) continue;
      track.beats++;
      row.set(windows.subarray(k * steps, (k + 1) * steps));
      row[steps] = this.batchRr[k * RR_COLUMNS];
      row[steps + 1] = this.batchRr[k * RR_COLUMNS + 1];
      if (scores[k] <= track.threshold) {
        this.beatsNormal++;
        track.normal.offer(row);
      } else {
        this.beatsFlagged++;
        track.flaggedSeen++;
        track.flagged.offer(row);
      }
    }
    this.batchTracks.length = 0;
    let bytes = 0;
    for (const t of this.tracks.values()) bytes += t.normal.bytes + t.flagged.bytes;
    if (bytes > this.peakWindowBytes) this.peakWindowBytes = bytes;
  }
}

/** Splits a reservoir's rows into packed windows and RR pairs. */
function unpack(reservoir: BeatReservoir, steps: number): { windows: Float32Array; rr: Float32Array } {
  const rows = reservoir.windows();
  const n = reservoir.count;
  const width = steps + RR_COLUMNS;
  const windows = new Float32Array(n * steps);
  const rr = new Float32Array(n * RR_COLUMNS);
  for (let i = 0; i < n; i++) {
    windows.set(rows.subarray(i * width, i * width + steps), i * steps);
    rr[i * RR_COLUMNS] = rows[i * width + steps];
    rr[i * RR_COLUMNS + 1] = rows[i * width + steps + 1];
  }
  return { windows, rr };
}
