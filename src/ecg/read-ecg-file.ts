import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { EcgFormatError } from './ecg-format-error';
import { millivoltsPerUnit } from './ecg-units';
import { readEcgCsv, type CsvUnit } from './read-csv';
import { readEdf } from './read-edf';
import { readWfdbAnnotations } from './wfdb-annotations';
import { readWfdbRecord } from './wfdb-record';

/** File formats {@link readEcgFile} reads. */
export type EcgFileFormat = 'wfdb' | 'edf' | 'bdf' | 'csv';

/** One lead of a recording, always in mV. */
export interface EcgLead {
  /** Lead name as the file gives it (`MLII`, `ECG II`, `column 2`). */
  readonly name: string;
  readonly unit: 'mV';
  /** Samples at the recording's `fs`; NaN marks a missing sample. */
  readonly samples: Float32Array;
  /**
   * ADC units per mV when the file says (WFDB gain, EDF digital/physical range, CSV in `adu`):
   * the recording's resolution, which lets a lossless integer coding (wire format v2) keep it.
   */
  readonly gain?: number;
}

/** Annotations that came with a recording, structure of arrays. */
export interface EcgAnnotations {
  /** Where they came from: a WFDB `.atr` file or the EDF+ annotation signal. */
  readonly from: 'atr' | 'edf+';
  /** Sample index (at the recording's fs) of each annotation. */
  readonly sample: Int32Array;
  /** WFDB annotation symbol (`N`, `V`, `+`...) or EDF+ annotation text. */
  readonly label: readonly string[];
  /** WFDB aux text (rhythm changes such as `(AFIB`), undefined elsewhere. */
  readonly aux: readonly (string | undefined)[];
}

/** An ECG recording in the one shape every reader produces. */
export interface EcgRecording {
  /** Samples per second of every lead. */
  readonly fs: number;
  readonly leads: readonly EcgLead[];
  /** Present when the file carries annotations (WFDB `.atr` beside the header, EDF+ annotations). */
  readonly annotations?: EcgAnnotations;
  readonly source: { readonly format: EcgFileFormat; readonly file: string };
  /** What was left out or ignored (non-voltage signals, leads at another rate, ignored options). */
  readonly warnings: readonly string[];
}

/** Options of {@link readEcgFile}. */
export interface ReadEcgFileOptions {
  /**
   * Samples per second. Needed for CSV files without a time column; for any other file it must
   * match what the file says (within 1 %) or reading fails.
   */
  readonly fs?: number;
  /** CSV only: unit of the values (`mV` default, `uV`, `V`, `adu` with `gain`). */
  readonly unit?: CsvUnit;
  /** CSV with `unit: 'adu'`: ADC units per mV. */
  readonly gain?: number;
  /** CSV with `unit: 'adu'`: ADC value of 0 mV (default 0). */
  readonly baseline?: number;
  /**
   * A lead the caller needs (matched as {@link chooseLead} matches a preferred name). Reading
   * fails if the file has no such lead; in EDF files it also decides the rate kept.
   */
  readonly lead?: string;
}

const EDF_EXTENSIONS = new Set(['.edf', '.bdf']);
const CSV_EXTENSIONS = new Set(['.csv', '.tsv', '.txt']);

/**
 * Reads any supported ECG file into an {@link EcgRecording}: WFDB (a `.hea`, `.dat` or `.atr`
 * path, or the record's base name such as `data/mitdb/100`), EDF/EDF+/BDF (`.edf`, `.bdf`),
 * CSV/TSV/text (`.csv`, `.tsv`, `.txt`). Other names are recognised by content (EDF/BDF magic,
 * else text). Leads are converted to mV; signals in other units (mmHg, %...) are left out with
 * a warning. A WFDB record's `.atr` annotations are read when the file exists.
 *
 * Errors are {@link EcgFormatError}s naming the file and the place in it.
 *
 * @param path - the file (or WFDB record base name)
 * @example
 * const rec = readEcgFile('data/mitdb/100');
 * const { lead, warning } = chooseLead(rec);
 * lead.name; // 'MLII'
 * rec.annotations?.label[0]; // '+'
 */
