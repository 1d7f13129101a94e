import { describe, expect, it } from 'vitest';
import { loadMitdbRecord } from '../../src/ecg/mitdb';
import { ecgResample } from '../../src/ecg/resample';
import { decodeWireRecord } from '../../src/contract/wire';
import { cutWireRecord, recordCount } from '../../src/contract/wire-records';
import { OFF_ADAPTER } from '../../src/detect/adapters';
import { isEpisodeAlert } from '../../src/detect/alert-message';
import type { AlertMessage, DetectSinks, EpisodeAlertMessage } from '../../src/detect/ports';
import { Detector } from '../../src/detect/process-batch';
import { defaultModelFor } from '../../src/evaluate/default-model';
import { EVAL_EPOCH, runRecordThroughDetector } from '../../src/evaluate/mitdb-product';

const FS = 360;
const record = loadMitdbRecord('data/mitdb', '100');
const model = defaultModelFor('100').model;
const ms = (sample: number) => EVAL_EPOCH + (sample * 1000) / FS;

async function run(signal: Float32Array) {
  return runRecordThroughDetector({ deviceId: 'dev', signal, fs: FS }, model, { adaptation: OFF_ADAPTER, learningSeconds: 0 });
}

const onsets = (episodes: EpisodeAlertMessage[], label: string) =>
  episodes.filter((e) => e.phase === 'onset' && (e.rhythm ?? e.reason) === label);

/** A quiet baseline: slow drift plus small noise at MIT-BIH's 5 µV step (not constant: a heart stopped, leads on). */
function pause(seconds: number, level: number): Float32Array {
  const out = new Float32Array(seconds * FS);
  let seed = 7;
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const noise = (seed / 2 ** 31 - 0.5) * 0.03;
    out[i] = Math.round((level + 0.05 * Math.sin((2 * Math.PI * 0.3 * i) / FS) + noise) * 200) / 200;
  }
  return out;
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('rhythm episodes on real records', () => {
  it('asystole: a 7 s pause cut into record 100 raises ASYSTOLE within 2 s of 4 s without a QRS, then its offset', async () => {
    const cut = 60 * FS;
    const lastBeat = [...record.beatSamples].filter((s) => s < cut).at(-1) as number;
    const signal = concat(record.signal.subarray(0, cut), pause(7, record.signal[cut]), record.signal.subarray(cut, 120 * FS));
    const { episodes, alerts } = await run(signal);
    const asystole = onsets(episodes, 'ASYSTOLE');
    expect(asystole).toHaveLength(1);
    expect(asystole[0].severity).toBe('critical');
    const met = ms(lastBeat) + 4000;
    expect(asystole[0].to - met).toBeGreaterThanOrEqual(-150);
    expect(asystole[0].to - met).toBeLessThanOrEqual(2000);
    expect(episodes.filter((e) => e.rhythm === 'ASYSTOLE' && e.phase === 'offset')).toHaveLength(1);
    expect(episodes.filter((e) => e.kind === 'technical')).toEqual([]);
    void alerts;
  });

  it('extreme bradycardia: record 100 slowed 2.2x raises BRADY within 2 s of the 5th interval below 40 bpm', async () => {
    const slow = ecgResample(record.signal.subarray(30 * FS, 90 * FS), FS, FS * 2.2); // played at 360 Hz: 2.2x slower
    const signal = concat(record.signal.subarray(0, 30 * FS), slow);
    const { episodes } = await run(signal);
    const brady = onsets(episodes, 'BRADY');
    expect(brady.length).toBeGreaterThanOrEqual(1);
    // Beats of the slowed part, in the new time base; the 6th closes the 5th slow interval.
    const beats = [...record.beatSamples].filter((s) => s >= 30 * FS && s < 90 * FS).map((s) => 30 * FS + (s - 30 * FS) * 2.2);
    const met = ms(beats[5]);
    expect(brady[0].to - met).toBeLessThanOrEqual(2000);
    expect(brady[0].to).toBeGreaterThanOrEqual(met - 1000);
    expect(brady[0].severity).toBe('critical');
  });

  it('extreme tachycardia: record 100 sped up 2.2x raises TACHY within 2 s of the 17th interval above 140 bpm', async () => {
    const fast = ecgResample(record.signal.subarray(30 * FS, 150 * FS), FS, FS / 2.2);
    const signal = concat(record.signal.subarray(0, 30 * FS), fast);
    const { episodes } = await run(signal);
    const tachy = onsets(episodes, 'TACHY');
    expect(tachy.length).toBeGreaterThanOrEqual(1);
    const beats = [...record.beatSamples].filter((s) => s >= 30 * FS && s < 150 * FS).map((s) => 30 * FS + (s - 30 * FS) / 2.2);
    const met = ms(beats[17]);
    expect(tachy[0].to - met).toBeLessThanOrEqual(2000);
    expect(tachy[0].severity).toBe('critical');
  });

  it('lead-off: an exactly constant stretch raises one technical lead-off alert (onset and offset), no asystole, no clinical alert inside', async () => {
    const cut = 60 * FS;
    const flat = new Float32Array(20 * FS).fill(record.signal[cut]);
    const signal = concat(record.signal.subarray(0, cut), flat, record.signal.subarray(cut, 120 * FS));
    const { episodes, alerts } = await run(signal);
    const technical = episodes.filter((e) => e.kind === 'technical');
    expect(technical.map((e) => [e.reason, e.phase])).toEqual([
      ['lead-off', 'onset'],
      ['lead-off', 'offset'],
    ]);
    expect(technical[0].to - ms(cut)).toBeLessThanOrEqual(10_000);
    expect(episodes.filter((e) => e.kind === 'rhythm')).toEqual([]);
    expect(alerts.filter((a) => a.to >= ms(cut) && a.from <= ms(cut + flat.length))).toEqual([]);
  });

  it('episode alerts are recorded in the alert state store before they are published; a failed record rolls the device back', async () => {
    const cut = 60 * FS;
    const flat = new Float32Array(20 * FS).fill(record.signal[cut]);
    const signal = concat(record.signal.subarray(0, cut), flat, record.signal.subarray(cut, 100 * FS));
    const order: string[] = [];
    let failRecord = 1;
    const sinks: DetectSinks = {
      quarantine: async () => {},
      putSnippet: async () => {},
      publishAlert: async (m) => void (isEpisodeAlert(m) && order.push(`publish ${m.id}`)),
      recordEpisode: async (m) => {
        if (failRecord-- > 0) throw new Error('table down');
        order.push(`record ${m.id}`);
      },
    };
    const detector = new Detector(sinks, decodeWireRecord, { adaptation: OFF_ADAPTER, learningSeconds: 0 });
    const device = { deviceId: 'dev', signal, fs: FS };
    const scratch = new Float32Array(FS + 1);
    let failed = 0;
    for (let seq = 0; seq < recordCount(signal.length, FS, 1); seq++) {
      const r = await detector.processBatch(
        [{ id: String(seq), data: Buffer.from(cutWireRecord(device, seq, EVAL_EPOCH, 1, scratch).text), arrivedAt: EVAL_EPOCH }],
        model,
      );
      if (r.failedRecordIds.length > 0) {
        failed++;
        seq--; // the event source mapping retries the record
      }
    }
    expect(failed).toBe(1);
    const onset = order.find((o) => o.startsWith('record') && o.includes('lead-off')) as string;
    expect(order).toEqual([onset, onset.replace('record', 'publish'), `${onset}:offset`, `${onset.replace('record', 'publish')}:offset`]);
  });

  it('a saturated stretch raises a technical saturation alert, not asystole', async () => {
    const cut = 60 * FS;
    const part = record.signal.subarray(cut, cut + 20 * FS);
    const sorted = Float32Array.from(part).sort();
    const rail = sorted[Math.floor(0.4 * sorted.length)];
    const signal = concat(
      record.signal.subarray(0, cut),
      part.map((v) => Math.min(v, rail)),
      record.signal.subarray(cut + 20 * FS, 120 * FS),
    );
    const { episodes } = await run(signal);
    expect(onsets(episodes, 'saturation')).toHaveLength(1);
    expect(onsets(episodes, 'ASYSTOLE')).toEqual([]);
  });
});

