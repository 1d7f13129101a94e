import { describe, expect, it } from 'vitest';
import { ArchiveFramer, archiveEntry, frameArchive, type ArchiveItem } from '../../src/contract/archive-framing';
import { encodeWireRecord } from '../../src/contract/wire';
import { WIRE_V2_MAGIC, encodeWireRecordV2, v2RecordLength, type WireV2Coding } from '../../src/contract/wire-v2';
import { createRandom } from '../../src/random';

/**
 * A v2 record whose payload holds 0x0A and 0xB2 bytes inside its samples (and `seq` 10 is the
 * varint byte 0x0A in its header): with varints, a step of +5 codes as 0x0A and +89 as b2 01.
 */
function v2Record(deviceId: string, seq: number, coding: WireV2Coding, seed: number): Uint8Array {
  const rng = createRandom(seed);
  const mlii: number[] = [];
  const v1: number[] = [];
  let x = 0;
  for (let i = 0; i < 120; i++) {
    x += i % 3 === 0 ? 5 : i % 3 === 1 ? 89 : -94 + rng.int(3);
    mlii.push(x);
    v1.push(rng.int(400) - 200);
  }
  return encodeWireRecordV2(
    {
      deviceId,
      seq,
      t0: 1_764_150_000_000 + seq * 1000,
      fs: 360,
      leads: [
        { name: 'MLII', unit: 'adu', gain: 200, bits: 16, samples: mlii },
        { name: 'V1', unit: 'adu', gain: 200, bits: 16, samples: v1 },
      ],
    },
    { coding },
  );
}

function v1Record(deviceId: string, seq: number): Uint8Array {
  const samples = Float32Array.from({ length: 90 }, (_, i) => Math.sin(i / 7) * 0.8);
  return new TextEncoder().encode(encodeWireRecord({ deviceId, seq, t0: 1_764_150_000_000 + seq * 1000, fs: 100, samples }));
}

/** Twelve records of three devices: v1, v2 varint and v2 Rice interleaved. */
function mixedPayloads(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let seq = 8; seq < 12; seq++) {
    out.push(v1Record('dev-a', seq), v2Record('dev-b', seq, 'varint', seq), v2Record('dev-c', seq, 'rice', 100 + seq));
  }
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

/** What a reader should yield for a payload: its own decode. */
function summary(item: ArchiveItem): string {
  if (item.kind === 'malformed') return 'malformed';
  const r = item.record;
  return JSON.stringify({
    v: r.v,
    deviceId: r.deviceId,
    seq: r.seq,
    t0: r.t0,
    samples: Array.from(r.samples),
    leads: r.leads?.map((l) => [l.name, Array.from(l.samples)]),
  });
}

function expectedSummaries(payloads: readonly Uint8Array[]): string[] {
  return payloads.map((p) => {
    const items = frameArchive(p);
    expect(items).toHaveLength(1);
    return summary(items[0]);
  });
}

describe('v2RecordLength', () => {
  it('finds the end of every record from its header, incomplete for every prefix, never past the bytes', () => {
    for (const p of mixedPayloads().filter((b) => b[0] === WIRE_V2_MAGIC)) {
      const padded = concat([new Uint8Array([1, 2, 3]), p, new Uint8Array([0x0a, 0xb2])]);
      expect(v2RecordLength(padded, 3)).toEqual({ ok: true, length: p.length });
      for (let n = 0; n < p.length; n++) expect(v2RecordLength(p.subarray(0, n))).toMatchObject({ ok: false, incomplete: true });
    }
  });

  it('refuses a header that is not v2: magic, version, flags, lead count', () => {
    const p = v2Record('dev-b', 3, 'rice', 1);
    for (const [at, value] of [
      [0, 0x7b],
      [1, 3],
      [2, 1],
    ] as const) {
      const bad = p.slice();
      bad[at] = value;
      expect(v2RecordLength(bad)).toMatchObject({ ok: false, incomplete: false });
    }
  });
});

