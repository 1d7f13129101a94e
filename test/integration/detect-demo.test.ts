import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import demo from '../../src/cli/commands/demo';
import { ecgFixtures } from '../cli/ecg-fixtures';

afterEach(() => vi.restoreAllMocks());

const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));

describe('beatwatch demo', () => {
  it('streams the bundled records through the local stack: one JSON object, nothing lost, a report with flagged beats', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beatwatch-demo-'));
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await demo.run(['--seconds', '40', '--learning-seconds', '20', '--json', '--out', join(dir, 'report.html')]);
      expect(code).toBe(0);
      expect(out).toHaveLength(1);
      const summary = JSON.parse(out[0]) as Record<string, unknown> & { latencyMs: { p50: number; p95: number } };
      expect(Object.keys(summary).sort()).toEqual([
        'alerts',
        'anomalousBeats',
        'beats',
        'devices',
        'episodeAlerts',
        'latencyMs',
        'learnedAt',
        'lost',
        'records',
        'rejected',
        'skipped',
      ]);
      expect(summary).toMatchObject({ devices: 5, skipped: 0, records: 200, rejected: 0, lost: 0 });
      expect(summary.beats).toBeGreaterThan(200);
      expect(summary.anomalousBeats).toBeGreaterThan(0);
      expect(summary.latencyMs.p95).toBeGreaterThanOrEqual(summary.latencyMs.p50);
      // A 20 s learning period: every device learns inside the 40 s streamed, at the end of the
      // period or, when its dominant beat has fewer than 20 beats by then (119's bigeminy), a
      // little later (the patient-profile learner extends the period until it is ready). Beats of
      // poor-signal seconds are gated and not learned from, so a device whose learning period
      // holds some (208) may also need a few seconds more.
      const learnedAt = Object.values(summary.learnedAt as Record<string, number | null>);
      expect(learnedAt.every((s) => s !== null && s >= 20 && s < 40)).toBe(true);
      expect(learnedAt.filter((s) => s !== null && s < 22).length).toBeGreaterThanOrEqual(3);
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      expect(html).toContain('mitdb/119');
      // Flagged beats are drawn on the device's score chart (red dots, larger than normal ones).
      expect(html).toMatch(/r="2\.4" fill="#dc2626"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--records DIR: streams what it can, names each skipped record and why on stderr, counts them, labels devices by folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beatwatch-demo-'));
    const records = join(dir, 'holter');
    mkdirSync(records);
    for (const ext of ['hea', 'dat', 'atr']) copyFileSync(join(MITDB, `100.${ext}`), join(records, `100.${ext}`));
    for (const ext of ['hea', 'dat']) copyFileSync(join(MITDB, `119.${ext}`), join(records, `119.${ext}`));
    writeFileSync(join(records, '999.hea'), 'not a WFDB header\n');
    writeFileSync(join(records, 'RECORDS'), '100\n999\n555\n');
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
    try {
      const code = await demo.run(['--records', records, '--seconds', '10', '--json', '--out', join(dir, 'report.html')]);
      expect(code).toBe(0);
      const summary = JSON.parse(out.join('')) as Record<string, unknown>;
      expect(summary).toMatchObject({ devices: 1, skipped: 3, records: 10, lost: 0 });
      const skippedLines = err
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('skipped record '));
      expect(skippedLines).toHaveLength(3);
      expect(skippedLines).toEqual(
        expect.arrayContaining([
          'skipped record 119: 119.hea is not listed in RECORDS',
          'skipped record 555: listed in RECORDS, but there is no 555.hea',
          expect.stringMatching(/^skipped record 999: unreadable: /),
        ]),
      );
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      expect(html).toContain('holter/100');
      expect(html).not.toContain('MIT-BIH');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--records DIR: streams a CSV, an EDF and a WFDB record; a truncated file is skipped on one line naming it', async () => {
    const files = ecgFixtures();
    const out: string[] = [];
    const err: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
    try {
      const code = await demo.run(['--records', files.dir, '--seconds', '15', '--json', '--out', join(files.dir, 'report.html')]);
      expect(code, err.join('')).toBe(0);
      const summary = JSON.parse(out.join('')) as Record<string, number>;
      // 100 (WFDB), r100.csv, r100.edf: three devices of 15 s; cut.edf skipped.
      expect(summary).toMatchObject({ devices: 3, skipped: 1, records: 45, rejected: 0, lost: 0 });
      expect(summary.beats).toBeGreaterThan(3 * 12);
      const lines = err
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('skipped record '));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^skipped record cut\.edf: unreadable: .*cut\.edf: .*truncated/);
      const html = readFileSync(join(files.dir, 'report.html'), 'utf8');
      for (const label of ['/100', '/r100.csv', '/r100.edf']) expect(html).toContain(label);
    } finally {
      files.cleanup();
    }
  });
});
