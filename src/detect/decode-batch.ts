/**
 * Step 1 of a batch: decode and validate each input record, clip absurd amplitudes, and group
 * the records by device. A record that does not decode is a rejection (quarantined later), never
 * a failed batch: one bad record must not hold up the rest of the shard.
 */
import { recordLead, clipAmplitude } from '../contract';
import type { BatchCounts, InputRecord } from './batch-result';
import { newDeviceWork, type DeviceWork } from './device-work';
import type { RecordDecoder, Rejection } from './ports';

/** A batch's records, decoded and grouped by device. */
export interface DecodedBatch {
  /** Each device's work, in the order its first record came (records in stream order). */
  readonly byDevice: Map<string, DeviceWork>;
  /** Records that did not decode, to quarantine (later steps add the ones they refuse). */
  readonly rejections: Rejection[];
  /** Ids of records whose model lead had samples clipped: beats near them are artefacts. */
  readonly clipped: Set<string>;
}

/**
 * Decodes a batch's records (the model's lead by name, `modelLead`; default the contract's)
 * and groups them by device; counts `amplitudeFlagged`.
 *
 * @example
 * const { byDevice, rejections, clipped } = decodeBatch(input, decodeRecord, model.lead, counts);
 */
export function decodeBatch(
  input: readonly InputRecord[],
  decode: RecordDecoder,
  modelLead: string | undefined,
  counts: Pick<BatchCounts, 'amplitudeFlagged'>,
): DecodedBatch {
  const rejections: Rejection[] = [];
  const clipped = new Set<string>();
  const byDevice = new Map<string, DeviceWork>();
  for (const item of input) {
    const decoded = decode(item.data);
    if (!decoded.ok) {
      rejections.push({
        recordId: item.id,
        reason: decoded.reason,
        ...(decoded.field === undefined ? {} : { field: decoded.field }),
        data: item.data,
        arrivedAt: item.arrivedAt,
      });
      continue;
    }
    // Physiological bounds: an absurd amplitude is clipped (and counted) so that it cannot
    // blind the QRS detector for longer than the record itself. Every lead is clipped; beats
    // are artefacts only when the model's lead was.
    const modelSamples = recordLead(decoded.record, modelLead).samples;
    let others = 0;
    for (const l of decoded.record.leads ?? []) if (l.samples !== modelSamples) others += clipAmplitude(l.samples);
    const first = clipAmplitude(modelSamples);
    if (first + others > 0) counts.amplitudeFlagged++;
    if (first > 0) clipped.add(item.id);
    const { deviceId } = decoded.record;
    let work = byDevice.get(deviceId);
    if (!work) byDevice.set(deviceId, (work = newDeviceWork(deviceId)));
    work.records.push({ id: item.id, record: decoded.record, item });
  }
  return { byDevice, rejections, clipped };
}
