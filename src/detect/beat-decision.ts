/**
 * Step 4 of a batch, one beat at a time: a scored beat becomes a decision. The device's learning
 * phase moves on to the beat; a beat in unreadable signal is gated; otherwise its verdict (on the
 * lead it can be judged on) gives its relative score and kind, the rhythm rules and the alert
 * policy see it, it is kept for snippets and reported, and an alert it opens is held, snoozed or
 * raised with what its explanation will need. Scores are relative (1 = threshold): the
 * population model's while a device learns, its profile's after.
 */
import { stepAlertPolicy, type AlertDecision, type AlertPolicyOptions } from './alert-policy';
import { alertFate } from './alert-fate';
import { toAlertMessage, toAlertSnippet } from './alert-message';
import type { BatchScores } from './batch-scores';
import type { BatchCounts, ScoredBeat } from './batch-result';
import { classifyBeat, inArtefact, readSignal, type SignalReading } from './beat-evidence';
import { beatVerdict } from './beat-verdict';
import type { DeviceState, TimedBeat } from './device-state';
import type { DeviceWork } from './device-work';
import { explainContextOf } from './explain-context';
import { advanceLearning, learnerContext, populationProfile, type LearningSetup } from './learning-phase';
import type { DevicePhase, DeviceProfile } from './patient-adaptation';
import type { BeatModel, DeviceSettings } from './ports';
import { shapeOf } from './rhythm-feed';
import type { EpisodeEvent, MonitoredBeat, RhythmMonitor } from './rhythm-monitor';
import { labelThresholdOf } from '../contract';

/** What every beat of a batch is decided with. */
export interface BatchScope {
  readonly model: BeatModel;
  readonly learning: LearningSetup;
  readonly policy: AlertPolicyOptions;
  /** The detector's `thresholdMultiplier`. */
  readonly multiplier: number;
  /** The population threshold of devices the model has none for (`globalThreshold`, else the model's). */
  readonly globalThreshold: number;
  /** The model's beat window: the rhythm rules read a beat's shape too (P wave before it, QRS against the device's usual one). */
  readonly span: { readonly before: number; readonly after: number };
  readonly scores: BatchScores;
  /** Epoch ms until which each device is snoozed. */
  readonly snoozed: ReadonlyMap<string, number>;
  /** Wall clock of the batch, for snoozes. */
  readonly now: number;
  readonly counts: BatchCounts;
  /** Every beat decided so far (the batch's report, in order). */
  readonly scored: ScoredBeat[];
  /** One beat to a device's rhythm rules; returns their episode events. */
  readonly rhythmBeat: (deviceId: string, monitor: RhythmMonitor, beat: MonitoredBeat) => EpisodeEvent[];
}

/** What every beat of one device is decided with, fixed for the batch. */
export interface DeviceScope {
  readonly work: DeviceWork;
  readonly state: DeviceState;
  /** The population model's threshold for the device. */
  readonly population: number;
  /** The profile a non-learning adapter scores against (null for adapters that learn). */
  readonly populationProfile: DeviceProfile | null;
  /** The device's label threshold on its learned scale (1 without labels). */
  readonly labelled: number;
}

/**
 * A device's scope for the batch. False-alarm labels may have raised the device's threshold on
 * its learned scale (docs/ARCHITECTURE.md §3.9): the settings' value (read with the snooze),
 * else the copy in its profile, else 1.
 *
 * @example
 * const device = deviceScope(batch, work, settings.get(work.deviceId));
 * work.beats.forEach((_, i) => decideBeat(batch, device, i));
 */
export function deviceScope(batch: BatchScope, work: DeviceWork, settings: DeviceSettings | undefined): DeviceScope {
  const state = work.state as DeviceState;
  const { model, learning } = batch;
  const population = model.deviceThresholds[work.deviceId] ?? batch.globalThreshold;
  return {
    work,
    state,
    population,
    populationProfile: learning.adapter.learns ? null : populationProfile(learning.adapter.name, model.version, population),
    labelled: settings?.threshold ?? labelThresholdOf(state.profile?.labels) ?? 1,
  };
}

/**
 * Decides the device's `i`-th beat of the batch (beats in order): moves the device's state, adds
 * the beat to `batch.scored`, its episode events and any alert it raises to the device's work.
 *
 * @example
 * work.beats.forEach((_, i) => decideBeat(batch, device, i));
 */
