import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_POLICY } from '../../src/detect/alert-policy';
import { detectConfigFromEnv } from '../../src/detect/detect-config';

const base = { BUCKET_NAME: 'b', TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:alerts' };

describe('detectConfigFromEnv', () => {
  it('takes the documented defaults', () => {
    const c = detectConfigFromEnv(base);
    expect(c.bucket).toBe('b');
    expect(c.pointerKey).toBe('models/current.json');
    expect(c.revalidateMs).toBe(60_000);
    expect(c.detector.policy).toEqual(DEFAULT_ALERT_POLICY);
    expect(c.detector.globalThreshold).toBeUndefined();
    expect(c.detector.thresholdMultiplier).toBe(1);
    expect(c.detector.adaptation?.name).toBe('patient-profile');
    expect(c.detector.learningSeconds).toBe(300);
    expect([c.detector.signalLostSeconds, c.detector.signalLostCheckSeconds]).toEqual([60, 10]);
    expect(c.detector.leads).toBe(2);
    expect(c.detector.rhythm).toEqual({});
  });

  it('reads overrides', () => {
    const c = detectConfigFromEnv({
      ...base,
      ALERT_K: '2',
      ALERT_N: '5',
      ALERT_CRITICAL_MULTIPLE: '4',
      ALERT_COOLDOWN_MS: '0',
      THRESHOLD: '0.7',
      THRESHOLD_MULTIPLIER: '1.5',
      MAX_DEVICES: '50',
      MODEL_POINTER_KEY: 'models/canary.json',
      ADAPTATION: 'off',
      LEARNING_SECONDS: '60',
      SIGNAL_LOST_SECONDS: '120',
      SIGNAL_LOST_CHECK_SECONDS: '15',
      LEADS: '1',
      ASYSTOLE_SECONDS: '6',
      BRADY_BPM: '35',
      BRADY_BEATS: '8',
      TACHY_BPM: '150',
      TACHY_BEATS: '10',
      VT_BPM: '120',
      VT_RUN_BEATS: '4',
      VT_CRITICAL_BEATS: '6',
      VFL_SECONDS: '5',
    });
    expect(c.detector.adaptation?.name).toBe('off');
    expect({ ...c.detector, adaptation: undefined }).toEqual({
      adaptation: undefined,
      learningSeconds: 60,
      leads: 1,
      policy: { k: 2, n: 5, criticalMultiple: 4, cooldownMs: 0 },
      globalThreshold: 0.7,
      thresholdMultiplier: 1.5,
      maxDevices: 50,
      signalLostSeconds: 120,
      signalLostCheckSeconds: 15,
      rhythm: {
        asystoleSeconds: 6,
        bradyBpm: 35,
        bradyBeats: 8,
        tachyBpm: 150,
        tachyBeats: 10,
        vtBpm: 120,
        vtRunBeats: 4,
        vtCriticalBeats: 6,
        vflSeconds: 5,
      },
    });
    expect(c.pointerKey).toBe('models/canary.json');
  });

  it('names the bad or missing variable', () => {
    expect(() => detectConfigFromEnv({ TOPIC_ARN: 't' })).toThrow(/BUCKET_NAME is required/);
    expect(() => detectConfigFromEnv({ ...base, ALERT_K: '1.5' })).toThrow(/ALERT_K must be an integer/);
    expect(() => detectConfigFromEnv({ ...base, THRESHOLD: '-1' })).toThrow(/THRESHOLD must be/);
    expect(() => detectConfigFromEnv({ ...base, ALERT_CRITICAL_MULTIPLE: '1' })).toThrow(/ALERT_CRITICAL_MULTIPLE/);
    expect(() => detectConfigFromEnv({ ...base, SIGNAL_LOST_SECONDS: '0' })).toThrow(/SIGNAL_LOST_SECONDS must be/);
    expect(() => detectConfigFromEnv({ ...base, ASYSTOLE_SECONDS: '-4' })).toThrow('ASYSTOLE_SECONDS must be a number > 0, got "-4"');
    expect(() => detectConfigFromEnv({ ...base, BRADY_BEATS: '4.5' })).toThrow(/BRADY_BEATS must be an integer >= 1/);
    // Checked against the others' defaults: tachycardia below the default bradycardia limit of 40 bpm.
    expect(() => detectConfigFromEnv({ ...base, TACHY_BPM: '38' })).toThrow(/BRADY_BPM \(40\) must be below TACHY_BPM \(38\)/);
    expect(() => detectConfigFromEnv({ ...base, VT_RUN_BEATS: '6' })).toThrow(
      /VT_CRITICAL_BEATS \(5\) must be at least VT_RUN_BEATS \(6\)/,
    );
    // The sweep period must stay below the deadline, or the deadline could not be kept.
    expect(() => detectConfigFromEnv({ ...base, SIGNAL_LOST_SECONDS: '30', SIGNAL_LOST_CHECK_SECONDS: '30' })).toThrow(
      /SIGNAL_LOST_CHECK_SECONDS must be a number of seconds > 0 and below SIGNAL_LOST_SECONDS \(30\)/,
    );
    expect(() => detectConfigFromEnv({ ...base, ADAPTATION: 'magic' })).toThrow(
      /ADAPTATION must be one of patient-profile, threshold-calibration, off/,
    );
    expect(() => detectConfigFromEnv({ ...base, LEARNING_SECONDS: '-5' })).toThrow(/LEARNING_SECONDS/);
    expect(() => detectConfigFromEnv({ ...base, LEADS: '3' })).toThrow(/LEADS must be 1 or 2/);
  });
});
