/**
 * How the beat-scoring constants of the patient profile (`DEFAULT_PROFILE_OPTIONS` in
 * `src/detect/profile/profile.ts`) are chosen: leave-one-record-out on MIT-BIH DS1 only, on the
 * evaluation `eval mitdb` runs today.
 *
 * Every DS1 record runs through the product once per candidate setting exactly as `eval mitdb`
 * runs it (MLII by name, both leads as v2 records, second-lead scoring on, the fold model that
 * left the record out), with the candidate given to the detector as
 * `patientProfileAdapter({ profile: candidate })`; its figures are `eval mitdb`'s own
 * (`productMetrics`, pooled by `totalProductMetrics`). For each record, the candidate that does
 * best on the other 21 is picked by the acceptance criteria: among the candidates with at most 1
 * false alert an hour pooled over those 21 and at most 3 on each of them, the largest min(VEB Se, VEB +P) (ties to the larger
 * Se + +P, then to the earlier candidate, the shipped one first; when none has at most 1 false
 * alert an hour, the fewest false alerts an hour). That pick scores the record left out; the
 * pooled left-out figures are the honest estimate, set beside the shipped setting's DS1 figures
 * from the same run. DS2 records are never read.
 *
 * Candidates (`--grid`), the shipped setting always first:
 * - `neighbours` (default): its neighbours one axis at a time on the axes README's "How the
 *   constants were chosen" names ({@link NEIGHBOURS});
 * - `on-time`: the on-time weight moved further, and each other shape axis moved with it
 *   ({@link ON_TIME}). A second look: under `neighbours`, before the per-record bound, no fold
 *   kept the shipped setting and 18 of 22 chose on-time weight 0.5. This grid was drawn after seeing all of DS1 under the first,
 *   so its left-out figures flatter it a little.
 *
 * Each candidate costs one detector run over DS1 (one to two minutes on two shared cores), so
 * the grids are small.
 *
 * usage: npx tsx scripts/choose-beat-constants.ts [--json] [--grid neighbours|on-time]
 */
import { fileURLToPath } from 'node:url';
import { loadMitdbRecord, MODEL_LEAD } from '../src/ecg';
import { patientProfileAdapter, type ProfileOptions } from '../src/detect';
import { MITDB_DS1, defaultModelFor } from '../src/evaluate/default-model';
import {
  metricsJson,
  productMetrics,
  runRecordThroughDetector,
  totalProductMetrics,
  withGains,
  type ProductMetrics,
  type ProductRecordResult,
} from '../src/evaluate/mitdb-product';
import { scriptArgs } from './script-args';

const USAGE = 'npx tsx scripts/choose-beat-constants.ts [--json] [--grid neighbours|on-time]';
const values = scriptArgs({ json: { type: 'boolean' }, grid: { type: 'string', default: 'neighbours' } }, USAGE);
const log = (m: string) => process.stderr.write(`${m}\n`);
const DATA = fileURLToPath(new URL('../data/mitdb', import.meta.url));

type Candidate = Partial<ProfileOptions>;

/**
 * The shipped setting (an empty change), then one axis moved at a time to the neighbour
 * the earlier grids tried: the two z's together (14, 20), the width fraction (0.3), the on-time
 * weight (0.5), the ectopy boost (1.5), the autoencoder's weight (0, 1), the irregularity lags
 * (1) and the stricter gate of noisy seconds (1.5, and 3: the ordinary gate's level). The
 * criterion sees no injected noise (`eval noise`), so a looser noise gate can only look better
 * here: the noise candidates say what the gate costs on DS1, not whether to loosen it.
 */
const NEIGHBOURS: readonly Candidate[] = [
  {},
  { aeZ: 14, morphZ: 14 },
  { aeZ: 20, morphZ: 20 },
  { widthFraction: 0.3 },
  { onTimeWeight: 0.5 },
  { prematureBoost: 1.5 },
  { aeWeight: 0 },
  { aeWeight: 1 },
  { irregularityLags: 1 },
  { noisyGate: 1.5 },
  { noisyGate: 3 },
];

/**
 * The shipped setting, the on-time weight at 0.4, 0.5 and 0.7, and at 0.5 each shape axis of
 * {@link NEIGHBOURS} moved with it (z 14 and 20, width fraction 0.3, ectopy boost 1.5).
 */
const ON_TIME: readonly Candidate[] = [
  {},
  { onTimeWeight: 0.4 },
  { onTimeWeight: 0.5 },
  { onTimeWeight: 0.7 },
  { onTimeWeight: 0.5, aeZ: 14, morphZ: 14 },
  { onTimeWeight: 0.5, aeZ: 20, morphZ: 20 },
  { onTimeWeight: 0.5, widthFraction: 0.3 },
  { onTimeWeight: 0.5, prematureBoost: 1.5 },
];

const GRIDS: Readonly<Record<string, readonly Candidate[]>> = { neighbours: NEIGHBOURS, 'on-time': ON_TIME };
const CANDIDATES = GRIDS[values.grid];
if (CANDIDATES === undefined) throw new Error(`--grid: expected one of ${Object.keys(GRIDS).join(', ')}`);

/** The acceptance criteria's false-alert bounds (per hour): pooled, and on any one record. */
const MAX_FALSE_ALERTS_PER_HOUR = 1;
const MAX_RECORD_FALSE_ALERTS_PER_HOUR = 3;

/**
 * [qualifies, min(Se, +P), Se + +P, -false alerts/h] of a candidate over some records: compared
 * in order, larger is better. It qualifies with at most 1 false alert an hour pooled and at most
 * 3 on each of the records.
 */