export function readEcgFile(path: string, options: ReadEcgFileOptions = {}): EcgRecording {
  try {
    return readDetected(path, options);
  } catch (error) {
    // A missing data or header file is a problem of the recording: report it like the others.
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' && typeof e.path === 'string') throw new EcgFormatError(e.path, 'file', 'no such file');
    throw error;
  }
}

function readDetected(path: string, options: ReadEcgFileOptions): EcgRecording {
  const { format, file } = detectFormat(path);
  const warnings: string[] = [];
  if (format !== 'csv' && (options.unit !== undefined || options.gain !== undefined || options.baseline !== undefined)) {
    warnings.push(`unit/gain/baseline options ignored: ${format.toUpperCase()} files carry their own calibration`);
  }
  let recording: EcgRecording;
  if (format === 'wfdb') recording = fromWfdb(file, warnings);
  else if (format === 'csv') {
    const csv = readEcgCsv(file, options);
    recording = {
      fs: csv.fs,
      leads: csv.leads.map((l) => ({
        name: l.name,
        unit: 'mV' as const,
        samples: l.samples,
        ...(options.unit === 'adu' && options.gain !== undefined ? { gain: options.gain } : {}),
      })),
      source: { format, file },
      warnings,
    };
  } else recording = fromEdf(file, format, options.lead, warnings);

  if (options.fs !== undefined && format !== 'csv' && Math.abs(options.fs - recording.fs) > 0.01 * recording.fs) {
    throw new EcgFormatError(recording.source.file, 'sampling rate', `the file says ${recording.fs} Hz but fs ${options.fs} was passed`);
  }
  if (options.lead !== undefined && findLead(recording.leads, options.lead) < 0) {
    throw new EcgFormatError(recording.source.file, 'lead', `no lead "${options.lead}" (leads: ${leadList(recording.leads)})`);
  }
  return recording;
}

/** Which reader a path goes to, and the path that reader takes. */
function detectFormat(path: string): { format: EcgFileFormat; file: string } {
  const ext = extname(path).toLowerCase();
  const base = path.slice(0, path.length - ext.length);
  if (ext === '.hea') return { format: 'wfdb', file: base };
  if ((ext === '.dat' || ext === '.atr') && existsSync(`${base}.hea`)) return { format: 'wfdb', file: base };
  if (!existsSync(path)) {
    if (existsSync(`${path}.hea`)) return { format: 'wfdb', file: path };
    throw new EcgFormatError(path, 'file', 'no such file (nor a WFDB record with this base name)');
  }
  if (statSync(path).isDirectory()) throw new EcgFormatError(path, 'file', 'is a folder: give one recording (see listEcgFiles)');
  if (existsSync(`${path}.hea`) && ext === '') return { format: 'wfdb', file: path };
  const head = readHead(path, 4096);
  const bdf = head[0] === 0xff && String.fromCharCode(...head.subarray(1, 8)) === 'BIOSEMI';
  const edf = String.fromCharCode(...head.subarray(0, 8)) === '0       ';
  if (EDF_EXTENSIONS.has(ext) || bdf || edf) return { format: bdf ? 'bdf' : 'edf', file: path };
  if (CSV_EXTENSIONS.has(ext) || !head.includes(0)) return { format: 'csv', file: path };
  throw new EcgFormatError(path, 'file', 'not a recognised ECG file (WFDB record, EDF/BDF, or CSV/text)');
}

