// Issue 13 through the local stack (emulators, the event-source poller, the real detect handler,
// the signal-lost sweep on its timer, alerts read from an SQS queue subscribed to the topic):
// a device whose lead goes flat, a device that stops sending, an atrial fibrillation stretch.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectHandler } from '../../functions/detect';
import { seedModel } from '../../src/aws/model-store';
import { cutWireRecord } from '../../src/contract/wire-records';
import type { AnyAlertMessage, EpisodeAlertMessage } from '../../src/detect/ports';
import { isEpisodeAlert } from '../../src/detect/alert-message';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { simulateDevices } from '../../src/local/device-simulator';
import { startLocalPipeline, type LocalPipeline } from '../../src/local/local-pipeline';

const MODEL_TEXT = readFileSync(fileURLToPath(new URL('../../data/default-model/model.json', import.meta.url)), 'utf8');
const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));
const START = Date.UTC(2026, 10, 27, 9, 0, 0);
/**
 * signal-lost timing scaled down so the test waits seconds, not a minute: deadline 20 s, a sweep
 * every 5 s (declared once silent 15 s). The records of the other devices go in at full speed,
 * well inside that, so none of them looks silent while it streams.
 */
const ENV = { SIGNAL_LOST_SECONDS: '20', SIGNAL_LOST_CHECK_SECONDS: '5', LEARNING_SECONDS: '20' };

const rec100 = loadMitdbRecord(MITDB, '100');
const rec201 = loadMitdbRecord(MITDB, '201');
const fs = rec100.fs;
const part = (signal: Float32Array, fromS: number, toS: number) => signal.subarray(fromS * fs, toS * fs);
function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Record 100: 40 s, then 25 s exactly constant (an electrode off), then 25 s of signal again. */
const FLAT_FROM_S = 40;
const flat = concat(part(rec100.signal, 0, 40), new Float32Array(25 * fs).fill(rec100.signal[40 * fs]), part(rec100.signal, 40, 65));
/**
 * Record 201 (MIT-BIH annotations: normal sinus rhythm 1369-1597 s and 385-477 s, atrial
 * fibrillation 1597-1787 s): 60 s normal, 150 s of its atrial fibrillation, then 205 s normal.
 */
const AF_FROM_S = 60;
const AF_TO_S = 210;
const af = concat(
  part(rec201.signal, 1530, 1590),
  part(rec201.signal, 1600, 1750),
  part(rec201.signal, 385, 470),
  part(rec201.signal, 1380, 1500),
);

