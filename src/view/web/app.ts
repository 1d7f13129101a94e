/// <reference lib="dom" />
/**
 * The clinician's console in the browser: devices, alerts (filters, newest first, polled so new
 * alerts appear without a reload), and an alert's own view (the strip on ECG paper, the flagged
 * beat against its reconstruction and the typical beat, the explanation in words, the RR
 * tachogram) with the actions acknowledge, label and snooze. No framework: a hash router and
 * template strings; the drawing is `src/view/ecg-paper.ts`, shared with the static report.
 */
import { beatOverlaySvg, ecgStripSvg, esc, OVERLAY_LEGEND, tachogramSvg } from '../ecg-paper';
import type { AlertItem, DeviceItem } from '../../aws/alert-state-store';
import type { ModelInfo } from '../../aws/model-info';
import type { AlertSnippet } from '../../detect';
import type { CognitoConsoleConfig, ConsoleConfig } from '../../contract';
import { authorizeUrl, codeChallenge, logoutUrl, randomToken, tokenRequest } from './cognito';

/** How often lists are refreshed (ms). */
const POLL_MS = 2000;
const TOKEN_KEY = 'beatwatch.token';
/** The PKCE verifier and `state` of a sign-in in progress (this tab only). */
const VERIFIER_KEY = 'beatwatch.pkce';
const STATE_KEY = 'beatwatch.state';

const $ = (sel: string) => document.querySelector(sel) as HTMLElement;
/** `local`: the development login; `cognito`: the hosted sign-in (`config.json`, src/contract/console-config.ts). */
let config: ConsoleConfig = { mode: 'local' };
let user = '';
let timer: number | undefined;
const seenAlerts = new Set<string>();
let firstLoad = true;