describe('archive framing (docs/ARCHITECTURE.md §3.4)', () => {
  const payloads = mixedPayloads();
  const expected = expectedSummaries(payloads);

  it('the v2 payloads really hold 0x0A and 0xB2 bytes after their first byte', () => {
    const v2 = payloads.filter((p) => p[0] === WIRE_V2_MAGIC);
    expect(v2.length).toBe(8);
    for (const p of v2.filter((_, i) => i % 2 === 0)) {
      expect(p.subarray(1).includes(0x0a)).toBe(true);
      expect(p.subarray(1).includes(0xb2)).toBe(true);
    }
  });

  it('reads back a mixed v1/v2 archive exactly: with the delimiter and back to back', () => {
    const delimited = concat(payloads.map(archiveEntry));
    const items = frameArchive(delimited);
    expect(items.map(summary)).toEqual(expected);
    // Offsets and lengths point at each payload.
    let at = 0;
    items.forEach((item, i) => {
      expect(item).toMatchObject({ offset: at, length: payloads[i].length });
      at += payloads[i].length + 1;
    });
    expect(frameArchive(concat(payloads)).map(summary)).toEqual(expected);
  });

  it('gives the same items whatever the chunking of the stream', () => {
    const bytes = concat(payloads.map(archiveEntry));
    const rng = createRandom(7);
    for (const maxChunk of [1, 2, 5, 64, 1000]) {
      const framer = new ArchiveFramer();
      const items: ArchiveItem[] = [];
      for (let pos = 0; pos < bytes.length;) {
        const n = 1 + rng.int(maxChunk);
        items.push(...framer.write(bytes.subarray(pos, pos + n)));
        pos += n;
      }
      items.push(...framer.end());
      expect(items.map(summary)).toEqual(expected);
    }
  });

  it('skips whitespace and empty lines between records; an empty object has no items', () => {
    const nl = new Uint8Array([0x0a, 0x0a, 0x0d, 0x0a, 0x20]);
    expect(frameArchive(concat([nl, payloads[0], nl, payloads[1], nl])).map(summary)).toEqual(expected.slice(0, 2));
    expect(frameArchive(new Uint8Array(0))).toEqual([]);
  });

  it('counts text lines that are not records one each, and goes on after each', () => {
    const text = (s: string) => Buffer.from(s);
    const items = frameArchive(
      concat([payloads[0], text('\n{"v":1,"deviceId":"d"\nnot json\n{"v":2}\n'), payloads[1], text('\n'), payloads[2]]),
    );
    expect(items.map((i) => i.kind)).toEqual(['record', 'malformed', 'malformed', 'malformed', 'record', 'record']);
    expect(items.filter((i) => i.kind === 'record').map(summary)).toEqual(expected.slice(0, 3));
  });

  /**
   * The property that matters: damage to one record, any byte of it and any kind of damage,
   * costs that record at most. Its neighbours (v1 and v2, some with 0x0A and 0xB2 inside) are
   * read back exactly, and the damage is one malformed item (or none, when the damaged record
   * still decodes: a changed sample is not detectable).
   */
  function expectOnlyItselfLost(
    archive: (damaged: Uint8Array) => Uint8Array,
    victim: number,
    damage: (p: Uint8Array, at: number) => Uint8Array,
    { from = 0, maxMalformed = 1 } = {},
  ) {
    const others = expected.filter((_, i) => i !== victim);
    for (let at = from; at < payloads[victim].length; at++) {
      const items = frameArchive(archive(damage(payloads[victim], at)));
      const malformed = items.filter((i) => i.kind === 'malformed');
      const records = items.filter((i) => i.kind === 'record').map(summary);
      if (records.length === others.length) {
        expect(records, `damage at byte ${at}`).toEqual(others);
        expect(malformed.length, `damage at byte ${at}`).toBeGreaterThanOrEqual(1);
        expect(malformed.length, `damage at byte ${at}`).toBeLessThanOrEqual(maxMalformed);
      } else {
        expect(records.length, `damage at byte ${at}`).toBe(others.length + 1);
        expect([...records.slice(0, victim), ...records.slice(victim + 1)], `damage at byte ${at}`).toEqual(others);
        expect(malformed, `damage at byte ${at}`).toHaveLength(0);
      }
    }
  }

  const flip = (p: Uint8Array, at: number) => {
    const q = p.slice();
    q[at] ^= 0x5a;
    return q;
  };
  const cut = (p: Uint8Array, at: number) => concat([p.subarray(0, at), p.subarray(at + 1)]);
  const toNewline = (p: Uint8Array, at: number) => {
    const q = p.slice();
    q[at] = 0x0a;
    return q;
  };

  for (const victim of [4, 5, 6]) {
    const kind = ['v1', 'v2 varint', 'v2 Rice'][victim % 3];
    for (const [name, damage] of [
      ['a flipped byte', flip],
      ['a missing byte', cut],
      ['a byte turned into a newline', toNewline],
    ] as const) {
      it(`a ${kind} record with ${name} anywhere in it loses only itself`, () => {
        const withVictim = (sep: boolean) => (damaged: Uint8Array) =>
          concat(payloads.map((p, i) => (i === victim ? damaged : p)).map((p) => (sep ? archiveEntry(p) : p)));
        // A newline put inside a v1 record makes two lines of text: two malformed lines.
        const maxMalformed = kind === 'v1' && damage === toNewline ? 2 : 1;
        expectOnlyItselfLost(withVictim(true), victim, damage, { maxMalformed });
        // Back to back (no delimiter: not what the stack writes), a record's first byte is also
        // where the record before it is seen to end, so damage there may cost that one too.
        if (kind !== 'v1') expectOnlyItselfLost(withVictim(false), victim, damage, { from: 1 });
      });
    }
  }

  it('a record cut by the end of the object is malformed; the records before it are read', () => {
    const bytes = concat(payloads.slice(0, 3).map(archiveEntry));
    const cutAt = bytes.length - 20;
    const items = frameArchive(bytes.subarray(0, cutAt));
    expect(items.map(summary)).toEqual([...expected.slice(0, 2), 'malformed']);
  });

  it('resyncs past binary garbage to the next good record and reports the stretch once', () => {
    const garbage = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff);
    garbage[0] = 0x01;
    const items = frameArchive(concat([archiveEntry(payloads[0]), garbage, archiveEntry(payloads[1]), archiveEntry(payloads[2])]));
    expect(items.map(summary)).toEqual([expected[0], 'malformed', expected[1], expected[2]]);
    expect(items[1]).toMatchObject({ offset: payloads[0].length + 1, length: garbage.length });
  });
});
