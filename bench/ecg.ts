import { fileURLToPath } from 'node:url';
import { BeatSegmenter } from '../src/ecg/beat-segmenter';
import { QrsDetector } from '../src/ecg/qrs-detector';
import { loadMitdbRecord } from '../src/ecg/mitdb';
import type { BenchSuite } from './suite';

const BUNDLED = fileURLToPath(new URL('../data/mitdb', import.meta.url));
const RECORDS = ['100', '106', '208'];
/** The bar: QRS detection + beat windowing at >= 5 million samples/s on one core. */
const TARGET_SAMPLES_PER_SECOND = 5e6;
const REAL_TIME_FS = 360;

/** Streams every signal in chunks of `chunk` samples through a fresh pipeline; returns samples/s. */
function measure(signals: Float32Array[], fs: number, chunk: number, make: () => { push(x: ArrayLike<number>): unknown[] }, repeats: number): { samplesPerSecond: number; beats: number } {
  let best = Infinity;
  let beats = 0;
  let samples = 0;
  for (let r = 0; r < repeats; r++) {
    beats = 0;
    samples = 0;
    const started = performance.now();
    for (const signal of signals) {
      const pipeline = make();
      for (let i = 0; i < signal.length; i += chunk) beats += pipeline.push(signal.subarray(i, i + chunk)).length;
      samples += signal.length;
    }
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return { samplesPerSecond: samples / best, beats };
}

/**
 * `ecg`: streaming QRS detection alone and QRS detection + beat windowing (the detector's
 * per-device work), on the bundled MIT-BIH records at 360 Hz in 1 s chunks, one thread. The
 * figure reported is the best of a few passes, in samples/s and as a multiple of real time.
 */
const suite: BenchSuite = {
  name: 'ecg',
  description: 'streaming QRS detection and beat windowing on MIT-BIH records (360 Hz, 1 s chunks), one thread',
  async run({ quick }) {
    const names = quick ? RECORDS.slice(0, 1) : RECORDS;
    const signals = names.map((n) => loadMitdbRecord(BUNDLED, n).signal);
    const fs = 360;
    const repeats = quick ? 2 : 5;
    const say = (m: string) => process.stderr.write(`${m}\n`);
    const minutes = signals.reduce((a, s) => a + s.length, 0) / fs / 60;
    say(`ecg: ${names.length} record(s), ${minutes.toFixed(1)} min of signal, best of ${repeats}`);
    const qrs = measure(signals, fs, fs, () => new QrsDetector({ fs }), repeats);
    const segment = measure(signals, fs, fs, () => new BeatSegmenter({ fs }), repeats);
    const row = (name: string, m: { samplesPerSecond: number; beats: number }) =>
      `${name.padEnd(28)}${(m.samplesPerSecond / 1e6).toFixed(2).padStart(8)} M samples/s${Math.round(m.samplesPerSecond / REAL_TIME_FS).toLocaleString('en-US').padStart(10)}x real time${String(m.beats).padStart(8)} beats`;
    say(row('QRS detection', qrs));
    say(row('QRS + beat windows', segment));
    say(`target: QRS + beat windows >= ${TARGET_SAMPLES_PER_SECOND / 1e6} M samples/s: ${segment.samplesPerSecond >= TARGET_SAMPLES_PER_SECOND ? 'met' : 'NOT met'}`);
    return {
      records: names,
      chunkSeconds: 1,
      qrsSamplesPerSecond: qrs.samplesPerSecond,
      segmentSamplesPerSecond: segment.samplesPerSecond,
      segmentRealTimeRatio360Hz: segment.samplesPerSecond / REAL_TIME_FS,
      targetSamplesPerSecond: TARGET_SAMPLES_PER_SECOND,
      targetMet: segment.samplesPerSecond >= TARGET_SAMPLES_PER_SECOND,
    };
  },
};
export default suite;