export function decideBeat(batch: BatchScope, device: DeviceScope, i: number): void {
  const { model, counts } = batch;
  const { adapter } = batch.learning;
  const { work, state } = device;
  const beat = work.beats[i];
  const first = batch.scores.first(work, i);
  const { modelScore } = first;
  const { phase, learned } = advanceLearning(batch.learning, state, model, beat.t, device.population);
  if (learned !== null) work.learned = learned;
  const monitor = state.monitor;
  const signal = readSignal(monitor, beat, phase === 'learned' && adapter.gatesNoise === true);
  if (monitor !== null && signal.gated) {
    gateBeat(batch, work, state, monitor, beat, modelScore, phase, signal);
    return;
  }
  // Multi-lead beats: the model's lead unless it was unusable over the beat (then its
  // window is noise), the second lead's window where usable (docs/ARCHITECTURE.md §3.2).
  const second = batch.scores.second(work, i);
  const secondLead = state.leadNames?.[1] ?? null;
  const { verdict, lead } = beatVerdict({
    adapter,
    state,
    phase,
    population: device.population,
    populationProfile: device.populationProfile,
    first,
    second,
    context: learnerContext(state, model),
    noisySignal: signal.poorSignal,
  });
  if (lead === 1 || (beat.lead ?? 0) !== 0) counts.leadFallbackBeats++;
  const scoredOn = lead === 1 && secondLead !== null ? { lead: secondLead } : {};
  // Beats near a clipped record are artefacts: reported, kept out of alerts.
  const artefact = inArtefact(state.artifact, beat.t);
  const { score, threshold, anomalous, kind } = classifyBeat({
    verdict,
    multiplier: batch.multiplier,
    phase,
    labelled: device.labelled,
    artefact,
  });
  // The rhythm rules read the beat's shape on the model's lead (its P wave, its QRS against
  // the device's usual one): a beat judged on the second lead has no trustworthy shape there
  // (that lead was unusable or noise over it), so for them it stays what it was without
  // second-lead scoring: noise (when such beats counted as scored beats, the 26 MIT-BIH
  // records raised 4 more VT runs: VT-run +P 65.9 % to 62.5 %).
  const shapeless = lead === 1 || verdict.kind === 'gated';
  if (monitor !== null)
    work.events.push(
      ...batch.rhythmBeat(work.deviceId, monitor, {
        t: beat.t,
        rIndex: beat.rIndex,
        rrPrev: beat.rrPrev,
        ventricular: anomalous && kind === 'ventricular' && lead === 0,
        // A beat near clipped samples, in poor seconds, or judged noise by the scorer is an
        // artefact for the rhythm rules too; one judged noise counts in a VT run only when its
        // QRS resembles the run's previous beat, one near clipped samples never.
        gated: artefact || signal.poorSignal || shapeless,
        noise: artefact || shapeless,
        unreadable: artefact,
        score: lead === 1 ? 0 : score,
        ...shapeOf(beat, batch.span),
      }),
    );
  const lastAlert = state.policy.lastAlert;
  // Baseline wander around the beat: scored and reported, but no evidence for an alert
  // (docs/ARCHITECTURE.md §3.3). The rhythm rules judge it as before.
  const doubtfulSignal = monitor !== null && monitor.wanderNear(beat.rIndex);
  const step = stepAlertPolicy(
    state.policy,
    work.deviceId,
    { t: beat.t, score: artefact ? 0 : score, threshold, doubtfulSignal },
    batch.policy,
  );
  state.policy = step.state;
  // What the beat was scored on: its second lead's window and model score, or the model lead's.
  const onSecond = lead === 1 && second !== null ? second : null;
  const window = onSecond?.beat.window ?? beat.window;
  const shownScore = onSecond?.modelScore ?? modelScore;
  state.keep(
    {
      t: beat.t,
      score,
      modelScore: shownScore,
      anomalous,
      kind,
      rrPrev: beat.rrPrev,
      rrNext: beat.rrNext,
      window: Array.from(window),
      ...scoredOn,
    },
    batch.policy.n,
  );
  batch.scored.push({ deviceId: work.deviceId, t: beat.t, score, modelScore: shownScore, threshold, anomalous, kind, phase, ...scoredOn });
  if (step.alert) settleAlert(batch, device, step.alert, phase, lastAlert);
}

/**
 * A beat in poor signal: not a clinical anomaly, not learned from, not seen by the alert policy.
 * Reported as `gated`; the rhythm rules see it gated.
 */
function gateBeat(
  batch: BatchScope,
  work: DeviceWork,
  state: DeviceState,
  monitor: RhythmMonitor,
  beat: TimedBeat,
  modelScore: number,
  phase: DevicePhase,
  signal: SignalReading,
): void {
  batch.scored.push({ deviceId: work.deviceId, t: beat.t, score: 0, modelScore, threshold: 1, anomalous: false, kind: 'gated', phase });
  work.events.push(
    ...batch.rhythmBeat(work.deviceId, monitor, {
      t: beat.t,
      rIndex: beat.rIndex,
      rrPrev: beat.rrPrev,
      ventricular: false,
      gated: true,
      noise: signal.unreadable,
      unreadable: signal.unreadable,
      ...shapeOf(beat, batch.span),
    }),
  );
  // Still marked on the recent strip, so the console shows where the signal was too poor.
  state.marks.push({ t: beat.t, anomalous: false, kind: 'gated', rrPrev: beat.rrPrev });
}

/**
 * An alert the policy opened: held or snoozed (it does not count as raised, so the policy's
 * last alert is put back and no cooldown starts), or raised with its message, snippet and what
 * its explanation will need.
 */
function settleAlert(
  batch: BatchScope,
  device: DeviceScope,
  alert: AlertDecision,
  phase: DevicePhase,
  lastAlert: DeviceState['policy']['lastAlert'],
): void {
  const { work, state } = device;
  const fate = alertFate(alert.severity, phase, batch.snoozed.get(work.deviceId) ?? 0, batch.now);
  if (fate !== 'raised') {
    state.policy = { recent: state.policy.recent, lastAlert };
    if (fate === 'held') batch.counts.heldAlerts++;
    else batch.counts.snoozedAlerts++;
    return;
  }
  const message = toAlertMessage(alert, batch.model.version, phase === 'learning');
  const snippet = { ...toAlertSnippet(message, alert, state.kept), strip: state.stripAround(alert.to) };
  const modelThreshold = (phase === 'learned' && state.profile ? state.profile.threshold : device.population) * batch.multiplier;
  work.decisions.push({
    decision: alert,
    message,
    snippet,
    context: explainContextOf(state, snippet, alert, batch.model.window, modelThreshold),
  });
}
