/**
 * The detector on multi-lead (v2) records: its device state (a multi-lead segmenter, the second
 * lead's adaptation) is snapshotted and rolled back like the rest, and what the second lead
 * learned is persisted with the profile and reloaded.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../src/contract/decode-record';
import { cutWireRecordV2 } from '../../src/contract/wire-records';
import { isEpisodeAlert } from '../../src/detect/alert-message';
import { MemoryProfileStore, parseDeviceProfile } from '../../src/detect/patient-adaptation';
import type { AlertMessage, DetectSinks } from '../../src/detect/ports';
import { Detector, type InputRecord, type ScoredBeat } from '../../src/detect/process-batch';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { loadBeatModel } from '../../src/model/beat-model';

const MODEL = loadBeatModel(readFileSync(fileURLToPath(new URL('../../data/default-model/model.json', import.meta.url)), 'utf8'));
const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));
const START = Date.UTC(2026, 10, 26, 12, 0, 0);
const FS = 360;
const SECONDS = 150;
/** Long enough for V1 to be trusted (10 s of agreement) and learned (20 usable beats, a dominant beat) in it. */
const LEARNING_SECONDS = 60;

/** 119 as v2 records of both leads (`seconds` each), MLII noisy (±1 mV) from 100 to 120 s so the second lead is used. */
function records(seconds = 1): InputRecord[] {
  const rec = loadMitdbRecord(MITDB, '119');
  const leads = rec.leads!.map((l) => ({ name: l.name, gain: l.gain!, samples: l.samples.slice(0, SECONDS * FS) }));
  let x = 1;
  for (let i = 100 * FS; i < 120 * FS; i++) {
    x = (x * 16807) % 2147483647; // a fixed pseudo-random sequence
    leads[0].samples[i] = (2 * x) / 2147483647 - 1;
  }
  return Array.from({ length: Math.ceil(SECONDS / seconds) }, (_, seq) => ({
    id: String(seq).padStart(6, '0'),
    data: cutWireRecordV2({ deviceId: 'dev-two', fs: FS, leads }, seq, START, seconds).data,
    arrivedAt: START + seq * seconds * 1000,
  }));
}

/** Sinks that fail to publish the first `failures` beat alerts. */
function sinks(failures = 0): { sinks: DetectSinks; alerts: AlertMessage[] } {
  const alerts: AlertMessage[] = [];
  let left = failures;
  return {
    alerts,
    sinks: {
      quarantine: async () => {},
      putSnippet: async () => {},
      publishAlert: async (m) => {
        if (isEpisodeAlert(m)) return;
        if (left-- > 0) throw new Error('SNS unavailable');
        alerts.push(m);
      },
    },
  };
}

/** Runs the records in batches of 10, retrying a batch from its first failed record (as the event source mapping does). */
async function run(failures: number, profiles = new MemoryProfileStore(), recordSeconds = 1) {
  const { sinks: s, alerts } = sinks(failures);
  const detector = new Detector(s, decodeRecord, { learningSeconds: LEARNING_SECONDS, secondLeadScoring: true, profiles });
  const all = records(recordSeconds);
  const beats: ScoredBeat[] = [];
  let retries = 0;
  for (let first = 0; first < all.length;) {
    const batch = all.slice(first, first + 10);
    const r = await detector.processBatch(batch, MODEL);
    beats.push(...r.beats);
    if (r.failedRecordIds.length > 0) {
      retries++;
      first = all.findIndex((x) => x.id === r.failedRecordIds[0]);
    } else first += 10;
  }
  return { beats, alerts, retries, profiles };
}

describe('Detector on two-lead records', () => {
  it('rolls a multi-lead device back and replays it to the same beats and alerts when an alert fails', async () => {
    const clean = await run(0);
    expect(clean.alerts.length).toBeGreaterThan(0);
    expect(clean.beats.some((b) => b.lead === 'V1')).toBe(true);
    const faulty = await run(2);
    expect(faulty.retries).toBe(2);
    expect(faulty.alerts).toEqual(clean.alerts);
    // A rolled-back batch reports no beats; its retry reports them again.
    const key = (b: ScoredBeat) => `${b.t}:${b.kind}:${b.score}:${b.lead ?? ''}`;
    expect([...new Set(faulty.beats.map(key))]).toEqual([...new Set(clean.beats.map(key))]);
  });

  it('gives the same beats, kinds, scores, leads and alerts however the stream is cut into records (0.5, 1 and 2.5 s)', async () => {
    const plain = (r: Awaited<ReturnType<typeof run>>) => ({
      beats: r.beats.map(({ t, kind, score, lead }) => ({ t, kind, score, lead })),
      alerts: r.alerts,
    });
    const one = plain(await run(0, new MemoryProfileStore(), 1));
    expect(one.beats.some((b) => b.lead === 'V1')).toBe(true);
    for (const seconds of [0.5, 2.5]) {
      const other = plain(await run(0, new MemoryProfileStore(), seconds));
      // The last beats wait for samples a shorter stream end may not have sent: compare up to 5 s before it.
      const upTo = (x: typeof one) => ({ ...x, beats: x.beats.filter((b) => b.t < START + (SECONDS - 5) * 1000) });
      expect(upTo(other)).toEqual(upTo(one));
    }
  });

  it("persists the second lead's profile with the device's, and a new environment scores on it", async () => {
    const { profiles, beats } = await run(0);
    const saved = profiles.get('dev-two');
    expect(saved?.secondLead?.lead).toBe('V1');
    expect(saved?.secondLead?.beatsLearned).toBeGreaterThanOrEqual(20);
    expect(parseDeviceProfile(saved).ok).toBe(true);
    expect(parseDeviceProfile({ ...saved, secondLead: { ...saved!.secondLead, threshold: 0 } })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/secondLead\.threshold/),
    });

    // A cold start after learning: the profile (with its second lead) is loaded, not relearned.
    const { sinks: s } = sinks();
    const cold = new Detector(s, decodeRecord, { learningSeconds: LEARNING_SECONDS, secondLeadScoring: true, profiles });
    const later = records().slice(90);
    const scored: ScoredBeat[] = [];
    for (let i = 0; i < later.length; i += 10) scored.push(...(await cold.processBatch(later.slice(i, i + 10), MODEL)).beats);
    expect(scored.every((b) => b.phase === 'learned')).toBe(true);
    const onV1 = scored.filter((b) => b.lead === 'V1');
    expect(onV1.length).toBeGreaterThan(10);
    // The same beats as in the warm run get the same kinds once the segmenter is past its warm-up.
    const warm = new Map(beats.map((b) => [b.t, b.kind]));
    const settled = onV1.filter((b) => b.t > START + 105_000);
    expect(settled.filter((b) => warm.get(b.t) === b.kind).length).toBeGreaterThanOrEqual(0.9 * settled.length);
  });
});
