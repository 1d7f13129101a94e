import { applyBeatScoringRr } from '../model';
import { createRandom, type Random } from '../nn';
import { applyInputNormalization, artifactLead } from '../contract';
import { BeatReservoir } from './beat-reservoir';
import type { Champion } from './champion';
import { DeviceSample } from './device-sample';
import { DeviceSignal, emptySignalCounters, type SignalCounters } from './device-signal';
import type { Beat } from '../ecg';
import type { DecodedRecord } from './ports';
import { isLabelledBeat } from './labelled-times';

/** Limits of a {@link HistoryDatasetBuilder}. */
export interface DatasetLimits {
  readonly maxDevices: number;
  /** Beats sampled over all devices (split evenly between them). */
  readonly maxBeats: number;
  readonly reorderWindow: number;
  readonly seed: number;
  /**
   * Per device, times (epoch ms, ascending) of labelled beats: their copies in history are left
   * out of the sample, so a beat labelled a true alarm never trains the challenger as normal (the
   * labelled windows join the dataset on their own, `withLabelledNormal`).
   */
  readonly labelled?: ReadonlyMap<string, readonly number[]>;
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
  /** Every beat cut from this device (the sample is drawn from these). */
  readonly beatsSeen: number;
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
  /** Beats in the sample, of which the champion scored normal / flagged. */
  readonly beatsSampled: number;
  readonly beatsNormal: number;
  readonly beatsFlagged: number;
  /** Peak bytes of sampled windows held. */
  readonly peakWindowBytes: number;
  /** History beats left out of the sample because they are labelled beats (see {@link DatasetLimits.labelled}). */
  readonly labelledBeatsLeftOut: number;
}

interface Track {
  readonly id: string;
  readonly signal: DeviceSignal;
  readonly sample: BeatReservoir;
  beats: number;
}

/** Beats scored by the champion per call. */
const SCORE_BATCH = 256;
/** A stored row: the window, then rrPrev and rrNext. */
const RR_COLUMNS = 2;

/**
 * Turns a stream of history records into a bounded training set: per device the signal is put
 * back in `seq` order and segmented with the champion's window spec ({@link DeviceSignal}), and
 * the beats are reservoir-sampled (a uniform sample of each device's history). At the end the
 * champion scores the sampled beats (in batches, with the detector's scoring rule) against each
 * device's threshold: normal beats train the challenger, flagged ones never do (anomalies must
 * not teach it they are normal) and measure separation instead. Memory and scoring time are
 * bounded by the limits, whatever the history: at most `maxDevices` devices (a seeded sample)
 * and `maxBeats` windows split evenly between them.
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
  private peakWindowBytes = 0;
  private labelledBeatsLeftOut = 0;
  private readonly row: Float32Array;
  private result: HistoryDataset | null = null;

  constructor(
    private readonly champion: Champion,
    private readonly limits: DatasetLimits,
  ) {
    this.steps = champion.model.config.steps;
    this.sample = new DeviceSample(limits.maxDevices, limits.seed);
    this.rng = createRandom(limits.seed);
    this.row = new Float32Array(this.steps + RR_COLUMNS);
  }

  /** Devices sampled so far. */
  get devices(): number {
    return this.tracks.size;
  }

  /** Takes one history record. */
  add(record: DecodedRecord): void {
    if (this.result) throw new Error('HistoryDatasetBuilder: add after finish');
    this.countDevice(record.deviceId);
    let track = this.tracks.get(record.deviceId);
    if (track === undefined) {
      const { admitted, evicted } = this.sample.admit(record.deviceId);
      if (!admitted) {
        this.recordsOfUnsampledDevices++;
        return;
      }
      if (evicted !== undefined) this.tracks.delete(evicted);
      track = this.createTrack(record.deviceId);
    }
    track.signal.add(record);
  }

  /** Ends every device's signal, has the champion score the sample, and returns the dataset. */
  finish(): HistoryDataset {
    if (this.result) return this.result;
    for (const track of this.tracks.values()) track.signal.finish();
    this.notePeak();
    const ordered = [...this.tracks.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const scorer = new ChampionScorer(this.champion, this.steps);
    let beatsNormal = 0;
    let beatsFlagged = 0;
    let beatsSampled = 0;
    const devices = ordered.map((t) => {
      const d = scorer.split(t.id, t.sample, t.beats);
      beatsSampled += t.sample.count;
      beatsNormal += d.normalCount;
      beatsFlagged += d.flaggedCount;
      return d;
    });
    this.result = {
      steps: this.steps,
      devices,
      signal: { ...this.counters },
      devicesSeen: this.seenIds.size + this.devicesSeenBeyondSet,
      recordsOfUnsampledDevices: this.recordsOfUnsampledDevices,
      beatsSampled,
      beatsNormal,
      beatsFlagged,
      peakWindowBytes: this.peakWindowBytes,
      labelledBeatsLeftOut: this.labelledBeatsLeftOut,
    };
    return this.result;
  }

  /** Counts distinct devices; past 4x the sample size only an approximate count is kept (memory stays bounded). */
  private countDevice(deviceId: string): void {
    if (this.seenIds.has(deviceId)) return;
    if (this.seenIds.size < 4 * this.limits.maxDevices) this.seenIds.add(deviceId);
    else if (!this.sample.has(deviceId) && !this.tracks.has(deviceId)) this.devicesSeenBeyondSet++;
  }

  private createTrack(deviceId: string): Track {
    const cap = Math.max(1, Math.floor(this.limits.maxBeats / this.sample.size));
    // A new device lowers everyone's share: shrink now so the total stays within the budget.
    for (const t of this.tracks.values()) t.sample.shrink(cap);
    const track: Track = {
      id: deviceId,
      // The callback runs only once records arrive, after `track` is initialised.
      signal: new DeviceSignal(
        this.champion.window,
        this.limits.reorderWindow,
        this.counters,
        (beat, t) => this.onBeat(track, beat, t),
        artifactLead(this.champion.artifact),
      ),
      sample: new BeatReservoir(this.steps + RR_COLUMNS, cap, this.rng),
      beats: 0,
    };
    this.tracks.set(deviceId, track);
    return track;
  }

  private onBeat(track: Track, beat: Beat, t: number): void {
    const labelled = this.limits.labelled?.get(track.id);
    if (labelled !== undefined && isLabelledBeat(labelled, t)) {
      this.labelledBeatsLeftOut++;
      return;
    }
    const row = this.row;
    row.set(beat.window);
    row[this.steps] = beat.rrPrev ?? NaN;
    row[this.steps + 1] = beat.rrNext ?? NaN;
    track.beats++;
    track.sample.offer(row);
    if ((this.counters.beats & 1023) === 0) this.notePeak();
  }

  private notePeak(): void {
    let bytes = 0;
    for (const t of this.tracks.values()) bytes += t.sample.bytes;
    if (bytes > this.peakWindowBytes) this.peakWindowBytes = bytes;
  }
}