function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${config.mode === 'cognito' ? config.api : '/api'}/${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token() ?? ''}` },
  });
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    void render();
    throw new Error('signed out');
  }
  const body = (await res.json()) as T & { error?: string };
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

const clock = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 19);
const ago = (t: number) => {
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  return s < 90 ? `${s} s ago` : s < 5400 ? `${Math.round(s / 60)} min ago` : clock(t);
};

function deviceName(d: { deviceId: string; label?: string }): string {
  return d.label ? `${d.label}` : d.deviceId;
}

let devices: DeviceItem[] = [];

/** A beat alert's highest score over the device's threshold (1 unless labels raised it). */
const overThreshold = (a: AlertItem) => (a.maxScore ?? 0) / (a.threshold && a.threshold > 0 ? a.threshold : 1);

/** What an alert is about, in a few words: the beat kind and score, or the rhythm or technical reason and whether it ended. */
function whatOf(a: AlertItem): string {
  if (a.kind === 'beat') return `${esc(a.beatKind ?? 'anomalous')} beats · ${overThreshold(a).toFixed(2)}× threshold`;
  const name = esc(a.summary ?? a.rhythm ?? a.reason ?? a.kind);
  return `${name} · ${a.phase === 'offset' && a.endedAt !== undefined ? `ended ${clock(a.endedAt).slice(11)}` : '<b>ongoing</b>'}`;
}

async function renderLogin(): Promise<void> {
  const main = $('#main');
  if (config.mode === 'cognito') {
    const hosted = config;
    main.innerHTML = `<section class="card login"><h2>Sign in</h2><p>Use your clinician account (an administrator creates it; the first sign-in sets a password and an authenticator app).</p><p><button id="signin" class="button">Sign in</button></p></section>`;
    $('#signin').addEventListener('click', async () => {
      const verifier = randomToken();
      const state = randomToken(16);
      sessionStorage.setItem(VERIFIER_KEY, verifier);
      sessionStorage.setItem(STATE_KEY, state);
      location.assign(authorizeUrl(hosted, state, await codeChallenge(verifier)));
    });
    return;
  }
  main.innerHTML = `<section class="card login"><h2>Development login</h2>
    <p class="devnote">Local mode only: no password, any name. The token is signed by a key this
    process made at start and is valid for this run only. In AWS, people sign in with Cognito.</p>
    <form id="login"><label>Your name <input name="name" required maxlength="40" value="dev clinician" autocomplete="off"></label>
    <button type="submit">Sign in (development)</button></form></section>`;
  $('#login').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const name = (new FormData(ev.target as HTMLFormElement).get('name') as string).trim();
    const res = await fetch('/auth/dev-login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    const body = (await res.json()) as { token?: string; error?: string };
    if (!body.token) return void alert(body.error ?? 'login failed');
    sessionStorage.setItem(TOKEN_KEY, body.token);
    void render();
  });
}

function filtersFromHash(): URLSearchParams {
  const q = location.hash.split('?')[1] ?? '';
  return new URLSearchParams(q);
}

async function renderLists(): Promise<void> {
  const f = filtersFromHash();
  const main = $('#main');
  if (!main.querySelector('#alerts')) {
    main.innerHTML = `<p class="meta" id="model"></p><div class="grid"><section class="card"><h2>Devices</h2><div id="devices">loading…</div></section>
      <section class="card"><h2>Alerts <small id="alert-count"></small></h2>
      <form id="filters" class="filters">
        <select name="device" aria-label="device"><option value="">all devices</option></select>
        <select name="severity" aria-label="severity"><option value="">any severity</option><option>critical</option><option>warning</option></select>
        <select name="kind" aria-label="kind"><option value="">any kind</option><option value="beat">beat</option><option value="rhythm">rhythm</option><option value="technical">technical</option></select>
        <select name="status" aria-label="status"><option value="">any status</option><option>open</option><option>acknowledged</option></select>
      </form><div id="alerts">loading…</div></section></div>`;
    const form = $('#filters') as HTMLFormElement;
    for (const [k, v] of f) (form.elements.namedItem(k) as HTMLSelectElement | null)?.setAttribute('data-value', v);
    void api<{ model: ModelInfo | null }>('model')
      .then(({ model }) => {
        if (model)
          $('#model').textContent =
            `Model in service: ${model.version}, promoted ${clock(Date.parse(model.promotedAt))} UTC, threshold rule ${model.threshold.rule ?? '?'}${model.decisions[0]?.decision ? `; last retraining: ${model.decisions[0].decision}` : ''}.`;
      })
      .catch(() => {});
    form.addEventListener('change', () => {
      const q = new URLSearchParams();
      for (const el of Array.from(form.elements) as HTMLSelectElement[]) if (el.value) q.set(el.name, el.value);
      location.hash = `#/?${q}`;
    });
  }
  const form = $('#filters') as HTMLFormElement;
  for (const el of Array.from(form.elements) as HTMLSelectElement[])
    if (el.tagName === 'SELECT' && el.name !== 'device') el.value = f.get(el.name) ?? '';
  const q = new URLSearchParams();
  for (const k of ['device', 'severity', 'kind', 'status']) if (f.get(k)) q.set(k, f.get(k) as string);
  const [d, a] = await Promise.all([api<{ devices: DeviceItem[] }>('devices'), api<{ alerts: AlertItem[] }>(`alerts?${q}`)]);
  devices = d.devices;
  const sel = form.elements.namedItem('device') as HTMLSelectElement;
  sel.innerHTML =
    '<option value="">all devices</option>' +
    devices.map((x) => `<option value="${esc(x.deviceId)}">${esc(deviceName(x))}</option>`).join('');
  sel.value = f.get('device') ?? '';
  $('#devices').innerHTML = devices.length
    ? `<table class="devices"><thead><tr><th>device</th><th>last seen</th><th>state</th><th>open alerts</th><th>snooze</th></tr></thead><tbody>${devices
        .map((x) => {
          const snoozed = (x.snoozedUntil ?? 0) > Date.now();
          return `<tr><td><a href="#/?device=${encodeURIComponent(x.deviceId)}">${esc(deviceName(x))}</a></td><td>${ago(x.lastSeen)}</td><td><span class="pill ${x.phase}">${x.phase === 'learning' ? 'learning its normal' : 'learned'}</span>${x.labels && x.labels.threshold !== 1 ? ` <span class="pill labelled" data-threshold="${x.labels.threshold}" title="raised by retraining from ${x.labels.falseAlarms} false-alarm label(s)">threshold ${x.labels.threshold.toFixed(2)}×</span>` : ''}</td><td class="num">${x.openAlerts}</td><td>${snoozed ? `warnings off until ${clock(x.snoozedUntil as number).slice(11, 16)} <button data-unsnooze="${esc(x.deviceId)}">resume</button>` : `<select data-snooze="${esc(x.deviceId)}" aria-label="snooze warnings"><option value="">snooze…</option><option value="15">15 min</option><option value="30">30 min</option><option value="60">1 h</option><option value="240">4 h</option></select>`}</td></tr>`;
        })
        .join('')}</tbody></table><p class="hint">Snoozing silences a device's warnings; critical alerts always come through.</p>`
    : '<p>No device has sent data yet.</p>';
  for (const s of Array.from(document.querySelectorAll<HTMLSelectElement>('[data-snooze]')))
    s.addEventListener('change', async () => {
      if (!s.value) return;
      await api(`devices/${encodeURIComponent(s.dataset.snooze as string)}/snooze`, {
        method: 'POST',
        body: JSON.stringify({ minutes: Number(s.value) }),
      });
      void renderLists();
    });
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('[data-unsnooze]')))
    b.addEventListener('click', async () => {
      await api(`devices/${encodeURIComponent(b.dataset.unsnooze as string)}/snooze`, {
        method: 'POST',
        body: JSON.stringify({ minutes: 0 }),
      });
      void renderLists();
    });
  const names = new Map(devices.map((x) => [x.deviceId, deviceName(x)]));
  $('#alert-count').textContent = `(${a.alerts.length})`;
  $('#alerts').innerHTML = a.alerts.length
    ? `<table class="alerts"><thead><tr><th>time (UTC)</th><th>device</th><th>severity</th><th>kind</th><th>what</th><th>status</th></tr></thead><tbody>${a.alerts
        .map((x) => {
          const isNew = !firstLoad && !seenAlerts.has(x.id);
          seenAlerts.add(x.id);
          const label = x.label ? (x.label.value ? 'true alarm' : 'false alarm') : '';
          return `<tr class="alert-row ${x.severity} kind-${x.kind}${isNew ? ' new' : ''}" data-id="${esc(x.id)}" data-kind="${esc(x.kind)}"><td><a href="#/alert/${encodeURIComponent(x.id)}">${clock(x.from)}</a></td><td>${esc(names.get(x.deviceId) ?? x.deviceId)}</td><td><span class="sev ${x.severity}">${x.severity}</span>${x.calibrating ? ' <span class="pill learning">calibrating</span>' : ''}</td><td>${esc(x.kind)}</td><td class="what">${whatOf(x)}</td><td>${x.status === 'open' ? '<b>open</b>' : 'acknowledged'}${label ? ` · ${label}` : ''}</td></tr>`;
        })
        .join('')}</tbody></table>`
    : '<p>No alerts match.</p>';
  firstLoad = false;
  for (const row of Array.from(document.querySelectorAll<HTMLTableRowElement>('tr.alert-row')))
    row.addEventListener('click', (ev) => {
      if ((ev.target as HTMLElement).tagName !== 'A') location.hash = `#/alert/${encodeURIComponent(row.dataset.id as string)}`;
    });
}