/** The first `n` bytes of a file (fewer if it is shorter). */
function readHead(path: string, n: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buffer = new Uint8Array(n);
    const read = readSync(fd, buffer, 0, n, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

function leadList(leads: readonly { name: string }[]): string {
  return leads.map((l) => l.name).join(', ') || 'none';
}

/** Scales samples to mV in place (the arrays are fresh from the reader). */
function toMillivolts(samples: Float32Array, mvPerUnit: number): Float32Array {
  if (mvPerUnit !== 1) for (let i = 0; i < samples.length; i++) samples[i] *= mvPerUnit;
  return samples;
}

function fromWfdb(base: string, warnings: string[]): EcgRecording {
  const record = readWfdbRecord(base);
  const leads: EcgLead[] = [];
  const skipped: string[] = [];
  record.signals.forEach((signal, i) => {
    const name = signal.lead === '' ? `signal ${i}` : signal.lead;
    const mv = millivoltsPerUnit(signal.units);
    if (mv === undefined) skipped.push(`${name} (${signal.units})`);
    else leads.push({ name, unit: 'mV', samples: toMillivolts(signal.samples, mv), gain: signal.gain / mv });
  });
  if (skipped.length > 0) warnings.push(`left out ${skipped.length} non-voltage signal(s): ${skipped.join(', ')}`);
  if (leads.length === 0)
    throw new EcgFormatError(`${base}.hea`, 'signals', `no signal in a voltage unit (signals: ${skipped.join(', ') || 'none'})`);
  let annotations: EcgAnnotations | undefined;
  if (existsSync(`${base}.atr`)) {
    const atr = readWfdbAnnotations(`${base}.atr`);
    annotations = { from: 'atr', sample: atr.sample, label: atr.symbol, aux: atr.aux };
  }
  return { fs: record.fs, leads, annotations, source: { format: 'wfdb', file: `${base}.hea` }, warnings };
}

function fromEdf(file: string, format: 'edf' | 'bdf', preferred: string | undefined, warnings: string[]): EcgRecording {
  const edf = readEdf(file);
  const voltage: { name: string; fs: number; samples: Float32Array; mv: number; gain: number | undefined }[] = [];
  const skipped: string[] = [];
  for (const s of edf.signals) {
    const mv = millivoltsPerUnit(s.unit);
    if (mv === undefined) skipped.push(`${s.label} (${s.unit || 'no unit'})`);
    else {
      // Digital units per physical unit, then per mV.
      const perUnit = (s.digitalMax - s.digitalMin) / (s.physicalMax - s.physicalMin);
      const gain = Number.isFinite(perUnit) && perUnit > 0 ? perUnit / mv : undefined;
      voltage.push({ name: s.label, fs: s.fs, samples: s.samples, mv, gain });
    }
  }
  if (skipped.length > 0) warnings.push(`left out ${skipped.length} non-voltage signal(s): ${skipped.join(', ')}`);
  if (voltage.length === 0)
    throw new EcgFormatError(file, 'signals', `no signal in a voltage unit (signals: ${skipped.join(', ') || 'none'})`);
  // One rate per recording: the rate of the lead that would be chosen; leads at other rates
  // (EEG, EMG in a polysomnogram) are left out rather than resampled.
  const fs = voltage[rankLeads(voltage, preferred).index].fs;
  const leads: EcgLead[] = [];
  for (const v of voltage) {
    if (v.fs === fs)
      leads.push({ name: v.name, unit: 'mV', samples: toMillivolts(v.samples, v.mv), ...(v.gain === undefined ? {} : { gain: v.gain }) });
    else warnings.push(`left out "${v.name}": ${v.fs} Hz, the recording keeps ${fs} Hz`);
  }
  let annotations: EcgAnnotations | undefined;
  if (edf.annotations.length > 0) {
    annotations = {
      from: 'edf+',
      sample: Int32Array.from(edf.annotations, (a) => Math.round(a.onset * fs)),
      label: edf.annotations.map((a) => a.text),
      aux: edf.annotations.map(() => undefined),
    };
  }
  return { fs, leads, annotations, source: { format, file }, warnings };
}

/** The lead the model was trained on (MIT-BIH modified lead II). */
export const MODEL_LEAD = 'MLII';

/** Lower case, no spaces/dashes/underscores/dots, without a leading `ecg`/`ekg`/`lead`. */
function canonical(name: string): string {
  const compact = name.toLowerCase().replace(/[\s_\-.:]/g, '');
  const stripped = compact.replace(/^(ecg|ekg|lead)+/, '');
  return stripped === '' ? compact : stripped;
}

function findLead(leads: readonly { name: string }[], wanted: string): number {
  const target = canonical(wanted);
  return leads.findIndex((l) => canonical(l.name) === target);
}

/**
 * Whether a lead name is `wanted` by the rules {@link chooseLead} matches a preferred name with
 * (case, spaces and an `ECG`/`lead` prefix ignored; `ML2` is MLII).
 *
 * @example
 * isLeadNamed('ECG II', 'ii'); // true
 */
export function isLeadNamed(name: string, wanted: string): boolean {
  const mlii = (c: string) => (c === 'ml2' ? 'mlii' : c);
  return mlii(canonical(name)) === mlii(canonical(wanted));
}

/** How a lead was chosen, best first. */
type LeadMatch = 'preferred' | 'mlii' | 'ii' | 'ecg' | 'first';

function rankLeads(leads: readonly { name: string }[], preferred: string | undefined): { index: number; match: LeadMatch } {
  if (leads.length === 0) throw new RangeError('chooseLead: the recording has no leads');
  if (preferred !== undefined) {
    const index = findLead(leads, preferred);
    if (index >= 0) return { index, match: 'preferred' };
  }
  const canon = leads.map((l) => canonical(l.name));
  let index = canon.findIndex((c) => c === 'mlii' || c === 'ml2');
  if (index >= 0) return { index, match: 'mlii' };
  index = canon.findIndex((c) => c === 'ii');
  if (index >= 0) return { index, match: 'ii' };
  index = leads.findIndex((l) => /^(ecg|ekg)/i.test(l.name.trim()));
  if (index >= 0) return { index, match: 'ecg' };
  return { index: 0, match: 'first' };
}

/**
 * Picks the lead to score. A `preferred` name wins when present (case-insensitive; `II` also
 * matches `ECG II` and `Lead II`). Otherwise, or when it is absent: MLII (the model's lead),
 * then lead II, then a lead named ECG/EKG..., then the first lead. `warning` says why when the
 * lead is not the one asked for, or not the model's lead when none was asked for; the caller
 * prints it (the model scores any lead, but was trained on MLII).
 *
 * @example
 * const { lead, warning } = chooseLead(readEcgFile('holter.edf'));
 * if (warning) console.error(warning); // using lead "ECG II" in place of MLII...
 */
export function chooseLead(
  recording: { readonly leads: readonly EcgLead[] },
  preferred?: string,
): { lead: EcgLead; index: number; warning: string | undefined } {
  const { leads } = recording;
  const { index, match } = rankLeads(leads, preferred);
  const lead = leads[index];
  const notes: string[] = [];
  if (preferred !== undefined && match !== 'preferred') notes.push(`lead "${preferred}" not found (leads: ${leadList(leads)})`);
  if (match === 'ii') notes.push(`using lead "${lead.name}" in place of ${MODEL_LEAD} (the model's lead): close, not identical`);
  else if (match === 'ecg') notes.push(`using "${lead.name}": its placement is unknown, the model was trained on ${MODEL_LEAD}`);
  else if (match === 'first')
    notes.push(`no ${MODEL_LEAD}, II or ECG lead; using the first, "${lead.name}": the model was trained on ${MODEL_LEAD}`);
  else if (match === 'mlii' && preferred !== undefined) notes.push(`using "${lead.name}"`);
  return { lead, index, warning: notes.length > 0 ? notes.join('; ') : undefined };
}

/**
 * The recordings in a folder, as paths {@link readEcgFile} takes: one base name per WFDB header,
 * plus each `.edf`, `.bdf`, `.csv`, `.tsv` and `.txt` file; sorted by name.
 *
 * @example
 * for (const path of listEcgFiles('data/mitdb')) readEcgFile(path);
 */
export function listEcgFiles(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder).sort()) {
    const ext = extname(name).toLowerCase();
    if (ext === '.hea') out.push(join(folder, name.slice(0, -4)));
    else if (EDF_EXTENSIONS.has(ext) || CSV_EXTENSIONS.has(ext)) out.push(join(folder, name));
  }
  return out;
}
