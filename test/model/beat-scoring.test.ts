import { describe, expect, it } from 'vitest';
import { readBeatScoring, RECONSTRUCTION_ONLY } from '../../src/contract/beat-scoring';
import { applyBeatScoring, prematurity } from '../../src/model/beat-scoring';

describe('prematurity', () => {
  it('is ln(rrNext / rrPrev) for an early beat, 0 for a late or regular one, capped at ln 4', () => {
    expect(prematurity({ rrPrev: 0.5, rrNext: 1 })).toBeCloseTo(Math.log(2), 12);
    expect(prematurity({ rrPrev: 1, rrNext: 0.5 })).toBe(0);
    expect(prematurity({ rrPrev: 0.8, rrNext: 0.8 })).toBe(0);
    expect(prematurity({ rrPrev: 0.2, rrNext: 2 })).toBeCloseTo(Math.log(4), 12);
  });
  it('is 0 when an interval is unknown', () => {
    expect(prematurity({ rrPrev: null, rrNext: 1 })).toBe(0);
    expect(prematurity({ rrPrev: 0.5, rrNext: null })).toBe(0);
  });
});

describe('applyBeatScoring', () => {
  const beats = [
    { rrPrev: 0.5, rrNext: 1 },
    { rrPrev: 1, rrNext: 1 },
  ];
  it('adds the weighted prematurity', () => {
    const s = applyBeatScoring(Float32Array.of(0.1, 0.2), beats, { kind: 'reconstruction+prematurity', prematurityWeight: 0.5 });
    expect(s[0]).toBeCloseTo(0.1 + 0.5 * Math.log(2), 6);
    expect(s[1]).toBeCloseTo(0.2, 6);
  });
  it('leaves reconstruction-only scores alone', () => {
    expect(Array.from(applyBeatScoring(Float32Array.of(0.1, 0.2), beats, RECONSTRUCTION_ONLY))).toEqual([
      Math.fround(0.1),
      Math.fround(0.2),
    ]);
  });
});

describe('readBeatScoring', () => {
  it('defaults to reconstruction when absent and validates what is there', () => {
    expect(readBeatScoring({})).toEqual(RECONSTRUCTION_ONLY);
    expect(readBeatScoring({ scoring: { kind: 'reconstruction+prematurity', prematurityWeight: 0.3 } })).toEqual({
      kind: 'reconstruction+prematurity',
      prematurityWeight: 0.3,
    });
    expect(() => readBeatScoring({ scoring: { kind: 'magic' } })).toThrow(/scoring.kind/);
    expect(() => readBeatScoring({ scoring: { kind: 'reconstruction+prematurity', prematurityWeight: -1 } })).toThrow(/prematurityWeight/);
    expect(() => readBeatScoring({ scoring: 3 })).toThrow(/scoring/);
  });
});
