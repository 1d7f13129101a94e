import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeWireRecord, encodeWireRecord, type WireRecordV1 } from '../../src/contract/wire';

const valid = { v: 1, deviceId: 'dev-7f3a', seq: 3, t0: 1764150000000, fs: 360, unit: 'mV', samples: [-0.145, 0.2, 1.5] };

function decodeObject(o: unknown) {
  return decodeWireRecord(JSON.stringify(o));
}

/**
 * Checks that `record` is exactly what decoding the JSON object `sent` must give: the same
 * version, device id, seq, t0 and fs, and the samples as Float32 mV (adu divided by the gain).
 * `sent` is the object as it went over the wire (after JSON), so -0, dropped `undefined` and the
 * like are the wire's, not the test's.
 */
function expectDecodedAs(sent: Record<string, unknown>, record: WireRecordV1): void {
  const scale = sent.unit === 'adu' ? 1 / (sent.gain as number) : 1;
  expect(record).toStrictEqual({
    v: 1,
    deviceId: sent.deviceId,
    seq: sent.seq,
    t0: sent.t0,
    fs: sent.fs,
    samples: Float32Array.from(sent.samples as number[], (x) => x * scale),
  });
}

function rejection(o: unknown): { reason: string; field?: string } {
  const r = decodeObject(o);
  if (r.ok) throw new Error('expected a rejection');
  return r;
}

describe('decodeWireRecord', () => {
  it('decodes a valid record from bytes and from text, samples as Float32 mV', () => {
    for (const input of [JSON.stringify(valid), new TextEncoder().encode(JSON.stringify(valid))]) {
      const r = decodeWireRecord(input);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.record).toMatchObject({ v: 1, deviceId: 'dev-7f3a', seq: 3, t0: 1764150000000, fs: 360 });
      expect(r.record.samples).toBeInstanceOf(Float32Array);
      expect(Array.from(r.record.samples)).toEqual([Math.fround(-0.145), Math.fround(0.2), 1.5]);
    }
  });

  it('defaults unit to mV and converts adu with the gain', () => {
    const { unit: _unit, ...noUnit } = valid;
    expect(decodeObject(noUnit).ok).toBe(true);
    const r = decodeObject({ ...valid, unit: 'adu', gain: 200, samples: [-29, 0, 400] });
    expect(r.ok && Array.from(r.record.samples)).toEqual([Math.fround(-0.145), 0, 2]);
  });

  it.each([
    ['not JSON', '{"v":1,', undefined, /not JSON \(syntax error at character \d+\)/],
    ['a JSON array', '[1,2]', undefined, /must be a JSON object, got array/],
    ['JSON null', 'null', undefined, /got null/],
  ])('rejects %s', (_name, text, field, reason) => {
    const r = decodeWireRecord(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.field).toBe(field);
    expect(r.reason).toMatch(reason);
  });

  it('rejects invalid UTF-8 and records over 1 MiB before parsing them', () => {
    const r = decodeWireRecord(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    expect(!r.ok && r.reason).toBe('record is not valid UTF-8');
    const big = new Uint8Array(1024 * 1024 + 1).fill(0x20);
    const rb = decodeWireRecord(big);
    expect(!rb.ok && rb.reason).toMatch(/larger than 1048576/);
    expect(decodeWireRecord(' '.repeat(1024 * 1024 + 1)).ok).toBe(false);
  });

  it.each([
    [{ ...valid, v: 2 }, 'v', /unknown format version v=2/],
    [{ ...valid, v: '1' }, 'v', /v must be the number 1, got string/],
    [{ ...valid, v: undefined }, 'v', /v \(format version\) is missing/],
    [{ ...valid, deviceId: undefined }, 'deviceId', /deviceId is missing/],
    [{ ...valid, deviceId: 42 }, 'deviceId', /must be a string, got number/],
    [{ ...valid, deviceId: '' }, 'deviceId', /deviceId is empty/],
    [{ ...valid, deviceId: 'a'.repeat(129) }, 'deviceId', /129 characters long, at most 128/],
    [{ ...valid, deviceId: 'John Smith' }, 'deviceId', /outside \[A-Za-z0-9._:-\] at index 4/],
    [{ ...valid, seq: -1 }, 'seq', /integer >= 0, got -1/],
    [{ ...valid, seq: 1.5 }, 'seq', /integer >= 0, got 1.5/],
    [{ ...valid, seq: '3' }, 'seq', /must be a number, got string/],
    [{ ...valid, t0: -5 }, 't0', /epoch milliseconds/],
    [{ ...valid, t0: null }, 't0', /got null/],
    [{ ...valid, fs: 99 }, 'fs', /\[100, 1000\] Hz, got 99/],
    [{ ...valid, fs: 1001 }, 'fs', /got 1001/],
    [{ ...valid, fs: 60 }, 'fs', /\[100, 1000\] Hz, got 60/],
    [{ ...valid, unit: 'uV' }, 'unit', /"mV" or "adu"/],
    [{ ...valid, unit: 'adu' }, 'gain', /gain \(adu per mV\) is required/],
    [{ ...valid, unit: 'adu', gain: 0 }, 'gain', /finite number > 0, got 0/],
    [{ ...valid, samples: 'abc' }, 'samples', /must be an array, got string/],
    [{ ...valid, samples: [] }, 'samples', /samples is empty/],
    [{ ...valid, fs: 100, samples: new Array(6001).fill(0) }, 'samples', /6001 elements, at most 6000 allowed/],
    [{ ...valid, samples: [0.1, null, 0.2] }, 'samples[1]', /samples\[1\] must be a number, got null/],
    [{ ...valid, samples: [0.1, 0.2, '0.3'] }, 'samples[2]', /samples\[2\] must be a number, got string/],
  ])('rejects a bad field: %#', (record, field, reason) => {
    const r = rejection(record);
    expect(r.field).toBe(field);
    expect(r.reason).toMatch(reason);
  });

  it('rejects a sample that JSON turns into Infinity, and adu values overflowing Float32', () => {
    const r = decodeWireRecord('{"v":1,"deviceId":"d","seq":0,"t0":0,"fs":100,"samples":[0,1e999]}');
    expect(!r.ok && r.field).toBe('samples[1]');
    const o = rejection({ ...valid, unit: 'adu', gain: 1e-300, samples: [1] });
    expect(o.field).toBe('samples[0]');
  });

  it('never echoes the device id or sample values in a reason', () => {
    const secretId = 'patient-XYZZY';
    const cases = [
      { ...valid, deviceId: secretId, seq: -1 },
      { ...valid, deviceId: `${secretId} `, samples: [123.456] },
      { ...valid, deviceId: secretId, samples: [987.654, 'x'] },
    ];
    for (const c of cases) expect(rejection(c).reason).not.toMatch(/XYZZY|123\.456|987\.654/);
    const r = decodeWireRecord(`{"deviceId":"${secretId}","samples":[987.654,`);
    expect(!r.ok && r.reason).not.toMatch(/XYZZY|987/);
  });

  it('decodes every valid record to exactly the values sent (mV and adu, any sample values)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
        fc.nat(),
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 100, max: 1000 }),
        fc.option(fc.double({ min: 0.5, max: 1000, noNaN: true }), { nil: undefined }),
        fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 50 }),
        (deviceId, seq, t0, fs, gain, samples) => {
          const o =
            gain === undefined ? { v: 1, deviceId, seq, t0, fs, samples } : { v: 1, deviceId, seq, t0, fs, unit: 'adu', gain, samples };
          const text = JSON.stringify(o);
          const r = decodeWireRecord(text);
          expect(r.ok).toBe(true);
          if (r.ok) expectDecodedAs(JSON.parse(text) as Record<string, unknown>, r.record);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws and always rejects random garbage (bytes, JSON values, mutated records)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = decodeWireRecord(bytes);
        // Random bytes are almost never a valid record; if they are, they must round-trip.
        if (r.ok) expectDecodedAs(JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>, r.record);
        else expect(r.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const r = decodeObject(value);
        expect(r.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
    // Replace one field of a valid record with an arbitrary value: never a throw; a rejection
    // with a reason, or, when the value happens to be valid for that field (an unused gain, an
    // absent unit, a number that is a valid seq...), exactly the record that was sent.
    const keys = ['v', 'deviceId', 'seq', 't0', 'fs', 'unit', 'gain', 'samples'] as const;
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.anything(), (key, value) => {
        const text = JSON.stringify({ ...valid, [key]: value });
        const r = decodeWireRecord(text);
        if (!r.ok) {
          expect(r.reason.length).toBeGreaterThan(0);
          return;
        }
        accepted++;
        expectDecodedAs(JSON.parse(text) as Record<string, unknown>, r.record);
      }),
      { numRuns: 1000 },
    );
    expect(accepted).toBeGreaterThan(0);
  });
});

