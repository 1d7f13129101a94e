import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../src/contract/decode-record';
import { cutWireRecord, cutWireRecordV2 } from '../../src/contract/wire-records';
import { isEpisodeAlert } from '../../src/detect/alert-message';
import type { AlertMessage, DetectSinks, EpisodeAlertMessage } from '../../src/detect/ports';
import { Detector, type ScoredBeat } from '../../src/detect/process-batch';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { loadBeatModel } from '../../src/model/beat-model';

const MODEL = loadBeatModel(readFileSync(fileURLToPath(new URL('../../data/default-model/model.json', import.meta.url)), 'utf8'));
const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));
const START = Date.UTC(2026, 10, 26, 12, 0, 0);
const FS = 360;
/** Past the 5 min learning period; MLII is lost (electrode off: flat) from LOST[0] to LOST[1] s. */
const SECONDS = 480;
const LOST = [330, 390] as const;

/** 119 (frequent ventricular ectopy), V1 stored second; MLII flat during LOST. */
function device() {
  const rec = loadMitdbRecord(MITDB, '119');
  const [mlii, v1] = rec.leads!.map((l) => ({ name: l.name, gain: l.gain!, samples: l.samples.slice(0, SECONDS * FS) }));
  mlii.samples.fill(mlii.samples[LOST[0] * FS], LOST[0] * FS, LOST[1] * FS);
  return { rec, leads: [mlii, v1] };
}

/** Streams the device through a Detector (real decoder, default model) in batches of 10 one-second records. */
async function detect(format: 'v1' | 'v2', leads: 1 | 2, secondLeadScoring?: boolean) {
  const { leads: signal } = device();
  const alerts: AlertMessage[] = [];
  const episodes: EpisodeAlertMessage[] = [];
  const sinks: DetectSinks = {
    quarantine: async () => {},
    putSnippet: async () => {},
    publishAlert: async (m) => void (isEpisodeAlert(m) ? episodes.push(m) : alerts.push(m)),
  };
  const detector = new Detector(sinks, decodeRecord, { leads, ...(secondLeadScoring === undefined ? {} : { secondLeadScoring }) });
  const beats: ScoredBeat[] = [];
  let fallback = 0;
  const scratch = new Float32Array(FS + 1);
  const wire = { deviceId: 'dev-119', fs: FS, leads: signal };
  for (let first = 0; first < SECONDS; first += 10) {
    const batch = [];
    for (let seq = first; seq < first + 10; seq++) {
      const data =
        format === 'v2'
          ? cutWireRecordV2(wire, seq, START, 1).data
          : Buffer.from(cutWireRecord({ deviceId: 'dev-119', fs: FS, signal: signal[0].samples }, seq, START, 1, scratch).text);
      batch.push({ id: String(seq).padStart(6, '0'), data, arrivedAt: START + seq * 1000 });
    }
    const r = await detector.processBatch(batch, MODEL);
    expect(r.counts.rejected).toBe(0);
    beats.push(...r.beats);
    fallback += r.counts.leadFallbackBeats;
  }
  return { beats, alerts, episodes, fallback };
}

const inLoss = (t: number) => t >= START + (LOST[0] + 5) * 1000 && t < START + (LOST[1] - 5) * 1000;
const before = (t: number) => t < START + (LOST[0] - 5) * 1000;
/** After the loss, up to the last seconds (two leads emit beats up to a second later). */
const after = (t: number) => t >= START + (LOST[1] + 15) * 1000 && t < START + (SECONDS - 5) * 1000;

describe('a device sending two leads (v2) when its model lead is lost', () => {
  it('is detected on its second lead meanwhile (beats scored on it by default; gated without second-lead scoring), where one lead raises lead-off and loses the beats', async () => {
    const { rec } = device();
    const reference = Array.from(rec.beatSamples, (s, i) => ({ t: START + (s * 1000) / FS, symbol: rec.beatSymbols[i] })).filter((b) =>
      inLoss(b.t),
    );
    const one = await detect('v1', 1);
    const two = await detect('v2', 2, false);
    // The detector's default: second-lead scoring on.
    const scoredTwo = await detect('v2', 2);

    // One lead: nothing is scored while MLII is flat, and the loss is a lead-off episode.
    expect(one.beats.filter((b) => inLoss(b.t) && b.kind !== 'gated')).toHaveLength(0);
    expect(one.episodes.some((e) => e.reason === 'lead-off' && e.phase === 'onset')).toBe(true);
    expect(one.fallback).toBe(0);

    // Two leads: the beats go on (found on V1, counted); no lead-off, no asystole.
    for (const run of [two, scoredTwo]) {
      const during = run.beats.filter((b) => inLoss(b.t));
      expect(during.length).toBeGreaterThanOrEqual(0.95 * reference.length);
      expect(during.length).toBeLessThanOrEqual(1.05 * reference.length);
      expect(run.fallback).toBeGreaterThanOrEqual(during.length);
      expect(run.episodes.filter((e) => e.reason === 'lead-off' || e.rhythm === 'ASYSTOLE')).toHaveLength(0);
    }
    // Without second-lead scoring they are gated (MLII's window is flat there); with it (the
    // default) they are scored on V1's own learned profile, and ventricular beats are told apart there too.
    expect(two.beats.filter((b) => inLoss(b.t)).every((b) => b.kind === 'gated' && b.lead === undefined)).toBe(true);
    const during = scoredTwo.beats.filter((b) => inLoss(b.t));
    expect(during.every((b) => b.lead === 'V1' || b.kind === 'gated')).toBe(true);
    expect(during.filter((b) => b.kind !== 'gated').length).toBeGreaterThan(0.9 * during.length);
    const near = (t: number) => during.find((b) => Math.abs(b.t - t) <= 150);
    const v = reference.filter((b) => b.symbol === 'V');
    expect(v.length).toBeGreaterThan(10);
    expect(v.filter((b) => near(b.t)?.kind === 'ventricular').length).toBeGreaterThan(0.5 * v.length);
    const n = reference.filter((b) => b.symbol === 'N');
    expect(n.filter((b) => near(b.t)?.anomalous).length).toBeLessThan(0.05 * n.length);
    // The rhythm rules read a beat's shape on MLII: beats scored on V1 stay noise for them, so the
    // rhythm episodes are those without second-lead scoring (bigeminy of V1-scored beats would differ).
    expect(scoredTwo.episodes).toEqual(two.episodes);

    // Before the loss MLII is used as with one lead: the same beats, kinds and scores (learning
    // period included). After it, the same beats; the profile's live state (RR history, template
    // drift) saw other beats meanwhile, so scores differ a little for a while.
    const plain = (beats: ScoredBeat[], when: (t: number) => boolean) =>
      beats.filter((b) => when(b.t)).map(({ t, kind, score, phase }) => ({ t, kind, score, phase }));
    for (const run of [two, scoredTwo]) {
      expect(plain(run.beats, before)).toEqual(plain(one.beats, before));
      const afterOne = plain(one.beats, after);
      const afterTwo = plain(run.beats, after);
      expect(afterTwo.map((b) => b.t)).toEqual(afterOne.map((b) => b.t));
      expect(afterTwo.filter((b, i) => b.kind === afterOne[i].kind).length).toBeGreaterThanOrEqual(0.95 * afterOne.length);
    }
  });
});
