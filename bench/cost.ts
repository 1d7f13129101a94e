import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DETECT_BATCH_SIZE, DEFAULT_DETECT_MEMORY_MB } from '../infra/config';
import { decodeRecord } from '../src/contract';
import { type DetectSinks, Detector } from '../src/detect';
import { loadBeatModel } from '../src/model';
import { PATIENT_MONTH_SECONDS, PRICE_SOURCES, PRICES, PRICES_DATE } from './aws-prices';
import type { BenchSuite } from './suite';
import { bundledSignals, wireBytes } from './wire-measure';
import { signalLostCost } from './signal-lost-cost';

const MITDB = fileURLToPath(new URL('../data/mitdb', import.meta.url));
const MODEL = fileURLToPath(new URL('../data/default-model/model.json', import.meta.url));
/** Today's on-demand figure per patient-month (README before v2) and the issue's target factor. */
const BASELINE_USD = 2.0;
const TARGET_FACTOR = 4;
/** Months `history/` is kept (365 days), the first in S3 Standard, the rest in Standard-IA. */
const HISTORY_MONTHS = 12;
/** Share of a shard's limits a provisioned stream is filled to (headroom for bursts and resends). */
const SHARD_FILL = 0.9;

/** One priced configuration. */
export interface CostRow {
  readonly format: 'v1' | 'v2';
  readonly secondsPerRecord: number;
  readonly bytesPerRecord: number;
  readonly kinesis: number;
  readonly firehose: number;
  readonly s3: number;
  readonly lambda: number;
  readonly onDemand: number;
  readonly provisionedKinesis: number;
  readonly provisioned: number;
  readonly patientsPerShard: number;
}

/** Detect CPU ms per record of `perRecord` seconds, measured in-process (real decoder, default model). */
async function detectCpuMsPerRecord(format: 'v1' | 'v2', perRecord: number, seconds: number): Promise<number> {
  // One lead (v1) or both (v2) of the five demo records, as five devices (v2: two-lead detection).
  const recordings = bundledSignals(MITDB, ['100', '101', '106', '119', '208']);
  const sinks: DetectSinks = { quarantine: async () => {}, putSnippet: async () => {}, publishAlert: async () => {} };
  const model = loadBeatModel(readFileSync(MODEL, 'utf8'));
  // Each recording is one device with its own detector (wireBytes gives every record one id).
  const devices = recordings.map((r) => {
    const w = wireBytes([format === 'v1' ? { ...r, leads: [r.leads[0]] } : r], format, perRecord, seconds);
    return {
      detector: new Detector(sinks, decodeRecord),
      records: w.encoded.map((data, i) => ({ id: String(i).padStart(10, '0'), data, arrivedAt: 0 })),
    };
  });
  // Warm-up: the first 10 % of each device (JIT, segmenter warm-up), then time the rest.
  const warm = devices.map((d) => Math.ceil(d.records.length / 10));
  for (let d = 0; d < devices.length; d++) await devices[d].detector.processBatch(devices[d].records.slice(0, warm[d]), model);
  const before = process.cpuUsage();
  let records = 0;
  for (let d = 0; d < devices.length; d++) {
    const rest = devices[d].records.slice(warm[d]);
    for (let i = 0; i < rest.length; i += DEFAULT_DETECT_BATCH_SIZE) {
      const batch = rest.slice(i, i + DEFAULT_DETECT_BATCH_SIZE);
      await devices[d].detector.processBatch(batch, model);
      records += batch.length;
    }
  }
  const cpu = process.cpuUsage(before);
  return (cpu.user + cpu.system) / 1000 / records;
}

/**
 * Prices one patient-month (one device streaming continuously for 30 days) from measured bytes
 * per record and measured detect CPU per record, at the list prices of bench/aws-prices.ts.
 *
 * @example
 * price({ format: 'v2', secondsPerRecord: 1, bytesPerRecord: 520, gzipBytesPerRecord: 470, cpuMsPerRecord: 1.2 });
 */