/** Words for a rhythm or technical episode alert. */
function episodeWords(a: AlertItem): string {
  const what = a.summary ?? a.rhythm ?? a.reason ?? a.kind;
  const ended = a.phase === 'offset' && a.endedAt !== undefined;
  const minutes = ((ended ? (a.endedAt as number) : a.to) - a.from) / 60_000;
  const span = minutes >= 1 ? `${minutes.toFixed(1)} min` : `${Math.round(minutes * 60)} s`;
  return a.kind === 'rhythm'
    ? `${what}: the rhythm rules saw it from ${clock(a.from)} UTC${ended ? ` until ${clock(a.endedAt as number).slice(11)} (${span})` : ` (${span} when raised; still ongoing, no offset yet)`}.`
    : `${what} (a technical alert about the signal, not the heart) from ${clock(a.from)} UTC${ended ? ` until ${clock(a.endedAt as number).slice(11)} (${span})` : '; still ongoing'}. Beats in poor signal are not scored.`;
}

/** The sections of a beat alert's view: why it fired, the strip, the overlay, the tachogram. */
function beatSections(a: AlertItem, snippet: AlertSnippet | null, beatIndex: number): string {
  const e = snippet?.explanation;
  const strip = snippet?.strip;
  const flagged = e?.flagged ?? [];
  const f = flagged[Math.min(beatIndex, flagged.length - 1)];
  const stripTo = strip ? strip.t0 + (strip.samples.length * 1000) / strip.fs : 0;
  const picks = flagged
    .map((b, i) => `<button class="beat-pick${i === beatIndex ? ' on' : ''}" data-i="${i}">${clock(b.t).slice(11)}</button>`)
    .join(' ');
  const typical = e?.typical
    ? e.typical.source === 'profile'
      ? "the device's learned template"
      : `median of its ${e.typical.beats} recent normal beats`
    : 'not known yet';
  const rr = f
    ? `This beat: RR before ${f.rr.prev?.toFixed(2) ?? '–'} s, after ${f.rr.next?.toFixed(2) ?? '–'} s, typical ${f.rr.typical?.toFixed(2) ?? '–'} s${f.rr.premature ? ' · premature' : ''}${f.rr.compensatoryPause ? ' · compensatory pause' : ''}${f.rr.pause ? ' · pause' : ''}${f.quality ? ` · signal ${f.quality} in its second` : ''}.`
    : '';
  return `<section class="card"><h3>Why it fired</h3><p id="explanation">${esc(e?.summary ?? 'No explanation stored with this alert.')}</p>
  ${f ? `<p class="beat-why">${esc(f.summary)}</p>` : ''}
  ${flagged.length > 1 ? `<p>Flagged beats: ${picks}</p>` : ''}</section>
  <section class="card"><h3>ECG, ${strip ? Math.round((stripTo - strip.t0) / 1000) : 0} s up to the alert</h3>
  <div class="strip-scroll" id="strip">${strip ? ecgStripSvg({ samples: strip.samples, fs: strip.fs, t0: strip.t0, marks: strip.beats, highlight: flagged.map((b) => b.t), alertSpan: { from: a.from, to: a.to }, title: 'ECG strip around the alert' }) : '<p>No strip stored with this alert.</p>'}</div>
  <p class="hint">Standard paper: 25 mm/s, 10 mm/mV (small squares 1 mm = 40 ms × 0.1 mV). Beats marked N (normal, green) and V/S (flagged, red); the alert's flagged beats boxed.</p></section>
  <div class="grid"><section class="card"><h3>Flagged beat vs what the model expected</h3><div id="overlay">${f && e ? beatOverlaySvg({ span: e.span, window: f.window, reconstruction: f.reconstruction, typical: e.typical?.window ?? null, error: f.error, parts: e.parts, worstPart: f.worstPart }) : '<p>No flagged beat.</p>'}</div>
  <p class="hint">${OVERLAY_LEGEND}<br>Typical beat: ${typical}.</p></section>
  <section class="card"><h3>RR tachogram</h3><div id="tachogram">${strip ? tachogramSvg(strip.beats, { from: strip.t0, to: stripTo }) : ''}</div>
  ${rr ? `<p class="hint">${rr}</p>` : ''}</section></div>`;
}

