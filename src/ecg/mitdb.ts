import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBeatSymbol } from './beat-symbols';
import { readWfdbAnnotations } from './wfdb-annotations';
import { readWfdbRecord } from './wfdb-record';

/** One MIT-BIH record as the evaluation uses it: the first channel and the reference beats. */
export interface MitdbRecord {
  /** Record name (`100`). */
  readonly name: string;
  readonly fs: number;
  /** Lead of the first channel (MLII in the MIT-BIH Arrhythmia Database). */
  readonly lead: string;
  /** First channel, mV. */
  readonly signal: Float32Array;
  /** Sample indices of the reference beat annotations (non-beat annotations dropped), ascending. */
  readonly beatSamples: Int32Array;
  /** Symbol of each reference beat (`N`, `V`...), aligned with `beatSamples`. */
  readonly beatSymbols: readonly string[];
  /**
   * Ventricular flutter/fibrillation episodes (`[` to `]` annotations) as [start, end) sample
   * ranges: EC57 leaves them out of QRS detection statistics (they hold flutter waves, no beats).
   */
  readonly excluded: readonly (readonly [number, number])[];
  /** Rhythm changes (`+` annotations): sample and aux text without its `(` (`AFIB`, `N`, `VT`...). */
  readonly rhythms?: readonly { readonly sample: number; readonly rhythm: string }[];
  /**
   * Signal-quality changes (`~` annotations): sample and whether the first channel is noisy or
   * unreadable from there on (MIT-BIH's subtype bits 0 and 4 mark the first signal).
   */
  readonly quality?: readonly { readonly sample: number; readonly noisy: boolean }[];
}

/**
 * Lists the records of a WFDB folder: the names in its `RECORDS` file when present, otherwise
 * every `<name>.hea` that has a matching `.atr`, sorted.
 */
export function listMitdbRecords(folder: string): string[] {
  const index = join(folder, 'RECORDS');
  if (existsSync(index)) {
    return readFileSync(index, 'utf8')
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  return readdirSync(folder)
    .filter((f) => f.endsWith('.hea') && existsSync(join(folder, `${f.slice(0, -4)}.atr`)))
    .map((f) => f.slice(0, -4))
    .sort();
}

/**
 * Reads record `name` of `folder`: signal (first channel) and reference beats from `.atr`.
 *
 * @example
 * const rec = loadMitdbRecord('data/mitdb', '106');
 * rec.beatSamples.length; // 2027
 */
export function loadMitdbRecord(folder: string, name: string): MitdbRecord {
  const base = join(folder, name);
  const record = readWfdbRecord(base);
  if (record.signals.length === 0) throw new Error(`${base}.hea: record has no signals`);
  const annotations = readWfdbAnnotations(`${base}.atr`);
  const samples: number[] = [];
  const symbols: string[] = [];
  const excluded: [number, number][] = [];
  let vfStart = -1;
  const rhythms: { sample: number; rhythm: string }[] = [];
  const quality: { sample: number; noisy: boolean }[] = [];
  for (let i = 0; i < annotations.symbol.length; i++) {
    const symbol = annotations.symbol[i];
    const aux = annotations.aux[i]?.replace(/\0/g, '').trim();
    if (symbol === '+' && aux?.startsWith('(')) rhythms.push({ sample: annotations.sample[i], rhythm: aux.slice(1) });
    if (symbol === '~')
      quality.push({ sample: annotations.sample[i], noisy: annotations.subtype[i] === -1 || (annotations.subtype[i] & 0x11) !== 0 });
    if (symbol === '[' && vfStart < 0) vfStart = annotations.sample[i];
    if (symbol === ']' && vfStart >= 0) {
      excluded.push([vfStart, annotations.sample[i]]);
      vfStart = -1;
    }
    if (!isBeatSymbol(symbol)) continue;
    samples.push(annotations.sample[i]);
    symbols.push(symbol);
  }
  if (vfStart >= 0) excluded.push([vfStart, record.length]);
  const first = record.signals[0];
  return {
    name,
    fs: record.fs,
    lead: first.lead,
    signal: first.samples,
    beatSamples: Int32Array.from(samples),
    beatSymbols: symbols,
    excluded,
    rhythms,
    quality,
  };
}
