import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandModule } from '../command';
import { UsageError } from '../command';
import { intFlag, numberFlag, parseFlags, printJson, progress } from '../args';
import { renderDemoReport, type ReportDevice } from '../report/demo-report';
import { expectedBeats, percentile } from '../report/demo-audit';
import {
  type AlertMessage,
  type AnyAlertMessage,
  type EpisodeAlertMessage,
  isEpisodeAlert,
  type ScoredBeat,
  type AlertSnippet,
  alarmLimitsFromEnv,
} from '../../detect';
import type { RetrainSummary } from '../../retrain';
import { DEFAULT_MODEL_FILE } from '../../evaluate/default-model';
import { loadBeatModel } from '../../model';
import { alarmLimitVariables, artifactLead } from '../../contract';
import { listEcgFiles, readWfdbAnnotations, isBeatSymbol } from '../../ecg';
import { ECG_INPUT_FLAGS, ECG_INPUT_USAGE, readEcgInput } from '../ecg-input';
import { DEMO_RECORDS, listRecordFolder, recordLabel, type RecordFolder, type SkippedRecord } from '../../local/record-folder';
import { startConsoleServer } from '../../local/console-server';
import { describeModel } from '../../aws/model-info';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** An alert's snippet from the local bucket, or null when it is not there. */
async function readSnippetFromS3(s3: S3Client, bucket: string, key: string): Promise<AlertSnippet | null> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse(await (out.Body as { transformToString(): Promise<string> }).transformToString()) as AlertSnippet;
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return null;
    throw err;
  }
}

const BUNDLED = fileURLToPath(new URL('../../../data/mitdb', import.meta.url));

/** Default seconds of each record streamed: 5 minutes shows several alerts and keeps the demo short. */
export const DEFAULT_DEMO_SECONDS = 300;

/**
 * The demo's learning period: 60 s, not the product's 300 s (EC57), so that in a 5-minute stream
 * each device learns its profile and most of the stream is scored against it.
 */
export const DEMO_LEARNING_SECONDS = 60;

/** Training budget of the demo's retraining cycle: enough to fine-tune, short enough for a demo. */
export const DEMO_RETRAIN_BUDGET_S = 60;

const usage = [
  'usage: beatwatch demo [--records DIR] [--speed N|max] [--seconds S] [--model FILE] [--out FILE] [--port N] [--retrain] [--json]',
  '',
  'Starts the local stack (Kinesis, S3, SNS, SQS emulators), uploads the model and its pointer,',
  'runs the real detect handler behind a local event source mapping and a Firehose-like archiver,',
  'streams each recording as a device (1 s wire records), prints every alert as it',
  'arrives on the SNS topic (through an SQS subscriber), and writes an HTML report.',
  '',
  `  --records DIR  WFDB records (.hea/.dat/.atr), all of DIR (those in DIR/RECORDS if present), and every EDF/BDF and`,
  `                 CSV/TSV/text file of DIR; default: the bundled data/mitdb records ${DEMO_RECORDS.join(', ')}.`,
  '                 Each recording skipped (unlisted, unreadable, truncated) is named on stderr with the reason',
  ECG_INPUT_USAGE,
  '  --speed N|max  playback speed: N times real time, or max (default max)',
  `  --seconds S    seconds of each record to stream (default ${DEFAULT_DEMO_SECONDS}; 0 = all)`,
  '  --model FILE   model artifact (default: the shipped default model)',
  `  --learning-seconds S  each device's learning period (default ${DEMO_LEARNING_SECONDS} for the demo; the product's is 300)`,
  '  --out FILE     report path (default out/report.html)',
  "  --port N       port of the clinician's console on 127.0.0.1 (default: a free one). The console (devices,",
  "                 alerts, each alert's strip and explanation; development login) is served while the demo",
  '                 streams; in a terminal it stays up after the stream until Ctrl-C (not with --json or when',
  '                 not interactive)',
  '  --retrain      after the stream, run one retraining cycle over the archived history and show',
  `                 the promotion decision (time budget ${DEMO_RETRAIN_BUDGET_S} s)`,
  '  --json         print {devices, skipped, records, beats, anomalousBeats, alerts, rejected, lost, latencyMs:{p50,p95},',
  '                 learnedAt:{<device label>: seconds into the stream the device finished learning, or null}}',
  '                 (+ retrain:{decision, reason, fromVersion, toVersion, beatsUsed, seconds} with --retrain)',
  '',
  'Environment: the alarm limits of the rhythm rules, as the deployed detect function reads them',
  '(ASYSTOLE_SECONDS, BRADY_BPM, BRADY_BEATS, TACHY_BPM, TACHY_BEATS, VT_BPM, VT_RUN_BEATS,',
  'VT_CRITICAL_BEATS, VFL_SECONDS; unset: the defaults), e.g. ASYSTOLE_SECONDS=6 npm start.',
].join('\n');

