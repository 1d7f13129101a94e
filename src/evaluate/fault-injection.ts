/**
 * The faults `eval noise` injects into clean stretches of real records (issue 13): lead-off (a
 * flat line), saturation (an amplifier at its rail), real noise from the MIT-BIH Noise Stress Test
 * Database scaled to a signal-to-noise ratio the way its `nst` tool does, and dropped records.
 * Pure functions over Float32 signals; where to put them is `findCleanStretches`'s job.
 */
import { type MitdbRecord, aamiClass } from '../ecg';

/** A fault type, as reported. */
export type FaultType = 'lead-off' | 'saturation' | 'noise-bw' | 'noise-ma' | 'signal-lost';

/** Half-width of the window around each reference beat whose peak-to-peak amplitude sizes the QRS, seconds. */
const QRS_HALF_WINDOW_SECONDS = 0.06;
/** Share of the largest and of the smallest measurements left out (beats and noise seconds), as nst does. */
const TRIM = 0.05;

/** Mean of the values left after dropping the largest and smallest `TRIM` of them. */
function trimmedMean(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length * TRIM);
  const kept = sorted.slice(cut, sorted.length - cut);
  return kept.length === 0 ? Number.NaN : kept.reduce((a, b) => a + b, 0) / kept.length;
}

/**
 * The ECG's signal size as the noise stress test defines it: the power of a sine wave as tall as
 * the QRS complexes, `pp² / 8`, with `pp²` the trimmed mean of the squared peak-to-peak amplitudes
 * around the reference beats (those at or after `from` and before `to`, samples).
 *
 * @example
 * const s = qrsSignalPower(record, 0, record.signal.length); // mV²
 */
export function qrsSignalPower(record: MitdbRecord, from: number, to: number): number {
  const half = Math.round(QRS_HALF_WINDOW_SECONDS * record.fs);
  const squares: number[] = [];
  for (const r of record.beatSamples) {
    if (r < from + half || r >= to - half) continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = r - half; i <= r + half; i++) {
      lo = Math.min(lo, record.signal[i]);
      hi = Math.max(hi, record.signal[i]);
    }
    squares.push((hi - lo) ** 2);
  }
  return trimmedMean(squares) / 8;
}

/**
 * The noise's size as the noise stress test defines it: per whole second, the mean square about
 * that second's mean; the trimmed mean of those.
 *
 * @example
 * const n = noisePower(bw, 360); // mV²
 */
export function noisePower(noise: ArrayLike<number>, fs: number): number {
  const block = Math.round(fs);
  const powers: number[] = [];
  for (let start = 0; start + block <= noise.length; start += block) {
    let mean = 0;
    for (let i = start; i < start + block; i++) mean += noise[i];
    mean /= block;
    let sq = 0;
    for (let i = start; i < start + block; i++) sq += (noise[i] - mean) ** 2;
    powers.push(sq / block);
  }
  return trimmedMean(powers);
}

/**
 * The gain that puts noise of power `noise` at `snrDb` below a signal of power `signal`:
 * `SNR = 10·log10(S / (a²·N))`.
 *
 * @example
 * noiseGain(1, 1, 0) // 1
 */
export function noiseGain(signal: number, noise: number, snrDb: number): number {
  return Math.sqrt(signal / (noise * 10 ** (snrDb / 10)));
}

/**
 * Lead-off: from `from` for `length` samples the signal holds the value it had at `from` (a
 * disconnected electrode gives an exactly constant output). Returns a copy.
 */
export function injectLeadOff(signal: Float32Array, from: number, length: number): Float32Array {
  const out = Float32Array.from(signal);
  out.fill(signal[from], from, from + length);
  return out;
}

/**
 * Saturation: the stretch clipped at a rail inside its own range (its 40th percentile), so the
 * amplifier sits at the rail most of the time and only the deepest deflections come off it, as
 * when a baseline shift drives the input past the converter's range. Returns a copy.
 */
