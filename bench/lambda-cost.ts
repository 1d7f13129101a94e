import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../infra/beatwatch-stack';
import { synthWithBundles } from '../infra/bundled-assembly';
import { DEFAULT_DETECT_BATCH_SIZE, DEFAULT_DETECT_MEMORY_MB } from '../infra/config';
import { createAwsClients } from '../src/aws/clients';
import { seedModel } from '../src/aws/model-store';
import { encodeWireRecord } from '../src/contract';
import { loadMitdbRecord } from '../src/ecg';
import { startLocalStack } from '../src/local/emulators';
import { provisionLocalResources } from '../src/local/provision';
import type { BenchSuite } from './suite';
import { PATIENT_MONTH_SECONDS, PRICES } from './aws-prices';

/** Lambda arm64 list prices (bench/aws-prices.ts): per GB-second and per request. */
const ARM_PRICE_PER_GB_SECOND = PRICES.lambdaArmGbSecond;
const PRICE_PER_REQUEST = PRICES.lambdaRequest;
/** One patient-month of 1 s records: 30 days of one device streaming continuously. */
const RECORDS_PER_PATIENT_MONTH = PATIENT_MONTH_SECONDS;
/** Records streamed per device before timing starts (cold start, model load, detector warm-up). */
const WARM_UP_SECONDS = 10;

type Handler = (event: { Records: unknown[] }) => Promise<{ batchItemFailures: unknown[] }>;

/** Runs `fn` with stdout swallowed: the handler's JSON logs and EMF must not reach `--json` output. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

/**
 * `lambda-cost`: the detect function's deployed bundle (esbuild output of the CDK stack), run
 * in-process against the local stack on MIT-BIH records cut into 1 s wire records for several
 * devices, in batches of the stack's batch size. Reports CPU and wall ms per record (one thread)
 * and what that costs in Lambda per patient-month at the stack's memory (the README's cost
 * table uses these figures). Wall time includes the emulators' latency on this machine.
 */
const suite: BenchSuite = {
  name: 'lambda-cost',
  description: 'deployed detect bundle on the local stack: CPU/wall ms per 1 s record, Lambda cost per patient-month',
  async run({ quick }) {
    const say = (m: string) => process.stderr.write(`${m}\n`);
    const devices = quick ? 4 : 10;
    const seconds = quick ? 40 : 120;
    const recordName = '208';
    say(`lambda-cost: bundling the stack's functions...`);
    const bundled = await quietly(async () => synthWithBundles());
    const local = await startLocalStack();
    const aws = createAwsClients({ endpoint: local.endpoints, region: local.region });
    try {
      const res = await provisionLocalResources(aws, { skipStream: true });
      await seedModel(aws.s3, res.bucket, readFileSync(path.join(PROJECT_ROOT, 'data', 'default-model', 'model.json'), 'utf8'));
      Object.assign(process.env, {
        AWS_REGION: local.region,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_S3: local.endpoints.s3,
        AWS_ENDPOINT_URL_SNS: local.endpoints.sns,
        AWS_ENDPOINT_URL_SQS: local.endpoints.sqs,
        AWS_ENDPOINT_URL_KINESIS: local.endpoints.kinesis,
        BUCKET_NAME: res.bucket,
        TOPIC_ARN: res.topicArn,
        MODEL_POINTER_KEY: 'models/current.json',
      });
      const { handler } = (await import(pathToFileURL(bundled.detect.entry).href)) as { handler: Handler };

      const record = loadMitdbRecord(path.join(PROJECT_ROOT, 'data', 'mitdb'), recordName);
      const fs = record.fs;
      let sequence = 0;
      const kinesisRecord = (device: number, second: number) => {
        // Each device plays its own stretch of the record (devices 100 s apart).
        const start = (device * 100 + second) * fs;
        const data = encodeWireRecord({
          deviceId: `bench-${device}`,
          seq: second,
          t0: 1_764_150_000_000 + second * 1000,
          fs,
          samples: record.signal.subarray(start, start + fs),
        });
        return {
          kinesis: {
            data: Buffer.from(data).toString('base64'),
            sequenceNumber: String(++sequence),
            partitionKey: `bench-${device}`,
            approximateArrivalTimestamp: Date.now() / 1000,
          },
        };
      };
      const warmUp: unknown[] = [];
      for (let s = 0; s < WARM_UP_SECONDS; s++) for (let d = 0; d < devices; d++) warmUp.push(kinesisRecord(d, s));
      await quietly(() => handler({ Records: warmUp }));

      const batches: unknown[][] = [[]];
      for (let s = WARM_UP_SECONDS; s < seconds; s++) {
        for (let d = 0; d < devices; d++) {
          if (batches.at(-1)!.length === DEFAULT_DETECT_BATCH_SIZE) batches.push([]);
          batches.at(-1)!.push(kinesisRecord(d, s));
        }
      }
      const records = batches.reduce((n, b) => n + b.length, 0);
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      await quietly(async () => {
        for (const batch of batches) {
          const out = await handler({ Records: batch });
          if (out.batchItemFailures.length > 0) throw new Error(`lambda-cost: ${out.batchItemFailures.length} records failed`);
        }
      });
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      const cpuMsPerRecord = (cpu.user + cpu.system) / 1000 / records;
      const wallMsPerRecord = wallMs / records;
      const gb = DEFAULT_DETECT_MEMORY_MB / 1024;
      const monthly = (msPerRecord: number) =>
        RECORDS_PER_PATIENT_MONTH * (msPerRecord / 1000) * gb * ARM_PRICE_PER_GB_SECOND +
        (RECORDS_PER_PATIENT_MONTH / DEFAULT_DETECT_BATCH_SIZE) * PRICE_PER_REQUEST;
      say(
        `record ${recordName}, ${devices} devices x ${seconds - WARM_UP_SECONDS} s timed, batches of ${DEFAULT_DETECT_BATCH_SIZE}: ${records} records`,
      );
      say(`per 1 s record: ${cpuMsPerRecord.toFixed(3)} ms CPU, ${wallMsPerRecord.toFixed(3)} ms wall (wall includes the local emulators)`);
      say(
        `Lambda per patient-month at ${DEFAULT_DETECT_MEMORY_MB} MB arm64 (full batches): $${monthly(cpuMsPerRecord).toFixed(3)} at CPU time, $${monthly(wallMsPerRecord).toFixed(3)} at local wall time`,
      );
      return {
        record: recordName,
        devices,
        records,
        batchSize: DEFAULT_DETECT_BATCH_SIZE,
        memoryMb: DEFAULT_DETECT_MEMORY_MB,
        bundleBytes: bundled.detect.files['index.mjs'],
        cpuMsPerRecord,
        wallMsPerRecord,
        lambdaUsdPerPatientMonthAtCpu: monthly(cpuMsPerRecord),
        lambdaUsdPerPatientMonthAtWall: monthly(wallMsPerRecord),
      };
    } finally {
      aws.destroy();
      await local.stop();
      rmSync(bundled.assemblyDir, { recursive: true, force: true });
    }
  },
};

export default suite;