/**
 * One readable line per rhythm or technical episode alert. An onset says when it was raised and
 * when the episode began; an offset, the episode's span. (An offset's end can be earlier than its
 * onset was raised: a short pattern is over by the time it is recognised.)
 *
 * @example
 * episodeLine(offsetMessage, new Map([['dev-1', '201 (AF)']]), start);
 * // 'RHYTHM warning  201 (AF) AFIB offset: the episode lasted 0:30-6:18 into the recording'
 */
export function episodeLine(e: EpisodeAlertMessage, labels: Map<string, string>, startTime: number): string {
  const into = (t: number) => {
    const s = Math.max(0, Math.round((t - startTime) / 1000));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  };
  const sev = e.severity === 'critical' ? 'CRITICAL' : 'warning ';
  const what = `${e.kind.toUpperCase()} ${sev} ${labels.get(e.deviceId) ?? e.deviceId} ${e.rhythm ?? e.reason}`;
  return e.phase === 'onset'
    ? `${what} onset raised at ${into(e.to)} into the recording (began ${into(e.from)})`
    : `${what} offset: the episode lasted ${into(e.from)}-${into(e.to)} into the recording`;
}

/** One readable line per alert: device, device-clock time (and offset into the recording), severity, beats, score vs threshold. */
function alertLine(a: AlertMessage, labels: Map<string, string>, startTime: number): string {
  const time = new Date(a.to).toISOString().slice(11, 19);
  const offset = Math.max(0, Math.round((a.to - startTime) / 1000));
  const into = `${Math.floor(offset / 60)}:${String(offset % 60).padStart(2, '0')}`;
  const sev = a.severity === 'critical' ? 'CRITICAL' : 'warning ';
  return `ALERT ${sev} ${labels.get(a.deviceId) ?? a.deviceId} at ${time} (${into} into the recording): ${a.anomalousBeats}/${a.windowBeats} beats anomalous, max score ${a.maxScore.toFixed(3)} vs threshold ${a.threshold.toFixed(3)}`;
}

