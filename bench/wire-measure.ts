import { gzipSync } from 'node:zlib';
import { decodeRecord, encodeWireRecord, encodeWireRecordV2, type WireV2Coding } from '../src/contract';
import { readWfdbRecord, listMitdbRecords } from '../src/ecg';

/** Bytes of one format on a set of records. */
export interface WireBytes {
  /** Wire records made. */
  readonly records: number;
  /** Total bytes on the wire. */
  readonly bytes: number;
  /** The same records gzipped as one NDJSON-like archive (what `history/` stores). */
  readonly gzipBytes: number;
  /** Lead-seconds of signal they carry. */
  readonly leadSeconds: number;
  /** The encoded records (for decode timing). */
  readonly encoded: Uint8Array[];
  /** Samples the records carry, all leads. */
  readonly samples: number;
}

/** The bundled records' signals: every lead, its name and gain. */
export function bundledSignals(folder: string, names?: readonly string[]) {
  return (names ?? listMitdbRecords(folder)).map((name) => {
    const rec = readWfdbRecord(`${folder}/${name}`);
    return { name, fs: rec.fs, leads: rec.signals.map((s) => ({ name: s.lead, gain: s.gain, samples: s.samples })) };
  });
}

/**
 * Cuts `seconds` of each recording into records of `perRecord` seconds and encodes them: v1 one
 * record per lead (v1 carries one), v2 one record holding every lead. A device id of a realistic
 * length (20 characters, as `pseudonymousDeviceId` makes them).
 *
 * @example
 * const v2 = wireBytes(bundledSignals('data/mitdb', ['100']), 'v2', 1, 60);
 * v2.bytes / v2.leadSeconds; // about 250
 */
export function wireBytes(
  recordings: ReturnType<typeof bundledSignals>,
  format: 'v1' | 'v2',
  perRecord: number,
  seconds: number,
  coding?: WireV2Coding,
): WireBytes {
  const encoded: Uint8Array[] = [];
  let leadSeconds = 0;
  let samples = 0;
  for (const r of recordings) {
    const n = Math.round(perRecord * r.fs);
    const total = Math.min(r.leads[0].samples.length, Math.round(seconds * r.fs));
    for (let seq = 0, at = 0; at + n <= total; seq++, at += n) {
      const t0 = 1_764_150_000_000 + seq * perRecord * 1000;
      const deviceId = 'dev-0123456789abcdef';
      if (format === 'v1') {
        for (const l of r.leads)
          encoded.push(Buffer.from(encodeWireRecord({ deviceId, seq, t0, fs: r.fs, samples: l.samples.subarray(at, at + n) })));
      } else {
        const leads = r.leads.map((l) => ({ name: l.name, gain: l.gain, bits: 12, samples: l.samples.subarray(at, at + n) }));
        encoded.push(encodeWireRecordV2({ deviceId, seq, t0, fs: r.fs, leads }, coding === undefined ? {} : { coding }));
      }
      leadSeconds += perRecord * r.leads.length;
      samples += n * r.leads.length;
    }
  }
  const bytes = encoded.reduce((s, b) => s + b.byteLength, 0);
  // Firehose appends a newline to each record before gzip (infra: AppendDelimiterToRecord).
  const archive = Buffer.concat(encoded.flatMap((b) => [b, Buffer.from('\n')]));
  return { records: encoded.length, bytes, gzipBytes: gzipSync(archive).byteLength, leadSeconds, encoded, samples };
}

/** Decode time per sample (ns), best of `rounds` passes over the records. */
export function decodeNsPerSample(w: WireBytes, rounds: number): number {
  let best = Infinity;
  for (let k = 0; k < rounds; k++) {
    const started = process.hrtime.bigint();
    let decoded = 0;
    for (const b of w.encoded) {
      const r = decodeRecord(b);
      if (!r.ok) throw new Error(`bench: a record does not decode: ${r.reason}`);
      decoded += (r.record.leads?.length ?? 1) * r.record.samples.length;
    }
    const ns = Number(process.hrtime.bigint() - started);
    if (decoded !== w.samples) throw new Error(`bench: ${w.samples} samples encoded, ${decoded} decoded`);
    best = Math.min(best, ns / decoded);
  }
  return best;
}