export function injectSaturation(signal: Float32Array, from: number, length: number): Float32Array {
  const out = Float32Array.from(signal);
  const part = signal.subarray(from, from + length);
  const rail = Float32Array.from(part).sort()[Math.floor(0.4 * part.length)];
  for (let i = from; i < from + length; i++) out[i] = Math.min(signal[i], rail);
  return out;
}

/**
 * Additive noise: `gain × noise[noiseFrom...]` added to the stretch, the noise segment's own drift
 * between its first and last sample removed, so the stretch starts and ends without a step (nst
 * offsets its output likewise when its gain changes). Returns a copy.
 */
export function injectNoise(
  signal: Float32Array,
  from: number,
  length: number,
  noise: ArrayLike<number>,
  noiseFrom: number,
  gain: number,
): Float32Array {
  const out = Float32Array.from(signal);
  const first = noise[noiseFrom];
  const last = noise[noiseFrom + length - 1];
  for (let i = 0; i < length; i++) {
    const trend = first + ((last - first) * i) / Math.max(1, length - 1);
    out[from + i] = signal[from + i] + gain * (noise[noiseFrom + i] - trend);
  }
  return out;
}

/**
 * Seconds of a record fit to inject a fault into, one flag per whole second. Every fault needs
 * signal the reference does not mark noisy or unreadable (`~`) and no ventricular flutter.
 * `normalOnly` (for additive noise, which leaves the heart's own rhythm under it) also needs
 * normal sinus rhythm (`(N`) and every reference beat of AAMI class N within a second, so that a
 * clinical alert raised there can only come from the noise. Lead-off, saturation and dropped
 * records replace the signal, so any clinical alert inside them is false whatever the rhythm was.
 *
 * @example
 * const clean = cleanSeconds(record, { normalOnly: true }); // clean[s] is true when second s is usable
 */
export function cleanSeconds(record: MitdbRecord, options: { readonly normalOnly?: boolean } = {}): boolean[] {
  const fs = record.fs;
  const n = Math.floor(record.signal.length / fs);
  const ok = new Array<boolean>(n).fill(true);
  const mark = (fromSample: number, toSample: number) => {
    for (let s = Math.max(0, Math.floor(fromSample / fs)); s < Math.min(n, Math.ceil(toSample / fs)); s++) ok[s] = false;
  };
  let noisy = false;
  let since = 0;
  for (const q of [...(record.quality ?? []), { sample: record.signal.length, noisy: false }]) {
    if (noisy) mark(since, q.sample);
    noisy = q.noisy;
    since = q.sample;
  }
  for (const [from, to] of record.excluded) mark(from, to);
  if (!options.normalOnly) return ok;
  // Rhythm: seconds outside `(N` stretches (before the first rhythm mark, normal is assumed).
  let rhythm = 'N';
  since = 0;
  for (const change of [...(record.rhythms ?? []), { sample: record.signal.length, rhythm: 'END' }]) {
    if (rhythm !== 'N') mark(since, change.sample);
    rhythm = change.rhythm;
    since = change.sample;
  }
  record.beatSamples.forEach((sample, i) => {
    if (aamiClass(record.beatSymbols[i]) !== 'N') mark(sample - fs, sample + fs);
  });
  return ok;
}

/**
 * The first run of `seconds` clean seconds (with `margin` clean seconds before and after) that
 * starts at or after second `from`, or null.
 *
 * @example
 * const at = firstCleanRun(cleanSeconds(record), 360, 15, 5); // a second index, or null
 */
export function firstCleanRun(clean: readonly boolean[], from: number, seconds: number, margin: number): number | null {
  let run = 0;
  for (let s = Math.max(0, from - margin); s < clean.length; s++) {
    run = clean[s] ? run + 1 : 0;
    // The window [start - margin, start + seconds + margin) ends at s and is all clean.
    const start = s - seconds - margin + 1;
    if (run >= seconds + 2 * margin && start >= from) return start;
  }
  return null;
}
