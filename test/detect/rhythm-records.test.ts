import { describe, expect, it } from 'vitest';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import type { EpisodeAlertMessage } from '../../src/detect/ports';
import { defaultModelFor } from '../../src/evaluate/default-model';
import { EVAL_EPOCH, runRecordThroughDetector, withGains } from '../../src/evaluate/mitdb-product';

/** The first `seconds` of a MIT-BIH record through the product (default adaptation and learning period), on MLII or on both leads. */
async function episodesOf(name: string, seconds: number, leads: 1 | 2 = 1): Promise<EpisodeAlertMessage[]> {
  const record = loadMitdbRecord('data/mitdb', name);
  const n = seconds * record.fs;
  const signal = record.signal.subarray(0, n);
  const both =
    leads === 2 && record.leads ? { leads: withGains(record.leads.map((l) => ({ ...l, samples: l.samples.subarray(0, n) }))) } : {};
  const run = await runRecordThroughDetector({ deviceId: name, signal, fs: record.fs, ...both }, defaultModelFor(name).model, { leads });
  return run.episodes;
}

const s = (t: number) => (t - EVAL_EPOCH) / 1000;
const of = (episodes: EpisodeAlertMessage[], rhythm: string, phase: 'onset' | 'offset') =>
  episodes.filter((e) => e.rhythm === rhythm && e.phase === phase);

describe('rhythm episodes on MIT-BIH records, through the detector', () => {
  it('201: AF (0-378 s), junctional and sinus rhythm, AF again (477-514 s): an AFIB onset near the start of each, an offset dated near the end of the first', async () => {
    const episodes = await episodesOf('201', 600);
    const onsets = of(episodes, 'AFIB', 'onset').map((e) => s(e.from));
    const offsets = of(episodes, 'AFIB', 'offset').map((e) => s(e.to));
    expect(onsets).toHaveLength(2);
    expect(onsets[0]).toBeLessThan(60);
    expect(Math.abs(onsets[1] - 477.3)).toBeLessThan(30);
    expect(offsets.length).toBeGreaterThanOrEqual(1);
    expect(Math.abs(offsets[0] - 378.4)).toBeLessThan(30);
  });

  it('119: ventricular bigeminy and trigeminy (irregular RR, no AF) raise no AFIB', async () => {
    expect(of(await episodesOf('119', 600), 'AFIB', 'onset')).toEqual([]);
  });

  it('205: the VT runs at 299 s and 303 s (8 and 9 beats) raise VT onsets there, escalated to critical', async () => {
    const episodes = await episodesOf('205', 330);
    const onsets = of(episodes, 'VT', 'onset').filter((e) => s(e.from) > 298 && s(e.from) < 307);
    expect(onsets.some((e) => e.severity === 'critical')).toBe(true);
    expect(of(episodes, 'VT', 'onset').filter((e) => s(e.from) < 298)).toEqual([]);
  });

  it('203: the 4-beat VT run at 641 s, whose fast wide beats the quality index calls noisy (gated), still raises VT', async () => {
    const episodes = await episodesOf('203', 660);
    expect(of(episodes, 'VT', 'onset').filter((e) => s(e.from) > 640.5 && s(e.from) < 642.5)).toHaveLength(1);
  });

  it('200: ventricular bigeminy with sinus P waves flat in MLII reads as AF on MLII alone; with V1, whose P waves repeat, no AFIB', async () => {
    expect(of(await episodesOf('200', 1780, 1), 'AFIB', 'onset').length).toBeGreaterThan(0);
    expect(of(await episodesOf('200', 1780, 2), 'AFIB', 'onset')).toEqual([]);
  });

  it('203: the 3-beat VT run at 710 s, whose beats the learned profile judges noise, raises VT: its wide beats look alike', async () => {
    const episodes = await episodesOf('203', 730, 2);
    expect(of(episodes, 'VT', 'onset').filter((e) => s(e.from) > 709.5 && s(e.from) < 711)).toHaveLength(1);
  });

  it('203: the VT runs at 1126 s and 1153 s, whose beats only V1 found and whose V1 QRS resembles the dominant one there, raise VT on their MLII shape', async () => {
    const episodes = await episodesOf('203', 1160, 2);
    const vt = of(episodes, 'VT', 'onset').map((e) => s(e.from));
    expect(vt.filter((t) => t > 1125.5 && t < 1127)).toHaveLength(1);
    expect(vt.filter((t) => t > 1152.5 && t < 1154.5)).toHaveLength(1);
  });
});
