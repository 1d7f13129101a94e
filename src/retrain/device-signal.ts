import { BeatSegmenter, type Beat, type BeatWindowSpec, MODEL_LEAD } from '../ecg';
import { recordLead } from '../contract';
import type { DecodedRecord } from './ports';

/** Counters of signal reassembly, summed over devices. */
export interface SignalCounters {
  /** Records fed to a segmenter, in `seq` order. */
  records: number;
  /** Records whose `seq` was already consumed or buffered (at-least-once delivery), skipped. */
  duplicates: number;
  /** Missing `seq` ranges: each one ends a run and starts a new segmenter. */
  gaps: number;
  /** Records earlier than the run being fed (history read newest object first): each starts a new run. */
  backwardJumps: number;
  /** Records the segmenter cannot take (e.g. a sample rate outside its range), skipped. */
  unusable: number;
  /** Contiguous runs segmented. */
  runs: number;
  /** Beats cut. */
  beats: number;
}

/** `seq` ranges remembered per device for duplicate detection. */
const MAX_FED_RANGES = 4096;
/** Records of a run whose start is remembered to time its beats (a beat is emitted a few seconds after its R peak at most). */
const MAX_ANCHORS = 64;

/** A fresh set of {@link SignalCounters}. */
export function emptySignalCounters(): SignalCounters {
  return { records: 0, duplicates: 0, gaps: 0, backwardJumps: 0, unusable: 0, runs: 0, beats: 0 };
}

/**
 * One device's signal put back together from history: records are buffered (up to
 * `reorderWindow` of them) until they can be fed in `seq` order; a missing `seq` that does not
 * turn up within the window is a gap, which ends the run (the segmenter is flushed) and starts a
 * new one, as the detector restarts a device's segmenter on a gap. A change of sample rate also
 * starts a new run, and so does a record earlier than the run being fed that was not seen
 * before (history read newest object first arrives in backward steps of one object): the `seq`
 * ranges already fed are remembered, so a duplicate is still recognised as one. Beats are cut
 * by the same `BeatSegmenter` the detector streams with, on the lead the detector scores first
 * (the champion's, by name).
 *
 * @example
 * const signal = new DeviceSignal(champion.window, 16, counters, (beat) => dataset.addBeat(beat));
 * for (const r of records) signal.add(r);
 * signal.finish();
 */
export class DeviceSignal {
  private readonly pending = new Map<number, DecodedRecord>();
  /** The next `seq` to feed; null until a run starts. */
  private nextSeq: number | null = null;
  /** First `seq` of the current run. */
  private runStart = 0;
  /** `[from, to)` seq ranges of finished runs (duplicates of them are skipped), newest last. */
  private readonly fed: [number, number][] = [];
  private segmenter: BeatSegmenter | null = null;
  /** Samples pushed into the current segmenter, and `[first sample index, t0]` of its latest records. */
  private pushed = 0;
  private anchors: [number, number][] = [];

  constructor(
    private readonly window: BeatWindowSpec,
    private readonly reorderWindow: number,
    private readonly counters: SignalCounters,
    /** Each beat with the epoch ms of its R peak (from its record's `t0`, as the detector places it). */
    private readonly onBeat: (beat: Beat, t: number) => void,
    /** The lead to segment in multi-lead (v2) records, by name: the champion's (default MLII). */
    private readonly lead: string = MODEL_LEAD,
  ) {}

  /** Records buffered, waiting for an earlier `seq`. */
  get buffered(): number {
    return this.pending.size;
  }

  /** Takes the next record of this device from history (any order). */
  add(record: DecodedRecord): void {
    if (this.pending.has(record.seq) || this.wasFed(record.seq)) {
      this.counters.duplicates++;
      return;
    }
    if (this.nextSeq !== null && record.seq < this.nextSeq) {
      // Earlier history than this run: finish the run, and start the next one from the records
      // that come now (their earliest, once the reorder window has filled).
      this.counters.backwardJumps++;
      this.feedAll();
      this.endRun();
      this.nextSeq = null;
    }
    this.pending.set(record.seq, record);
    this.drain();
    if (this.pending.size > this.reorderWindow) {
      // The missing seq did not arrive within the window: give up on it.
      this.skipToEarliest();
      this.drain();
    }
  }

  /** Feeds everything buffered (gaps split runs) and flushes the last run. */
  finish(): void {
    this.feedAll();
    this.endRun();
  }

  /** Feeds every buffered record in `seq` order (missing ones are gaps). */
  private feedAll(): void {
    while (this.pending.size > 0) {
      this.skipToEarliest();
      this.drain();
    }
  }

  /** Whether `seq` was fed already, in this run or an earlier one. */
  private wasFed(seq: number): boolean {
    if (this.nextSeq !== null && seq >= this.runStart && seq < this.nextSeq) return true;
    for (let i = this.fed.length - 1; i >= 0; i--) if (seq >= this.fed[i][0] && seq < this.fed[i][1]) return true;
    return false;
  }

  /** Feeds buffered records while the next `seq` is there. */
  private drain(): void {
    if (this.nextSeq === null) return;
    for (let r = this.pending.get(this.nextSeq); r !== undefined; r = this.pending.get(this.nextSeq)) {
      this.pending.delete(this.nextSeq);
      this.nextSeq++;
      this.feed(r);
    }
  }

  /** Starts a new run at the earliest buffered record (a gap, or the very first run). */
  private skipToEarliest(): void {
    let earliest = Infinity;
    for (const seq of this.pending.keys()) if (seq < earliest) earliest = seq;
    if (this.nextSeq !== null) {
      this.counters.gaps++;
      this.endRun();
    }
    this.nextSeq = earliest;
    this.runStart = earliest;
  }

  private feed(record: DecodedRecord): void {
    if (this.segmenter !== null && this.segmenter.fs !== record.fs) this.endRun();
    if (this.segmenter === null) {
      try {
        this.segmenter = new BeatSegmenter({ fs: record.fs, window: this.window });
      } catch {
        this.counters.unusable++;
        return;
      }
      this.counters.runs++;
    }
    this.counters.records++;
    this.anchors.push([this.pushed, record.t0]);
    if (this.anchors.length > MAX_ANCHORS) this.anchors.shift();
    this.pushed += record.samples.length;
    this.emit(this.segmenter.push(recordLead(record, this.lead).samples));
  }

  /** Epoch ms of sample `index` of the current run: from the latest record starting at or before it. */
  private timeOf(index: number): number {
    let anchor = this.anchors[0] ?? [0, 0];
    for (let i = this.anchors.length - 1; i >= 0; i--)
      if (this.anchors[i][0] <= index) {
        anchor = this.anchors[i];
        break;
      }
    return Math.round(anchor[1] + ((index - anchor[0]) * 1000) / (this.segmenter?.fs ?? 1));
  }

  private endRun(): void {
    if (this.nextSeq !== null && this.nextSeq > this.runStart) {
      this.fed.push([this.runStart, this.nextSeq]);
      // Bounded: a device's history has a few runs per object read; past this the oldest are forgotten.
      if (this.fed.length > MAX_FED_RANGES) this.fed.shift();
      this.runStart = this.nextSeq;
    }
    if (this.segmenter === null) return;
    this.emit(this.segmenter.flush());
    this.segmenter = null;
    this.pushed = 0;
    this.anchors = [];
  }

  private emit(beats: readonly Beat[]): void {
    for (const beat of beats) {
      this.counters.beats++;
      this.onBeat(beat, this.timeOf(beat.rIndex));
    }
  }
}
