import { describe, expect, it } from 'vitest';
import { alertFate } from '../../src/detect/alert-fate';

describe('alertFate', () => {
  const now = 1_000;
  it('holds a warning while the device learns and silences a snoozed device’s warning', () => {
    expect(alertFate('warning', 'learning', 0, now)).toBe('held');
    expect(alertFate('warning', 'learned', now + 1, now)).toBe('snoozed');
    expect(alertFate('warning', 'learned', now, now)).toBe('raised');
  });

  it('never holds nor snoozes a critical alert', () => {
    expect(alertFate('critical', 'learning', now + 1, now)).toBe('raised');
    expect(alertFate('critical', 'learned', Infinity, now)).toBe('raised');
  });
});
