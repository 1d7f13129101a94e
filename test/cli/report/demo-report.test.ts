import { describe, expect, it } from 'vitest';
import { renderDemoReport } from '../../../src/cli/report/demo-report';
import { envelopePoints, esc } from '../../../src/cli/report/svg';
import type { AlertMessage } from '../../../src/detect/ports';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

describe('renderDemoReport', () => {
  it('is one self-contained page: strip with normal and flagged beat marks, score chart, alert table', () => {
    const fs = 100;
    const signal = Float32Array.from({ length: 20 * fs }, (_, i) => (i % fs === 50 ? 1 : 0));
    const beats = Array.from({ length: 20 }, (_, s) => ({
      deviceId: 'dev-1',
      t: T0 + s * 1000 + 500,
      score: s === 7 ? 3 : 0.2,
      modelScore: s === 7 ? 3 : 0.2,
      threshold: 1,
      anomalous: s === 7,
      kind: s === 7 ? ('ventricular' as const) : ('normal' as const),
      phase: 'learned' as const,
    }));
    const alert: AlertMessage = {
      type: 'beatwatch.alert',
      id: 'dev-1:1795694407500',
      deviceId: 'dev-1',
      severity: 'critical',
      from: T0 + 7500,
      to: T0 + 7500,
      anomalousBeats: 1,
      windowBeats: 8,
      maxScore: 3,
      threshold: 1,
      modelVersion: 'v',
      snippetKey: 'alerts/x.json',
    };
    const html = renderDemoReport({
      title: 'beatwatch <demo>',
      generatedAt: 'now',
      modelVersion: 'v1',
      summary: { beats: 20, lost: 0 },
      devices: [{ deviceId: 'dev-1', label: 'MIT-BIH 119', fs, signal, startTime: T0, beats, alerts: [alert] }],
    });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|href=/); // nothing external
    expect(html).toContain('beatwatch &lt;demo&gt;');
    expect(html).toContain('MIT-BIH 119');
    expect(html.match(/stroke="#dc2626" stroke-width="3"/g)).toHaveLength(1); // the flagged beat on the strip
    expect(html.match(/stroke="#10b981"/g)?.length).toBe(9); // the other beats of the 10 s strip
    expect(html).toContain('stroke-dasharray'); // threshold line
    expect(html).toContain('<tr class="critical">');
    expect(html).toContain('dev-1:1795694407500');
  });

  it('says so when a device has no alerts or no beats', () => {
    const html = renderDemoReport({
      title: 't',
      generatedAt: 'g',
      modelVersion: 'v',
      summary: {},
      devices: [{ deviceId: 'd', label: 'L', fs: 100, signal: new Float32Array(100), startTime: T0, beats: [], alerts: [] }],
    });
    expect(html).toContain('No alerts.');
    expect(html).toContain('No beats scored.');
  });
});

describe('svg helpers', () => {
  it('escapes markup', () => expect(esc(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;'));
  it('keeps a one-sample spike through decimation', () => {
    const signal = new Float32Array(1000);
    signal[501] = 5;
    const pts = envelopePoints(signal, 0, 1000, 10, (v) => -v).split(' ');
    expect(pts).toHaveLength(20);
    expect(pts).toContain('5,-5');
  });
});
