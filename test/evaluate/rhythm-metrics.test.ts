import { describe, expect, it } from 'vitest';
import type { MitdbRecord } from '../../src/ecg/mitdb';
import type { EpisodeAlertMessage } from '../../src/detect/ports';
import { clipSpans, compareEpisodes, referenceRhythm, referenceVtRuns, rhythmFigures } from '../../src/evaluate/rhythm-metrics';

const FS = 100;
const ms = (sample: number) => (sample * 1000) / FS;

/** A record of `seconds` with the given beats (sample, symbol) and rhythm changes (second, label). */
function record(seconds: number, beats: [number, string][], rhythms: [number, string][] = []): MitdbRecord {
  return {
    name: 'x',
    fs: FS,
    lead: 'MLII',
    signal: new Float32Array(seconds * FS),
    beatSamples: Int32Array.from(beats.map(([s]) => s)),
    beatSymbols: beats.map(([, b]) => b),
    excluded: [],
    rhythms: rhythms.map(([s, rhythm]) => ({ sample: s * FS, rhythm })),
    quality: [],
  };
}

function episode(label: string, from: number, to: number): EpisodeAlertMessage[] {
  const base = { type: 'beatwatch.alert', kind: 'rhythm', deviceId: 'x', severity: 'warning', rhythm: label, from: from * 1000 } as const;
  return [
    { ...base, id: `a${from}`, phase: 'onset', to: from * 1000 },
    { ...base, id: `b${from}`, phase: 'offset', to: to * 1000 },
  ] as unknown as EpisodeAlertMessage[];
}

describe('compareEpisodes (EC57 as epicmp applies it)', () => {
  it('counts episodes by overlap and durations by overlapping time', () => {
    const ref = [
      { from: 0, to: 10_000 },
      { from: 20_000, to: 30_000 },
    ];
    const det = [
      { from: 5_000, to: 15_000 },
      { from: 40_000, to: 50_000 },
    ];
    const c = compareEpisodes(ref, det);
    expect(c).toMatchObject({ refEpisodes: 2, refDetected: 1, detEpisodes: 2, detTrue: 1 });
    expect(c.refSeconds).toBe(20);
    expect(c.refCovered).toBe(5);
    expect(c.detSeconds).toBe(20);
    expect(c.detCovered).toBe(5);
  });

  it('touching spans do not match without a match window; with one they do', () => {
    const ref = [{ from: 0, to: 1000 }];
    const det = [{ from: 1100, to: 2000 }];
    expect(compareEpisodes(ref, det).refDetected).toBe(0);
    expect(compareEpisodes(ref, det, { slack: 150 }).refDetected).toBe(1);
  });

  it('excluded time (atrial flutter) is cut out of detections; a detection wholly inside it is not counted', () => {
    const ref = [{ from: 0, to: 10_000 }];
    const flutter = [{ from: 10_000, to: 20_000 }];
    const c = compareEpisodes(
      ref,
      [
        { from: 5_000, to: 20_000 },
        { from: 12_000, to: 18_000 },
      ],
      { exclude: flutter },
    );
    expect(c.detEpisodes).toBe(1);
    expect(c.detTrue).toBe(1);
    expect(c.detSeconds).toBe(5);
    expect(c.detCovered).toBe(5);
  });

  it('a detection overlapping only an also-true span is true but adds no reference episode', () => {
    const c = compareEpisodes([], [{ from: 0, to: 1000 }], { alsoTrue: [{ from: 500, to: 4000 }] });
    expect(c).toMatchObject({ refEpisodes: 0, detEpisodes: 1, detTrue: 1 });
  });
});

describe('reference episodes', () => {
  it('an AF episode continues through a repeated (AFIB and ends at the next other rhythm', () => {
    const r = record(
      100,
      [],
      [
        [0, 'N'],
        [10, 'AFIB'],
        [20, 'AFIB'],
        [30, 'AFL'],
        [40, 'AFIB'],
      ],
    );
    expect(referenceRhythm(r, 'AFIB', ms)).toEqual([
      { from: 10_000, to: 30_000 },
      { from: 40_000, to: 100_000 },
    ]);
  });

  it('VT runs: 3+ consecutive V beats above 100 bpm mean rate, merged with (VT episodes', () => {
    const beats: [number, string][] = [
      [100, 'N'],
      [150, 'V'], // fast run of 3 (0.5 s apart = 120 bpm)
      [200, 'V'],
      [250, 'V'],
      [330, 'N'],
      [400, 'V'], // slow run of 3 (0.7 s apart = 86 bpm): not a run by rate...
      [470, 'V'],
      [540, 'V'],
      [640, 'N'],
      [700, 'V'], // ...and a fast pair: too short
      [750, 'V'],
      [850, 'N'],
      [900, 'V'], // a fusion beat breaks the run
      [950, 'F'],
      [1000, 'V'],
      [1050, 'V'],
    ];
    const r = record(20, beats, [
      [0, 'N'],
      [3.9, 'VT'], // ...but annotated VT
      [5.5, 'N'],
    ]);
    expect(referenceVtRuns(r, ms)).toEqual([
      { from: 1500, to: 2500 },
      { from: 3900, to: 5500 },
    ]);
  });

  it('clipSpans drops spans before the compared period and cuts those straddling it', () => {
    expect(
      clipSpans(
        [
          { from: 0, to: 10 },
          { from: 20, to: 30 },
          { from: 40, to: 50 },
        ],
        { from: 5, to: 45 },
      ),
    ).toEqual([
      { from: 5, to: 10 },
      { from: 20, to: 30 },
      { from: 40, to: 45 },
    ]);
  });
});