describe('encodeWireRecord', () => {
  it('round-trips through decode, rounding samples to the requested decimals', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
        fc.nat(),
        fc.integer({ min: 0, max: 4e12 }),
        fc.integer({ min: 100, max: 1000 }),
        fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (deviceId, seq, t0, fs, samples) => {
          const text = encodeWireRecord({ deviceId, seq, t0, fs, samples: Float32Array.from(samples) });
          const r = decodeWireRecord(text);
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          expect(r.record).toMatchObject({ deviceId, seq, t0, fs });
          for (let i = 0; i < samples.length; i++)
            expect(Math.abs(r.record.samples[i] - Math.fround(samples[i]))).toBeLessThanOrEqual(5e-6 + 1e-6);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('writes short sample text and adu with gain', () => {
    const text = encodeWireRecord({ deviceId: 'd1', seq: 0, t0: 1, fs: 360, samples: Float32Array.from([-0.145, 0, -0.0000001]) });
    expect(text).toBe('{"v":1,"deviceId":"d1","seq":0,"t0":1,"fs":360,"unit":"mV","samples":[-0.145,0,0]}');
    const adu = encodeWireRecord({ deviceId: 'd1', seq: 0, t0: 1, fs: 360, unit: 'adu', gain: 200, samples: [-29, 400] });
    const r = decodeWireRecord(adu);
    expect(r.ok && Array.from(r.record.samples)).toEqual([Math.fround(-0.145), 2]);
  });

  it('throws naming the field for a record that would not decode', () => {
    expect(() => encodeWireRecord({ deviceId: 'a b', seq: 0, t0: 0, fs: 360, samples: [0] })).toThrow(/deviceId/);
    expect(() => encodeWireRecord({ deviceId: 'a', seq: 0, t0: 0, fs: 360, samples: [Number.NaN] })).toThrow(/samples\[0\]/);
  });
});