export function price(m: {
  format: 'v1' | 'v2';
  secondsPerRecord: number;
  bytesPerRecord: number;
  gzipBytesPerRecord: number;
  cpuMsPerRecord: number;
}): CostRow {
  const GB = 1e9;
  const records = PATIENT_MONTH_SECONDS / m.secondsPerRecord;
  const billedKinesis = Math.ceil(m.bytesPerRecord / PRICES.kinesisOnDemandRecordBytes) * PRICES.kinesisOnDemandRecordBytes;
  // Ingest plus two standard consumers (the detect mapping and Firehose).
  const kinesis = ((records * billedKinesis) / GB) * (PRICES.kinesisOnDemandIngestPerGb + 2 * PRICES.kinesisOnDemandRetrievalPerGb);
  const billedFirehose = Math.ceil(m.bytesPerRecord / PRICES.firehoseRecordBytes) * PRICES.firehoseRecordBytes;
  const firehose = ((records * billedFirehose) / GB) * PRICES.firehosePerGb;
  // Steady state: 12 months kept, the newest in Standard, the rest in Standard-IA.
  const monthGb = (records * m.gzipBytesPerRecord) / GB;
  const s3 = monthGb * (PRICES.s3StandardGbMonth + (HISTORY_MONTHS - 1) * PRICES.s3InfrequentGbMonth);
  const lambda =
    records * (m.cpuMsPerRecord / 1000) * (DEFAULT_DETECT_MEMORY_MB / 1024) * PRICES.lambdaArmGbSecond +
    (records / DEFAULT_DETECT_BATCH_SIZE) * PRICES.lambdaRequest;
  const perSecondRecords = 1 / m.secondsPerRecord;
  const perSecondBytes = m.bytesPerRecord / m.secondsPerRecord;
  const patientsPerShard = Math.floor(
    SHARD_FILL * Math.min(PRICES.shardRecordsPerSecond / perSecondRecords, PRICES.shardBytesPerSecond / perSecondBytes),
  );
  const putUnits = records * Math.ceil(m.bytesPerRecord / 25_600);
  const provisionedKinesis = (PRICES.kinesisShardHour * 24 * 30) / patientsPerShard + (putUnits / 1e6) * PRICES.kinesisPutUnitsPerMillion;
  return {
    format: m.format,
    secondsPerRecord: m.secondsPerRecord,
    bytesPerRecord: m.bytesPerRecord,
    kinesis,
    firehose,
    s3,
    lambda,
    onDemand: kinesis + firehose + s3 + lambda,
    provisionedKinesis,
    provisioned: provisionedKinesis + firehose + s3 + lambda,
    patientsPerShard,
  };
}

/** The README's table, as markdown. */
export function costTable(rows: readonly CostRow[]): string {
  const usd = (x: number) => `$${x.toFixed(2)}`;
  const lines = [
    '| format | record | bytes/record | Kinesis on-demand | Firehose | S3 history | detect Lambda | **on-demand** | provisioned (patients/shard) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.format} | ${r.secondsPerRecord} s | ${r.bytesPerRecord.toFixed(0)} | ${usd(r.kinesis)} | ${usd(r.firehose)} | ${usd(r.s3)} | ${usd(r.lambda)} | **${usd(r.onDemand)}** | ${usd(r.provisioned)} (${r.patientsPerShard}) |`,
    );
  return lines.join('\n');
}

/**
 * `cost`: one patient-month priced for v1 (one lead) and v2 (both leads) at 1, 5 and 10 s per
 * record, from bytes measured on the bundled MIT-BIH records and detect CPU measured in-process
 * (the real decoder, detector and default model, batches of the stack's size). Prints the
 * README's table and whether on-demand at 1 s reaches 4x below $2.0.
 */