/** `beatwatch demo`: the whole pipeline on one machine, with the real handler and emulators. */
const demo: CommandModule = {
  summary: 'run the local pipeline on the bundled sample streams',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      records: { type: 'string' },
      ...ECG_INPUT_FLAGS,
      speed: { type: 'string' },
      seconds: { type: 'string' },
      model: { type: 'string' },
      'learning-seconds': { type: 'string' },
      out: { type: 'string' },
      port: { type: 'string' },
      retrain: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const folder = values.records ?? BUNDLED;
    const speed: number | 'max' =
      values.speed === undefined || values.speed === 'max' ? 'max' : numberFlag(values.speed, 'speed', 1, 0.001, 1e6);
    const seconds = intFlag(values.seconds, 'seconds', DEFAULT_DEMO_SECONDS, 0, 1e7);
    const outFile = resolve(values.out ?? 'out/report.html');
    const listing: RecordFolder =
      values.records === undefined
        ? { records: DEMO_RECORDS.map((name) => ({ name, label: recordLabel(folder, name) })), skipped: [] }
        : withOtherFiles(folder, listRecordFolder(folder));
    const skipped: SkippedRecord[] = [...listing.skipped];
    const consolePort = intFlag(values.port, 'port', 0, 0, 65535);
    const interactive = !values.json && process.stdout.isTTY === true && process.stdin.isTTY === true;
    const learningSeconds = numberFlag(values['learning-seconds'], 'learning-seconds', DEMO_LEARNING_SECONDS, 0, 1e6);
    for (const s of listing.skipped) progress(`skipped record ${s.name}: ${s.reason}`);
    const modelText = readFileSync(values.model ?? DEFAULT_MODEL_FILE, 'utf8');
    const model = loadBeatModel(modelText);
    const modelLead = artifactLead(model.artifact);

    // The handler logs JSON and EMF to stdout in Lambda; here stdout is the demo's own output.
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    const [{ startLocalPipeline }, { seedModel }, { simulateDevices, pseudonymousDeviceId }, { createDetectHandler }, { Logger }] =
      await Promise.all([
        import('../../local/local-pipeline'),
        import('../../aws/model-store'),
        import('../../local/device-simulator'),
        import('../../../functions/detect'),
        import('@aws-lambda-powertools/logger'),
      ]);

    const devices = listing.records.flatMap(({ name, label }) => {
      // Any file readEcgFile reads; the lead by --lead, else MLII by name.
      let input: ReturnType<typeof readEcgInput>;
      try {
        input = readEcgInput(join(folder, name), values, modelLead);
      } catch (err) {
        if (err instanceof UsageError) throw err;
        skipped.push({ name, reason: `unreadable: ${(err as Error).message}` });
        progress(`skipped record ${name}: ${skipped.at(-1)!.reason}`);
        return [];
      }
      for (const w of input.recording.warnings) progress(`${label}: ${w}`);
      if (input.warning) progress(`${label}: ${input.warning}`);
      const { fs } = input.recording;
      const full = input.lead.samples;
      const signal = seconds > 0 ? full.subarray(0, Math.min(full.length, Math.round(seconds * fs))) : full;
      // The record's reference beat labels, for the report (a record without an .atr has none).
      let annotations: { sample: number; symbol: string }[] | undefined;
      try {
        const ann = readWfdbAnnotations(join(folder, `${name.replace(/\.(hea|dat)$/, '')}.atr`));
        annotations = ann.symbol
          .map((symbol, i) => ({ sample: ann.sample[i], symbol }))
          .filter((a) => isBeatSymbol(a.symbol) && a.sample < signal.length);
      } catch {
        annotations = undefined;
      }
      return [{ deviceId: pseudonymousDeviceId(label), label, signal, fs, annotations }];
    });
    if (devices.length === 0)
      throw new UsageError(
        `no recordings to stream in ${folder}${skipped.length > 0 ? ` (${skipped.length} skipped, reasons above)` : ' (no .hea, .edf, .bdf, .csv, .tsv or .txt files)'}`,
      );
    // Alarm limits set in the environment (ASYSTOLE_SECONDS, ...) reach the local detect function
    // as they would a deployed one; checked here, so a bad value stops the run before the stack starts.
    try {
      alarmLimitsFromEnv(process.env);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const alarmLimits = alarmLimitVariables(process.env);
    const labels = new Map(devices.map((d) => [d.deviceId, d.label]));
    const startTime = Date.now();
    const started = performance.now();

    progress(
      `beatwatch demo: ${devices.length} devices (${devices.map((d) => d.label).join(', ')})${skipped.length > 0 ? `, ${skipped.length} records skipped` : ''}, ${seconds > 0 ? `${seconds} s` : 'all'} of each, speed ${speed}`,
    );
    progress('starting the local stack (kinesis-local, fauxqs, dynalite)...');
    const beatsByDevice = new Map<string, ScoredBeat[]>(devices.map((d) => [d.deviceId, []]));
    const totals = { beats: 0, anomalousBeats: 0, rejected: 0, restarts: 0 };
    const latencies: number[] = [];
    const alerts: AlertMessage[] = [];
    const episodes: EpisodeAlertMessage[] = [];
    const pipeline = await startLocalPipeline({
      resources: { shardCount: 2 },
      mapping: { batchSize: 100 },
      archiver: { bufferIntervalMs: 5_000 },
      prepare: async ({ aws, resources }) => {
        const seeded = await seedModel(aws.s3, resources.bucket, modelText);
        progress(`model ${seeded.version} uploaded to s3://${resources.bucket}/${seeded.key} and promoted`);
      },
      handler: ({ aws, lambdaEnv }, { signal }) =>
        createDetectHandler({
          env: { ...lambdaEnv, ...alarmLimits, LEARNING_SECONDS: String(learningSeconds) },
          aws,
          signal,
          logger: new Logger({ logLevel: 'SILENT' }),
          onBatch: (r) => {
            for (const b of r.beats) beatsByDevice.get(b.deviceId)?.push(b);
            totals.beats += r.counts.beatsScored;
            totals.anomalousBeats += r.counts.anomalousBeats;
            totals.rejected += r.counts.rejected;
            totals.restarts += r.counts.segmenterRestarts;
          },
        }),
      onInvoke: (inv) => {
        if (inv.outcome !== 'error') latencies.push(inv.startedAt + inv.durationMs - inv.firstArrival);
      },
      onWarning: (m) => progress(`poller: ${m}`),
      // Alerts arrive on the SNS topic; an SQS queue subscribed to it stands in for a pager.
      onNotification: (message) => {
        const any = JSON.parse(message) as AnyAlertMessage;
        const line = isEpisodeAlert(any) ? episodeLine(any, labels, startTime) : alertLine(any, labels, startTime);
        if (isEpisodeAlert(any)) episodes.push(any);
        else alerts.push(any);
        if (!values.json) process.stdout.write(`${line}\n`);
        else progress(line);
      },
    });
    const { aws, resources: res } = pipeline;
    let consoleServer: Awaited<ReturnType<typeof startConsoleServer>> | undefined;
    try {
      // The clinician's console over the same emulators, while the demo streams.
      for (const d of devices) await pipeline.alertState.seen(d.deviceId, { lastSeen: startTime, phase: 'learning', label: d.label });
      consoleServer = await startConsoleServer({
        store: pipeline.alertState,
        readSnippet: (key) => readSnippetFromS3(aws.s3, res.bucket, key),
        readModel: () => describeModel(aws.s3, res.bucket),
        port: consolePort,
      });
      progress(`console: ${consoleServer.url} (development login)`);
      if (!values.json) process.stdout.write(`Console: ${consoleServer.url} (development login, local only)\n`);
      let lastProgress = 0;
      const sent = await simulateDevices({
        kinesis: aws.kinesis,
        streamName: res.streamName,
        devices,
        speed,
        startTime,
        onProgress: (p) => {
          if (p.elapsedMs - lastProgress < 2000) return;
          lastProgress = p.elapsedMs;
          progress(
            `  streamed ${p.signalSeconds} s of signal per device (${p.records} records), ${totals.beats} beats scored, ${alerts.length} alerts`,
          );
        },
      });
      progress(`all ${sent.records} records in the stream; waiting for the detector to catch up...`);
      await pipeline.poller.drain(120_000);
      await pipeline.archiver?.drain(30_000);
      await pipeline.settleNotifications();

      // `lost`: beats an offline segmenter finds in exactly what was sent, that the pipeline did not score.
      let lost = 0;
      for (const d of devices) {
        const scored = new Set((beatsByDevice.get(d.deviceId) ?? []).map((b) => b.t));
        for (const t of expectedBeats(d, startTime, model.segmenters)) if (!scored.has(t)) lost++;
      }
      let retrain: RetrainSummary | undefined;
      if (values.retrain) {
        progress(`retraining from the archived history (time budget ${DEMO_RETRAIN_BUDGET_S} s)...`);
        const [{ runRetrainCycle }, { retrainSummary }, { describeRetrain }] = await Promise.all([
          import('../../aws/retrain-ports'),
          import('../../retrain'),
          import('./retrain'),
        ]);
        const result = await runRetrainCycle({
          s3: aws.s3,
          bucket: res.bucket,
          days: 1,
          timeBudgetMs: DEMO_RETRAIN_BUDGET_S * 1000,
          // Labels given in the console during the run count (docs/ARCHITECTURE.md §3.9).
          alertState: pipeline.alertState,
          onProgress: (p) => progress(`  retrain [${p.phase}] ${p.message}`),
        });
        progress(`retrain: ${describeRetrain(result)}`);
        retrain = retrainSummary(result);
      }
      // When each device finished learning: its first beat scored against its own profile.
      const learnedAt: Record<string, number | null> = {};
      for (const d of devices) {
        const first = (beatsByDevice.get(d.deviceId) ?? []).filter((b) => b.phase === 'learned').sort((a, b) => a.t - b.t)[0];
        learnedAt[d.label] = first === undefined ? null : Math.round((first.t - startTime) / 1000);
      }
      const summary = {
        devices: devices.length,
        skipped: skipped.length,
        records: sent.records,
        beats: totals.beats,
        anomalousBeats: totals.anomalousBeats,
        alerts: alerts.length,
        episodeAlerts: episodes.length,
        rejected: totals.rejected,
        lost,
        latencyMs: { p50: Math.round(percentile(latencies, 0.5)), p95: Math.round(percentile(latencies, 0.95)) },
        learnedAt,
        ...(retrain ? { retrain } : {}),
      };
      const reportDevices: ReportDevice[] = devices.map((d) => ({
        deviceId: d.deviceId,
        label: d.label,
        fs: d.fs,
        signal: d.signal,
        startTime,
        beats: (beatsByDevice.get(d.deviceId) ?? []).sort((a, b) => a.t - b.t),
        alerts: alerts.filter((a) => a.deviceId === d.deviceId).sort((a, b) => a.from - b.from),
        ...(d.annotations
          ? { annotations: d.annotations.map((a) => ({ t: startTime + Math.round((a.sample * 1000) / d.fs), symbol: a.symbol })) }
          : {}),
        episodes: episodes.filter((e) => e.deviceId === d.deviceId).sort((a, b) => a.to - b.to),
      }));
      mkdirSync(dirname(outFile), { recursive: true });
      writeFileSync(
        outFile,
        renderDemoReport({
          title: 'beatwatch demo',
          generatedAt: new Date().toISOString(),
          modelVersion: model.version,
          summary,
          devices: reportDevices,
        }),
      );
      const wall = (performance.now() - started) / 1000;
      progress(
        `done in ${wall.toFixed(1)} s: ${summary.beats} beats scored, ${summary.anomalousBeats} anomalous, ${summary.alerts} alerts, ${summary.rejected} rejected, lost ${summary.lost}; history objects ${pipeline.archiver?.keys.length ?? 0}`,
      );
      progress(`report: ${outFile}`);
      if (values.json) printJson(summary);
      else {
        const perDevice = devices.map((d) => `${d.label}: ${alerts.filter((a) => a.deviceId === d.deviceId).length}`).join(', ');
        const learning = devices
          .map((d) => `${d.label} ${learnedAt[d.label] === null ? 'still learning' : `learned at ${learnedAt[d.label]} s`}`)
          .join(', ');
        process.stdout.write(`\nLearning period ${learningSeconds} s: ${learning}.`);
        process.stdout.write(
          `\n${summary.alerts} alerts (${perDevice}); ${summary.beats} beats scored, ${summary.anomalousBeats} above the threshold; lost ${summary.lost}.\nReport: ${outFile}\n`,
        );
      }
      if (interactive && consoleServer) {
        process.stdout.write(`\nThe console stays up at ${consoleServer.url} until Ctrl-C.\n`);
        await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
      }
      return lost === 0 ? 0 : 1;
    } finally {
      await consoleServer?.stop();
      await pipeline.stop();
    }
  },
};
export default demo;

/** The WFDB listing plus the folder's EDF/BDF and CSV files (`listEcgFiles`), each one recording. */
function withOtherFiles(folder: string, wfdb: RecordFolder): RecordFolder {
  const others = listEcgFiles(folder)
    .map((path) => basename(path))
    .filter((name) => /\.(edf|bdf|csv|tsv|txt)$/i.test(name));
  return { records: [...wfdb.records, ...others.map((name) => ({ name, label: recordLabel(folder, name) }))], skipped: wfdb.skipped };
}
