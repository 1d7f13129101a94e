import { describe, expect, it } from 'vitest';
import { correlation, P_WAVE_SPAN, QRS_SPAN, windowPart } from '../../src/ecg/beat-shape';
import { QrsTemplates } from '../../src/ecg/qrs-templates';
import { beatWindow, SPAN } from '../detect/rhythm-fixtures';

describe('windowPart', () => {
  it('cuts the QRS (±100 ms) and P-wave (250-70 ms before R) stretches of a 64-step window', () => {
    const w = Float32Array.from({ length: 64 }, (_, i) => i);
    const dt = 0.7 / 63;
    const qrs = windowPart(w, SPAN, QRS_SPAN);
    expect(qrs[0]).toBe(Math.ceil((0.25 - 0.1) / dt));
    expect(qrs[qrs.length - 1]).toBe(Math.floor(0.35 / dt));
    const p = windowPart(w, SPAN, P_WAVE_SPAN);
    expect(p[0]).toBe(0);
    expect(p[p.length - 1]).toBe(Math.floor(0.18 / dt));
  });

  it('is empty when the window does not reach the part', () => {
    expect(windowPart(new Float32Array(64), { before: 0.1, after: 0.3 }, P_WAVE_SPAN)).toHaveLength(0);
  });
});

describe('correlation', () => {
  it('is 1 for proportional sequences, -1 for opposite ones, 0 for a constant or a length mismatch', () => {
    expect(correlation([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(correlation([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    expect(correlation([1, 1, 1], [1, 2, 3])).toBe(0);
    expect(correlation([1, 2], [1, 2, 3])).toBe(0);
  });
});

describe('QrsTemplates', () => {
  const narrow = windowPart(beatWindow('narrow', 'p'), SPAN, QRS_SPAN);
  const wide = windowPart(beatWindow('wide', 'none'), SPAN, QRS_SPAN);

  it('in bigeminy the on-time (normal) shape is dominant although both shapes are equally many', () => {
    const templates = new QrsTemplates();
    for (let k = 0; k < 40; k++) {
      templates.observe(wide, false); // premature ventricular beat
      templates.observe(narrow, true); // normal beat after the compensatory pause
    }
    expect(templates.similarity(narrow)).toBeCloseTo(1, 6);
    expect(templates.similarity(wide) as number).toBeLessThan(0.5);
  });

  it('a lasting change of shape becomes the dominant one; the state round-trips through JSON', () => {
    const templates = new QrsTemplates();
    for (let k = 0; k < 30; k++) templates.observe(narrow, true);
    expect(templates.observe(wide, true) as number).toBeLessThan(0.5);
    for (let k = 0; k < 300; k++) templates.observe(wide, true);
    const again = new QrsTemplates({}, JSON.parse(JSON.stringify(templates.toJSON())));
    expect(again.similarity(wide)).toBeCloseTo(1, 6);
  });

  it('has no dominant shape before a few on-time beats (3, less the decay)', () => {
    const templates = new QrsTemplates();
    expect(templates.observe(narrow, true)).toBeNull();
    for (let k = 0; k < 2; k++) templates.observe(narrow, true);
    expect(templates.similarity(narrow)).toBeNull();
    templates.observe(narrow, true);
    expect(templates.similarity(narrow)).toBeCloseTo(1, 6);
  });
});
