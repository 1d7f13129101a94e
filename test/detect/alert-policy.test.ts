import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_ALERT_POLICY,
  initialAlertPolicyState,
  stepAlertPolicy,
  validateAlertPolicy,
  type AlertDecision,
  type AlertPolicyOptions,
  type AlertPolicyState,
} from '../../src/detect/alert-policy';

const THRESHOLD = 1;

/** Runs scores (one beat per second from t=1000) through the policy, returning every alert. */
function run(scores: number[], options: AlertPolicyOptions = DEFAULT_ALERT_POLICY, state: AlertPolicyState = initialAlertPolicyState()) {
  const alerts: AlertDecision[] = [];
  let s = state;
  scores.forEach((score, i) => {
    const step = stepAlertPolicy(s, 'dev-1', { t: 1000 + i * 1000, score, threshold: THRESHOLD }, options);
    s = step.state;
    if (step.alert) alerts.push(step.alert);
  });
  return { alerts, state: s };
}

describe('stepAlertPolicy', () => {
  it('stays quiet below k anomalous beats in the window', () => {
    expect(run([0.5, 2, 0.5, 0.5, 2, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 2]).alerts).toEqual([]);
  });

  it('opens a warning on the k-th anomalous beat of the last n, with the id of the first', () => {
    const { alerts } = run([0.5, 2, 0.5, 2, 0.5, 2, 0.5]);
    expect(alerts).toHaveLength(1);
    const a = alerts[0];
    expect(a.severity).toBe('warning');
    expect(a.id).toBe('dev-1:2000');
    expect(a.from).toBe(2000);
    expect(a.to).toBe(6000);
    expect(a.anomalousBeats).toBe(3);
    expect(a.windowBeats).toBe(6);
    expect(a.maxScore).toBe(2);
    expect(a.threshold).toBe(THRESHOLD);
    expect(a.beatTimes).toEqual([1000, 2000, 3000, 4000, 5000, 6000]);
  });

  it('forgets anomalous beats that slid out of the window', () => {
    // 2 anomalous, then 9 normal beats push them out, then 2 more: never 3 within 10.
    const scores = [2, 2, ...Array(9).fill(0.5), 2, 2];
    expect(run(scores).alerts).toEqual([]);
    expect(run(scores, { ...DEFAULT_ALERT_POLICY, n: 12 }).alerts).toHaveLength(1);
  });

  it('opens a critical alert on one beat above the critical multiple', () => {
    const { alerts } = run([0.5, 0.5, 3.5, 0.5]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0].severity).toBe('critical');
    expect(alerts[0].id).toBe('dev-1:3000');
    expect(alerts[0].anomalousBeats).toBe(1);
  });

  it('holds equal severity during the cooldown, then alerts again with a new id', () => {
    // Anomalous every beat for 150 s: alerts at 3 s, then one per cooldown (60 s).
    const { alerts } = run(Array(150).fill(2));
    expect(alerts.map((a) => a.to)).toEqual([3000, 63000, 123000]);
    expect(new Set(alerts.map((a) => a.id)).size).toBe(3);
    // The second alert reports only beats after the first one's.
    expect(alerts[1].from).toBe(4000 + 50 * 1000);
  });

  it('lets a rising severity through the cooldown, but not a falling one', () => {
    const { alerts } = run([2, 2, 2, 0.5, 5, 2, 2, 2, 5]);
    expect(alerts.map((a) => a.severity)).toEqual(['warning', 'critical']);
    expect(alerts[0].id).not.toBe(alerts[1].id);
    expect(alerts[1].id).toBe('dev-1:5000');
  });

  it('is deterministic and JSON-serializable: a state round-tripped through JSON continues identically', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { maxLength: 200 }), fc.nat(200), (scores, cutAt) => {
        const cut = Math.min(cutAt, scores.length);
        const whole = run(scores);
        const first = run(scores.slice(0, cut));
        const restored = JSON.parse(JSON.stringify(first.state)) as AlertPolicyState;
        const rest: AlertDecision[] = [];
        let s = restored;
        scores.slice(cut).forEach((score, j) => {
          const step = stepAlertPolicy(s, 'dev-1', { t: 1000 + (cut + j) * 1000, score, threshold: THRESHOLD });
          s = step.state;
          if (step.alert) rest.push(step.alert);
        });
        expect([...first.alerts, ...rest]).toEqual(whole.alerts);
        // Ids of one device never repeat.
        expect(new Set(whole.alerts.map((a) => a.id)).size).toBe(whole.alerts.length);
        expect(s.recent.length).toBeLessThanOrEqual(DEFAULT_ALERT_POLICY.n);
      }),
    );
  });

  it('does not mutate the state it is given', () => {
    const state = run([2, 2]).state;
    const frozen = JSON.stringify(state);
    stepAlertPolicy(state, 'dev-1', { t: 99_000, score: 2, threshold: 1 });
    expect(JSON.stringify(state)).toBe(frozen);
  });
});

describe('validateAlertPolicy', () => {
  it('names the bad field', () => {
    expect(() => validateAlertPolicy({ ...DEFAULT_ALERT_POLICY, k: 11 })).toThrow(/k must be/);
    expect(() => validateAlertPolicy({ ...DEFAULT_ALERT_POLICY, n: 0 })).toThrow(/n must be/);
    expect(() => validateAlertPolicy({ ...DEFAULT_ALERT_POLICY, criticalMultiple: 1 })).toThrow(/criticalMultiple/);
    expect(() => validateAlertPolicy({ ...DEFAULT_ALERT_POLICY, cooldownMs: -1 })).toThrow(/cooldownMs/);
    expect(validateAlertPolicy(DEFAULT_ALERT_POLICY)).toBe(DEFAULT_ALERT_POLICY);
  });
});
