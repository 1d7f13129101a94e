import { describe, expect, it } from 'vitest';
import { OFF_ADAPTER } from '../../src/detect/adapters';
import { mergeOtherLead, otherLeadShowsBeats, type OtherLeadState } from '../../src/detect/asystole-veto';
import type { EpisodeAlertMessage } from '../../src/detect/ports';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { defaultModelFor } from '../../src/evaluate/default-model';
import { EVAL_EPOCH, runRecordThroughDetector, withGains } from '../../src/evaluate/mitdb-product';
import { stopHeart } from './stopped-heart';

const FS = 360;
const SECONDS = 120;
/** Record 100: MLII and V5, both clean, sinus rhythm about 75 bpm. */
const record = loadMitdbRecord('data/mitdb', '100');
const model = defaultModelFor('100').model;
const ms = (sample: number) => EVAL_EPOCH + (sample * 1000) / FS;
const CUT = 60 * FS;

/** Runs both leads (or MLII alone) of a two-lead device through the detector. */
async function run(leads: Float32Array[], count: 1 | 2) {
  const named = withGains(record.leads!).map((l, k) => ({ ...l, samples: leads[k] }));
  return runRecordThroughDetector({ deviceId: '100', signal: leads[0], fs: FS, leads: named }, model, {
    adaptation: OFF_ADAPTER,
    learningSeconds: 0,
    leads: count,
  });
}

const asystoleOnsets = (episodes: EpisodeAlertMessage[]) => episodes.filter((e) => e.phase === 'onset' && e.rhythm === 'ASYSTOLE');
const leadsOf = () => record.leads!.map((l) => l.samples.slice(0, SECONDS * FS));
const beatsIn = (from: number, to: number) => [...record.beatSamples].filter((s) => s >= from && s < to);

/** One asystole onset, within 2 s of 4 s without a QRS after `lastBeat`, and no veto counted. */
function expectAsystoleWithin2s(run: { episodes: EpisodeAlertMessage[]; asystoleVetoes: number }, lastBeat: number): void {
  const onsets = asystoleOnsets(run.episodes);
  expect(onsets).toHaveLength(1);
  const met = ms(lastBeat) + 4000;
  expect(onsets[0].to - met).toBeGreaterThanOrEqual(-150);
  expect(onsets[0].to - met).toBeLessThanOrEqual(2000);
  expect(run.asystoleVetoes).toBe(0);
}

/** A centred moving average of `width` samples (zeros at `FS / width` Hz and its multiples). */
function movingAverage(x: Float32Array, width: number): Float32Array {
  const out = new Float32Array(x.length);
  const half = width >> 1;
  for (let i = 0; i < x.length; i++) {
    let sum = 0;
    let n = 0;
    for (let k = Math.max(0, i - half); k <= Math.min(x.length - 1, i + half); k++, n++) sum += x[k];
    out[i] = sum / n;
  }
  return out;
}

/**
 * MLII from `from` to `to` as in 208 at 1384 s: its slow waves (P, T, drift: what a 0.2 s moving
 * average applied twice keeps, with zeros at 5, 10 and 15 Hz) stay, and everything faster, the
 * QRS's energy in the detection band, is divided by 40.
 */
function fadeQrs(x: Float32Array, from: number, to: number): void {
  const width = Math.round(0.2 * FS);
  const slow = movingAverage(movingAverage(x, width), width);
  for (let i = from; i < to; i++) x[i] = slow[i] + (x[i] - slow[i]) / 40;
}

/** Each sample of `x` in `[from, to)` replaced by the straight line between the stretch's ends. */
function bridge(x: Float32Array, from: number, to: number): void {
  const a = x[from - 1];
  const b = x[to];
  for (let i = from; i < to; i++) x[i] = a + ((b - a) * (i - from + 1)) / (to - from + 1);
}

/**
 * Ventricular standstill from a real lead: from `from` to `to`, the QRS and T wave of every beat
 * (from 60 ms before its R peak to 450 ms after) are bridged by a straight line, so only the P
 * waves and the baseline between beats remain, at the patient's own (regular) sinus rhythm.
 */
function keepPWaves(x: Float32Array, from: number, to: number): void {
  for (const r of beatsIn(from, to)) bridge(x, Math.max(from, r - Math.round(0.06 * FS)), Math.min(to, r + Math.round(0.45 * FS)));
}

