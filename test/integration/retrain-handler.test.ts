/** The retrain Lambda's configuration and time budget (no emulators needed). */
import { describe, expect, it } from 'vitest';
import { retrainBudgetMs } from '../../functions/retrain';
import { DEFAULT_SAFETY_MARGIN_MS, retrainConfigFromEnv } from '../../src/retrain/config';
import { DEFAULT_RETRAIN_OPTIONS } from '../../src/retrain';

describe('retrain handler configuration', () => {
  it('reads the deployed environment, with documented defaults', () => {
    expect(retrainConfigFromEnv({ BUCKET_NAME: 'b' })).toEqual({
      bucket: 'b',
      days: DEFAULT_RETRAIN_OPTIONS.days,
      safetyMarginMs: DEFAULT_SAFETY_MARGIN_MS,
      maxDevices: DEFAULT_RETRAIN_OPTIONS.maxDevices,
      maxBeats: DEFAULT_RETRAIN_OPTIONS.maxBeats,
      epochs: DEFAULT_RETRAIN_OPTIONS.train.epochs,
      workers: 1,
    });
    const c = retrainConfigFromEnv({
      BUCKET_NAME: 'b',
      RETRAIN_HISTORY_DAYS: '3',
      RETRAIN_SAFETY_MARGIN_SECONDS: '45',
      EPOCHS: '0',
      TRAIN_WORKERS: '4',
      TIME_BUDGET_MS: '20000',
    });
    expect(c).toMatchObject({ days: 3, safetyMarginMs: 45_000, epochs: 0, workers: 4, timeBudgetMs: 20_000 });
    expect(retrainConfigFromEnv({ BUCKET_NAME: 'b', HISTORY_DAYS: '2' }).days).toBe(2);
  });

  it('names the variable that is missing or wrong', () => {
    expect(() => retrainConfigFromEnv({})).toThrow(/BUCKET_NAME is required/);
    expect(() => retrainConfigFromEnv({ BUCKET_NAME: 'b', RETRAIN_HISTORY_DAYS: 'week' })).toThrow(
      /RETRAIN_HISTORY_DAYS must be a number of days > 0, got "week"/,
    );
    expect(() => retrainConfigFromEnv({ BUCKET_NAME: 'b', EPOCHS: '1.5' })).toThrow(/EPOCHS must be an integer >= 0/);
  });

  it('gives the job the remaining time minus the safety margin', () => {
    const config = retrainConfigFromEnv({ BUCKET_NAME: 'b', RETRAIN_SAFETY_MARGIN_SECONDS: '60' });
    expect(retrainBudgetMs(config, { getRemainingTimeInMillis: () => 900_000 })).toBe(840_000);
    expect(retrainBudgetMs(config, { getRemainingTimeInMillis: () => 30_000 })).toBe(1_000);
    expect(retrainBudgetMs(config)).toBe(DEFAULT_RETRAIN_OPTIONS.timeBudgetMs);
    expect(retrainBudgetMs({ ...config, timeBudgetMs: 20_000 }, { getRemainingTimeInMillis: () => 900_000 })).toBe(20_000);
  });
});
