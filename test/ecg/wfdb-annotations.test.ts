import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWfdbAnnotations, readWfdbAnnotations } from '../../src/ecg/wfdb-annotations';
import { isBeatSymbol } from '../../src/ecg/beat-symbols';
import { BUNDLED_BEAT_COUNTS, MITDB } from './helpers';

/** Encodes annotation words (code, increment) and raw extras into MIT format bytes. */
function encode(parts: ({ code: number; i: number } | { bytes: number[] })[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if ('bytes' in p) out.push(...p.bytes);
    else {
      const w = (p.code << 10) | p.i;
      out.push(w & 0xff, w >> 8);
    }
  }
  return Uint8Array.from(out);
}

describe('readWfdbAnnotations on bundled records', () => {
  it('counts beat symbols as in the data README table', () => {
    for (const [name, expected] of Object.entries(BUNDLED_BEAT_COUNTS)) {
      const ann = readWfdbAnnotations(join(MITDB, `${name}.atr`));
      const counts: Record<string, number> = {};
      ann.symbol.forEach((s) => {
        if (isBeatSymbol(s)) counts[s] = (counts[s] ?? 0) + 1;
      });
      expect(counts, `record ${name}`).toEqual(expected);
    }
  });

  it('reads rhythm strings from AUX and keeps samples ascending', () => {
    const ann = readWfdbAnnotations(join(MITDB, '106.atr'));
    const rhythms = ann.aux.filter((a, i) => a !== undefined && ann.symbol[i] === '+');
    expect(new Set(rhythms)).toEqual(new Set(['(N', '(B', '(VT', '(T']));
    expect(rhythms.filter((r) => r === '(B').length).toBe(18);
    for (let i = 1; i < ann.sample.length; i++) expect(ann.sample[i]).toBeGreaterThanOrEqual(ann.sample[i - 1]);
    // All annotations of the record lie inside its 650,000 samples.
    expect(ann.sample[ann.sample.length - 1]).toBeLessThan(650000);
  });
});

describe('parseWfdbAnnotations pseudo-codes', () => {
  it('applies SKIP, NUM, SUB, CHN and AUX', () => {
    const bytes = encode([
      { code: 1, i: 10 }, // N at 10
      { code: 59, i: 0 }, // SKIP 70000 (high word first)
      { bytes: [0x01, 0x00, 0x70, 0x11] }, // 0x0001_1170 = 70000
      { code: 5, i: 5 }, // V at 70015
      { code: 61, i: 3 }, // SUB 3 on V
      { code: 60, i: 2 }, // NUM 2 on V, sticky
      { code: 62, i: 1 }, // CHN 1 on V, sticky
      { code: 28, i: 20 }, // + at 70035
      { code: 63, i: 3 }, // AUX of 3 bytes, padded to 4
      { bytes: [0x28, 0x56, 0x54, 0x00] }, // "(VT"
      { code: 1, i: 1 }, // N at 70036 inherits NUM 2, CHN 1
      { code: 0, i: 0 },
    ]);
    const ann = parseWfdbAnnotations(bytes, 'x.atr');
    expect(Array.from(ann.sample)).toEqual([10, 70015, 70035, 70036]);
    expect(ann.symbol).toEqual(['N', 'V', '+', 'N']);
    expect(Array.from(ann.subtype)).toEqual([0, 3, 0, 0]);
    expect(Array.from(ann.num)).toEqual([0, 2, 2, 2]);
    expect(Array.from(ann.chan)).toEqual([0, 1, 1, 1]);
    expect(ann.aux).toEqual([undefined, undefined, '(VT', undefined]);
  });

  it('names the file and byte of truncated or malformed data', () => {
    const ok = encode([
      { code: 1, i: 10 },
      { code: 0, i: 0 },
    ]);
    expect(() => parseWfdbAnnotations(ok.subarray(0, 2), 'a.atr')).toThrow(/a\.atr: byte 2: truncated: no end-of-file word/);
    expect(() => parseWfdbAnnotations(ok.subarray(0, 3), 'a.atr')).toThrow(/a\.atr: byte 2: truncated inside an annotation word/);
    const auxCut = encode([{ code: 28, i: 1 }, { code: 63, i: 6 }, { bytes: [0x28, 0x4e] }]);
    expect(() => parseWfdbAnnotations(auxCut, 'b.atr')).toThrow(/b\.atr: byte 4: truncated inside an AUX string of 6 bytes/);
    const skipCut = encode([{ code: 59, i: 0 }, { bytes: [0, 0] }]);
    expect(() => parseWfdbAnnotations(skipCut, 'c.atr')).toThrow(/c\.atr: byte 2: truncated inside a SKIP interval/);
    expect(() =>
      parseWfdbAnnotations(
        encode([
          { code: 61, i: 1 },
          { code: 0, i: 0 },
        ]),
        'd.atr',
      ),
    ).toThrow(/d\.atr: byte 0: SUB before any annotation/);
    expect(() =>
      parseWfdbAnnotations(
        encode([
          { code: 55, i: 1 },
          { code: 0, i: 0 },
        ]),
        'e.atr',
      ),
    ).toThrow(/e\.atr: byte 0: unknown annotation code 55/);
  });
});
