import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_DETECT_BATCH_SIZE,
  DEFAULT_LOG_RETENTION_DAYS,
  DEFAULT_PARALLELIZATION_FACTOR,
  DEFAULT_RETRAIN_SCHEDULE,
  DEFAULT_STREAM_RETENTION_HOURS,
  readConfig,
} from '../../infra/config';

const from = (context: Record<string, unknown>) => readConfig((key) => context[key]);

describe('readConfig', () => {
  it('applies the named defaults when nothing is set', () => {
    const config = from({});
    expect(config.shardCount).toBeUndefined();
    expect(config.alertEmail).toBeUndefined();
    expect(config.detectReservedConcurrency).toBeUndefined();
    expect(config.streamRetentionHours).toBe(DEFAULT_STREAM_RETENTION_HOURS);
    expect(config.logRetentionDays).toBe(DEFAULT_LOG_RETENTION_DAYS);
    expect(config.retrainSchedule).toBe(DEFAULT_RETRAIN_SCHEDULE);
    expect(config.parallelizationFactor).toBe(DEFAULT_PARALLELIZATION_FACTOR);
    expect(config.detectBatchSize).toBe(DEFAULT_DETECT_BATCH_SIZE);
    expect(config.retrainReservedConcurrency).toBe(1);
    expect(config.alarmActions).toBe(true);
  });

  it('reads CLI strings (-c key=value) and JSON numbers alike', () => {
    expect(from({ shardCount: '3', parallelizationFactor: 5, alarmActions: 'false', retrainReservedConcurrency: '0' })).toMatchObject({
      shardCount: 3,
      parallelizationFactor: 5,
      alarmActions: false,
      retrainReservedConcurrency: undefined,
    });
  });

  it('rejects bad values with the key, the value and what was expected', () => {
    expect(() => from({ parallelizationFactor: '11' })).toThrow(
      'CDK context "parallelizationFactor" must be an integer in [1, 10], got "11"',
    );
    expect(() => from({ shardCount: '1.5' })).toThrow(/"shardCount" must be an integer/);
    expect(() => from({ streamRetentionHours: '12' })).toThrow(/"streamRetentionHours" must be an integer in \[24, 8760\]/);
    expect(() => from({ logRetentionDays: '100' })).toThrow(/"logRetentionDays" must be one of 1, 3, 5/);
    expect(() => from({ retrainSchedule: 'daily' })).toThrow(/"retrainSchedule" must be an EventBridge expression/);
    expect(() => from({ alertEmail: 'not-an-address' })).toThrow(/"alertEmail" must be an e-mail address/);
    expect(() => from({ alarmActions: 'yes' })).toThrow(/"alarmActions" must be true or false/);
    expect(() => from({ retrainTimeoutSeconds: '100', retrainSafetyMarginSeconds: '100' })).toThrow(/less than retrainTimeoutSeconds/);
    expect(() => from({ detectBatchSize: 'many' })).toThrow(ConfigError);
  });

  it("passes alert policy overrides through as the detector's variables, only when set", () => {
    expect(from({}).detectorOverrides).toEqual({});
    expect(
      from({ alertK: '4', alertN: 12, alertCriticalMultiple: '2.5', alertCooldownMs: '0', thresholdMultiplier: '1.2' }).detectorOverrides,
    ).toEqual({
      ALERT_K: '4',
      ALERT_N: '12',
      ALERT_CRITICAL_MULTIPLE: '2.5',
      ALERT_COOLDOWN_MS: '0',
      THRESHOLD_MULTIPLIER: '1.2',
    });
    expect(() => from({ alertK: '0' })).toThrow('CDK context "alertK" must be an integer >= 1, got "0"');
    expect(from({ asystoleSeconds: '6', bradyBpm: 35, vtCriticalBeats: '8' }).detectorOverrides).toEqual({
      ASYSTOLE_SECONDS: '6',
      BRADY_BPM: '35',
      VT_CRITICAL_BEATS: '8',
    });
    expect(() => from({ vtRunBeats: '2' })).toThrow('CDK context "vtRunBeats" must be an integer >= 3, got "2"');
    expect(() => from({ tachyBpm: '30' })).toThrow(/bradyBpm \(40\) must be below tachyBpm \(30\)/);
    expect(() => from({ alertCriticalMultiple: '1' })).toThrow(/"alertCriticalMultiple" must be a number > 1/);
  });

  it('accepts rate and cron schedules', () => {
    expect(from({ retrainSchedule: 'rate(12 hours)' }).retrainSchedule).toBe('rate(12 hours)');
    expect(from({ retrainSchedule: 'cron(0 3 * * ? *)' }).retrainSchedule).toBe('cron(0 3 * * ? *)');
  });
});

describe('README configuration table', () => {
  it('documents every context key the stack reads', () => {
    const keys = new Set<string>();
    readConfig((key) => {
      keys.add(key);
      return undefined;
    });
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('### Configuration (CDK context)'));
    for (const key of [...keys, 'account', 'region', 'stackName']) expect(table, key).toContain(`\`${key}\``);
    expect(keys.size).toBeGreaterThan(20);
  });
});