describe('asystole veto by another lead (issue 13)', () => {
  it('MLII whose QRS band falls 40-fold for 5 s while V5 keeps beating (built like 208 at 1384 s): one lead raises asystole, two do not and count the veto', async () => {
    const leads = leadsOf();
    fadeQrs(leads[0], CUT, CUT + 5 * FS);
    const one = await run(leads, 1);
    expect(asystoleOnsets(one.episodes)).toHaveLength(1);
    const two = await run(leads, 2);
    expect(asystoleOnsets(two.episodes)).toEqual([]);
    expect(two.asystoleVetoes).toBe(1);
    expect(two.episodes.filter((e) => e.severity === 'critical')).toEqual([]);
  });

  it('a 7 s pause cut into both leads still raises ASYSTOLE within 2 s of 4 s without a QRS', async () => {
    const leads = leadsOf();
    const lastBeat = beatsIn(0, CUT).at(-1) as number;
    // Both leads quiet from just after the last beat's T wave: a heart stopped, electrodes on.
    stopHeart(leads, lastBeat + Math.round(0.5 * FS), lastBeat + 7 * FS);
    expectAsystoleWithin2s(await run(leads, 2), lastBeat);
  });

  it('ventricular standstill: MLII fading as in 208 while V5 keeps only its real P waves (regular, at the sinus rate) still raises ASYSTOLE within 2 s', async () => {
    const leads = leadsOf();
    const lastBeat = beatsIn(0, CUT).at(-1) as number;
    const from = lastBeat + Math.round(0.5 * FS);
    const to = lastBeat + 7 * FS;
    fadeQrs(leads[0], from, to);
    keepPWaves(leads[1], from, to);
    expectAsystoleWithin2s(await run(leads, 2), lastBeat);
  });

  it("208's own stretch (1300-1420 s) still raises its asystole at 1384 s: V1, which shows the beats, is noisy-looking there, and a noisy lead never vetoes", async () => {
    const r208 = loadMitdbRecord('data/mitdb', '208');
    const cut = (x: Float32Array) => x.slice(1300 * FS, 1420 * FS);
    const leads = withGains(r208.leads!).map((l) => ({ ...l, samples: cut(l.samples) }));
    const two = await runRecordThroughDetector({ deviceId: '208', signal: leads[0].samples, fs: FS, leads }, defaultModelFor('208').model, {
      adaptation: OFF_ADAPTER,
      learningSeconds: 0,
      leads: 2,
    });
    const onsets = asystoleOnsets(two.episodes);
    expect(onsets).toHaveLength(1);
    expect((onsets[0].from - EVAL_EPOCH) / 1000 + 1300).toBeCloseTo(1383.9, 1);
    expect(two.asystoleVetoes).toBe(0);
  });
});

describe('otherLeadShowsBeats', () => {
  // A lead beating every 288 samples (75 bpm at 360 Hz) with QRS energy 10; the lead in use stopped at 2880.
  const beats = [0, 288, 576, 864, 1152, 1440, 1728, 2016, 2304, 2592, 2880];
  const pause = { lastR: 2880, end: 2880 + 4 * FS, beats, fs: FS, block: FS, bradyBpm: 40 };
  const lead = (peaks: number[], heights: number[], usable = '1'.repeat(16)): OtherLeadState => ({ from: 0, usable, peaks, heights });
  const through = [...beats, 3168, 3456, 3744, 4032, 4320];

  it('vetoes a pause the other lead beats through like before', () => {
    expect(
      otherLeadShowsBeats(
        lead(
          through,
          through.map(() => 10),
        ),
        pause,
      ),
    ).toBe(true);
  });

  it('does not veto when the lead was unusable in a second of the pause, its detections are small, too few, too far apart or at another rate', () => {
    const heights = through.map(() => 10);
    expect(otherLeadShowsBeats(lead(through, heights, '1'.repeat(9) + '0' + '1'.repeat(6)), pause)).toBe(false);
    // P-wave-sized detections in the pause.
    expect(
      otherLeadShowsBeats(
        lead(
          through,
          heights.map((h, i) => (through[i] > 2880 ? 0.4 * h : h)),
        ),
        pause,
      ),
    ).toBe(false);
    // Two beats only, then nothing for 1.8 s.
    const early = through.filter((r) => r <= 3456);
    expect(
      otherLeadShowsBeats(
        lead(
          early,
          early.map(() => 10),
        ),
        pause,
      ),
    ).toBe(false);
    // Twice the rate (P waves of 2:1 block, flutter waves).
    const fast = [...beats, ...Array.from({ length: 10 }, (_, i) => 2880 + 144 * (i + 1))];
    expect(
      otherLeadShowsBeats(
        lead(
          fast,
          fast.map(() => 10),
        ),
        pause,
      ),
    ).toBe(false);
    // No recent detections confirmed by the lead in use: nothing to judge their energy against.
    const after = through.filter((r) => r > 2880);
    expect(
      otherLeadShowsBeats(
        lead(
          after,
          after.map(() => 10),
        ),
        pause,
      ),
    ).toBe(false);
  });

  it('merges reports: peaks before a report stay, the report replaces the rest', () => {
    const first = mergeOtherLead(undefined, { lead: 1, from: 0, usable: '111', peaks: [10, 400, 800], heights: [1, 2, 3] });
    const next = mergeOtherLead(first, { lead: 1, from: 1, usable: '110', peaks: [400, 800, 1100], heights: [2, 3, 4] });
    expect(next).toEqual({ from: 0, usable: '1110', peaks: [10, 400, 800, 1100], heights: [1, 2, 3, 4] });
  });
});