describe('technical and rhythm alerts through the local stack', () => {
  let pipeline: LocalPipeline;
  const topic: AnyAlertMessage[] = [];

  beforeAll(async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    pipeline = await startLocalPipeline({
      resources: { shardCount: 1 },
      archiver: false,
      env: ENV,
      prepare: ({ aws, resources }) =>
        seedModel(aws.s3, resources.bucket, MODEL_TEXT, { promotedAt: new Date(START) }).then(() => undefined),
      handler: ({ aws, lambdaEnv }, { signal }) =>
        createDetectHandler({ env: lambdaEnv, aws, signal, logger: new Logger({ logLevel: 'SILENT' }) }),
      onNotification: (body) => topic.push(JSON.parse(body) as AnyAlertMessage),
    });
  }, 60_000);

  afterAll(async () => {
    await pipeline?.stop();
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  });

  const of = (deviceId: string) => topic.filter((m) => m.deviceId === deviceId);
  const episodes = (deviceId: string, label: string) =>
    of(deviceId).filter((m): m is EpisodeAlertMessage => isEpisodeAlert(m) && (m.rhythm ?? m.reason) === label);
  const waitFor = async (what: () => boolean, timeoutMs: number) => {
    for (const end = Date.now() + timeoutMs; !what() && Date.now() < end;) await new Promise((r) => setTimeout(r, 250));
  };

  it('streams a flat lead, an AF stretch and a device that stops: one lead-off alert and no clinical one, AF onset and offset once each, signal-lost from the sweep', async () => {
    await simulateDevices({
      kinesis: pipeline.aws.kinesis,
      streamName: pipeline.resources.streamName,
      devices: [
        { deviceId: 'flat-lead', signal: flat, fs },
        { deviceId: 'af-201', signal: af, fs },
        { deviceId: 'stops', signal: part(rec100.signal, 100, 130), fs },
      ],
      speed: 'max',
      startTime: START,
      ticksPerRequest: 10,
    });
    await pipeline.drain(120_000);

    // The flat lead: one technical episode (onset and offset), lead-off, decided within 10 s; nothing clinical.
    await waitFor(() => episodes('flat-lead', 'lead-off').length >= 2 && episodes('af-201', 'AFIB').length >= 2, 20_000);
    const leadOff = episodes('flat-lead', 'lead-off');
    expect(leadOff.map((m) => [m.kind, m.phase, m.severity])).toEqual([
      ['technical', 'onset', 'warning'],
      ['technical', 'offset', 'warning'],
    ]);
    expect(leadOff[0].to - (START + FLAT_FROM_S * 1000)).toBeLessThanOrEqual(10_000);
    expect(of('flat-lead').filter((m) => m.kind === 'beat' || m.kind === 'rhythm' || m.kind === undefined)).toEqual([]);
    expect(of('flat-lead').filter((m) => isEpisodeAlert(m) && m.kind === 'technical' && m.reason !== 'signal-lost')).toHaveLength(2);

    // The AF stretch: one onset inside it, one offset after it.
    const afib = episodes('af-201', 'AFIB');
    expect(afib.map((m) => m.phase)).toEqual(['onset', 'offset']);
    expect(afib[0].to).toBeGreaterThan(START + AF_FROM_S * 1000);
    expect(afib[0].to).toBeLessThan(START + AF_TO_S * 1000);
    expect(afib[1].to).toBeGreaterThan(afib[0].to);
    expect(afib[1].to).toBeGreaterThanOrEqual(START + AF_TO_S * 1000 - 5000); // ends where the fibrillation ends
    expect(afib[1].id).toBe(`${afib[0].id}:offset`);

    // Every device has stopped now: each raises signal-lost once, whichever checker finds it (the
    // detector while other devices still send, or the sweep). af-201 stops last: no batch comes
    // after it, so its alert can only come from the sweep (its timer, over the arrivals the detect
    // handler persisted in dynalite).
    const lost = (id: string) => episodes(id, 'signal-lost');
    await waitFor(() => ['flat-lead', 'af-201', 'stops'].every((id) => lost(id).length >= 1), 60_000);
    for (const id of ['flat-lead', 'af-201', 'stops']) expect(lost(id).map((m) => [m.kind, m.phase])).toEqual([['technical', 'onset']]);
    const onset = lost('stops')[0];
    expect(onset.to - onset.from).toBeLessThanOrEqual(20_000 + 2_000); // the deadline, and a little for the timer and the topic

    // The device sends again: the detect handler ends the episode it finds in the table.
    const scratch = new Float32Array(fs + 1);
    const back = { deviceId: 'stops', signal: part(rec100.signal, 100, 140), fs };
    await pipeline.aws.kinesis.send(
      new PutRecordsCommand({
        StreamName: pipeline.resources.streamName,
        Records: [30, 31, 32].map((seq) => ({
          PartitionKey: 'stops',
          Data: Buffer.from(cutWireRecord(back, seq, START, 1, scratch).text),
        })),
      }),
    );
    await pipeline.drain(60_000);
    await waitFor(() => lost('stops').length >= 2, 20_000);
    expect(lost('stops').map((m) => [m.phase, m.id])).toEqual([
      ['onset', onset.id],
      ['offset', `${onset.id}:offset`],
    ]);
  }, 240_000);
});
