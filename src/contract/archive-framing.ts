/**
 * Framing of the history archive (docs/ARCHITECTURE.md §3.4): a decompressed `history/` object
 * is the Kinesis payloads of the stream written back to back, each followed by a newline (the
 * stack's delimiter processor, and the local archiver, append one). v1 records are JSON text
 * and end at that newline; v2 records are binary and may hold 0x0A and 0xB2 bytes anywhere in
 * their samples, so a v2 record's end is taken from its own header (`v2RecordLength`), never
 * from a newline. The reader does not rely on the delimiter being there: records written back
 * to back without it frame the same way.
 *
 * Pure and incremental (no I/O): the S3 reader feeds it the gunzipped stream chunk by chunk.
 */
import { decodeRecord, type AnyDecodedRecord } from './decode-record';
import { WIRE_V2_MAGIC, v2RecordLength } from './wire-v2';
import { MAX_RECORD_BYTES } from './wire-validate';

/** The byte the archive appends after every record (Firehose's `AppendDelimiterToRecord`). */
export const ARCHIVE_DELIMITER = 0x0a;

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** One thing found in an archive: a valid record, or a stretch of bytes that is not one. */
export type ArchiveItem =
  | {
      readonly kind: 'record';
      readonly record: AnyDecodedRecord;
      /** Byte offset of the record in the decompressed object. */
      readonly offset: number;
      readonly length: number;
      /** The record's bytes as the device sent them (with `keepBytes` only). */
      readonly data?: Uint8Array;
    }
  | {
      readonly kind: 'malformed';
      /** Why: the first fault found, in the wire decoders' words (never a sample or a device id). */
      readonly reason: string;
      /** Byte offset of the first skipped byte in the decompressed object. */
      readonly offset: number;
      /** Bytes skipped. */
      readonly length: number;
    };

/** Whitespace between records: the delimiter, and what a hand-made NDJSON file may add. */
function isSpace(b: number): boolean {
  return b === 0x0a || b === 0x0d || b === 0x20 || b === 0x09;
}

/** A byte that may follow a complete record: the end of a record is the start of the next or a delimiter. */
function isBoundary(b: number): boolean {
  return isSpace(b) || b === OPEN_BRACE || b === WIRE_V2_MAGIC;
}

/** What one attempt at `pos` found. `more`: the bytes so far cannot tell, wait for the next chunk. */
type Step =
  | { readonly more: true }
  | { readonly more: false; readonly ok: true; readonly record: AnyDecodedRecord; readonly end: number }
  | { readonly more: false; readonly ok: false; readonly framed: boolean; readonly reason: string; readonly end: number };

const MORE: Step = { more: true };

/**
 * Incremental archive reader: {@link ArchiveFramer.write} each chunk of the decompressed object,
 * then {@link ArchiveFramer.end}; each returns the items complete so far, in order.
 *
 * Rules (the contract of §3.4):
 * - A record starting with 0xB2 is v2; it ends where its header says (`v2RecordLength`). It is
 *   good only if it frames, the byte after it is a boundary (end of object, whitespace such as
 *   the delimiter, `{` or 0xB2) and it decodes.
 * - A record starting with `{` is v1; it ends at the first newline, or at a `}` directly
 *   followed by `{` or 0xB2 (records written without a delimiter), or at the end of the object.
 * - A v1 record that does not decode, or a line starting with any other byte, is one malformed
 *   record when it is text (no raw control byte: JSON text never holds one, a v2 header always
 *   does), and reading goes on after its newline: text holds no newline, so the newline frames
 *   it even when its content is bad.
 * - Anything else cannot be framed: a v2 record that is not good (its length may be the
 *   corrupt byte) and a "line" holding control bytes (binary). The reader then resyncs: it scans
 *   forward from the next byte for the first `{` or 0xB2 that begins a good record (one that
 *   frames, ends at a boundary and decodes) and goes on from there. The bytes skipped are one
 *   malformed item, so a corrupted record costs itself only, whatever bytes its samples hold.
 *
 * Memory: what is buffered is at most one record (1 MiB) plus one chunk.
 *
 * @example
 * const framer = new ArchiveFramer();
 * for await (const chunk of gunzipped) for (const item of framer.write(chunk)) handle(item);
 * for (const item of framer.end()) handle(item);
 */
