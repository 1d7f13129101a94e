import type { SequenceAutoencoder } from '../nn';
import { artifactLead, createArtifact, serializeArtifact, type ModelArtifact } from '../contract';
import type { Champion } from './champion';
import type { ModelComparison } from './compare';
import type { ModelRegistry, PromoteOutcome } from './ports';
import type { RetrainResult, TrainingOutcome } from './result';
import type { RetrainSplit } from './split';
import type { RetrainThresholds } from './thresholds';

/** What the new artifact records about its making. */
export interface ChallengerFacts {
  readonly days: number;
  readonly beatsRead: number;
  readonly beatsSampled: number;
  readonly beatsNormal: number;
  readonly beatsFlagged: number;
  readonly devicesSampled: number;
  readonly split: RetrainSplit;
  readonly training: TrainingOutcome;
  readonly trainOptions: Record<string, number | boolean>;
  readonly seed: number;
  readonly comparison: ModelComparison;
}

/**
 * The challenger's artifact: the champion's window spec, input normalization and scoring rule
 * (the detector cuts, scales and scores beats exactly as before), the new weights and thresholds, and a training
 * summary that says where the data came from and how the comparison went.
 *
 * @example
 * const artifact = buildChallengerArtifact(champion, challenger, thresholds, facts, new Date(now()));
 */
export function buildChallengerArtifact(
  champion: Champion,
  model: SequenceAutoencoder,
  thresholds: RetrainThresholds,
  facts: ChallengerFacts,
  createdAt: Date,
): ModelArtifact {
  const c = facts.comparison;
  const metrics: Record<string, number> = {
    championMeanNormalError: c.champion.meanNormalError,
    challengerMeanNormalError: c.challenger.meanNormalError,
    comparisonNormalBeats: c.normalBeats,
    comparisonFlaggedBeats: c.flaggedBeats,
  };
  if (c.champion.separation !== null) metrics.championSeparation = c.champion.separation;
  if (c.challenger.separation !== null) metrics.challengerSeparation = c.challenger.separation;
  if (c.challenger.flaggedAuc !== null) metrics.challengerFlaggedAuc = c.challenger.flaggedAuc;
  const t = facts.training;
  const artifact = createArtifact({
    model,
    window: champion.artifact.window,
    normalization: champion.artifact.normalization,
    threshold: thresholds.global,
    deviceThresholds: thresholds.devices,
    createdAt,
    // The champion's scoring rule carries over unchanged (none if it had none).
    ...(champion.artifact.scoring === undefined ? {} : { scoring: champion.artifact.scoring }),
    // Trained from the same devices' history, on the lead the detector scored: the champion's.
    lead: artifactLead(champion.artifact),
    training: {
      data: {
        source: `history/, last ${facts.days} days`,
        parentVersion: champion.artifact.version,
        beatsRead: facts.beatsRead,
        beatsSampled: facts.beatsSampled,
        beatsNormal: facts.beatsNormal,
        beatsFlagged: facts.beatsFlagged,
        devices: facts.devicesSampled,
        trainDevices: facts.split.trainDevices,
        heldOutDevices: facts.split.heldOutDevices,
        heldOutBy: facts.split.by,
        windows: t.windowsPerEpoch,
        stopWindows: facts.split.stop.count,
        evaluateWindows: facts.split.evaluate.count,
        flaggedWindows: facts.split.flagged.count,
      },
      epochs: t.epochs,
      seed: facts.seed,
      bestEpoch: t.bestEpoch,
      stoppedBy: t.stoppedBy,
      trainLoss: [...t.trainLoss],
      valLoss: t.valLoss.filter(Number.isFinite),
      seconds: t.seconds,
      options: { ...facts.trainOptions, budgetMs: Math.round(t.budgetMs) },
      metrics,
    },
  });
  return artifact;
}

/**
 * Stores the version (`model.json`, `report.json`), then switches the pointer conditionally on
 * the ETag read at the start: if another run promoted in between, this one loses and says so.
 *
 * @example
 * const outcome = await publishChallenger(registry, champion, artifact, report, new Date(now()));
 */
export async function publishChallenger(
  registry: ModelRegistry,
  champion: Champion,
  artifact: ModelArtifact,
  report: RetrainResult & Record<string, unknown>,
  promotedAt: Date,
): Promise<PromoteOutcome & { key: string }> {
  const { text, sha256 } = serializeArtifact(artifact);
  const stored = await registry.putVersion(artifact.version, text, `${JSON.stringify(report, null, 2)}\n`);
  if (stored.sha256 !== sha256)
    throw new Error(`model ${artifact.version}: stored sha256 ${stored.sha256} differs from the artifact's ${sha256}`);
  const outcome = await registry.promote(
    { version: artifact.version, key: stored.key, sha256, promotedAt: promotedAt.toISOString() },
    champion.etag,
  );
  return { ...outcome, key: stored.key };
}