describe('rhythmFigures', () => {
  it('compares from EC57 5 minutes on, leaves atrial flutter out of AF +P, and counts VT runs with a 150 ms window', () => {
    const beats: [number, string][] = [];
    for (let s = 0; s < 600 * FS; s += 80) beats.push([s, 'N']);
    // A VT run at 400 s: four V beats 0.45 s apart replacing normal ones.
    const at = beats.findIndex(([s]) => s >= 400 * FS);
    for (let k = 0; k < 4; k++) beats[at + k] = [400 * FS + k * 45, 'V'];
    beats.sort((a, b) => a[0] - b[0]);
    const r = record(600, beats, [
      [0, 'AFIB'], // before and across the 5-minute mark: only 300-320 s counts
      [320, 'N'],
      [350, 'AFL'],
      [380, 'N'],
      [450, 'AFIB'],
      [500, 'N'],
    ]);
    const episodes = [
      ...episode('AFIB', 100, 200), // wholly in the learning period: not compared
      ...episode('AFIB', 305, 320),
      ...episode('AFIB', 355, 375), // wholly in flutter
      ...episode('AFIB', 460, 520),
      ...episode('AFIB', 540, 560), // false
      ...episode('VT', 401.5, 403), // matches the run ending at 401.35 s within 150 ms
    ];
    const f = rhythmFigures(r, episodes, 0, ms);
    expect(f.af).toMatchObject({ refEpisodes: 2, refDetected: 2, detEpisodes: 3, detTrue: 2 });
    expect(f.af.refSeconds).toBeCloseTo(20 + 50, 6);
    expect(f.af.refCovered).toBeCloseTo(15 + 40, 6);
    expect(f.af.detSeconds).toBeCloseTo(15 + 60 + 20, 6);
    expect(f.vt).toMatchObject({ refEpisodes: 1, refDetected: 1, detEpisodes: 1, detTrue: 1 });
  });

  it('an annotated (VT slower than 100 bpm is a reference run of vtWithVtEpisodes but not of vt, where a detection of it is still true', () => {
    const beats: [number, string][] = [];
    for (let s = 0; s < 600 * FS; s += 80) beats.push([s, 'N']);
    const at = beats.findIndex(([s]) => s >= 400 * FS);
    for (let k = 0; k < 4; k++) beats[at + k] = [400 * FS + k * 70, 'V']; // 86 bpm
    beats.sort((a, b) => a[0] - b[0]);
    const r = record(600, beats, [
      [0, 'N'],
      [399.9, 'VT'],
      [402.2, 'N'],
    ]);
    const f = rhythmFigures(r, episode('VT', 400, 402), 0, ms);
    expect(f.vtWithVtEpisodes).toMatchObject({ refEpisodes: 1, refDetected: 1, detTrue: 1 });
    expect(f.vt).toMatchObject({ refEpisodes: 0, detEpisodes: 1, detTrue: 1 });
  });

  it('bigeminy and trigeminy episodes against the reference (B and (T, from 5 minutes on', () => {
    const beats: [number, string][] = [];
    for (let s = 0; s < 600 * FS; s += 80) beats.push([s, 'N']);
    const r = record(600, beats, [
      [0, 'N'],
      [320, 'B'],
      [360, 'N'],
      [400, 'T'],
      [420, 'N'],
      [500, 'B'],
      [520, 'N'],
    ]);
    const episodes = [...episode('BIGEMINY', 325, 365), ...episode('TRIGEMINY', 430, 440), ...episode('BIGEMINY', 200, 250)];
    const f = rhythmFigures(r, episodes, 0, ms);
    expect(f.bigeminy).toMatchObject({ refEpisodes: 2, refDetected: 1, detEpisodes: 1, detTrue: 1 });
    expect(f.bigeminy.refCovered).toBeCloseTo(35, 6);
    expect(f.trigeminy).toMatchObject({ refEpisodes: 1, refDetected: 0, detEpisodes: 1, detTrue: 0 });
  });
});