const suite: BenchSuite = {
  name: 'cost',
  description:
    'price of one patient-month (v1/v2, 1/5/10 s records) from measured bytes and detect CPU, list prices in bench/aws-prices.ts',
  async run({ quick }) {
    const say = (m: string) => process.stderr.write(`${m}\n`);
    const seconds = quick ? 60 : 300;
    const recordings = bundledSignals(MITDB);
    const rows: CostRow[] = [];
    for (const format of ['v1', 'v2'] as const) {
      for (const perRecord of [1, 5, 10]) {
        // v1 carries one lead (the first, MLII); v2 both.
        const input = format === 'v1' ? recordings.map((r) => ({ ...r, leads: [r.leads[0]] })) : recordings;
        const w = wireBytes(input, format, perRecord, seconds);
        const cpuMsPerRecord = await detectCpuMsPerRecord(format, perRecord, quick ? 60 : 180);
        const row = price({
          format,
          secondsPerRecord: perRecord,
          bytesPerRecord: w.bytes / w.records,
          gzipBytesPerRecord: w.gzipBytes / w.records,
          cpuMsPerRecord,
        });
        say(`${format} ${perRecord} s: ${row.bytesPerRecord.toFixed(0)} B/record, detect ${cpuMsPerRecord.toFixed(3)} ms CPU/record`);
        rows.push(row);
      }
    }
    say(
      `\nOne patient-month (30 days, one device, 360 Hz), us-east-1 list prices of ${PRICES_DATE} (bench/aws-prices.ts: ${Object.values(PRICE_SOURCES).join('; ')}):\n`,
    );
    say(costTable(rows));
    const target = BASELINE_USD / TARGET_FACTOR;
    const v2At1 = rows.find((r) => r.format === 'v2' && r.secondsPerRecord === 1)!;
    const cheapest = [...rows].sort((a, b) => a.onDemand - b.onDemand).find((r) => r.onDemand <= target);
    const items = (['kinesis', 'firehose', 's3', 'lambda'] as ('kinesis' | 'firehose' | 's3' | 'lambda')[]).sort(
      (a, b) => v2At1[b] - v2At1[a],
    );
    say(
      v2At1.onDemand <= target
        ? `\non-demand at 1 s, v2: $${v2At1.onDemand.toFixed(2)} <= $${target.toFixed(2)}: ${TARGET_FACTOR}x below $${BASELINE_USD.toFixed(1)}`
        : `\non-demand at 1 s, v2: $${v2At1.onDemand.toFixed(2)} > $${target.toFixed(2)} (${(BASELINE_USD / v2At1.onDemand).toFixed(1)}x below $${BASELINE_USD.toFixed(1)}): largest items ${items
            .slice(0, 2)
            .map((k) => `${k} $${v2At1[k].toFixed(2)}`)
            .join(', ')} (per-record rounding: Kinesis 1 KB, Firehose 5 KB). Cheapest on-demand reaching ${TARGET_FACTOR}x: ${
            cheapest ? `${cheapest.format}, ${cheapest.secondsPerRecord} s records, $${cheapest.onDemand.toFixed(2)}` : 'none'
          }`,
    );
    const lost = signalLostCost();
    say(
      `\nsignal-lost: ${lost.writesPerDeviceMonth.toLocaleString('en-US')} conditional writes per device-month (${lost.writeUnitsPerDeviceMonth.toLocaleString('en-US')} write units with the index), ` +
        `${lost.readUnitsPerDeviceMonth.toFixed(0)} read units over ${lost.sweepsPerMonth.toLocaleString('en-US')} sweeps: $${lost.perDeviceMonth.toFixed(3)} per device-month; ` +
        `the sweep function $${lost.sweepFunctionPerStackMonth.toFixed(2)} per stack-month`,
    );
    return {
      pricesDate: PRICES_DATE,
      priceSources: PRICE_SOURCES,
      seconds,
      signalLost: lost,
      rows,
      targetUsd: target,
      v2At1sOnDemand: v2At1.onDemand,
      cheapestReachingTarget: cheapest ?? null,
    };
  },
};

export default suite;
