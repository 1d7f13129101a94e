import path from 'node:path';
import { createAwsClients } from '../../aws/clients';
import { DEVICE_ID_PATTERN, MAX_DEVICE_ID_LENGTH } from '../../contract';
import { pseudonymousDeviceId } from '../../local/device-simulator';
import { EcgProducer, EndpointUnreachableError, leadBits, leadGain } from '../../producer';
import { choiceFlag, numberFlag, parseFlags, printJson, progress } from '../args';
import type { CommandModule } from '../command';
import { UsageError } from '../command';
import { ECG_INPUT_FLAGS, ECG_INPUT_USAGE, readEcgInput } from '../ecg-input';

const usage = `usage: beatwatch replay --record PATH --stream NAME [--endpoint URL] [--region R]
                        [--device-id ID] [--speed N|max] [--lead NAME|I] [--seconds S]
                        [--format v1|v2] [--seconds-per-record N] [--fs HZ] [--unit U] [--gain G] [--json]

Streams an ECG recording (WFDB record, EDF/EDF+/BDF, CSV) into a Kinesis stream as one device,
through the producer library: records of N seconds (seq from 0, t0 from now), PutRecords in
batches, throttled records retried with back-off, each record at most once per retry round.

  --record PATH            WFDB record (data/mitdb/208, or its .hea), .edf/.bdf, or .csv/.tsv/.txt
  --stream NAME            Kinesis stream name
  --endpoint URL           Kinesis endpoint (a local emulator); default: AWS (or AWS_ENDPOINT_URL_KINESIS)
  --region R               AWS region (default: the SDK's, us-east-1 against an emulator)
  --device-id ID           device id to send as (default: a pseudonymous id derived from the file name)
  --speed N|max            playback speed, 1 = real time (default 1)
  --seconds S              stop after S seconds of signal (default: the whole record)
  --format v1|v2           wire format (default v2: every lead, lossless; v1: the chosen lead as JSON)
  --seconds-per-record N   seconds of signal per record (default 1; longer costs less, alerts later)
${ECG_INPUT_USAGE}
                           (v2 sends every lead unless --lead names one)
  --json                   print one JSON object with the counts on stdout`;

/** Seconds between progress lines on stderr. */
const PROGRESS_EVERY_MS = 2000;

