import { describe, expect, it } from 'vitest';
import { learnedRr, learnedTemplate } from '../../src/detect/explain-context';

const window = { before: 0.25, after: 0.45, steps: 4 };
/** The patient-profile adapter's template encoding: base64 of Float64 values. */
const encode = (values: number[]) => Buffer.from(Float64Array.from(values).buffer).toString('base64');
const features = (values: number[], w = window) => ({ profile: { template: encode(values), window: w } });

describe('learnedTemplate', () => {
  it('decodes the dominant template of a profile learned for the same window', () => {
    expect(learnedTemplate(features([0.1, 0.5, -0.2, 0, 9, 9, 9, 9]), window)).toEqual([0.1, 0.5, -0.2, 0]);
  });

  it('z-scores it for a model whose windows are z-scored', () => {
    const t = learnedTemplate(features([1, 3, 1, 3]), { ...window, normalization: 'zscore' } as typeof window) as number[];
    expect(t.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([-1, 1, -1, 1]);
  });

  it('has none for another window, a short template, no profile or no model window', () => {
    expect(learnedTemplate(features([1, 2, 3, 4], { ...window, steps: 8 }), { ...window, steps: 8 })).toBeNull();
    expect(learnedTemplate(features([1, 2, 3, 4], { ...window, before: 0.3 }), window)).toBeNull();
    expect(learnedTemplate({}, window)).toBeNull();
    expect(learnedTemplate(features([1, 2, 3, 4]), undefined)).toBeNull();
  });
});

describe('learnedRr', () => {
  it('is the profile’s positive RR median, else null', () => {
    expect(learnedRr({ profile: { rrMedian: 0.8 } })).toBe(0.8);
    expect(learnedRr({ profile: { rrMedian: 0 } })).toBeNull();
    expect(learnedRr({})).toBeNull();
  });
});
