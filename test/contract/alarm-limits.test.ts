import { describe, expect, it } from 'vitest';
import {
  ALARM_LIMITS,
  DEFAULT_ALARM_LIMITS,
  alarmLimitProblem,
  alarmLimitsConflict,
  alarmLimitVariables,
} from '../../src/contract/alarm-limits';
import { DEFAULT_RHYTHM_OPTIONS } from '../../src/detect/rhythm-monitor';

describe('alarm limits', () => {
  it("are the issue's defaults, and the rhythm monitor's", () => {
    expect(DEFAULT_ALARM_LIMITS).toEqual({
      asystoleSeconds: 4,
      bradyBpm: 40,
      bradyBeats: 5,
      tachyBpm: 140,
      tachyBeats: 17,
      vtBpm: 100,
      vtRunBeats: 3,
      vtCriticalBeats: 5,
      vflSeconds: 4,
    });
    expect(DEFAULT_RHYTHM_OPTIONS).toMatchObject(DEFAULT_ALARM_LIMITS);
    expect(new Set(Object.values(ALARM_LIMITS).map((s) => s.env)).size).toBe(Object.keys(ALARM_LIMITS).length);
  });

  it('accepts valid values and says what a bad one should be', () => {
    expect(alarmLimitProblem('asystoleSeconds', '6')).toBeNull();
    expect(alarmLimitProblem('asystoleSeconds', 2.5)).toBeNull();
    expect(alarmLimitProblem('asystoleSeconds', '0')).toBe('a number > 0');
    expect(alarmLimitProblem('asystoleSeconds', '')).toBe('a number > 0');
    expect(alarmLimitProblem('bradyBpm', 'fast')).toBe('a number > 0');
    expect(alarmLimitProblem('bradyBeats', '2.5')).toBe('an integer >= 1');
    expect(alarmLimitProblem('bradyBeats', '1')).toBeNull();
    // Two ventricular beats are a couplet, not a run.
    expect(alarmLimitProblem('vtRunBeats', '2')).toBe('an integer >= 3');
    expect(alarmLimitProblem('vtCriticalBeats', 8)).toBeNull();
  });

  it('finds limits that contradict each other, naming them as the reader knows them', () => {
    expect(alarmLimitsConflict(DEFAULT_ALARM_LIMITS)).toBeNull();
    expect(alarmLimitsConflict({ ...DEFAULT_ALARM_LIMITS, tachyBpm: 35 })).toBe('bradyBpm (40) must be below tachyBpm (35)');
    expect(alarmLimitsConflict({ ...DEFAULT_ALARM_LIMITS, bradyBpm: 140 })).toMatch(/bradyBpm \(140\) must be below/);
    expect(alarmLimitsConflict({ ...DEFAULT_ALARM_LIMITS, vtRunBeats: 6 }, (n) => ALARM_LIMITS[n].env)).toBe(
      'VT_CRITICAL_BEATS (5) must be at least VT_RUN_BEATS (6)',
    );
    expect(alarmLimitsConflict({ ...DEFAULT_ALARM_LIMITS, vtRunBeats: 5 })).toBeNull();
  });

  it('passes on the alarm-limit variables set in an environment, nothing else', () => {
    expect(alarmLimitVariables({ ASYSTOLE_SECONDS: '6', VT_BPM: '', HOME: 'x', ALERT_K: '2', TACHY_BEATS: '12' })).toEqual({
      ASYSTOLE_SECONDS: '6',
      TACHY_BEATS: '12',
    });
    expect(alarmLimitVariables({})).toEqual({});
  });
});
