import { describe, expect, it } from 'vitest';
import type { MitdbRecord } from '../../src/ecg/mitdb';
import type { ScoredBeat } from '../../src/detect/process-batch';
import { EVAL_EPOCH, productMetrics, type ProductRun } from '../../src/evaluate/mitdb-product';

const FS = 360;

/** A 60 s record: a beat a second, V at 20 s and 40 s, ventricular flutter from 45.5 s to 52.5 s (no beat annotations there). */
function record(): MitdbRecord {
  const beats: number[] = [];
  const symbols: string[] = [];
  for (let s = 1; s < 60; s++) {
    if (s >= 46 && s <= 52) continue;
    beats.push(s * FS);
    symbols.push(s === 20 || s === 40 ? 'V' : 'N');
  }
  return {
    name: 'synthetic',
    fs: FS,
    lead: 'MLII',
    signal: new Float32Array(60 * FS),
    beatSamples: Int32Array.from(beats),
    beatSymbols: symbols,
    excluded: [[Math.round(45.5 * FS), Math.round(52.5 * FS)]],
  };
}

const beat = (second: number, ventricular: boolean): ScoredBeat => ({
  deviceId: 'synthetic',
  t: EVAL_EPOCH + second * 1000,
  score: ventricular ? 2 : 0.2,
  modelScore: 0,
  threshold: 1,
  anomalous: ventricular,
  kind: ventricular ? 'ventricular' : 'normal',
  phase: 'learned',
});

describe('productMetrics', () => {
  it('leaves detections inside ventricular flutter out of the VEB counts (EC57); a flagged beat elsewhere without a reference V is a false positive', () => {
    const beats: ScoredBeat[] = [];
    for (let s = 1; s < 60; s++) if (s < 46 || s > 52) beats.push(beat(s, s === 20 || s === 40 || s === 30));
    // The detector finds "beats" in the flutter waves and flags them: neither true nor false VEBs.
    for (let s = 46; s <= 52; s++) beats.push(beat(s + 0.3, true));
    beats.sort((a, b) => a.t - b.t);
    const run: ProductRun = { beats, alerts: [], episodes: [], gatedBeats: 0, asystoleVetoes: 0, profile: null };
    const { metrics } = productMetrics(record(), run);
    expect(metrics.veb.tp).toBe(2);
    expect(metrics.veb.fn).toBe(0);
    expect(metrics.veb.fp).toBe(1); // the N beat at 30 s
  });
});