/** The section of a rhythm or technical alert's view. */
function episodeSection(a: AlertItem): string {
  return `<section class="card"><h3>What it is</h3><p id="explanation">${esc(episodeWords(a))}</p>
  <p class="hint">Rhythm and technical alerts are raised at an episode's onset and at its end; they carry no ECG snippet.</p></section>`;
}

async function renderAlert(id: string, beatIndex = 0): Promise<void> {
  const { alert: a, snippet } = await api<{ alert: AlertItem; snippet: AlertSnippet | null }>(`alerts/${encodeURIComponent(id)}`);
  const name = devices.find((d) => d.deviceId === a.deviceId);
  const label = a.label
    ? `${a.label.value ? 'True alarm' : 'False alarm'} (${esc(a.label.by)}, ${clock(a.label.at)})${a.label.note ? `: “${esc(a.label.note)}”` : ''}`
    : 'not labelled';
  const raised = a.threshold !== undefined && a.threshold > 1 ? ` (raised to ${a.threshold.toFixed(2)} by false-alarm labels)` : '';
  const meta =
    a.kind === 'beat'
      ? `${clock(a.from)} – ${clock(a.to).slice(11)} UTC · ${a.anomalousBeats} of ${a.windowBeats} beats anomalous · max score ${overThreshold(a).toFixed(2)}× the device's threshold${raised} · model ${esc(a.modelVersion ?? '–')}${a.calibrating ? ' · <b>calibrating</b>: the device was still learning its normal' : ''}`
      : `${esc(a.summary ?? a.rhythm ?? a.reason ?? '')} · began ${clock(a.from)} UTC, raised ${clock(a.to).slice(11)} · ${a.phase === 'offset' && a.endedAt !== undefined ? `ended ${clock(a.endedAt).slice(11)}` : '<b>ongoing</b>'}${a.modelVersion ? ` · model ${esc(a.modelVersion)}` : ''}`;
  $('#main').innerHTML = `<p><a href="#/">← all alerts</a></p>
  <section class="card"><h2><span class="sev ${a.severity}">${a.severity}</span> ${esc(a.kind)} alert · ${esc(name ? deviceName(name) : a.deviceId)}</h2>
  <p class="meta" id="alert-meta">${meta}</p>
  <p id="status">Status: <b>${a.status}</b>${a.acknowledged ? ` by ${esc(a.acknowledged.by)} at ${clock(a.acknowledged.at)}` : ''} · ${label}</p>
  <div class="actions">
    <button id="ack" ${a.status !== 'open' ? 'disabled' : ''}>Acknowledge</button>
    <input id="note" placeholder="note (optional)" maxlength="500" aria-label="note">
    <button id="label-true">Label: true alarm</button>
    <button id="label-false">Label: false alarm</button>
  </div></section>
  ${a.kind === 'beat' ? beatSections(a, snippet, beatIndex) : episodeSection(a)}
  <section class="card"><h3>Audit trail</h3><ul class="audit">${a.audit.map((x) => `<li>${clock(x.at)} · ${esc(x.action)} by ${esc(x.by)}${x.detail ? ` (${esc(x.detail)})` : ''}</li>`).join('')}</ul></section>`;
  $('#ack').addEventListener('click', async () => {
    await api(`alerts/${encodeURIComponent(id)}/ack`, { method: 'POST', body: '{}' });
    void renderAlert(id, beatIndex);
  });
  for (const value of [true, false])
    $(`#label-${value}`).addEventListener('click', async () => {
      const note = ($('#note') as HTMLInputElement).value;
      await api(`alerts/${encodeURIComponent(id)}/label`, { method: 'POST', body: JSON.stringify({ value, note }) });
      void renderAlert(id, beatIndex);
    });
  for (const b of Array.from(document.querySelectorAll<HTMLButtonElement>('.beat-pick')))
    b.addEventListener('click', () => void renderAlert(id, Number(b.dataset.i)));
}

