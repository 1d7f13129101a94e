import { describe, expect, it } from 'vitest';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { createRandom } from '../../src/random';
import { OFF_ADAPTER } from '../../src/detect/adapters';
import { Detector } from '../../src/detect/process-batch';
import { DEFAULT_RHYTHM_OPTIONS, RhythmMonitor, type EpisodeEvent } from '../../src/detect/rhythm-monitor';
import { defaultModelFor } from '../../src/evaluate/default-model';
import { runRecordThroughDetector } from '../../src/evaluate/mitdb-product';
import { MemorySinks, testDecoder } from './fakes';

const FS = 360;
const record = loadMitdbRecord('data/mitdb', '100');

/** A heart stopped with the leads on: the record's level, slow drift and small noise (not constant). */
function quiet(seconds: number, level: number): Float32Array {
  const random = createRandom(3);
  const out = new Float32Array(seconds * FS);
  for (let i = 0; i < out.length; i++) out[i] = level + 0.05 * Math.sin((2 * Math.PI * 0.3 * i) / FS) + (random.next() - 0.5) * 0.03;
  return out;
}

const asystoleOnsets = (events: readonly EpisodeEvent[]) => events.filter((e) => e.label === 'ASYSTOLE' && e.phase === 'onset');

describe('configured alarm limits', () => {
  it('reach the rules: a 6 s pause in record 100 is asystole at the default 4 s, not with asystoleSeconds 8', async () => {
    const cut = 60 * FS;
    const signal = new Float32Array(cut + 6 * FS + 30 * FS);
    signal.set(record.signal.subarray(0, cut));
    signal.set(quiet(6, record.signal[cut]), cut);
    signal.set(record.signal.subarray(cut, cut + 30 * FS), cut + 6 * FS);
    const model = defaultModelFor('100').model;
    const options = { adaptation: OFF_ADAPTER, learningSeconds: 0 };
    const asystole = async (rhythm: { asystoleSeconds: number } | undefined) =>
      (
        await runRecordThroughDetector({ deviceId: 'dev', signal, fs: FS }, model, { ...options, ...(rhythm ? { rhythm } : {}) })
      ).episodes.filter((e) => e.rhythm === 'ASYSTOLE' && e.phase === 'onset').length;
    expect(await asystole(undefined)).toBe(1);
    expect(await asystole({ asystoleSeconds: 8 })).toBe(0);
  });

  it('a monitor restored from state saved under other limits follows the ones it is given', () => {
    const monitor = new RhythmMonitor(FS);
    const timeOf = (i: number) => (i * 1000) / FS;
    const beats = [...record.beatSamples].filter((s) => s < 20 * FS);
    for (let second = 0; second < 20; second++) {
      const peaks = beats.filter((s) => s < (second + 1) * FS);
      expect(asystoleOnsets(monitor.samples(record.signal.subarray(second * FS, (second + 1) * FS), peaks, timeOf))).toEqual([]);
    }
    const saved = monitor.toJSON();
    const pause = quiet(6, record.signal[20 * FS]);
    const feed = (m: RhythmMonitor) => {
      const out: EpisodeEvent[] = [];
      for (let second = 0; second < 6; second++) out.push(...m.samples(pause.subarray(second * FS, (second + 1) * FS), beats, timeOf));
      return asystoleOnsets(out);
    };
    // As saved (default 4 s): the pause is asystole.
    expect(feed(RhythmMonitor.fromJSON(saved))).toHaveLength(1);
    const configured = { ...DEFAULT_RHYTHM_OPTIONS, asystoleSeconds: 8 };
    const restored = RhythmMonitor.fromJSON(saved).withOptions(configured);
    expect(feed(restored)).toEqual([]);
    expect(restored.withOptions(configured)).toBe(restored);
    expect(restored.toJSON().options.asystoleSeconds).toBe(8);
  });

  it('a detector refuses limits that are out of range or contradict each other, naming them', () => {
    const make = (rhythm: object) => () => new Detector(new MemorySinks(), testDecoder, { rhythm });
    expect(make({ asystoleSeconds: 0 })).toThrow('rhythm.asystoleSeconds must be a number > 0, got 0');
    expect(make({ tachyBeats: 1.5 })).toThrow('rhythm.tachyBeats must be an integer >= 1, got 1.5');
    expect(make({ bradyBpm: 150 })).toThrow('bradyBpm (150) must be below tachyBpm (140)');
    expect(make({ asystoleSeconds: 6 })).not.toThrow();
  });
});
