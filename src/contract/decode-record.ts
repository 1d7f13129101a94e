/**
 * The one decode entry of the stream (docs/ARCHITECTURE.md §3.1): v1 (JSON text) and v2
 * (binary) side by side, told apart by the first byte, so devices can move to v2 one at a time.
 */
import { chooseLead, MODEL_LEAD } from '../ecg';
import { decodeWireRecord, type DecodedRecord } from './wire';
import { WIRE_V2_MAGIC, decodeWireRecordV2 } from './wire-v2';
import type { WireRejection } from './wire-validate';

/** A decoded record of either version: `v` says which, `samples` is the lead to detect on. */
export type AnyDecodedRecord = DecodedRecord & { readonly v: 1 | 2 };

/** Result of {@link decodeRecord}: a record or a precise rejection. */
export type RecordDecodeResult = { ok: true; record: AnyDecodedRecord } | ({ ok: false } & WireRejection);

/**
 * Decodes one Kinesis record payload of wire format v1 or v2 (first byte 0xB2 = v2, anything
 * else goes to the v1 JSON decoder). Never throws. For v2, `samples` is the lead the model was
 * trained on when the record has it (MLII, then lead II, then an ECG-named lead, then the
 * first: `chooseLead`'s order) and `leads` holds every lead.
 *
 * @example
 * const r = decodeRecord(Buffer.from(kinesisRecord.data, 'base64'));
 * if (r.ok) detect(r.record.samples); else quarantine(r.reason);
 */
export function decodeRecord(data: Uint8Array | string): RecordDecodeResult {
  if (typeof data === 'string' || data.length === 0 || data[0] !== WIRE_V2_MAGIC) return decodeWireRecord(data);
  const r = decodeWireRecordV2(data);
  if (!r.ok) return r;
  const { leads, ...meta } = r.record;
  const { lead } = chooseLead({ leads: leads.map((l) => ({ name: l.name, unit: 'mV' as const, samples: l.samples })) });
  return { ok: true, record: { ...meta, samples: lead.samples, leads } };
}

/** A lead of a decoded record: its name (null for a v1 record, which names none) and samples in mV. */
export interface RecordLead {
  readonly name: string | null;
  readonly samples: Float32Array;
}

/**
 * The lead of a decoded record that a model trained on `lead` detects and scores on: the lead
 * of that name when the record has several (`chooseLead`'s order when none has it: MLII, II, an
 * ECG-named lead, the first), the only lead of a v1 record.
 *
 * @example
 * recordLead(record, model.lead ?? 'MLII').samples; // what the segmenter is fed
 */
export function recordLead(record: DecodedRecord, lead: string = MODEL_LEAD): RecordLead {
  if (record.leads === undefined || record.leads.length === 0) return { name: null, samples: record.samples };
  const { lead: chosen } = chooseLead(
    { leads: record.leads.map((l) => ({ name: l.name, unit: 'mV' as const, samples: l.samples })) },
    lead,
  );
  return { name: chosen.name, samples: chosen.samples };
}
