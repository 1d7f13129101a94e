import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBeatSymbol } from './beat-symbols';
import { chooseLead, MODEL_LEAD } from './read-ecg-file';
import { readWfdbAnnotations } from './wfdb-annotations';
import { readWfdbRecord } from './wfdb-record';

/** One MIT-BIH record as the evaluation uses it: the lead scored (MLII by name), every lead, and the reference beats. */
export interface MitdbRecord {
  /** Record name (`100`). */
  readonly name: string;
  readonly fs: number;
  /** Name of the lead in `signal` (MLII unless another was asked for or the record has none). */
  readonly lead: string;
  /** The lead scored, mV: MLII by name (record 114 stores it second), or the one asked for. */
  readonly signal: Float32Array;
  /**
   * Every lead of the record in file order, mV (`signal` is one of them). Absent in records made
   * by hand (tests) that carry one lead only.
   */
  readonly leads?: readonly { readonly name: string; readonly samples: Float32Array; readonly gain?: number }[];
  /** Why `signal` is not the lead asked for (or not MLII), when it is not. */
  readonly warning?: string;
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
 * Reads record `name` of `folder`: the lead to score, chosen by name (`lead`, default MLII, the
 * model's lead; {@link chooseLead}'s order when absent), every lead, and the reference beats from
 * `.atr`. By name, not position: record 114 stores V5 first and MLII second.
 *
 * @example
 * const rec = loadMitdbRecord('data/mitdb', '106');
 * rec.beatSamples.length; // 2027
 * loadMitdbRecord('data/mitdb', '114').lead; // 'MLII'
 */
export function loadMitdbRecord(folder: string, name: string, lead: string = MODEL_LEAD): MitdbRecord {
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
  const leads = record.signals.map((s) => ({ name: s.lead, unit: 'mV' as const, samples: s.samples, gain: s.gain }));
  const chosen = chooseLead({ leads }, lead);
  return {
    name,
    fs: record.fs,
    lead: chosen.lead.name,
    signal: chosen.lead.samples,
    leads: leads.map((l) => ({ name: l.name, samples: l.samples, gain: l.gain })),
    ...(chosen.warning === undefined ? {} : { warning: chosen.warning }),
    beatSamples: Int32Array.from(samples),
    beatSymbols: symbols,
    excluded,
    rhythms,
    quality,
  };
}
