/**
 * `npm run measure:retrain-memory`: the resident-memory figure of issue 5. Archives an hour of
 * history from 50 simulated devices (gzip NDJSON under `history/`, as Firehose writes it) into
 * a local S3 emulator together with the default model, then runs one retraining cycle in a
 * fresh process and reports that process's peak resident set size. The history is generated
 * here, one device at a time, so the measured process holds nothing but the job.
 *
 * usage: npm run measure:retrain-memory -- [--devices N] [--minutes M] [--fs HZ] [--time-budget S] [--model FILE] [--json]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createAwsClients } from '../src/aws/clients';
import { putHistoryObject } from '../src/aws/history-writer';
import { seedModel } from '../src/aws/model-store';
import { runRetrainCycle } from '../src/aws/retrain-ports';
import { encodeWireRecord, parseArtifact } from '../src/contract';
import { ecgSimulate, type SimulatedAnomaly } from '../src/ecg';
import { startFauxqsEmulator } from '../src/local/fauxqs-emulator';
import { scriptArgs } from './script-args';

const USAGE = 'npm run measure:retrain-memory -- [--devices N] [--minutes M] [--fs HZ] [--time-budget S] [--model FILE] [--json]';
const values = scriptArgs(
  {
    devices: { type: 'string' },
    minutes: { type: 'string' },
    fs: { type: 'string' },
    'time-budget': { type: 'string' },
    model: { type: 'string' },
    json: { type: 'boolean' },
    // Internal: run the job in this (fresh) process against an existing emulator.
    job: { type: 'string' },
    bucket: { type: 'string' },
  },
  USAGE,
);
const log = (m: string) => process.stderr.write(`${m}\n`);
const positive = (v: string | undefined, name: string, fallback: number): number => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) throw new Error(`--${name} must be a positive number, got "${v}"`);
  return n;
};
const BUCKET = values.bucket ?? 'beatwatch-memory';
const timeBudgetMs = positive(values['time-budget'], 'time-budget', 120) * 1000;

if (values.job !== undefined) {
  // The measured process: the job alone.
  const aws = createAwsClients({ endpoint: { s3: values.job }, region: 'us-east-1', env: {} });
  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 100);
  const result = await runRetrainCycle({
    s3: aws.s3,
    bucket: BUCKET,
    days: 1,
    timeBudgetMs,
    onProgress: (p) => log(`  [${p.phase}] ${p.message}`),
  });
  clearInterval(sampler);
  aws.destroy();
  // resourceUsage().maxRSS is in KiB: the kernel's peak resident set of this process.
  process.stdout.write(
    `${JSON.stringify({ maxRssMiB: process.resourceUsage().maxRSS / 1024, peakHeapMiB: peakHeap / 2 ** 20, result })}\n`,
  );
  process.exit(0);
}

const devices = positive(values.devices, 'devices', 50);
const minutes = positive(values.minutes, 'minutes', 60);
const fs = positive(values.fs, 'fs', 250);
const modelFile = values.model ?? fileURLToPath(new URL('../data/default-model/model.json', import.meta.url));
const started = performance.now();
const fauxqs = await startFauxqsEmulator();
const aws = createAwsClients({ endpoint: { s3: fauxqs.endpoint }, region: 'us-east-1', env: {} });
try {
  await aws.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const text = readFileSync(modelFile, 'utf8');
  parseArtifact(text); // a model that does not parse fails here, before any history is written
  await seedModel(aws.s3, BUCKET, text);

  // History: per device one continuous simulated hour, archived in 10-minute objects filed
  // over the last hour (so a 1-day window covers it).
  const seconds = Math.round(minutes * 60);
  const blockSeconds = 600;
  const t0 = Date.now() - seconds * 1000 - 60_000;
  let records = 0;
  let bytes = 0;
  for (let d = 0; d < devices; d++) {
    const anomalies: SimulatedAnomaly[] = [];
    for (let t = 10 + (d % 7); t < seconds - 5; t += 20 + (d % 13)) anomalies.push({ kind: 'pvc', at: t });
    const { signal } = ecgSimulate({ fs, seconds, seed: 1000 + d, heartRate: 55 + (d % 40), anomalies });
    const deviceId = `dev-mem-${String(d).padStart(3, '0')}`;
    for (let block = 0; block * blockSeconds < seconds; block++) {
      const lines: string[] = [];
      for (let s = block * blockSeconds; s < Math.min(seconds, (block + 1) * blockSeconds); s++) {
        const line = encodeWireRecord({ deviceId, seq: s, t0: t0 + s * 1000, fs, samples: signal.subarray(s * fs, (s + 1) * fs) });
        bytes += line.length;
        lines.push(line);
      }
      records += lines.length;
      await putHistoryObject(aws.s3, BUCKET, lines, { at: t0 + (block + 1) * blockSeconds * 1000, unique: `${deviceId}-${block}` });
    }
    if ((d + 1) % 10 === 0) log(`archived ${d + 1}/${devices} devices (${records} records, ${(bytes / 2 ** 20).toFixed(0)} MiB of NDJSON)`);
  }
  log(
    `history ready in ${((performance.now() - started) / 1000).toFixed(0)} s: ${devices} devices x ${minutes} min at ${fs} Hz; retraining in a fresh process (budget ${timeBudgetMs / 1000} s)`,
  );

  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--job',
      fauxqs.endpoint,
      '--bucket',
      BUCKET,
      '--time-budget',
      String(timeBudgetMs / 1000),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the retraining process exited with ${code}`);
  const measured = JSON.parse(out.trim().split('\n').pop() as string) as {
    maxRssMiB: number;
    peakHeapMiB: number;
    result: {
      decision: string;
      reason: string;
      beatsRead: number;
      beatsUsed: number;
      seconds: number;
      peakWindowBytes: number;
      history: { records: number };
    };
  };
  const r = measured.result;
  const summary = {
    devices,
    minutes,
    fs,
    historyRecords: records,
    historyMiB: bytes / 2 ** 20,
    maxRssMiB: measured.maxRssMiB,
    peakHeapMiB: measured.peakHeapMiB,
    windowMiB: r.peakWindowBytes / 2 ** 20,
    underOneGiB: measured.maxRssMiB < 1024,
    recordsRead: r.history.records,
    beatsRead: r.beatsRead,
    beatsUsed: r.beatsUsed,
    decision: r.decision,
    reason: r.reason,
    jobSeconds: r.seconds,
  };
  log(
    `peak resident set of the retraining process: ${measured.maxRssMiB.toFixed(0)} MiB (heap peak ${measured.peakHeapMiB.toFixed(0)} MiB, beat windows ${summary.windowMiB.toFixed(1)} MiB); ${r.beatsRead} beats read from ${r.history.records} records, ${r.beatsUsed} used; ${r.decision}: ${r.reason}`,
  );
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
} finally {
  aws.destroy();
  await fauxqs.stop();
}
