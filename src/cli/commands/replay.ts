import path from 'node:path';
import { createAwsClients } from '../../aws/clients';
import { DEVICE_ID_PATTERN, MAX_DEVICE_ID_LENGTH } from '../../contract/wire-validate';
import { readWfdbRecord } from '../../ecg/wfdb-record';
import { pseudonymousDeviceId, simulateDevices } from '../../local/device-simulator';
import { intFlag, numberFlag, parseFlags, printJson, progress } from '../args';
import type { CommandModule } from '../command';
import { UsageError } from '../command';

const usage = `usage: beatwatch replay --record PATH --stream NAME [--endpoint URL] [--region R]
                        [--device-id ID] [--speed N|max] [--lead I] [--seconds S] [--json]

Streams a WFDB recording (e.g. data/mitdb/208) into a Kinesis stream as one device: 1 s wire
records (seq from 0, t0 from now), PutRecords in batches, throttled records retried.

  --record PATH    WFDB record path without extension
  --stream NAME    Kinesis stream name
  --endpoint URL   Kinesis endpoint (a local emulator); default: AWS (or AWS_ENDPOINT_URL_KINESIS)
  --region R       AWS region (default: the SDK's, us-east-1 against an emulator)
  --device-id ID   device id to send as (default: a pseudonymous id derived from the record name)
  --speed N|max    playback speed, 1 = real time (default 1)
  --lead I         signal index in the record (default 0, MLII in MIT-BIH)
  --seconds S      stop after S seconds of signal (default: the whole record)
  --json           print one JSON object with the counts on stdout`;

/** Seconds between progress lines on stderr. */
const PROGRESS_EVERY_MS = 2000;

/** `beatwatch replay`: a recording into a Kinesis stream, as a device would send it. */
const replay: CommandModule = {
  summary: 'stream a WFDB recording into a Kinesis stream (local or AWS) as a device',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      record: { type: 'string' },
      stream: { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      'device-id': { type: 'string' },
      speed: { type: 'string' },
      lead: { type: 'string' },
      seconds: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.record === undefined) throw new UsageError('--record is required');
    if (values.stream === undefined) throw new UsageError('--stream is required');
    const speed = values.speed === 'max' ? 'max' : numberFlag(values.speed, 'speed', 1, 1e-3, 1e6);
    const lead = intFlag(values.lead, 'lead', 0, 0);
    const seconds = values.seconds === undefined ? undefined : numberFlag(values.seconds, 'seconds', 0, 1e-3);
    const deviceId = values['device-id'] ?? pseudonymousDeviceId(path.basename(values.record));
    if (deviceId.length > MAX_DEVICE_ID_LENGTH || !DEVICE_ID_PATTERN.test(deviceId)) {
      throw new UsageError(`--device-id must be 1-${MAX_DEVICE_ID_LENGTH} characters of [A-Za-z0-9._:-]`);
    }

    const record = readWfdbRecord(values.record);
    const signal = record.signals[lead];
    if (signal === undefined) throw new UsageError(`--lead ${lead}: the record has ${record.signals.length} signals`);
    if (signal.units !== 'mV') throw new Error(`${values.record}: signal ${lead} is in ${signal.units}, the wire format needs mV`);

    const aws = createAwsClients({
      ...(values.region === undefined ? {} : { region: values.region }),
      ...(values.endpoint === undefined ? {} : { endpoint: { kinesis: values.endpoint } }),
    });
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    let lastProgress = 0;
    progress(
      `replay: ${record.name} (${signal.lead}, ${record.fs} Hz, ${(record.length / record.fs).toFixed(0)} s) → ${values.stream} as ${deviceId} at ${speed === 'max' ? 'max speed' : `${speed}x`}`,
    );
    try {
      const stats = await simulateDevices({
        kinesis: aws.kinesis,
        streamName: values.stream,
        devices: [{ deviceId, signal: signal.samples, fs: record.fs }],
        speed,
        ...(seconds === undefined ? {} : { seconds }),
        signal: controller.signal,
        onRetry: (r) => progress(`replay: retrying ${r.failed} records (${r.reason}), attempt ${r.attempt}`),
        onProgress: (p) => {
          if (p.elapsedMs - lastProgress < PROGRESS_EVERY_MS) return;
          lastProgress = p.elapsedMs;
          progress(`replay: ${p.records} records, ${p.signalSeconds.toFixed(0)} s of signal in ${(p.elapsedMs / 1000).toFixed(1)} s`);
        },
      });
      const summary = { deviceId, stream: values.stream, ...stats };
      if (values.json) printJson(summary);
      else
        process.stdout.write(
          `replayed ${stats.records} records (${stats.deviceSeconds.toFixed(0)} s of signal, ${(stats.bytes / 1024).toFixed(0)} KiB) as ${deviceId} in ${(stats.elapsedMs / 1000).toFixed(1)} s${stats.aborted ? ' (interrupted)' : ''}\n`,
        );
      return stats.aborted ? 130 : 0;
    } finally {
      process.off('SIGINT', onSignal);
      aws.destroy();
    }
  },
};
export default replay;
