import type { SequenceAutoencoder } from '../nn';
import type { BeatWindowSpec } from '../ecg';
import { streamingWindowSpec, thresholdFor, parseArtifact, type ModelArtifact, RECONSTRUCTION_ONLY, type BeatScoring } from '../contract';
import type { ChampionRecord, ModelPointer } from './ports';

/** The model in service, parsed and verified, as the job uses it. */
export interface Champion {
  readonly pointer: ModelPointer;
  /** ETag of the pointer as read: the promotion is conditional on it. */
  readonly etag: string;
  readonly artifact: ModelArtifact;
  readonly model: SequenceAutoencoder;
  /** The window spec beats are cut with (the one the detector uses for this model). */
  readonly window: BeatWindowSpec;
  /** The threshold that applies to a device (its own, else the global one). */
  thresholdFor(deviceId: string): number;
  /** How a reconstruction error becomes the detector's score for this model (the artifact's `scoring`). */
  readonly scoring: BeatScoring;
}

/** The champion cannot be used: no pointer, a corrupt artifact, or one without a stream window. */
export class ChampionError extends Error {
  override readonly name = 'ChampionError';
}

/**
 * Parses the champion's artifact, checking it hashes to the pointer's sha256 (as the detector
 * does), and derives its streaming window spec and its scoring rule (the detector's, from `src/model`).
 *
 * @throws ChampionError naming what is wrong (the artifact's own error as cause).
 * @example
 * const champion = loadChampion(await registry.readCurrent());
 */
export function loadChampion(record: ChampionRecord): Champion {
  let loaded;
  try {
    loaded = parseArtifact(record.artifactText, { expectedSha256: record.pointer.sha256 });
  } catch (err) {
    throw new ChampionError(
      `the current model ${record.pointer.version} (${record.pointer.key}) cannot be loaded: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const { artifact, model } = loaded;
  let window: BeatWindowSpec;
  try {
    window = streamingWindowSpec(artifact);
  } catch (err) {
    throw new ChampionError(`the current model ${artifact.version} cannot be retrained from a stream: ${(err as Error).message}`, {
      cause: err,
    });
  }
  // parseArtifact has checked the scoring rule; absent means reconstruction error alone.
  const scoring = artifact.scoring ?? RECONSTRUCTION_ONLY;
  return {
    pointer: record.pointer,
    scoring,
    etag: record.etag,
    artifact,
    model,
    window,
    thresholdFor: (deviceId) => thresholdFor(artifact, deviceId),
  };
}