/** `beatwatch replay`: a recording into a Kinesis stream, as a device would send it. */
const replay: CommandModule = {
  summary: 'stream an ECG recording (WFDB, EDF, CSV) into a Kinesis stream (local or AWS) as a device',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      record: { type: 'string' },
      stream: { type: 'string' },
      endpoint: { type: 'string' },
      region: { type: 'string' },
      'device-id': { type: 'string' },
      speed: { type: 'string' },
      seconds: { type: 'string' },
      format: { type: 'string' },
      'seconds-per-record': { type: 'string' },
      ...ECG_INPUT_FLAGS,
      json: { type: 'boolean' },
    });
    if (values.record === undefined) throw new UsageError('--record is required');
    if (values.stream === undefined) throw new UsageError('--stream is required');
    const speed = values.speed === 'max' ? 'max' : numberFlag(values.speed, 'speed', 1, 1e-3, 1e6);
    const seconds = values.seconds === undefined ? undefined : numberFlag(values.seconds, 'seconds', 0, 1e-3);
    const format = choiceFlag(values.format, 'format', ['v1', 'v2'] as const, 'v2');
    const perRecord = numberFlag(values['seconds-per-record'], 'seconds-per-record', 1, 0.01, 60);
    const recordName = path.basename(values.record).replace(/\.(hea|dat|atr)$/i, '');
    const deviceId = values['device-id'] ?? pseudonymousDeviceId(recordName);
    if (deviceId.length > MAX_DEVICE_ID_LENGTH || !DEVICE_ID_PATTERN.test(deviceId)) {
      throw new UsageError(`--device-id must be 1-${MAX_DEVICE_ID_LENGTH} characters of [A-Za-z0-9._:-]`);
    }

    const input = readEcgInput(values.record, values);
    const { recording } = input;
    for (const w of recording.warnings) progress(`replay: ${w}`);
    if (input.warning) progress(`replay: ${input.warning}`);
    // v2 carries every lead (the detector picks MLII by name) unless one was asked for; v1 one.
    const leads = format === 'v2' && values.lead === undefined ? recording.leads : [input.lead];
    const fs = recording.fs;
    const total = leads[0].samples.length;
    const length = seconds === undefined ? total : Math.min(total, Math.round(seconds * fs));
    const leadSpecs = leads.map((l) => {
      const gain = leadGain(l, input.gain);
      return { name: l.name, gain, bits: leadBits(l.samples.subarray(0, length), gain) };
    });

    const aws = createAwsClients({
      ...(values.region === undefined ? {} : { region: values.region }),
      ...(values.endpoint === undefined ? {} : { endpoint: { kinesis: values.endpoint } }),
    });
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    const producer = new EcgProducer({
      kinesis: aws.kinesis,
      streamName: values.stream,
      format,
      secondsPerRecord: perRecord,
      onRetry: (r) => progress(`replay: retrying ${r.failed} records (${r.reason}), attempt ${r.attempt}`),
      // A wrong endpoint or a stopped emulator is not going to answer: say so at once.
      onUnreachable: 'throw',
    });
    const startTime = Date.now();
    producer.addDevice({ deviceId, fs, t0: startTime, leads: leadSpecs });
    progress(
      `replay: ${recordName} (${leads.map((l) => l.name).join(', ')}, ${fs} Hz, ${(length / fs).toFixed(0)} s) → ${values.stream} as ${deviceId}, ${format}, ${perRecord} s records, at ${speed === 'max' ? 'max speed' : `${speed}x`}`,
    );
    const started = performance.now();
    let aborted = false;
    try {
      // One record's worth of signal per step; in real time a record leaves once its last sample
      // has been "measured".
      const step = Math.max(1, Math.round(perRecord * fs));
      let lastProgress = 0;
      for (let at = 0; at < length; at += step) {
        if (controller.signal.aborted) {
          aborted = true;
          break;
        }
        const end = Math.min(length, at + step);
        if (speed !== 'max') {
          const wait = started + ((end / fs) * 1000) / speed - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        await producer.write(
          deviceId,
          leads.map((l) => l.samples.subarray(at, end)),
        );
        if (speed !== 'max') await producer.flush();
        const elapsed = performance.now() - started;
        if (elapsed - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = elapsed;
          progress(`replay: ${producer.stats.delivered} records, ${(end / fs).toFixed(0)} s of signal in ${(elapsed / 1000).toFixed(1)} s`);
        }
      }
      await producer.close();
      const s = producer.stats;
      const stats = {
        devices: 1,
        format,
        secondsPerRecord: perRecord,
        leads: leads.map((l) => l.name),
        records: s.delivered,
        bytes: s.bytes,
        requests: s.requests,
        retriedEntries: s.retriedEntries,
        throttledEntries: s.throttledEntries,
        deviceSeconds: length / fs,
        heldSamples: s.heldSamples,
        elapsedMs: Math.round(performance.now() - started),
        aborted,
      };
      const summary = { deviceId, stream: values.stream, ...stats };
      if (values.json) printJson(summary);
      else
        process.stdout.write(
          `replayed ${stats.records} ${format} records (${stats.deviceSeconds.toFixed(0)} s of signal, ${(stats.bytes / 1024).toFixed(0)} KiB) as ${deviceId} in ${(stats.elapsedMs / 1000).toFixed(1)} s${aborted ? ' (interrupted)' : ''}\n`,
        );
      return aborted ? 130 : 0;
    } catch (err) {
      if (!(err instanceof EndpointUnreachableError)) throw err;
      const where = aws.endpoints.kinesis ?? (err.address === undefined ? 'its AWS endpoint' : err.address);
      throw new Error(`cannot reach Kinesis at ${where}: ${err.reason}`, { cause: err });
    } finally {
      process.off('SIGINT', onSignal);
      aws.destroy();
    }
  },
};
export default replay;