async function render(): Promise<void> {
  if (timer !== undefined) clearInterval(timer);
  timer = undefined;
  const tok = token();
  $('#who').innerHTML = '';
  if (!tok) return renderLogin();
  try {
    user = (await api<{ user: string }>('me')).user;
  } catch {
    return;
  }
  $('#who').innerHTML = `${esc(user)} <button id="logout">sign out</button>`;
  $('#logout').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    if (config.mode === 'cognito') location.assign(logoutUrl(config));
    else void render();
  });
  const route = location.hash.replace(/^#\/?/, '');
  if (route.startsWith('alert/')) {
    const id = decodeURIComponent(route.slice(6).split('?')[0]);
    if (devices.length === 0) devices = (await api<{ devices: DeviceItem[] }>('devices')).devices;
    return renderAlert(id);
  }
  $('#main').innerHTML = '';
  await renderLists();
  // Poll: new alerts appear without a reload (and are highlighted).
  timer = window.setInterval(() => void renderLists().catch(() => {}), POLL_MS);
}

/**
 * Back from the hosted sign-in with `?code=&state=`: the code is traded (with this tab's
 * verifier) for tokens, and the id token kept for the session. A reply whose state is not this
 * tab's is ignored (a forged or replayed link).
 */
async function finishSignIn(hosted: CognitoConsoleConfig): Promise<void> {
  const q = new URLSearchParams(location.search);
  const code = q.get('code');
  if (code === null && q.get('error') === null) return;
  const verifier = sessionStorage.getItem(VERIFIER_KEY);
  const expected = sessionStorage.getItem(STATE_KEY);
  sessionStorage.removeItem(VERIFIER_KEY);
  sessionStorage.removeItem(STATE_KEY);
  // The code is single-use: out of the address bar (and the history) at once.
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  if (code === null || verifier === null || q.get('state') !== expected) return;
  const { url, body } = tokenRequest(hosted, code, verifier);
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const tokens = (await res.json()) as { id_token?: string };
  if (res.ok && tokens.id_token) sessionStorage.setItem(TOKEN_KEY, tokens.id_token);
}

async function start(): Promise<void> {
  config = (await (await fetch('config.json')).json()) as ConsoleConfig;
  if (config.mode === 'cognito') await finishSignIn(config);
  if (config.mode === 'local') $('#devbanner').hidden = false;
  window.addEventListener('hashchange', () => {
    if (!location.hash.startsWith('#/alert/') && document.querySelector('#alerts')) void renderLists();
    else void render();
  });
  await render();
}

void start();
