/**
 * Measures the memory one device's state takes in the detector: N devices stream MIT-BIH 100 in
 * 1 s records through the default model for S seconds, and the live heap after a full garbage
 * collection is compared with before. The figure behind `DEVICE_MEMORY_BYTES`
 * (src/detect/device-registry.ts).
 *
 * Run: `node --expose-gc --import tsx scripts/measure-device-memory.ts [devices=200] [seconds=330]`
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cutWireRecord } from '../src/contract/wire-records';
import { decodeWireRecord } from '../src/contract/wire';
import { Detector, type InputRecord } from '../src/detect/process-batch';
import { readWfdbRecord } from '../src/ecg/wfdb-record';
import { loadBeatModel } from '../src/model/beat-model';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const devices = Number(process.argv[2] ?? 200);
const seconds = Number(process.argv[3] ?? 330);
const model = loadBeatModel(readFileSync(fileURLToPath(new URL('../data/default-model/model.json', import.meta.url)), 'utf8'));
const rec = readWfdbRecord(fileURLToPath(new URL('../data/mitdb/100', import.meta.url)));
const sinks = { quarantine: async () => {}, putSnippet: async () => {}, publishAlert: async () => {} };
const detector = new Detector(sinks, decodeWireRecord, { maxDevices: devices + 1 });
const scratch = new Float32Array(4096);
const start = Date.UTC(2026, 0, 1);
gc();
const before = process.memoryUsage().heapUsed;
for (let s = 0; s < seconds; s++) {
  const batch: InputRecord[] = [];
  for (let d = 0; d < devices; d++) {
    const text = cutWireRecord({ deviceId: `dev-${d}`, signal: rec.signals[0].samples, fs: rec.fs }, s, start, 1, scratch).text;
    batch.push({ id: `${s}-${d}`, data: Buffer.from(text), arrivedAt: start + s * 1000 });
  }
  await detector.processBatch(batch, model);
}
gc();
const perDevice = (process.memoryUsage().heapUsed - before) / devices;
const json = JSON.stringify(detector.devices.snapshot('dev-0')).length;
console.log(
  `${devices} devices, ${seconds} s each: ${(perDevice / 1024).toFixed(1)} KiB of live heap per device (JSON snapshot ${(json / 1024).toFixed(1)} KiB)`,
);
