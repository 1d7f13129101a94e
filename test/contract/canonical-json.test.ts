import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/contract/canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [true, { z: null, y: 'x' }], c: undefined })).toBe('{"a":[true,{"y":"x","z":null}],"b":1}');
  });

  it('parses back to an equal value', () => {
    const v = { n: -1.2345678e-7, s: 'é"\n', list: [1, 2.5, [3]] };
    expect(JSON.parse(canonicalJson(v))).toEqual(v);
  });

  it('refuses values JSON would silently turn into null, naming the path', () => {
    expect(() => canonicalJson({ a: { b: [1, Number.NaN] } })).toThrow(/\$\.a\.b\[1\] is NaN/);
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow(/\$\.a is Infinity/);
    expect(() => canonicalJson([undefined])).toThrow(/\$\[0\] is undefined/);
    expect(() => canonicalJson({ w: new Float32Array(2) })).toThrow(/\$\.w is a typed array/);
  });
});
