import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PutRecordsCommand, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../src/contract/decode-record';
import type { AlertMessage, DetectSinks } from '../../src/detect/ports';
import { isEpisodeAlert } from '../../src/detect/alert-message';
import { Detector, type ScoredBeat } from '../../src/detect/process-batch';
import { createRandom } from '../../src/random';
import { readWfdbRecord } from '../../src/ecg/wfdb-record';
import { loadBeatModel } from '../../src/model/beat-model';
import { EcgProducer, type PutRecordsClient } from '../../src/producer';

const MODEL_TEXT = readFileSync(fileURLToPath(new URL('../../data/default-model/model.json', import.meta.url)), 'utf8');
const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));
const START = Date.UTC(2026, 10, 26, 12, 0, 0);
/** Past the default learning period (5 min, patient adaptation), so beats are scored and alerts raised. */
const SECONDS = 420;
/** 119 and 208 are full of ventricular ectopy (alerts); 100 is normal. 208 stores V1 second, 100 V5. */
const RECORDS = ['119', '208', '100'];

/** The wire records a producer sends for the devices, by device id and seq, as the stream would carry them. */
async function produce(format: 'v1' | 'v2'): Promise<Map<string, Uint8Array[]>> {
  const byDevice = new Map<string, Uint8Array[]>();
  const capture: PutRecordsClient = {
    send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
      const records = command.input.Records ?? [];
      for (const r of records) byDevice.set(r.PartitionKey!, [...(byDevice.get(r.PartitionKey!) ?? []), r.Data!]);
      return Promise.resolve({ FailedRecordCount: 0, Records: records.map(() => ({ SequenceNumber: '1', ShardId: 's' })), $metadata: {} });
    },
  };
  const producer = new EcgProducer({ kinesis: capture, streamName: 'ecg', format });
  for (const name of RECORDS) {
    const rec = readWfdbRecord(`${MITDB}/${name}`);
    const id = `dev-${name}`;
    // Stored second lead first for 208: the detector must still pick MLII by name.
    const signals = name === '208' ? [...rec.signals].reverse() : rec.signals;
    producer.addDevice({ deviceId: id, fs: rec.fs, t0: START, leads: signals.map((s) => ({ name: s.lead, gain: s.gain, bits: 12 })) });
    await producer.write(
      id,
      signals.map((s) => s.samples.subarray(0, SECONDS * rec.fs)),
    );
  }
  await producer.close();
  return byDevice;
}

/**
 * Runs the detector with the real decoder over records interleaved as a shard would carry them.
 * One lead (the model's, picked by name): this test is about the formats carrying the same
 * signal; with two leads (the default) a v2 record's second lead is used where MLII is poor
 * (test/integration/multi-lead.test.ts), which a v1 record cannot carry.
 */
async function detect(
  pick: (deviceIndex: number, seq: number) => Uint8Array,
): Promise<{ beats: ScoredBeat[]; alerts: AlertMessage[]; rejected: number }> {
  const alerts: AlertMessage[] = [];
  const sinks: DetectSinks = {
    quarantine: async () => {},
    putSnippet: async () => {},
    publishAlert: async (m) => void (isEpisodeAlert(m) || alerts.push(m)),
  };
  const detector = new Detector(sinks, decodeRecord, { leads: 1 });
  const model = loadBeatModel(MODEL_TEXT);
  const beats: ScoredBeat[] = [];
  let rejected = 0;
  let id = 0;
  // Batches of 30 records: 10 s of each of the three devices, interleaved.
  for (let first = 0; first < SECONDS; first += 10) {
    const batch = [];
    for (let seq = first; seq < first + 10; seq++)
      for (let d = 0; d < RECORDS.length; d++) batch.push({ id: String(id++).padStart(8, '0'), data: pick(d, seq), arrivedAt: START });
    const r = await detector.processBatch(batch, model);
    beats.push(...r.beats);
    rejected += r.counts.rejected;
  }
  return { beats, alerts, rejected };
}

describe('a stream mixing wire formats v1 and v2', () => {
  it('gives the same beats, scores and alerts as the same signals sent as v1 only', async () => {
    const v1 = await produce('v1');
    const v2 = await produce('v2');
    const ids = RECORDS.map((r) => `dev-${r}`);
    for (const id of ids) {
      expect(v1.get(id)).toHaveLength(SECONDS);
      expect(v2.get(id)).toHaveLength(SECONDS);
    }
    const only1 = await detect((d, seq) => v1.get(ids[d])![seq]);
    // Each record of each device is v1 or v2 at random: devices switch format mid-stream.
    const rng = createRandom(11);
    const choice = ids.map(() => Array.from({ length: SECONDS }, () => rng.next() < 0.5));
    const mixed = await detect((d, seq) => (choice[d][seq] ? v2 : v1).get(ids[d])![seq]);
    expect(choice.flat().filter(Boolean).length).toBeGreaterThan(500);

    expect(only1.rejected).toBe(0);
    expect(mixed.rejected).toBe(0);
    expect(only1.alerts.length).toBeGreaterThanOrEqual(2);
    expect(only1.beats.length).toBeGreaterThan(250);
    expect(mixed.beats).toEqual(only1.beats);
    expect(mixed.alerts).toEqual(only1.alerts);
  });
});
