import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import demo from '../../src/cli/commands/demo';

afterEach(() => vi.restoreAllMocks());

describe('beatwatch demo', () => {
  it('streams the bundled records through the local stack: one JSON object, nothing lost, a report with flagged beats', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beatwatch-demo-'));
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await demo.run(['--seconds', '40', '--json', '--out', join(dir, 'report.html')]);
      expect(code).toBe(0);
      expect(out).toHaveLength(1);
      const summary = JSON.parse(out[0]) as Record<string, unknown> & { latencyMs: { p50: number; p95: number } };
      expect(Object.keys(summary).sort()).toEqual([
        'alerts',
        'anomalousBeats',
        'beats',
        'devices',
        'latencyMs',
        'lost',
        'records',
        'rejected',
      ]);
      expect(summary).toMatchObject({ devices: 5, records: 200, rejected: 0, lost: 0 });
      expect(summary.beats).toBeGreaterThan(200);
      expect(summary.anomalousBeats).toBeGreaterThan(0);
      expect(summary.latencyMs.p95).toBeGreaterThanOrEqual(summary.latencyMs.p50);
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      expect(html).toContain('MIT-BIH 119');
      expect(html).toMatch(/stroke="#dc2626" stroke-width="3"/); // flagged beats marked on a strip
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
