/**
 * The console in a real browser: Debian's Chromium driven by playwright-core (no browser
 * download), over the local stack fed with bundled record 119. The page is opened before the
 * stream starts, so the alert has to appear by polling; rhythm alerts are listed beside beat
 * alerts and the kind filter keeps only the chosen kind; the alert view must have DRAWN the strip
 * and the overlay (SVG path data checked); a false-alarm label must be stored; and a retraining
 * run over the archived history must report the label used and the device's threshold changed.
 * Set BEATWATCH_SCREENSHOTS=<folder> to save the screenshots the README shows.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectHandler } from '../../functions/detect';
import { seedModel } from '../../src/aws/model-store';
import { runRetrainCycle } from '../../src/aws/retrain-ports';
import type { AlertSnippet } from '../../src/detect/ports';
import { readWfdbRecord } from '../../src/ecg/wfdb-record';
import { startConsoleServer, type ConsoleServer } from '../../src/local/console-server';
import { simulateDevices } from '../../src/local/device-simulator';
import { startLocalPipeline, type LocalPipeline } from '../../src/local/local-pipeline';

const MODEL_TEXT = readFileSync(fileURLToPath(new URL('../../data/default-model/model.json', import.meta.url)), 'utf8');
const MITDB = fileURLToPath(new URL('../../data/mitdb', import.meta.url));
/** Debian's package path; another Chromium can be named by CHROMIUM_PATH. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.BEATWATCH_SCREENSHOTS;
const SECONDS = 150;

describe('the clinician console in Chromium', () => {
  let pipeline: LocalPipeline;
  let server: ConsoleServer;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`no Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH`);
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    pipeline = await startLocalPipeline({
      resources: { shardCount: 1 },
      // The history retraining reads (flushed by drain before it runs).
      archiver: { bufferIntervalMs: 5_000 },
      mapping: { batchSize: 100 },
      prepare: async ({ aws, resources }) => void (await seedModel(aws.s3, resources.bucket, MODEL_TEXT)),
      handler: ({ aws, lambdaEnv }, { signal }) =>
        createDetectHandler({ env: { ...lambdaEnv, LEARNING_SECONDS: '30' }, aws, signal, logger: new Logger({ logLevel: 'SILENT' }) }),
    });
    const { s3 } = pipeline.aws;
    const bucket = pipeline.resources.bucket;
    server = await startConsoleServer({
      store: pipeline.alertState,
      readSnippet: async (key) => {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return JSON.parse(await (out.Body as { transformToString(): Promise<string> }).transformToString()) as AlertSnippet;
      },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await pipeline?.stop();
    delete process.env.POWERTOOLS_METRICS_DISABLED;
  });

  it('shows alerts as they arrive (filtered by kind), draws the strip and overlay, stores a false-alarm label that retraining then learns from', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(server.url);
    await expect.poll(() => page.locator('#devbanner').isVisible()).toBe(true);
    await page.fill('input[name=name]', 'dr test');
    await page.click('button[type=submit]');
    await page.waitForSelector('#alerts');
    expect(await page.locator('tr.alert-row').count()).toBe(0);

    const rec = readWfdbRecord(`${MITDB}/119`);
    await pipeline.alertState.seen('mitdb-119', { lastSeen: Date.now() - 1000, phase: 'learning', label: 'mitdb/119' });
    await simulateDevices({
      kinesis: pipeline.aws.kinesis,
      streamName: pipeline.resources.streamName,
      devices: [{ deviceId: 'mitdb-119', signal: rec.signals[0].samples.subarray(0, SECONDS * rec.fs), fs: rec.fs }],
      speed: 'max',
      startTime: Date.now(),
      ticksPerRequest: 20,
    });
    // Polling brings the alert in without a reload.
    await page.waitForSelector('tr.alert-row', { timeout: 120_000 });
    expect(await page.locator('#devices td').first().textContent()).toBe('mitdb/119');
    await pipeline.drain(120_000);
    await page.waitForTimeout(2500);
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });

    // Rhythm episodes (119's ventricular bigeminy and trigeminy) are listed beside beat alerts,
    // and the kind filter keeps only the kind chosen.
    const kinds = async () => page.locator('tr.alert-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.kind));
    const all = await kinds();
    expect(all).toContain('beat');
    expect(all).toContain('rhythm');
    expect(await page.locator('tr.alert-row[data-kind=rhythm] td.what').first().textContent()).toMatch(/bigeminy|trigeminy/i);
    await page.selectOption('select[name=kind]', 'rhythm');
    await expect.poll(kinds).toEqual(all.filter((k) => k === 'rhythm'));
    await page.selectOption('select[name=kind]', 'beat');
    await expect.poll(kinds).toEqual(all.filter((k) => k === 'beat'));
    if (SHOTS) {
      await page.selectOption('select[name=kind]', '');
      await expect.poll(kinds).toEqual(all);
      await page.waitForTimeout(2500);
      await page.screenshot({ path: join(SHOTS, 'console-list.png') });
      await page.selectOption('select[name=kind]', 'beat');
      await expect.poll(kinds).toEqual(all.filter((k) => k === 'beat'));
    }

    // Open the oldest beat alert raised after learning (the list is newest first).
    const row = page.locator('tr.alert-row[data-kind=beat]:not(:has(.pill.learning))').last();
    const id = (await row.getAttribute('data-id')) as string;
    await row.locator('a').click();
    await page.waitForSelector('#strip svg.ecg-strip');

    // The strip is drawn: a trace of at least 10 s of samples (one path vertex per sample) on the grid.
    const trace = (await page.locator('#strip path.ecg-trace').getAttribute('d')) as string;
    const vertices = (trace.match(/[ML]/g) ?? []).length;
    expect(vertices).toBeGreaterThanOrEqual(10 * rec.fs);
    const box = await page.locator('#strip svg.ecg-strip').boundingBox();
    expect(box?.width).toBeGreaterThan(1000); // 25 mm/s at 4 px/mm: 100 px per second
    expect(await page.locator('#strip .beat-mark').count()).toBeGreaterThan(10);
    expect(await page.locator('#strip .beat-mark.anomalous').count()).toBeGreaterThan(0);
    // The overlay is drawn: the flagged beat and the model's reconstruction, 64 samples each.
    for (const cls of ['beat', 'reconstruction']) {
      const d = (await page.locator(`#overlay path.${cls}`).getAttribute('d')) as string;
      expect((d.match(/[ML]/g) ?? []).length).toBe(64);
    }
    expect(await page.locator('#overlay .error-bars rect').count()).toBe(64);
    expect(await page.locator('#tachogram circle').count()).toBeGreaterThan(10);
    expect((await page.locator('#explanation').textContent())?.length).toBeGreaterThan(20);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'console-alert.png'), fullPage: true });

    // Label it a false alarm: shown on the page and stored in the table.
    await page.fill('#note', 'lead motion');
    await page.click('#label-false');
    await page.waitForSelector('#status:has-text("False alarm")');
    const stored = await pipeline.alertState.getAlert(id);
    expect(stored.label).toMatchObject({ value: false, note: 'lead motion', by: 'dr test (dev login)' });
    expect(stored.status).toBe('acknowledged');

    // A retraining run over that history learns from the label: it reports the label used and
    // the device's threshold raised above the false alarm's beats (stored where the detector reads it).
    await pipeline.archiver?.drain(60_000);
    const retrained = await runRetrainCycle({
      s3: pipeline.aws.s3,
      bucket: pipeline.resources.bucket,
      days: 1,
      timeBudgetMs: 20_000,
      alertState: pipeline.alertState,
    });
    expect(retrained.history.records).toBeGreaterThan(0);
    expect(retrained.labels).toMatchObject({ used: 1, falseAlarms: { alerts: 1 }, truePositives: { alerts: 0 }, devicesChanged: 1 });
    expect(retrained.labels?.historyBeatsLeftOut).toBe(retrained.labels?.falseAlarms.beats);
    const device = retrained.labels?.devices.find((d) => d.deviceId === 'mitdb-119');
    expect(device?.threshold.before).toBe(1);
    expect(device?.threshold.after).toBeGreaterThan(1);
    expect(device?.stored).toEqual({ table: true, profile: true });
    expect((await pipeline.alertState.getDevice('mitdb-119')).labels?.threshold).toBe(device?.threshold.after);
    // The console shows the device's new threshold.
    await page.goto(server.url);
    await expect
      .poll(() => page.locator('#devices .pill.labelled').getAttribute('data-threshold'), { timeout: 10_000 })
      .toBe(String(device?.threshold.after));

    if (SHOTS) {
      const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2 });
      await phone.goto(server.url);
      await phone.fill('input[name=name]', 'dr test');
      await phone.click('button[type=submit]');
      await phone.waitForSelector('tr.alert-row');
      await phone.goto(`${server.url}#/alert/${encodeURIComponent(id)}`);
      await phone.waitForSelector('#strip svg.ecg-strip');
      await phone.screenshot({ path: join(SHOTS, 'console-phone.png') });
    }
  }, 300_000);
});
