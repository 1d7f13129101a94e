/**
 * Measures the memory one device's state takes in the detector: N devices stream MIT-BIH 100 in
 * 1 s records through the default model for S seconds, and the live heap after a full garbage
 * collection is compared with before. The figure behind `DEVICE_MEMORY_BYTES`
 * (src/detect/device-registry.ts). With leads=2 the devices send v2 records of both leads
 * (multi-lead detection, docs/ARCHITECTURE.md §3.2).
 *
 * Run: `npx node --expose-gc --import tsx scripts/measure-device-memory.ts [devices=200] [seconds=330] [leads=1]`
 * (`npx node`: the project's Node 24, the Lambdas' major; another Node measures another heap)
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cutWireRecord, cutWireRecordV2, decodeRecord } from '../src/contract';
import { Detector, type InputRecord } from '../src/detect';
import { readWfdbRecord } from '../src/ecg';
import { loadBeatModel } from '../src/model';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write('usage: npx node --expose-gc --import tsx scripts/measure-device-memory.ts [devices=200] [seconds=330] [leads=1]\n');
  process.exit(0);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const devices = Number(process.argv[2] ?? 200);
const seconds = Number(process.argv[3] ?? 330);
const leads = Number(process.argv[4] ?? 1);
if (leads !== 1 && leads !== 2) throw new Error(`leads must be 1 or 2, got ${process.argv[4]}`);
const model = loadBeatModel(readFileSync(fileURLToPath(new URL('../data/default-model/model.json', import.meta.url)), 'utf8'));
const rec = readWfdbRecord(fileURLToPath(new URL('../data/mitdb/100', import.meta.url)));
const sinks = { quarantine: async () => {}, putSnippet: async () => {}, publishAlert: async () => {} };
const detector = new Detector(sinks, decodeRecord, { maxDevices: devices + 1 });
const signals = rec.signals.map((s) => ({ name: s.lead, gain: s.gain, samples: s.samples }));
const scratch = new Float32Array(4096);
const start = Date.UTC(2026, 0, 1);
gc();
const before = process.memoryUsage().heapUsed;
for (let s = 0; s < seconds; s++) {
  const batch: InputRecord[] = [];
  for (let d = 0; d < devices; d++) {
    const deviceId = `dev-${d}`;
    const data =
      leads === 2
        ? cutWireRecordV2({ deviceId, fs: rec.fs, leads: signals }, s, start, 1).data
        : Buffer.from(cutWireRecord({ deviceId, signal: rec.signals[0].samples, fs: rec.fs }, s, start, 1, scratch).text);
    batch.push({ id: `${s}-${d}`, data, arrivedAt: start + s * 1000 });
  }
  await detector.processBatch(batch, model);
}
gc();
const perDevice = (process.memoryUsage().heapUsed - before) / devices;
const json = JSON.stringify(detector.devices.snapshot('dev-0')).length;
console.log(
  `${devices} devices (${leads} lead${leads === 2 ? 's' : ''}), ${seconds} s each: ${(perDevice / 1024).toFixed(1)} KiB of live heap per device (JSON snapshot ${(json / 1024).toFixed(1)} KiB)`,
);