export class ArchiveFramer {
  private buf = new Uint8Array(0);
  /** First unconsumed byte of `buf`. */
  private pos = 0;
  /** Absolute offset of `buf[0]` in the object. */
  private base = 0;
  /** While resyncing: where the skipped stretch started (absolute) and why. */
  private skipping: { offset: number; reason: string } | undefined;

  /**
   * @param options.keepBytes also hand out each record's own bytes (`data`), for a reader that
   *   passes records on as they were sent (`beatwatch redrive`); a copy per record, so off by default.
   */
  constructor(private readonly options: { readonly keepBytes?: boolean } = {}) {}

  /**
   * Feeds the next bytes of the object; returns the items that are complete.
   *
   * @example
   * const items = new ArchiveFramer().write(new TextEncoder().encode('{"v":1,...}\n'));
   */
  write(chunk: Uint8Array): ArchiveItem[] {
    const rest = this.buf.length - this.pos;
    const next = new Uint8Array(rest + chunk.length);
    next.set(this.buf.subarray(this.pos), 0);
    next.set(chunk, rest);
    this.base += this.pos;
    this.buf = next;
    this.pos = 0;
    return this.drain(false);
  }

  /**
   * Ends the object: what is left is framed with no more bytes to come (a cut record is malformed).
   *
   * @example
   * const items = framer.end();
   */
  end(): ArchiveItem[] {
    return this.drain(true);
  }

  private drain(final: boolean): ArchiveItem[] {
    const items: ArchiveItem[] = [];
    const buf = this.buf;
    while (true) {
      if (this.skipping !== undefined) {
        const found = this.resync(final);
        if (found === undefined) break; // need more bytes
        const { offset, reason } = this.skipping;
        const at = this.base + found;
        if (at > offset) items.push({ kind: 'malformed', reason, offset, length: at - offset });
        this.skipping = undefined;
        this.pos = found;
        if (found >= buf.length) break;
        continue;
      }
      while (this.pos < buf.length && isSpace(buf[this.pos])) this.pos++;
      if (this.pos >= buf.length) break;
      const start = this.pos;
      const step = this.parseAt(start, final);
      if (step.more) break;
      if (step.ok) {
        items.push({
          kind: 'record',
          record: step.record,
          offset: this.base + start,
          length: step.end - start,
          ...(this.options.keepBytes ? { data: buf.slice(start, step.end) } : {}),
        });
        this.pos = step.end;
      } else if (step.framed) {
        items.push({ kind: 'malformed', reason: step.reason, offset: this.base + start, length: step.end - start });
        this.pos = step.end;
      } else {
        this.skipping = { offset: this.base + start, reason: step.reason };
        this.pos = start + 1;
      }
    }
    return items;
  }

  /**
   * Scans from `pos` for the first byte that begins a good record. Returns its index in `buf`
   * (`buf.length` when the object ends without one), or undefined when a candidate needs bytes
   * that have not arrived yet (scanning resumes there at the next write).
   */
  private resync(final: boolean): number | undefined {
    const buf = this.buf;
    for (let q = this.pos; q < buf.length; q++) {
      const b = buf[q];
      if (b !== OPEN_BRACE && b !== WIRE_V2_MAGIC) continue;
      const step = this.parseAt(q, final);
      if (step.more) {
        this.pos = q;
        return undefined;
      }
      if (step.ok) return q;
    }
    if (!final) {
      this.pos = buf.length;
      return undefined;
    }
    return buf.length;
  }

