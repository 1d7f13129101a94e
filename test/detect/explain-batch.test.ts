import { describe, expect, it } from 'vitest';
import type { AlertDecision } from '../../src/detect/alert-policy';
import { toAlertMessage, toAlertSnippet } from '../../src/detect/alert-message';
import type { RaisedAlert } from '../../src/detect/device-work';
import { explainAlerts } from '../../src/detect/explain-batch';
import type { KeptBeat } from '../../src/detect/device-state';
import type { BeatModel } from '../../src/detect/ports';
import { fakeModel } from './fakes';

const span = { before: 0.1, after: 0.2, steps: 4 };

/** An alert over `beats` (kept beats of 4 samples; `anomalous` ones flagged), judged against `modelThreshold`. */
function raised(deviceId: string, beats: KeptBeat[], modelThreshold: number): RaisedAlert {
  const decision: AlertDecision = {
    id: `${deviceId}:${beats[0].t}`,
    deviceId,
    severity: 'warning',
    from: beats[0].t,
    to: beats[beats.length - 1].t,
    anomalousBeats: beats.filter((b) => b.anomalous).length,
    windowBeats: beats.length,
    maxScore: 2,
    threshold: 1,
    beatTimes: beats.map((b) => b.t),
  };
  const message = toAlertMessage(decision, 'test-v1');
  return {
    decision,
    message,
    snippet: toAlertSnippet(message, decision, beats),
    context: { recent: beats, template: null, typicalRr: null, modelThreshold, quality: [] },
  };
}

const kept = (t: number, anomalous: boolean, window = [0, 1, 0.5, 0]): KeptBeat => ({
  t,
  score: anomalous ? 2 : 0.5,
  anomalous,
  rrPrev: 0.8,
  rrNext: 0.8,
  window,
});

describe('explainAlerts', () => {
  it('reconstructs the flagged beats of every alert in one call and explains each alert with its own', () => {
    const calls: number[] = [];
    const model: BeatModel = {
      ...fakeModel(),
      window: span,
      reconstructBeats: (beats) => {
        calls.push(beats.length);
        return beats.map((b) => Float32Array.from(b.window, (v) => v / 2));
      },
    };
    const alerts = [raised('a', [kept(0, false), kept(800, true)], 0.4), raised('b', [kept(0, true), kept(800, true)], 0.6)];
    explainAlerts(alerts, model);
    expect(calls).toEqual([3]);
    expect(alerts.map((d) => d.snippet.explanation?.modelThreshold)).toEqual([0.4, 0.6]);
    expect(alerts.map((d) => d.snippet.explanation?.flagged.map((f) => f.reference))).toEqual([
      ['reconstruction'],
      ['reconstruction', 'reconstruction'],
    ]);
  });

  it('explains against the typical beat when the model cannot reconstruct, and not at all without a window span', () => {
    const failing: BeatModel = {
      ...fakeModel(),
      window: span,
      reconstructBeats: () => {
        throw new Error('no decoder');
      },
    };
    const alert = raised('a', [kept(0, false), kept(800, true)], 0.4);
    explainAlerts([alert], failing);
    expect(alert.snippet.explanation?.flagged.map((f) => f.reconstruction)).toEqual([null]);
    const bare = raised('a', [kept(0, true)], 0.4);
    explainAlerts([bare], fakeModel());
    expect(bare.snippet.explanation).toBeUndefined();
  });
});
