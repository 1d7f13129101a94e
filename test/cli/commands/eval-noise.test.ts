import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main';

function capture() {
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  return { stdout: () => out.mock.calls.map((c) => String(c[0])).join('') };
}

describe('beatwatch eval noise --leads', () => {
  afterEach(() => vi.restoreAllMocks());

  it('with --leads 2 prints leads: 2 and every fault with its beat coverage; the text says which mode ran', async () => {
    let io = capture();
    expect(await main(['eval', 'noise', '--record', '100', '--leads', '2', '--json'])).toBe(0);
    const result = JSON.parse(io.stdout());
    expect(Object.keys(result)).toEqual(['leads', 'records', 'total']);
    expect(result.leads).toBe(2);
    for (const f of result.records[0].faults) {
      expect(Object.keys(f.beats)).toEqual(['reference', 'reported', 'secondLead']);
      expect(f.insideAt).toHaveLength(f.clinicalInside);
    }
    expect(result.total.byFault['lead-off'].beats.reference).toBeGreaterThan(0);
    // Only the dropout needs a technical alert with a clean second lead.
    expect(result.total.acceptance.required).toBe(1);
    vi.restoreAllMocks();
    io = capture();
    expect(await main(['eval', 'noise', '--record', '100', '--leads', '1'])).toBe(0);
    expect(io.stdout()).toMatch(/^leads: one lead \(MLII, v1 records\)/);
    expect(io.stdout()).not.toMatch(/ref beats/);
  });

  it('rejects a lead count other than 1 or 2', async () => {
    capture();
    expect(await main(['eval', 'noise', '--record', '100', '--leads', '3'])).not.toBe(0);
  });
});
