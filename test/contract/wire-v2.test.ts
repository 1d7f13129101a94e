import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecord, recordLead } from '../../src/contract/decode-record';
import { encodeWireRecord } from '../../src/contract/wire';
import { MAX_FS, MIN_FS } from '../../src/contract/wire-validate';
import {
  MAX_LEADS,
  MAX_SAMPLE_BITS,
  MIN_SAMPLE_BITS,
  WIRE_V2_MAGIC,
  decodeWireRecordV2,
  encodeWireRecordV2,
  type WireRecordV2Input,
  type WireV2Coding,
} from '../../src/contract/wire-v2';

const CODINGS: readonly WireV2Coding[] = ['varint', 'rice'];

/** The record of the documented test vector (docs/ARCHITECTURE.md §3.1). */
const VECTOR: WireRecordV2Input = {
  deviceId: 'dev-1',
  seq: 7,
  t0: 1764150000000,
  fs: 360,
  leads: [
    { name: 'MLII', unit: 'adu', gain: 200, bits: 11, samples: [-29, -29, -30, -27] },
    { name: 'V1', unit: 'adu', gain: 200, bits: 11, samples: [-13, -13, -12, -15] },
  ],
};

/** The hex of the test vector as the architecture document prints it. */
function documentedVector(): string {
  const doc = readFileSync(new URL('../../docs/ARCHITECTURE.md', import.meta.url), 'utf8');
  const m = /<!-- wire-v2-test-vector -->\s*```text\n([\s\S]*?)```/.exec(doc);
  if (!m) throw new Error('no test vector in docs/ARCHITECTURE.md');
  return m[1].replace(/\s+/g, '');
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** A multi-lead record of random integers at a random resolution. */
const arbRecord = fc
  .record({
    bits: fc.integer({ min: MIN_SAMPLE_BITS, max: MAX_SAMPLE_BITS }),
    leads: fc.integer({ min: 1, max: 4 }),
    n: fc.integer({ min: 1, max: 300 }),
    fs: fc.double({ min: MIN_FS, max: MAX_FS, noNaN: true }),
    seq: fc.maxSafeNat(),
    t0: fc.double({ min: 0, max: 8.64e15, noNaN: true }),
    seed: fc.integer(),
  })
  .chain(({ bits, leads, n, fs, seq, t0 }) => {
    const lo = -(2 ** (bits - 1));
    const hi = 2 ** (bits - 1) - 1;
    // Mix small steps (ECG) with jumps across the whole range (worst case for the coders).
    const sample = fc.oneof(fc.integer({ min: lo, max: hi }), fc.integer({ min: Math.max(lo, -3), max: Math.min(hi, 3) }));
    return fc.record({
      bits: fc.constant(bits),
      fs: fc.constant(fs),
      seq: fc.constant(seq),
      t0: fc.constant(t0),
      leads: fc.array(
        fc.record({ name: fc.stringMatching(/^[A-Za-z0-9 ]{1,32}$/), samples: fc.array(sample, { minLength: n, maxLength: n }) }),
        {
          minLength: leads,
          maxLength: leads,
        },
      ),
    });
  });

describe('wire format v2: round trip', () => {
  it.each(CODINGS)('is exact for random multi-lead integers at every resolution (%s)', (coding) => {
    fc.assert(
      fc.property(arbRecord, fc.double({ min: 0.01, max: 1e5, noNaN: true }), (r, gain) => {
        const input: WireRecordV2Input = {
          deviceId: 'dev-x',
          seq: r.seq,
          t0: r.t0,
          fs: r.fs,
          leads: r.leads.map((l) => ({ name: l.name, unit: 'adu', gain, bits: r.bits, samples: l.samples })),
        };
        const bytes = encodeWireRecordV2(input, { coding });
        const d = decodeWireRecordV2(bytes);
        if (!d.ok) throw new Error(d.reason);
        expect(d.record).toMatchObject({ v: 2, deviceId: 'dev-x', seq: r.seq, t0: r.t0, fs: r.fs });
        expect(d.record.leads.map((l) => l.name)).toEqual(r.leads.map((l) => l.name));
        d.record.leads.forEach((lead, j) => {
          const want = Float32Array.from(r.leads[j].samples, (q) => q * (1 / gain));
          expect(lead.samples).toEqual(want);
        });
      }),
      { numRuns: 150 },
    );
  });

  it.each(CODINGS)('gives back the integers themselves with gain 1 (%s)', (coding) => {
    fc.assert(
      fc.property(arbRecord, (r) => {
        const leads = r.leads.map((l) => ({ name: l.name, unit: 'adu' as const, gain: 1, bits: r.bits, samples: l.samples }));
        const d = decodeWireRecordV2(encodeWireRecordV2({ deviceId: 'd', seq: 0, t0: 0, fs: r.fs, leads }, { coding }));
        if (!d.ok) throw new Error(d.reason);
        // 24-bit integers are exact in Float32.
        d.record.leads.forEach((lead, j) => expect(Array.from(lead.samples)).toEqual(r.leads[j].samples));
      }),
      { numRuns: 150 },
    );
  });

  it('rounds mV samples to the device resolution and rejects what cannot be encoded', () => {
    const bytes = encodeWireRecordV2({
      deviceId: 'd',
      seq: 0,
      t0: 0,
      fs: 360,
      leads: [{ name: 'MLII', gain: 200, bits: 11, samples: [-0.145, 0.0049] }],
    });
    const d = decodeWireRecordV2(bytes);
    expect(d.ok && Array.from(d.record.leads[0].samples)).toEqual([Math.fround(-29 / 200), Math.fround(1 / 200)]);
    const base = { deviceId: 'd', seq: 0, t0: 0, fs: 360 };
    expect(() => encodeWireRecordV2({ ...base, leads: [{ name: 'a', unit: 'adu', gain: 1, bits: 8, samples: [128] }] })).toThrow(
      /8-bit range/,
    );
    expect(() => encodeWireRecordV2({ ...base, leads: [{ name: 'a', unit: 'adu', gain: 1, samples: [0.5] }] })).toThrow(/samples\[0\]/);
    expect(() => encodeWireRecordV2({ ...base, leads: [{ name: 'a', gain: 0, samples: [0] }] })).toThrow(/gain/);
    expect(() => encodeWireRecordV2({ ...base, leads: [] })).toThrow(/leads/);
    expect(() =>
      encodeWireRecordV2({
        ...base,
        leads: [
          { name: 'a', gain: 1, samples: [0] },
          { name: 'b', gain: 1, samples: [0, 1] },
        ],
      }),
    ).toThrow(/same count/);
    expect(() => encodeWireRecordV2({ ...base, deviceId: 'a b', leads: [{ name: 'a', gain: 1, samples: [0] }] })).toThrow(/deviceId/);
  });

  it('encodes the documented test vector byte for byte, and decodes it', () => {
    const bytes = encodeWireRecordV2(VECTOR, { coding: 'rice' });
    expect(toHex(bytes)).toBe(documentedVector());
    const r = decodeRecord(Buffer.from(documentedVector(), 'hex'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.record).toMatchObject({ v: 2, deviceId: 'dev-1', seq: 7, t0: 1764150000000, fs: 360 });
    expect(r.record.leads?.map((l) => l.name)).toEqual(['MLII', 'V1']);
    expect(Array.from(r.record.samples)).toEqual([-29, -29, -30, -27].map((q) => Math.fround(q / 200)));
  });
});

describe('decodeRecord: v1 and v2 side by side', () => {
  it('tells the versions apart by the first byte and picks MLII whatever its position', () => {
    const v1 = decodeRecord(encodeWireRecord({ deviceId: 'd', seq: 1, t0: 0, fs: 360, samples: [0.5] }));
    expect(v1.ok && v1.record.v).toBe(1);
    const swapped = { ...VECTOR, leads: [VECTOR.leads[1], VECTOR.leads[0]] };
    const v2 = decodeRecord(encodeWireRecordV2(swapped));
    expect(v2.ok && v2.record.v).toBe(2);
    expect(v2.ok && v2.record.samples).toBe(v2.ok && v2.record.leads?.[1].samples);
    // No MLII: the first lead.
    const noMl = decodeRecord(encodeWireRecordV2({ ...VECTOR, leads: [{ ...VECTOR.leads[1] }] }));
    expect(noMl.ok && noMl.record.samples.length).toBe(4);
    expect(WIRE_V2_MAGIC).not.toBe('{'.charCodeAt(0));
  });

  it("recordLead picks a model's lead by name (chooseLead's order when absent), a v1 record's only lead", () => {
    const v2 = decodeRecord(encodeWireRecordV2({ ...VECTOR, leads: [VECTOR.leads[1], VECTOR.leads[0]] }));
    if (!v2.ok) throw new Error(v2.reason);
    expect(recordLead(v2.record).name).toBe('MLII');
    expect(recordLead(v2.record, 'V1')).toEqual({ name: 'V1', samples: v2.record.leads?.[0].samples });
    expect(recordLead(v2.record, 'V5').name).toBe('MLII');
    const v1 = decodeRecord(encodeWireRecord({ deviceId: 'd', seq: 1, t0: 0, fs: 360, samples: [0.5] }));
    if (!v1.ok) throw new Error(v1.reason);
    expect(recordLead(v1.record, 'V1')).toEqual({ name: null, samples: v1.record.samples });
  });
});

/** Byte offsets of the fields of {@link VECTOR} (deviceId of 5 bytes, 1-byte seq and count). */
const AT = {
  magic: 0,
  version: 1,
  flags: 2,
  idLength: 3,
  id: 4,
  seq: 9,
  t0: 10,
  fs: 18,
  leads: 26,
  n: 27,
  name0: 28,
  unit0: 33,
  bits0: 34,
  gain0: 35,
  coding0: 43,
  length0: 44,
  data0: 45,
};

function patched(edit: (b: Uint8Array, v: DataView) => void): Uint8Array {
  const b = encodeWireRecordV2(VECTOR, { coding: 'rice' });
  edit(b, new DataView(b.buffer));
  return b;
}

function rejectionOf(bytes: Uint8Array): { reason: string; field?: string } {
  const r = decodeRecord(bytes);
  if (r.ok) throw new Error('expected a rejection');
  return r;
}

describe('wire format v2: malformed records', () => {
  it('has the documented offsets', () => {
    const b = encodeWireRecordV2(VECTOR, { coding: 'rice' });
    expect(b[AT.idLength]).toBe(5);
    expect(b[AT.leads]).toBe(2);
    expect(b[AT.name0]).toBe(4);
    expect(b[AT.unit0]).toBe(1);
  });

  it.each([
    ['v', (b: Uint8Array) => (b[AT.version] = 3), /unknown format version v=3/],
    ['flags', (b: Uint8Array) => (b[AT.flags] = 1), /flags/],
    ['deviceId', (b: Uint8Array) => (b[AT.id] = 0x20), /deviceId has a character outside/],
    ['deviceId', (b: Uint8Array) => (b[AT.idLength] = 0), /deviceId is empty/],
    ['t0', (_b: Uint8Array, v: DataView) => v.setFloat64(AT.t0, -1, true), /t0 must be epoch milliseconds/],
    ['t0', (_b: Uint8Array, v: DataView) => v.setFloat64(AT.t0, Number.NaN, true), /t0 must be/],
    ['fs', (_b: Uint8Array, v: DataView) => v.setFloat64(AT.fs, 10, true), /fs must be in \[100, 1000\] Hz, got 10/],
    ['leads', (b: Uint8Array) => (b[AT.leads] = 0), /leads must hold 1 to/],
    ['leads', (b: Uint8Array) => (b[AT.leads] = MAX_LEADS + 1), /leads must hold 1 to/],
    ['samples', (b: Uint8Array) => (b[AT.n] = 0), /samples is empty/],
    ['leads[0].name', (b: Uint8Array) => (b[AT.name0 + 1] = 0x07), /printable ASCII/],
    ['leads[0].name', (b: Uint8Array) => (b[AT.name0] = 0), /name is 0 bytes long/],
    ['unit', (b: Uint8Array) => (b[AT.unit0] = 9), /unit must be 1 \(adu\)/],
    ['leads[0].bits', (b: Uint8Array) => (b[AT.bits0] = 25), /bits must be in/],
    ['gain', (_b: Uint8Array, v: DataView) => v.setFloat64(AT.gain0, 0, true), /gain must be a finite number > 0/],
    ['gain', (_b: Uint8Array, v: DataView) => v.setFloat64(AT.gain0, Number.POSITIVE_INFINITY, true), /gain must be a finite/],
    ['leads[0].coding', (b: Uint8Array) => (b[AT.coding0] = 7), /coding must be/],
    ['leads[0].length', (b: Uint8Array) => (b[AT.length0] = 0x7f), /only \d+ remain/],
    ['samples', (b: Uint8Array) => (b[AT.length0] = 0), /cannot hold 4 samples in 0 bytes/],
    ['samples[0]', (b: Uint8Array) => (b[AT.bits0] = 2), /samples\[0\] is outside the 2-bit range/],
  ])('names the field %s', (field, edit, reason) => {
    const r = rejectionOf(patched(edit));
    expect(r.field).toBe(field);
    expect(r.reason).toMatch(reason);
  });

  it('rejects a seq beyond the safe integers, absurd sample counts and trailing bytes', () => {
    const b = encodeWireRecordV2(VECTOR);
    // seq as an 8-byte varint of 2^56 - 1.
    const big = new Uint8Array([...b.subarray(0, AT.seq), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, ...b.subarray(AT.seq + 1)]);
    expect(rejectionOf(big)).toMatchObject({ field: 'seq', reason: expect.stringMatching(/seq must be an integer >= 0/) });
    // A count of 2^27 samples in a 68-byte record: refused before any allocation.
    const absurd = new Uint8Array([...b.subarray(0, AT.n), 0x80, 0x80, 0x80, 0x40, ...b.subarray(AT.n + 1)]);
    expect(rejectionOf(absurd)).toMatchObject({ field: 'samples', reason: expect.stringMatching(/at most 21600 allowed/) });
    const trailing = new Uint8Array([...b, 0]);
    expect(rejectionOf(trailing).reason).toMatch(/bytes after its last lead/);
    expect(rejectionOf(new Uint8Array(1024 * 1024 + 1).fill(WIRE_V2_MAGIC, 0, 1)).reason).toMatch(/larger than/);
  });

  it.each(CODINGS)('rejects every truncation of a record with a reason (%s)', (coding) => {
    const b = encodeWireRecordV2(VECTOR, { coding });
    for (let end = 1; end < b.length; end++) {
      const r = decodeRecord(b.subarray(0, end));
      expect(r.ok, `cut at ${end}`).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(0);
    }
  });

  it('never throws and never decodes more samples than the bytes can hold, whatever the bytes', () => {
    const valid = encodeWireRecordV2(VECTOR, { coding: 'rice' });
    const mutated = fc
      .array(fc.record({ at: fc.nat({ max: valid.length - 1 }), value: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 6 })
      .map((edits) => {
        const b = Uint8Array.from(valid);
        for (const e of edits) b[e.at] = e.value;
        return b;
      });
    const random = fc.uint8Array({ minLength: 0, maxLength: 200 }).map((b) => Uint8Array.from([WIRE_V2_MAGIC, 2, ...b]));
    fc.assert(
      fc.property(fc.oneof(mutated, random), (bytes) => {
        const r = decodeRecord(bytes);
        if (!r.ok) {
          expect(typeof r.reason).toBe('string');
          return;
        }
        // Float32 output: at most 4 bytes per sample, a sample costs at least a bit on the wire.
        const decodedBytes = (r.record.leads ?? []).reduce((s, l) => s + l.samples.byteLength, 0);
        expect(decodedBytes).toBeLessThanOrEqual(32 * bytes.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('never puts a sample value or the device id in a reason', () => {
    const secret = 'dev-secret-42';
    const b = encodeWireRecordV2({
      ...VECTOR,
      deviceId: secret,
      leads: [{ name: 'MLII', unit: 'adu', gain: 200, bits: 11, samples: [987, -987] }],
    });
    for (let end = 1; end < b.length; end++) {
      const r = decodeRecord(b.subarray(0, end));
      if (!r.ok) {
        expect(r.reason).not.toContain(secret);
        expect(r.reason).not.toContain('987');
      }
    }
  });
});
