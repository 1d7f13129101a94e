import { describe, expect, it } from 'vitest';
import { renderDemoReport } from '../../../src/cli/report/demo-report';
import { esc } from '../../../src/view/ecg-paper';
import type { AlertMessage, EpisodeAlertMessage } from '../../../src/detect/ports';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const fs = 100;
const SECONDS = 120;
const signal = Float32Array.from({ length: SECONDS * fs }, (_, i) => (i % fs === 50 ? 1.5 : 0));
/** One beat a second; beats 7, 30, 55, 80, 100 flagged (one 6x the threshold). */
const FLAGGED = [7, 30, 55, 80, 100];
const beats = Array.from({ length: SECONDS }, (_, s) => ({
  deviceId: 'dev-1',
  t: T0 + s * 1000 + 500,
  score: FLAGGED.includes(s) ? (s === 55 ? 6 : 2) : 0.2,
  modelScore: 0.2,
  threshold: 1,
  anomalous: FLAGGED.includes(s),
  kind: FLAGGED.includes(s) ? ('ventricular' as const) : ('normal' as const),
  phase: 'learned' as const,
}));
const alertAt = (s: number): AlertMessage => ({
  type: 'beatwatch.alert',
  id: `dev-1:${T0 + s * 1000 + 500}`,
  deviceId: 'dev-1',
  severity: s === 55 ? 'critical' : 'warning',
  from: T0 + s * 1000 + 500,
  to: T0 + s * 1000 + 500,
  anomalousBeats: 1,
  windowBeats: 8,
  maxScore: s === 55 ? 6 : 2,
  threshold: 1,
  modelVersion: 'v',
  snippetKey: 'alerts/x.json',
});

describe('renderDemoReport', () => {
  it('escapes markup', () => expect(esc(`<a href="x">&'`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;'));

  const html = renderDemoReport({
    title: 'beatwatch <demo>',
    generatedAt: 'now',
    modelVersion: 'v1',
    summary: { beats: 120, lost: 0, latencyMs: { p50: 181, p95: 468 }, learnedAt: { 'mitdb/119': 60 } },
    devices: [
      {
        deviceId: 'dev-1',
        label: 'mitdb/119',
        fs,
        signal,
        startTime: T0,
        beats,
        alerts: FLAGGED.map(alertAt),
        annotations: beats.map((b) => ({ t: b.t + 20, symbol: b.anomalous ? 'V' : 'N' })),
      },
    ],
  });

  it('is one self-contained page with readable summary cards (no raw field names or JSON)', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=/); // nothing external
    expect(html).toContain('beatwatch &lt;demo&gt;');
    expect(html).toContain('<b>181 / 468 ms</b><span>time to score a record (median / 95th pct.)</span>');
    expect(html).toContain('<span>beats lost (must be 0)</span>');
    expect(html).not.toContain('latencyMs');
    expect(html).not.toContain('{&quot;');
  });

  it('draws a strip on standard paper for EVERY alert, each linked from its alert row, at one mV scale', () => {
    expect(html.match(/<svg class="ecg-strip"/g)).toHaveLength(FLAGGED.length);
    for (let i = 1; i <= FLAGGED.length; i++) {
      expect(html).toContain(`href="#d0-alert-${i}"`);
      expect(html).toContain(`id="d0-alert-${i}"`);
    }
    expect(html.match(/25 mm\/s · 10 mm\/mV/g)?.length).toBe(FLAGGED.length);
    // one scale across the device: every strip is as tall as the first
    const heights = [...html.matchAll(/<svg class="ecg-strip"[^>]* height="(\d+)"/g)].map((m) => m[1]);
    expect(new Set(heights).size).toBe(1);
    expect(html).toContain('class="calibration"');
  });

  it('marks detected and flagged beats and shows the reference labels below', () => {
    expect(html.match(/class="beat-mark anomalous"/g)?.length).toBeGreaterThanOrEqual(FLAGGED.length);
    expect(html.match(/class="reference"[^>]*>V</g)?.length).toBeGreaterThanOrEqual(FLAGGED.length);
    expect(html).toContain('<td>V</td>'); // the alert table lists the flagged beats' reference labels
  });

  it('has score charts with a y axis, time into the recording, and says when scores are pinned to the top', () => {
    expect(html).toContain('score (× threshold)');
    expect(html).toContain('time into the recording');
    expect(html).toContain('>1:00<');
    expect(html).toContain('1 beat above 4× the threshold is drawn as a triangle at the top');
  });

  it('shades poor signal (gated beats, a technical episode) on the score chart and lists rhythm and technical episodes per device', () => {
    const episode = (
      kind: 'rhythm' | 'technical',
      label: string,
      phase: 'onset' | 'offset',
      from: number,
      to: number,
    ): EpisodeAlertMessage => ({
      type: 'beatwatch.alert',
      kind,
      id: `dev-2:${label}:${T0 + from * 1000}${phase === 'offset' ? ':offset' : ''}`,
      deviceId: 'dev-2',
      severity: 'warning',
      phase,
      ...(kind === 'rhythm' ? { rhythm: label as 'AFIB' } : { reason: label as 'lead-off' }),
      from: T0 + from * 1000,
      to: T0 + to * 1000,
      modelVersion: null,
    });
    const withEpisodes = renderDemoReport({
      title: 't',
      generatedAt: 'g',
      modelVersion: 'v',
      summary: {},
      devices: [
        {
          deviceId: 'dev-2',
          label: 'mitdb/201',
          fs,
          signal,
          startTime: T0,
          beats: beats.map((b, i) => ({
            ...b,
            deviceId: 'dev-2',
            anomalous: false,
            kind: i === 90 ? ('gated' as const) : ('normal' as const),
          })),
          alerts: [],
          episodes: [
            episode('rhythm', 'AFIB', 'onset', 10, 40),
            episode('technical', 'lead-off', 'onset', 60, 66),
            episode('rhythm', 'AFIB', 'offset', 10, 60),
            episode('technical', 'lead-off', 'offset', 60, 75),
          ],
        },
      ],
    });
    // The lead-off episode (60-75 s) and the gated beat, shaded and named on the chart.
    expect(withEpisodes.match(/<rect class="poor-signal"[^>]*><title>lead-off<\/title>/g)).toHaveLength(1);
    expect(withEpisodes.match(/<rect class="poor-signal"[^>]*><title>gated beat<\/title>/g)).toHaveLength(1);
    expect(withEpisodes).toContain('<h3>Rhythm and technical episodes</h3>');
    for (const row of [
      '<td>rhythm</td><td>AFIB</td><td>onset</td>',
      '<td>rhythm</td><td>AFIB</td><td>offset</td>',
      '<td>technical</td><td>lead-off</td><td>onset</td>',
      '<td>technical</td><td>lead-off</td><td>offset</td>',
    ])
      expect(withEpisodes).toContain(row);
  });

  it('says so when a device has no alerts or no beats', () => {
    const empty = renderDemoReport({
      title: 't',
      generatedAt: 'g',
      modelVersion: 'v',
      summary: {},
      devices: [{ deviceId: 'd', label: 'L', fs: 100, signal: new Float32Array(100), startTime: T0, beats: [], alerts: [] }],
    });
    expect(empty).toContain('No alerts.');
    expect(empty).toContain('No beats scored.');
  });
});