/**
 * Scores a device's sampled beats with the champion (input normalization applied in place: the
 * windows end up in the model's input space) and splits them at the device's threshold.
 */
class ChampionScorer {
  private readonly scores = new Float32Array(SCORE_BATCH);
  private readonly rr = new Float32Array(SCORE_BATCH * RR_COLUMNS);
  private readonly batch: Float32Array;

  constructor(
    private readonly champion: Champion,
    private readonly steps: number,
  ) {
    this.batch = new Float32Array(SCORE_BATCH * steps);
  }

  split(deviceId: string, sample: BeatReservoir, beatsSeen: number): DeviceBeats {
    const steps = this.steps;
    const width = steps + RR_COLUMNS;
    const rows = sample.windows();
    const n = sample.count;
    const threshold = this.champion.thresholdFor(deviceId);
    const normal = new Uint8Array(n);
    let normalCount = 0;
    for (let from = 0; from < n; from += SCORE_BATCH) {
      const count = Math.min(SCORE_BATCH, n - from);
      for (let k = 0; k < count; k++) {
        const r = (from + k) * width;
        this.batch.set(rows.subarray(r, r + steps), k * steps);
        this.rr[k * RR_COLUMNS] = rows[r + steps];
        this.rr[k * RR_COLUMNS + 1] = rows[r + steps + 1];
      }
      const windows = this.batch.subarray(0, count * steps);
      applyInputNormalization(windows, this.champion.artifact.normalization);
      this.champion.model.score(windows, count, this.scores);
      applyBeatScoringRr(this.scores, this.rr, count, this.champion.scoring);
      for (let k = 0; k < count; k++) {
        // Keep the normalized window: both models read this input space from here on.
        rows.set(windows.subarray(k * steps, (k + 1) * steps), (from + k) * width);
        if (this.scores[k] <= threshold) {
          normal[from + k] = 1;
          normalCount++;
        }
      }
    }
    const flaggedCount = n - normalCount;
    const out = {
      normal: new Float32Array(normalCount * steps),
      normalRr: new Float32Array(normalCount * RR_COLUMNS),
      flagged: new Float32Array(flaggedCount * steps),
      flaggedRr: new Float32Array(flaggedCount * RR_COLUMNS),
    };
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      const r = i * width;
      const isNormal = normal[i] === 1;
      const k = isNormal ? a++ : b++;
      (isNormal ? out.normal : out.flagged).set(rows.subarray(r, r + steps), k * steps);
      const rr = isNormal ? out.normalRr : out.flaggedRr;
      rr[k * RR_COLUMNS] = rows[r + steps];
      rr[k * RR_COLUMNS + 1] = rows[r + steps + 1];
    }
    return { deviceId, ...out, normalCount, flaggedCount, beatsSeen };
  }
}
