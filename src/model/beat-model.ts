import { BeatSegmenter, type BeatSegmenterState, MultiLeadSegmenter, type MultiLeadSegmenterState, type BeatWindowSpec } from '../ecg';
import {
  applyInputNormalization,
  artifactLead,
  streamingWindowSpec,
  thresholdFor,
  type ModelArtifact,
  parseArtifact,
  RECONSTRUCTION_ONLY,
  type BeatScoring,
} from '../contract';
import type { SequenceAutoencoder } from '../nn';
import { applyBeatScoring } from './beat-scoring';
import type { BeatModel, SegmentedBeat, SegmenterFactory, StreamSegmenter } from './scorer';

/** A {@link BeatModel} built from an artifact, with the artifact at hand. */
export interface LoadedBeatModel extends BeatModel {
  readonly artifact: ModelArtifact;
  readonly scoring: BeatScoring;
  /** sha256 of the artifact text. */
  readonly sha256: string;
  /** Threshold for one device: its own if the artifact has one, else the global one. */
  thresholdFor(deviceId: string): number;
}

// One factory per window spec, so a new model with the same window keeps every device's
// segmenter (the detector restarts segmenters only when the factory changes).
const factories = new Map<string, SegmenterFactory>();

/**
 * The segmenter factory of a window spec: {@link BeatSegmenter}s cutting exactly that window,
 * or {@link MultiLeadSegmenter}s for several leads. The same spec always returns the same
 * factory object.
 */
export function segmenterFactoryFor(spec: BeatWindowSpec): SegmenterFactory {
  const key = JSON.stringify([spec.before, spec.after, spec.steps, spec.normalization]);
  let factory = factories.get(key);
  if (!factory) {
    const window = { before: spec.before, after: spec.after, steps: spec.steps, normalization: spec.normalization };
    factory = {
      create: (fs, leads) =>
        leads !== undefined && leads.leads > 1
          ? new MultiLeadStream(new MultiLeadSegmenter({ fs, window, leads: leads.leads, sqi: leads.sqi, stretch: leads.stretch }))
          : new BeatSegmenter({ fs, window }),
      restore: (state) =>
        (state as { kind?: unknown } | null)?.kind === 'multi-lead'
          ? new MultiLeadStream(MultiLeadSegmenter.fromJSON(state as MultiLeadSegmenterState))
          : BeatSegmenter.fromJSON(state as BeatSegmenterState),
    };
    factories.set(key, factory);
  }
  return factory;
}

/** A {@link MultiLeadSegmenter} behind the detector's segmenter port: the model's lead first, then the others. */
class MultiLeadStream implements StreamSegmenter {
  constructor(private readonly segmenter: MultiLeadSegmenter) {}

  get leadCount(): number {
    return this.segmenter.leadCount;
  }

  push(samples: Float32Array, others: readonly (Float32Array | null)[] = []): SegmentedBeat[] {
    const rest = Array.from({ length: this.segmenter.leadCount - 1 }, (_, k) => others[k] ?? null);
    return this.segmenter.push([samples, ...rest]);
  }

  takeSeconds() {
    return this.segmenter.takeSeconds();
  }

  head() {
    return this.segmenter.head();
  }

  pendingPeaks(): number[] {
    return this.segmenter.pendingPeaks();
  }

  toJSON(): MultiLeadSegmenterState {
    return this.segmenter.toJSON();
  }
}

/**
 * Scores beats with an autoencoder: windows packed into one buffer (reused while big enough),
 * the artifact's input normalization, one batched forward pass, then the artifact's scoring.
 */
class ArtifactScorer {
  private buffer = new Float32Array(0);
  constructor(
    private readonly artifact: ModelArtifact,
    private readonly model: SequenceAutoencoder,
    private readonly scoring: BeatScoring,
  ) {}

  score(beats: readonly SegmentedBeat[]): Float32Array {
    const steps = this.model.config.steps;
    const need = beats.length * steps;
    if (this.buffer.length < need) this.buffer = new Float32Array(Math.max(need, this.buffer.length * 2));
    const windows = this.buffer.subarray(0, need);
    for (let i = 0; i < beats.length; i++) {
      const w = beats[i].window;
      if (w.length !== steps) throw new RangeError(`beat ${i}: window has ${w.length} samples, the model expects ${steps}`);
      windows.set(w, i * steps);
    }
    applyInputNormalization(windows, this.artifact.normalization);
    const errors = this.model.score(windows, beats.length);
    return applyBeatScoring(errors, beats, this.scoring);
  }

  /** Reconstructions in window units: one forward pass for all beats, the input map undone. */
  reconstruct(beats: readonly SegmentedBeat[]): Float32Array[] {
    const steps = this.model.config.steps;
    const windows = new Float32Array(beats.length * steps);
    beats.forEach((b, i) => {
      if (b.window.length !== steps) throw new RangeError(`beat ${i}: window has ${b.window.length} samples, the model expects ${steps}`);
      windows.set(b.window, i * steps);
    });
    applyInputNormalization(windows, this.artifact.normalization);
    const recon = beats.length > 0 ? this.model.reconstruct(windows, beats.length) : new Float32Array(0);
    const { offset, scale } = this.artifact.normalization;
    if (offset !== 0 || scale !== 1) for (let i = 0; i < recon.length; i++) recon[i] = recon[i] * scale + offset;
    return beats.map((_, i) => recon.slice(i * steps, (i + 1) * steps));
  }
}

/**
 * Loads an artifact's text as the detector's model: parsed and checked by `parseArtifact`
 * (sha256 against `expectedSha256` when given, known format version, weights fitting the
 * architecture), its streaming window and its scoring. Throws naming the problem.
 *
 * @example
 * const model = loadBeatModel(readFileSync('data/default-model/model.json', 'utf8'));
 * const scores = model.scoreBeats(beats);
 */
export function loadBeatModel(text: string, expectedSha256?: string): LoadedBeatModel {
  const loaded = parseArtifact(text, expectedSha256 === undefined ? {} : { expectedSha256 });
  return beatModelOf(loaded.artifact, loaded.model, loaded.artifact.scoring ?? RECONSTRUCTION_ONLY, loaded.sha256);
}

/** A {@link LoadedBeatModel} from an artifact and its autoencoder already in hand (training, tests). */
export function beatModelOf(artifact: ModelArtifact, model: SequenceAutoencoder, scoring: BeatScoring, sha256 = ''): LoadedBeatModel {
  const scorer = new ArtifactScorer(artifact, model, scoring);
  return {
    version: artifact.version,
    threshold: artifact.threshold.value,
    deviceThresholds: artifact.deviceThresholds,
    lead: artifactLead(artifact),
    segmenters: segmenterFactoryFor(streamingWindowSpec(artifact)),
    window: streamingWindowSpec(artifact),
    artifact,
    scoring,
    sha256,
    scoreBeats: (beats) => scorer.score(beats),
    reconstructBeats: (beats) => scorer.reconstruct(beats),
    thresholdFor: (deviceId) => thresholdFor(artifact, deviceId),
  };
}
