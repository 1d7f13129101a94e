import { describe, expect, it } from 'vitest';
import type { ScoredBeat } from '../../src/detect/process-batch';
import type { MitdbRecord } from '../../src/ecg/mitdb';
import { beatCoverage, totalCoverage } from '../../src/evaluate/fault-coverage';

const fs = 360;
// Reference beats every second from 10 s to 19 s; the stretch is [12 s, 16 s): 4 reference beats.
const record = { fs, beatSamples: Int32Array.from({ length: 10 }, (_, i) => (10 + i) * fs) } as MitdbRecord;
const beat = (second: number, lead?: string): ScoredBeat => ({
  deviceId: 'd',
  t: second * 1000,
  score: 0,
  modelScore: 0,
  threshold: 1,
  anomalous: false,
  kind: 'normal',
  phase: 'learned',
  ...(lead === undefined ? {} : { lead }),
});
const sampleOf = (t: number) => (t * fs) / 1000;

describe('beat coverage of an injected stretch', () => {
  it('counts the reference beats inside the stretch matched within 150 ms, and the beats scored on another lead', () => {
    // 12 s on time, 13 s 100 ms late (matched), 14 s missing, 15 s 200 ms early (too far), an extra beat at 15.5 s, 16 s outside.
    const beats = [beat(12), beat(13.1, 'V1'), beat(14.8, 'V1'), beat(15.5, 'V1'), beat(16)];
    expect(beatCoverage(record, 12 * fs, 16 * fs, beats, sampleOf)).toEqual({ reference: 4, reported: 2, secondLead: 3 });
  });

  it('lets a detection just before the stretch match its first beat', () => {
    expect(beatCoverage(record, 12 * fs, 16 * fs, [beat(11.95)], sampleOf)).toEqual({ reference: 4, reported: 1, secondLead: 0 });
  });

  it('sums coverages, absent ones counting nothing', () => {
    const c = { reference: 4, reported: 2, secondLead: 3 };
    expect(totalCoverage([c, undefined, c])).toEqual({ reference: 8, reported: 4, secondLead: 6 });
  });
});
