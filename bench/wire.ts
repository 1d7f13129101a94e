import { fileURLToPath } from 'node:url';
import type { BenchSuite } from './suite';
import { bundledSignals, decodeNsPerSample, wireBytes } from './wire-measure';

const MITDB = fileURLToPath(new URL('../data/mitdb', import.meta.url));

/**
 * `wire`: wire format v1 against v2 on the bundled MIT-BIH records, both leads, 1 s records:
 * bytes per lead-second (v2 with Rice and with zig-zag varint coding) and decode time per
 * sample through `decodeRecord`, in the same run. The acceptance: v2 at least 5x
 * smaller, and at least as fast to decode per sample.
 */
const suite: BenchSuite = {
  name: 'wire',
  description: 'wire format v1 vs v2 on the bundled MIT-BIH records (both leads): bytes per lead-second, decode ns per sample',
  run({ quick }) {
    const say = (m: string) => process.stderr.write(`${m}\n`);
    const seconds = quick ? 60 : 300;
    const recordings = bundledSignals(MITDB);
    const rounds = quick ? 3 : 7;
    const v1 = wireBytes(recordings, 'v1', 1, seconds);
    const rice = wireBytes(recordings, 'v2', 1, seconds, 'rice');
    const varint = wireBytes(recordings, 'v2', 1, seconds, 'varint');
    const perLeadSecond = (w: typeof v1) => w.bytes / w.leadSeconds;
    const decode = { v1: decodeNsPerSample(v1, rounds), rice: decodeNsPerSample(rice, rounds), varint: decodeNsPerSample(varint, rounds) };
    say(`wire: ${recordings.length} records x ${seconds} s, ${recordings[0].leads.length} leads each, 1 s records`);
    say(
      `${'format'.padEnd(16)}${'B/lead-s'.padStart(10)}${'ratio'.padStart(8)}${'gzip B/lead-s'.padStart(15)}${'ns/sample'.padStart(11)}${'speed'.padStart(8)}`,
    );
    for (const [label, w, ns] of [
      ['v1 (JSON)', v1, decode.v1],
      ['v2 Rice', rice, decode.rice],
      ['v2 varint', varint, decode.varint],
    ] as const) {
      say(
        `${label.padEnd(16)}${perLeadSecond(w).toFixed(0).padStart(10)}${(perLeadSecond(v1) / perLeadSecond(w)).toFixed(2).padStart(8)}${(w.gzipBytes / w.leadSeconds).toFixed(0).padStart(15)}${ns.toFixed(1).padStart(11)}${(decode.v1 / ns).toFixed(2).padStart(8)}`,
      );
    }
    const sizeRatio = perLeadSecond(v1) / perLeadSecond(rice);
    const speedRatio = decode.v1 / decode.rice;
    say(`v2 (Rice, the default) is ${sizeRatio.toFixed(1)}x smaller and decodes ${speedRatio.toFixed(1)}x faster per sample than v1`);
    return Promise.resolve({
      records: recordings.length,
      seconds,
      bytesPerLeadSecond: { v1: perLeadSecond(v1), v2Rice: perLeadSecond(rice), v2Varint: perLeadSecond(varint) },
      gzipBytesPerLeadSecond: { v1: v1.gzipBytes / v1.leadSeconds, v2Rice: rice.gzipBytes / rice.leadSeconds },
      decodeNsPerSample: decode,
      sizeRatio,
      speedRatio,
      accepted: sizeRatio >= 5 && speedRatio >= 1,
    });
  },
};

export default suite;
