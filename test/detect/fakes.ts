import { PROFILE_FORMAT_VERSION, type DeviceProfile } from '../../src/detect/patient-adaptation';
import type { InputRecord } from '../../src/detect/process-batch';
import type {
  AlertMessage,
  AlertSnippet,
  BeatModel,
  DecodedRecord,
  DetectSinks,
  Rejection,
  SegmentedBeat,
  SegmenterFactory,
  StreamSegmenter,
} from '../../src/detect/ports';

/**
 * A toy segmenter for pipeline tests: every sample >= 1 is an R peak and its "window" is that
 * one value, so a test writes beats (and their scores) directly into the samples.
 */
export class SpikeSegmenter implements StreamSegmenter {
  constructor(public index = 0) {}
  push(samples: Float32Array): SegmentedBeat[] {
    const beats: SegmentedBeat[] = [];
    for (let i = 0; i < samples.length; i++, this.index++) {
      if (samples[i] >= 1) beats.push({ rIndex: this.index, window: Float32Array.of(samples[i]), rrPrev: null, rrNext: null });
    }
    return beats;
  }
  toJSON(): unknown {
    return { index: this.index };
  }
}

export const spikeSegmenters: SegmenterFactory & { created: number } = {
  created: 0,
  create() {
    this.created++;
    return new SpikeSegmenter();
  },
  restore(state: unknown) {
    return new SpikeSegmenter((state as { index: number }).index);
  },
};

/** A model whose score of a beat is its window's value; counts its calls. */
export function fakeModel(threshold = 2, deviceThresholds: Record<string, number> = {}): BeatModel & { calls: number } {
  return {
    version: 'test-v1',
    threshold,
    deviceThresholds,
    segmenters: spikeSegmenters,
    calls: 0,
    scoreBeats(beats) {
      this.calls++;
      return Float32Array.from(beats, (b) => b.window[0]);
    },
  };
}

/** In-memory sinks; `failPublish` makes the next N publishes throw. */
export class MemorySinks implements DetectSinks {
  quarantined: Rejection[] = [];
  snippets = new Map<string, AlertSnippet>();
  published: AlertMessage[] = [];
  failPublish = 0;
  failQuarantine = 0;
  /** 1-based publish attempts that throw (in addition to `failPublish`). */
  failAttempts = new Set<number>();
  private attempts = 0;
  async quarantine(rejection: Rejection) {
    if (this.failQuarantine > 0) {
      this.failQuarantine--;
      throw new Error('quarantine down');
    }
    this.quarantined.push(rejection);
  }
  async putSnippet(key: string, snippet: AlertSnippet) {
    this.snippets.set(key, snippet);
  }
  async publishAlert(message: AlertMessage) {
    this.attempts++;
    if (this.failAttempts.has(this.attempts)) throw new Error('SNS down');
    if (this.failPublish > 0) {
      this.failPublish--;
      throw new Error('SNS down');
    }
    this.published.push(message);
  }
}

/** Decoder for tests: JSON with Float32 samples, rejects anything without a deviceId. */
export function testDecoder(data: Uint8Array) {
  try {
    const o = JSON.parse(Buffer.from(data).toString('utf8')) as Omit<DecodedRecord, 'samples'> & { samples: number[] };
    if (typeof o.deviceId !== 'string') return { ok: false as const, reason: 'deviceId is missing', field: 'deviceId' };
    return { ok: true as const, record: { ...o, samples: Float32Array.from(o.samples) } };
  } catch {
    return { ok: false as const, reason: 'record is not JSON' };
  }
}

let nextId = 1;
/** A record of 10 samples at 10 Hz (t0 = seq seconds) with the given values at given offsets. */
export function rec(deviceId: string, seq: number, spikes: Record<number, number> = {}, t0 = 1_000_000 + seq * 1000): InputRecord {
  const samples = new Array<number>(10).fill(0);
  for (const [i, v] of Object.entries(spikes)) samples[Number(i)] = v;
  const id = String(nextId++).padStart(8, '0');
  return { id, data: Buffer.from(JSON.stringify({ deviceId, seq, t0, fs: 10, samples })), arrivedAt: 1_764_150_000_000 };
}

export function poison(text: string): InputRecord {
  const id = String(nextId++).padStart(8, '0');
  return { id, data: Buffer.from(text), arrivedAt: 1_764_150_000_000 };
}

/**
 * A learned profile of a stub adapter (`adapter: 'stub'`, model `m`, 300 beats in 300 s), with
 * `overrides` on top.
 *
 * @example
 * const profile = stubProfile({ threshold: 1.2 });
 */
export function stubProfile(overrides: Partial<DeviceProfile> = {}): DeviceProfile {
  return {
    formatVersion: PROFILE_FORMAT_VERSION,
    adapter: 'stub',
    modelVersion: 'm',
    learnedAt: 0,
    learningSeconds: 300,
    beatsLearned: 300,
    threshold: 1,
    features: {},
    ...overrides,
  };
}