  /** One record at `start` (a non-space byte). */
  private parseAt(start: number, final: boolean): Step {
    const buf = this.buf;
    const first = buf[start];
    if (first === WIRE_V2_MAGIC) {
      const f = v2RecordLength(buf, start);
      if (!f.ok) {
        if (f.incomplete && !final) return MORE;
        return { more: false, ok: false, framed: false, reason: `v2 record cannot be framed: ${f.reason}`, end: start + 1 };
      }
      const end = start + f.length;
      if (end === buf.length && !final) return MORE; // the next byte tells whether this end is a boundary
      if (end < buf.length && !isBoundary(buf[end]))
        return { more: false, ok: false, framed: false, reason: 'v2 record is not followed by a delimiter or another record', end };
      // A v2 record that frames but does not decode may be framed wrongly (a corrupt length):
      // resync rather than trust its end.
      const r = decodeRecord(buf.subarray(start, end));
      return r.ok ? { more: false, ok: true, record: r.record, end } : { more: false, ok: false, framed: false, reason: r.reason, end };
    }
    const end = first === OPEN_BRACE ? v1End(buf, start) : lineEnd(buf, start);
    if (end === undefined) {
      if (buf.length - start > MAX_RECORD_BYTES)
        return { more: false, ok: false, framed: false, reason: `no record end within ${MAX_RECORD_BYTES} bytes`, end: start + 1 };
      if (!final) return MORE;
    }
    const stop = end ?? buf.length;
    const bytes = buf.subarray(start, stop);
    if (first === OPEN_BRACE) {
      const r = decodeRecord(bytes);
      if (r.ok) return { more: false, ok: true, record: r.record, end: stop };
      return { more: false, ok: false, framed: isText(bytes), reason: r.reason, end: stop };
    }
    return {
      more: false,
      ok: false,
      framed: isText(bytes),
      reason: `a record starts with byte 0x${first.toString(16).padStart(2, '0')}, neither "{" (v1) nor 0xb2 (v2)`,
      end: stop,
    };
  }
}

/** End (exclusive) of a line of text at `start`: the next newline, undefined when `buf` has none yet. */
function lineEnd(buf: Uint8Array, start: number): number | undefined {
  const nl = buf.indexOf(ARCHIVE_DELIMITER, start);
  return nl < 0 ? undefined : nl;
}

/**
 * End (exclusive) of the v1 record at `start`: the first newline, or just after a `}` that is
 * directly followed by `{` or 0xB2 (records back to back). Undefined when neither is in `buf`.
 * A `}` right before the last byte of `buf` cannot be judged yet, so a later write decides.
 */
function v1End(buf: Uint8Array, start: number): number | undefined {
  const nl = buf.indexOf(ARCHIVE_DELIMITER, start);
  const limit = nl < 0 ? buf.length : nl;
  for (let c = buf.indexOf(CLOSE_BRACE, start); c >= 0 && c < limit; c = buf.indexOf(CLOSE_BRACE, c + 1)) {
    const after = c + 1 < buf.length ? buf[c + 1] : -1;
    if (after === OPEN_BRACE || after === WIRE_V2_MAGIC) return c + 1;
  }
  return nl < 0 ? undefined : nl;
}

/** JSON text never holds a raw control byte (RFC 8259 escapes them): a line with one is binary. */
function isText(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b < 0x20 && b !== 0x09 && b !== 0x0d) return false;
  }
  return true;
}

/**
 * Frames a whole decompressed archive object at once (tests and small objects; the S3 reader
 * streams through {@link ArchiveFramer}).
 *
 * @example
 * const records = frameArchive(gunzipSync(body)).filter((i) => i.kind === 'record');
 */
export function frameArchive(bytes: Uint8Array): ArchiveItem[] {
  const framer = new ArchiveFramer();
  return [...framer.write(bytes), ...framer.end()];
}

/**
 * One record as the archive stores it: its payload, exactly as received from Kinesis, and the
 * delimiter. What the local archiver writes and the stack's Firehose delivers.
 *
 * @example
 * const object = Buffer.concat(payloads.map(archiveEntry));
 */
export function archiveEntry(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out.set(payload, 0);
  out[payload.length] = ARCHIVE_DELIMITER;
  return out;
}