describe('signal-lost', () => {
  it('a device that stops sending raises signal-lost within the configured time and clears it when data returns', async () => {
    const published: (AlertMessage | EpisodeAlertMessage)[] = [];
    const sinks: DetectSinks = {
      quarantine: async () => {},
      putSnippet: async () => {},
      publishAlert: async (m) => void published.push(m),
    };
    const detector = new Detector(sinks, decodeWireRecord, { adaptation: OFF_ADAPTER, learningSeconds: 0, signalLostSeconds: 30 });
    const device = { deviceId: 'dev', signal: record.signal.subarray(0, 20 * FS), fs: FS };
    const scratch = new Float32Array(FS + 1);
    const send = (seq: number, arrivedAt: number) =>
      detector.processBatch(
        [{ id: String(seq), data: Buffer.from(cutWireRecord(device, seq, EVAL_EPOCH, 1, scratch).text), arrivedAt }],
        model,
      );
    for (let seq = 0; seq < 10; seq++) await send(seq, 1_000_000 + seq * 1000);
    // Deadline 30 s, checks every 10 s: declared once silent 20 s, so the alert is out by 30 s.
    expect(await detector.sweep(1_000_000 + 9000 + 19_999)).toEqual([]);
    const lost = await detector.sweep(1_000_000 + 9000 + 20_000);
    expect(lost.map((m) => [m.kind, m.reason, m.phase, m.id])).toEqual([['technical', 'signal-lost', 'onset', 'dev:signal-lost:1009000']]);
    expect(await detector.sweep(1_000_000 + 9000 + 90_000)).toEqual([]); // raised once
    const back = await send(10, 1_200_000);
    expect(back.episodes.map((m) => [m.reason, m.phase])).toEqual([['signal-lost', 'offset']]);
    expect(published.filter(isEpisodeAlert).filter((m) => m.reason === 'signal-lost')).toHaveLength(2);
    void recordCount;
  });
});
