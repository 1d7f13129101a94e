import { decodeRecord } from '../src/contract';
import { ecgSimulate } from '../src/ecg';
import { pseudonymousDeviceId, simulateDevices } from '../src/local/device-simulator';
import { startLocalPipeline } from '../src/local/local-pipeline';
import type { BenchSuite } from './suite';

const FS = 360;
/** Records per device per PutRecords: several, since kinesis-local's cost is mostly per request. */
const TICKS_PER_REQUEST = 10;

/**
 * `transport`: the local stack without the detector: devices → PutRecords → kinesis-local →
 * event source poller → a handler that only decodes the wire records, with the archiver
 * reading the same stream into S3. It bounds what the end-to-end pipeline can reach locally
 * (the emulator, not our code, is the limit), in device-seconds of ECG per wall second.
 */
const suite: BenchSuite = {
  name: 'transport',
  description: 'local stack alone: simulator → kinesis-local → poller (decode-only handler) + archiver → fauxqs S3, device-seconds/s',
  async run({ quick }) {
    const devicesCount = quick ? 4 : 10;
    const seconds = quick ? 30 : 120;
    const say = (m: string) => process.stderr.write(`${m}\n`);
    let decoded = 0;
    const pipeline = await startLocalPipeline({
      archiver: { bufferIntervalMs: 60_000 },
      handler: () => async (event) => {
        for (const r of event.Records) if (decodeRecord(Buffer.from(r.kinesis.data, 'base64')).ok) decoded++;
      },
    });
    try {
      const devices = Array.from({ length: devicesCount }, (_, i) => ({
        deviceId: pseudonymousDeviceId(`bench-${i}`),
        signal: ecgSimulate({ fs: FS, seconds, seed: i + 1 }).signal,
        fs: FS,
      }));
      say(
        `transport: ${devicesCount} devices x ${seconds} s at ${FS} Hz, speed max, ${TICKS_PER_REQUEST} records per device per request, ${pipeline.poller.shardIds.length} shards`,
      );
      const started = performance.now();
      const sent = await simulateDevices({
        kinesis: pipeline.aws.kinesis,
        streamName: pipeline.resources.streamName,
        devices,
        speed: 'max',
        ticksPerRequest: TICKS_PER_REQUEST,
      });
      if (sent.reorderedEntries > 0) say(`transport: ${sent.reorderedEntries} records reordered by retries`);
      const putSeconds = (performance.now() - started) / 1000;
      await pipeline.poller.drain(600_000);
      const deliveredSeconds = (performance.now() - started) / 1000;
      await pipeline.archiver?.drain(600_000);
      const archivedSeconds = (performance.now() - started) / 1000;
      if (decoded !== sent.records) throw new Error(`transport: ${sent.records} records sent, ${decoded} decoded`);
      const rate = (s: number) => sent.deviceSeconds / s;
      say(
        `${'put (PutRecords)'.padEnd(30)}${rate(putSeconds).toFixed(0).padStart(8)} device-s/s${(sent.records / putSeconds).toFixed(0).padStart(8)} records/s`,
      );
      say(`${'put + delivered to handler'.padEnd(30)}${rate(deliveredSeconds).toFixed(0).padStart(8)} device-s/s`);
      say(
        `${'+ archived to S3 history/'.padEnd(30)}${rate(archivedSeconds).toFixed(0).padStart(8)} device-s/s (${pipeline.archiver?.stats.objectsWritten ?? 0} objects)`,
      );
      return {
        devices: devicesCount,
        secondsPerDevice: seconds,
        fs: FS,
        records: sent.records,
        bytes: sent.bytes,
        putDeviceSecondsPerSecond: rate(putSeconds),
        deliveredDeviceSecondsPerSecond: rate(deliveredSeconds),
        archivedDeviceSecondsPerSecond: rate(archivedSeconds),
        ticksPerRequest: TICKS_PER_REQUEST,
        invocations: pipeline.poller.stats.invocations,
      };
    } finally {
      await pipeline.stop();
    }
  },
};
export default suite;
