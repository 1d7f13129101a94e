import { join } from 'node:path';
import { readWfdbRecord } from '../../src/ecg/wfdb-record';
import { MITDB } from './helpers';

// An EDF/BDF writer for the tests, written from the EDF specification (the reader under test is
// not used to produce its input).

/** A signal to write: physical values and the header fields that describe them. */
export interface EdfTestSignal {
  label: string;
  unit: string;
  physicalMin: number;
  physicalMax: number;
  digitalMin: number;
  digitalMax: number;
  samplesPerRecord: number;
  /** Physical values (quantized on writing), or raw bytes per record for annotation signals. */
  values?: ArrayLike<number>;
  /** Annotation signal: the text of each record's bytes (padded with zeros). */
  records?: string[];
}

/** Options of the test writer. */
export interface EdfTestOptions {
  bdf?: boolean;
  reserved?: string;
  recordDuration?: number;
  /** Overrides the number-of-records field (e.g. -1). */
  recordCountField?: string;
}

/** Fixed-width ASCII field, left-aligned and space-padded (the EDF convention). */
function field(value: string | number, width: number): string {
  const s = String(value);
  if (s.length > width) throw new Error(`test writer: "${s}" does not fit ${width} characters`);
  return s.padEnd(width, ' ');
}

/** Writes an EDF (or BDF) file from the EDF specification: header, signal headers, data records. */
export function writeEdf(signals: EdfTestSignal[], options: EdfTestOptions = {}): Uint8Array {
  const bdf = options.bdf ?? false;
  const width = bdf ? 3 : 2;
  const duration = options.recordDuration ?? 1;
  const ns = signals.length;
  const recordCount = Math.max(
    ...signals.map((s) => (s.records ? s.records.length : Math.ceil((s.values?.length ?? 0) / s.samplesPerRecord))),
  );
  let header = '';
  header += bdf ? ' BIOSEMI' : field('0', 8);
  header += field('X X X X', 80) + field('Startdate X X X X', 80) + field('01.02.03', 8) + field('04.05.06', 8);
  header += field(256 * (ns + 1), 8) + field(options.reserved ?? (bdf ? '24BIT' : ''), 44);
  header += field(options.recordCountField ?? recordCount, 8) + field(duration, 8) + field(ns, 4);
  const perSignal: [keyof EdfTestSignal | 'transducer' | 'prefiltering' | 'reserved', number][] = [
    ['label', 16],
    ['transducer', 80],
    ['unit', 8],
    ['physicalMin', 8],
    ['physicalMax', 8],
    ['digitalMin', 8],
    ['digitalMax', 8],
    ['prefiltering', 80],
    ['samplesPerRecord', 8],
    ['reserved', 32],
  ];
  for (const [key, w] of perSignal) {
    for (const s of signals) {
      const value = key === 'transducer' ? 'AgAgCl electrode' : key === 'prefiltering' ? 'HP:0.1Hz' : key === 'reserved' ? '' : s[key];
      header += field(value as string | number, w);
    }
  }
  const recordBytes = signals.reduce((sum, s) => sum + s.samplesPerRecord * width, 0);
  const out = new Uint8Array(header.length + recordCount * recordBytes);
  for (let i = 0; i < header.length; i++) out[i] = header.charCodeAt(i);
  if (bdf) out[0] = 0xff;
  const view = new DataView(out.buffer);
  let p = header.length;
  for (let r = 0; r < recordCount; r++) {
    for (const s of signals) {
      if (s.records) {
        const text = new TextEncoder().encode(s.records[r] ?? '');
        out.set(text.subarray(0, s.samplesPerRecord * width), p);
        p += s.samplesPerRecord * width;
        continue;
      }
      const scale = (s.digitalMax - s.digitalMin) / (s.physicalMax - s.physicalMin);
      for (let k = 0; k < s.samplesPerRecord; k++) {
        const t = r * s.samplesPerRecord + k;
        const v = s.values && t < s.values.length ? s.values[t] : s.physicalMin;
        const digital = Math.max(s.digitalMin, Math.min(s.digitalMax, Math.round((v - s.physicalMin) * scale + s.digitalMin)));
        if (bdf) {
          out[p] = digital & 0xff;
          out[p + 1] = (digital >> 8) & 0xff;
          out[p + 2] = (digital >> 16) & 0xff;
        } else view.setInt16(p, digital, true);
        p += width;
      }
    }
  }
  return out;
}

/** Seconds of record 100 in {@link record100Edf}. */
export const SECONDS = 20;

/** The first SECONDS of record 100 as two EDF signals: MLII in mV, V5 in uV. */
export function record100Edf(options: EdfTestOptions = {}): { bytes: Uint8Array; mlii: Float32Array; v5: Float32Array } {
  const rec = readWfdbRecord(join(MITDB, '100'));
  const mlii = rec.signals[0].samples.slice(0, 360 * SECONDS);
  const v5 = rec.signals[1].samples.slice(0, 360 * SECONDS);
  const digital = options.bdf ? 8388607 : 32767;
  const bytes = writeEdf(
    [
      {
        label: 'MLII',
        unit: 'mV',
        physicalMin: -5.12,
        physicalMax: 5.12,
        digitalMin: -digital - 1,
        digitalMax: digital,
        samplesPerRecord: 360,
        values: mlii,
      },
      {
        label: 'V5',
        unit: 'uV',
        physicalMin: -5120,
        physicalMax: 5120,
        digitalMin: -digital - 1,
        digitalMax: digital,
        samplesPerRecord: 360,
        values: Float32Array.from(v5, (v) => v * 1000),
      },
    ],
    options,
  );
  return { bytes, mlii, v5 };
}
