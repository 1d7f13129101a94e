import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEMO_RECORDS } from '../../src/local/record-folder';
import { listMitdbRecords } from '../../src/ecg/mitdb';

const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));

describe('beatwatch demo default records', () => {
  it('are the five documented ones, whatever else data/mitdb holds', () => {
    expect(DEMO_RECORDS).toEqual(['100', '101', '106', '119', '208']);
    expect(listMitdbRecords(MITDB).length).toBeGreaterThan(DEMO_RECORDS.length);
    for (const name of DEMO_RECORDS) for (const ext of ['hea', 'dat', 'atr']) expect(existsSync(`${MITDB}/${name}.${ext}`)).toBe(true);
  });
});