function criterion(rows: readonly ProductRecordResult[]): number[] {
  const m = totalProductMetrics(rows);
  const se = Number.isNaN(m.veb.se) ? 0 : m.veb.se;
  const ppv = Number.isNaN(m.veb.ppv) ? 0 : m.veb.ppv;
  const worst = Math.max(...rows.map((r) => r.metrics.falseAlertsPerHour));
  const qualifies = m.falseAlertsPerHour <= MAX_FALSE_ALERTS_PER_HOUR && worst <= MAX_RECORD_FALSE_ALERTS_PER_HOUR ? 1 : 0;
  // A setting that meets the alert bounds is judged on VEB; one that does not, on its alerts only.
  return qualifies ? [1, Math.min(se, ppv), se + ppv, 0] : [0, 0, 0, -m.falseAlertsPerHour];
}

function better(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i] + 1e-12) return true;
    if (a[i] < b[i] - 1e-12) return false;
  }
  return false;
}

/** Per record (rows), per candidate (columns): `eval mitdb`'s figures of one detector run. */
async function figures(): Promise<ProductRecordResult[][]> {
  const out: ProductRecordResult[][] = [];
  for (const name of MITDB_DS1) {
    const started = performance.now();
    const record = loadMitdbRecord(DATA, name, MODEL_LEAD);
    const { model } = defaultModelFor(name);
    const device = { deviceId: name, signal: record.signal, fs: record.fs, ...(record.leads ? { leads: withGains(record.leads) } : {}) };
    const row: ProductRecordResult[] = [];
    for (const candidate of CANDIDATES) {
      const run = await runRecordThroughDetector(device, model, {
        adaptation: patientProfileAdapter({ profile: candidate }),
        leads: 2,
        secondLeadScoring: true,
      });
      row.push(productMetrics(record, run));
    }
    out.push(row);
    log(`${name}: ${CANDIDATES.length} candidates (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  return out;
}

/** The candidate the records other than `without` (-1: none left out) pick. */
function choose(perRecord: ProductRecordResult[][], without: number): number {
  let best = 0;
  let bestScore = [-Infinity];
  for (let k = 0; k < CANDIDATES.length; k++) {
    const s = criterion(perRecord.filter((_, i) => i !== without).map((r) => r[k]));
    if (better(s, bestScore)) {
      best = k;
      bestScore = s;
    }
  }
  return best;
}

/** The figures the acceptance criteria read, as printed. */
function summary(m: ProductMetrics) {
  const j = metricsJson(m);
  return { aucV: j.aucV, veb: j.veb, falseAlerts: j.falseAlerts, hours: j.hours, falseAlertsPerHour: j.falseAlertsPerHour };
}

const perRecord = await figures();
const records = [...MITDB_DS1];
const folds = records.map((record, i) => ({ record, chosen: choose(perRecord, i) }));
const all = choose(perRecord, -1);
const result = {
  protocol:
    'MIT-BIH DS1, leave-one-record-out; each record through the product as eval mitdb runs it (two leads, fold model), once per candidate; ' +
    `pick: largest min(VEB Se, VEB +P) over the other 21 among candidates with <= ${MAX_FALSE_ALERTS_PER_HOUR} false alert/h there and <= ${MAX_RECORD_FALSE_ALERTS_PER_HOUR} on each`,
  grid: values.grid,
  candidates: CANDIDATES,
  chosenOnAllDs1: CANDIDATES[all],
  foldsAgreeing: `${folds.filter((f) => f.chosen === all).length} of ${folds.length}`,
  foldsChoosingShipped: `${folds.filter((f) => f.chosen === 0).length} of ${folds.length}`,
  folds: folds.map((f) => ({ record: f.record, chosen: CANDIDATES[f.chosen] })),
  leftOut: summary(totalProductMetrics(folds.map((f, i) => perRecord[i][f.chosen]))),
  shippedOnDs1: summary(totalProductMetrics(perRecord.map((r) => r[0]))),
  perCandidateOnDs1: CANDIDATES.map((c, k) => ({ candidate: c, ...summary(totalProductMetrics(perRecord.map((r) => r[k]))) })),
  // Which records a choice turns on: VEB counts and false alerts of every record under every candidate, in candidate order.
  perRecord: records.map((record, i) => ({
    record,
    byCandidate: perRecord[i].map(({ metrics: m }) => ({ tp: m.veb.tp, fn: m.veb.fn, fp: m.veb.fp, falseAlerts: m.falseAlerts })),
  })),
};

const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)} %`);
const line = (s: ReturnType<typeof summary>) =>
  `VEB Se ${pct(s.veb.se)} / +P ${pct(s.veb.ppv)}, ${s.falseAlertsPerHour} false alerts/h (${s.falseAlerts}), V AUC ${s.aucV}`;
if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
else
  process.stdout.write(
    [
      `chosen on all DS1: ${JSON.stringify(result.chosenOnAllDs1)} (${result.foldsAgreeing} folds agree; ${result.foldsChoosingShipped} choose the shipped setting)`,
      `left-out (each record scored with its fold's pick): ${line(result.leftOut)}`,
      `shipped setting on DS1 (same run): ${line(result.shippedOnDs1)}`,
      'per fold:',
      ...result.folds.map((f) => `  ${f.record}: ${JSON.stringify(f.chosen)}`),
      'per candidate on all DS1:',
      ...result.perCandidateOnDs1.map((c) => `  ${JSON.stringify(c.candidate)}: ${line(c)}`),
    ].join('\n') + '\n',
  );
