import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listRecordFolder, recordLabel } from '../../src/local/record-folder';

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A folder named `name` holding empty files (listing reads names only, RECORDS excepted). */
function folder(name: string, files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'beatwatch-records-'));
  const path = join(dir, name);
  mkdirSync(path);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(path, file), text);
  return path;
}

describe('listRecordFolder', () => {
  it('without RECORDS: streams each header with annotations, and says why each other record is skipped', () => {
    const path = folder('holter', {
      '200.hea': '',
      '200.dat': '',
      '200.atr': '',
      '100.hea': '',
      '100.dat': '',
      '100.atr': '',
      '300.hea': '',
      '300.dat': '',
      '400.atr': '',
      'notes.txt': '',
    });
    const { records, skipped } = listRecordFolder(path);
    expect(records).toEqual([
      { name: '100', label: 'holter/100' },
      { name: '200', label: 'holter/200' },
    ]);
    expect(skipped).toEqual([
      { name: '300', reason: 'no 300.atr (beat annotations): add it, or list the record in a RECORDS file' },
      { name: '400', reason: '400.atr has no 400.hea (the header naming its signal files)' },
    ]);
  });

  it('with RECORDS: streams the listed records in its order, skips a listed name without a header and every header not listed', () => {
    const path = folder('export', {
      RECORDS: '20\n10\n\n10\n55\n',
      '10.hea': '',
      '20.hea': '',
      '30.hea': '',
      '30.atr': '',
      '40.atr': '',
    });
    const { records, skipped } = listRecordFolder(path);
    expect(records.map((r) => r.name)).toEqual(['20', '10']);
    expect(records[0].label).toBe('export/20');
    expect(skipped).toEqual([
      { name: '30', reason: '30.hea is not listed in RECORDS' },
      { name: '40', reason: '40.atr has no 40.hea and is not listed in RECORDS' },
      { name: '55', reason: 'listed in RECORDS, but there is no 55.hea' },
    ]);
  });

  it('labels a record by its folder, not by a fixed database name', () => {
    expect(recordLabel('data/mitdb', '119')).toBe('mitdb/119');
    expect(recordLabel('/records/ltafdb/', '00')).toBe('ltafdb/00');
  });
});
