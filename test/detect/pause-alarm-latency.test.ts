import { describe, expect, it } from 'vitest';
import { decodeRecord, recordCount } from '../../src/contract';
import { OFF_ADAPTER } from '../../src/detect/adapters';
import { isEpisodeAlert } from '../../src/detect/alert-message';
import type { DetectSinks, EpisodeAlertMessage } from '../../src/detect/ports';
import { Detector } from '../../src/detect/process-batch';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { ecgResample } from '../../src/ecg/resample';
import { defaultModelFor } from '../../src/evaluate/default-model';
import { EVAL_EPOCH, wireRecordCutter, withGains } from '../../src/evaluate/mitdb-product';
import { stopHeart } from './stopped-heart';

const FS = 360;
const SECONDS = 100;
/** Record 100: MLII and V5, both clean, sinus rhythm about 75 bpm. */
const record = loadMitdbRecord('data/mitdb', '100');
const model = defaultModelFor('100').model;
const CUT = 60 * FS;
const lastBeat = [...record.beatSamples].filter((s) => s < CUT).at(-1) as number;
/** Where asystole's definition (4 s without a QRS) is met, ms of the stream. */
const MET_MS = (lastBeat * 1000) / FS + 4000;

/** An episode alert and the stream time (ms) the signal had reached when it was published. */
interface Published {
  readonly episode: EpisodeAlertMessage;
  readonly afterMs: number;
}

/**
 * Streams both leads as 1 s records, one record per batch (as records arrive one by one), with
 * `count` leads detected on; each episode alert is returned with the end of the record after
 * which it was published: the delay an alert really has, whatever time it says it is about.
 */
async function stream(leads: Float32Array[], count: 1 | 2): Promise<Published[]> {
  const named = withGains(record.leads!).map((l, k) => ({ ...l, samples: leads[k] }));
  const published: Published[] = [];
  let afterMs = 0;
  const sinks: DetectSinks = {
    quarantine: async (r) => {
      throw new Error(`a record was rejected: ${r.reason}`);
    },
    putSnippet: async () => undefined,
    publishAlert: async (m) => {
      if (isEpisodeAlert(m)) published.push({ episode: m, afterMs });
    },
  };
  const detector = new Detector(sinks, decodeRecord, { adaptation: OFF_ADAPTER, learningSeconds: 0, leads: count });
  const cut = wireRecordCutter({ deviceId: '100', signal: leads[0], fs: FS }, count > 1 ? named : null);
  const n = recordCount(leads[0].length, FS, 1);
  for (let seq = 0; seq < n; seq++) {
    afterMs = (seq + 1) * 1000;
    await detector.processBatch([{ id: String(seq), data: cut(seq), arrivedAt: EVAL_EPOCH }], model);
  }
  return published;
}

const onsetsOf = (rhythm: string, published: Published[]) =>
  published.filter((p) => p.episode.phase === 'onset' && p.episode.rhythm === rhythm);
const asystoleOnsets = (published: Published[]) => onsetsOf('ASYSTOLE', published);

const leadsOf = () => record.leads!.map((l) => l.samples.slice(0, SECONDS * FS));

/**
 * Both leads with 1 s of quiet baseline inserted 0.55 s after each of the 10 beats from 60 s on
 * (after the T wave): RR intervals of about 1.8 s (33 bpm), below the 40 bpm of extreme
 * bradycardia. Returns the leads and where the 5th slow interval ends (the definition is met).
 */
function slowDown(): { leads: Float32Array[]; metMs: number } {
  const beats = [...record.beatSamples].filter((s) => s >= CUT).slice(0, 10);
  const at = beats.map((b) => b + Math.round(0.55 * FS));
  const leads = leadsOf().map((x) => {
    const out: number[] = [];
    let previous = 0;
    for (const a of at) {
      for (let i = previous; i < a; i++) out.push(x[i]);
      for (let i = 0; i < FS; i++) out.push(x[a] + 0.01 * Math.sin(i / 50) + ((i * 7919) % 13) * 0.001);
      previous = a;
    }
    for (let i = previous; i < x.length; i++) out.push(x[i]);
    return Float32Array.from(out);
  });
  // The 6th beat of the run, moved by the 5 seconds inserted before it.
  return { leads, metMs: ((beats[5] + 5 * FS) * 1000) / FS };
}

