import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_POLICY, initialAlertPolicyState, stepAlertPolicy, type AlertDecision } from '../../src/detect/alert-policy';
import type { PatientAdapter } from '../../src/detect/patient-adaptation';
import { RhythmMonitor } from '../../src/detect/rhythm-monitor';
import { ecgSimulate } from '../../src/ecg/ecg-simulate';
import { defaultModelFor } from '../../src/evaluate/default-model';
import { runRecordThroughDetector } from '../../src/evaluate/mitdb-product';

const FS = 360;

/** Scores (one beat a second) through the default policy, each beat in doubtful signal or not. */
function alertsOf(scores: number[], doubtfulSignal: boolean): AlertDecision[] {
  let state = initialAlertPolicyState();
  const alerts: AlertDecision[] = [];
  scores.forEach((score, i) => {
    const step = stepAlertPolicy(state, 'dev-1', { t: 1000 * (i + 1), score, threshold: 1, doubtfulSignal });
    state = step.state;
    if (step.alert) alerts.push(step.alert);
  });
  return alerts;
}

describe('beats in baseline wander and the alert policy', () => {
  it('a beat in doubtful signal is not evidence for an alert, of either severity', () => {
    const scores = [0.5, 2, 2, 2, 0.5, 5];
    expect(alertsOf(scores, false).map((a) => a.severity)).toEqual(['warning', 'critical']);
    expect(alertsOf(scores, true)).toEqual([]);
    // ...and it is no anomalous beat of a later window either.
    let state = initialAlertPolicyState();
    for (const [i, score] of [2, 2].entries())
      state = stepAlertPolicy(state, 'dev-1', { t: 1000 * (i + 1), score, threshold: 1, doubtfulSignal: true }).state;
    expect(stepAlertPolicy(state, 'dev-1', { t: 3000, score: 2, threshold: 1 }, DEFAULT_ALERT_POLICY).alert).toBeNull();
  });

  it('the monitor tells a beat near a second of wander, and only near one', () => {
    const monitor = new RhythmMonitor(FS);
    // The baseline steps up by 2 mV at the start of second 3: its mean moves (wander), the rest is steady.
    const ecg = ecgSimulate({ fs: FS, seconds: 7, heartRate: 70, seed: 4, anomalies: [{ kind: 'baselineJump', at: 3, amplitude: 2 }] });
    monitor.samples(ecg.signal, [], (i) => i);
    expect(monitor.qualityOf(3)).toBe('wander');
    expect(monitor.qualityOf(2)).toBe('good');
    expect(monitor.wanderNear(Math.round(2.5 * FS))).toBe(true);
    expect(monitor.wanderNear(Math.round(3.5 * FS))).toBe(true);
    expect(monitor.wanderNear(Math.round(4.5 * FS))).toBe(true);
    expect(monitor.wanderNear(Math.round(1.5 * FS))).toBe(false);
    expect(monitor.wanderNear(Math.round(5.5 * FS))).toBe(false);
  });

  it('through the detector: beats scored over the threshold in strong wander are reported but raise no beat alert', async () => {
    const model = defaultModelFor('100').model;
    // An adapter that finds every beat anomalous, 5x its threshold (critical on its own).
    const everyBeatAnomalous: PatientAdapter = {
      name: 'stub',
      learns: false,
      separatesKinds: false,
      newLearner: () => {
        throw new Error('no learning');
      },
      restoreLearner: () => {
        throw new Error('no learning');
      },
      score: () => ({ score: 5, kind: 'normal' }),
    };
    const run = async (baselineWander: number) => {
      const ecg = ecgSimulate({ fs: FS, seconds: 60, heartRate: 70, seed: 3, baselineWander });
      return runRecordThroughDetector({ deviceId: 'dev', signal: ecg.signal, fs: FS }, model, {
        adaptation: everyBeatAnomalous,
        learningSeconds: 0,
      });
    };
    const steady = await run(0.05);
    expect(steady.alerts.length).toBeGreaterThan(0);
    // Breathing-rate wander of 3 mV moves the mean of about every other second by more than 1 mV.
    const wandering = await run(3);
    const anomalous = wandering.beats.filter((b) => b.anomalous);
    expect(anomalous.length).toBeGreaterThan(40);
    expect(wandering.alerts).toEqual([]);
  });
});