describe('asystole, extreme bradycardia and tachycardia published as soon as their definition is met, one lead or two (issue 13)', () => {
  it('a 7 s pause cut into both leads: the onset is published within 2 s of 4 s without a QRS, with one lead and with two', async () => {
    const leads = leadsOf();
    stopHeart(leads, lastBeat + Math.round(0.5 * FS), lastBeat + 7 * FS);
    for (const count of [1, 2] as const) {
      const onsets = asystoleOnsets(await stream(leads, count));
      expect(onsets, `${count} lead(s)`).toHaveLength(1);
      // Published no earlier than the definition is met, and within 2 s of it.
      expect(onsets[0].afterMs - MET_MS, `${count} lead(s)`).toBeGreaterThanOrEqual(0);
      expect(onsets[0].afterMs - MET_MS, `${count} lead(s)`).toBeLessThanOrEqual(2000);
      // Dated where the definition was met (the first whole second after it).
      expect(onsets[0].episode.to - EVAL_EPOCH - MET_MS).toBeLessThan(1000);
    }
  });

  it('extreme bradycardia (5 RR intervals below 40 bpm): the onset is published within 1 s of the interval completing the run, with one lead and with two', async () => {
    const { leads, metMs } = slowDown();
    for (const count of [1, 2] as const) {
      const onsets = onsetsOf('BRADY', await stream(leads, count));
      expect(onsets, `${count} lead(s)`).toHaveLength(1);
      expect(onsets[0].episode.to - EVAL_EPOCH - metMs).toBeCloseTo(0, -1);
      expect(onsets[0].afterMs - metMs, `${count} lead(s)`).toBeGreaterThanOrEqual(0);
      // With one lead, the record after the beat's; with two it was published when a later peak let the second be decided (1.8 s later).
      expect(onsets[0].afterMs - metMs, `${count} lead(s)`).toBeLessThanOrEqual(1000);
    }
  });

  it('extreme tachycardia (17 RR intervals above 140 bpm, record 100 sped up 2.2 times from 30 s): published within 2 s of the interval completing the run, with one lead and with two', async () => {
    const from = 30 * FS;
    const leads = leadsOf().map((x) => {
      const fast = ecgResample(x.subarray(from, SECONDS * FS), FS, FS / 2.2);
      const out = new Float32Array(from + fast.length);
      out.set(x.subarray(0, from));
      out.set(fast, from);
      return out;
    });
    // Beats of the sped-up part in the new time base; the 18th closes the 17th fast interval.
    const beats = [...record.beatSamples].filter((b) => b >= from).map((b) => from + (b - from) / 2.2);
    const metMs = (beats[17] * 1000) / FS;
    for (const count of [1, 2] as const) {
      const onsets = onsetsOf('TACHY', await stream(leads, count));
      expect(onsets.length, `${count} lead(s)`).toBeGreaterThanOrEqual(1);
      expect(onsets[0].afterMs - metMs, `${count} lead(s)`).toBeGreaterThanOrEqual(0);
      expect(onsets[0].afterMs - metMs, `${count} lead(s)`).toBeLessThanOrEqual(2000);
    }
  });

  it('both leads flat from the same sample (every electrode off): lead-off, never asystole, also at the stream head', async () => {
    const leads = leadsOf();
    for (const x of leads) x.fill(x[CUT], CUT, CUT + 20 * FS);
    const published = await stream(leads, 2);
    expect(asystoleOnsets(published)).toEqual([]);
    expect(published.some((p) => p.episode.phase === 'onset' && p.episode.reason === 'lead-off')).toBe(true);
  });

  it('MLII flat while V5 beats on (one electrode off): no asystole at the stream head, detection carries on with V5', async () => {
    const leads = leadsOf();
    leads[0].fill(leads[0][CUT], CUT, CUT + 20 * FS);
    const published = await stream(leads, 2);
    expect(asystoleOnsets(published)).toEqual([]);
    expect(published.filter((p) => p.episode.severity === 'critical')).toEqual([]);
  });
});
