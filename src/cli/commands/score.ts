import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { CommandModule } from '../command';
import { UsageError } from '../command';
import { numberFlag, parseFlags, printJson, progress } from '../args';
import { loadBeatModel } from '../../model';
import { DEFAULT_MODEL_FILE } from '../../evaluate/default-model';
import { labelledBeats } from '../../evaluate/labelled-beats';
import { loadMitdbRecord, streamBeats, BeatSegmenter } from '../../ecg';
import { artifactLead, streamingWindowSpec } from '../../contract';
import { ECG_INPUT_FLAGS, ECG_INPUT_USAGE, readEcgInput } from '../ecg-input';

const usage = [
  'usage: beatwatch score --record PATH [--model FILE] [--chunk SECONDS] [--lead NAME|I] [--fs HZ] [--unit U] [--gain G] [--json]',
  '',
  'Scores every beat of an ECG recording offline, through the same streaming segmenter and model',
  'code as the detector (one lead, cut in 1 s chunks). With a WFDB reference annotation file',
  '(PATH.atr) each beat also gets the AAMI class it matches within 150 ms.',
  '',
  '  --record PATH  WFDB record (data/mitdb/119 or its .hea), EDF/EDF+/BDF (.edf, .bdf) or CSV (.csv, .tsv, .txt)',
  ECG_INPUT_USAGE,
  '  --model FILE   model artifact (default: the shipped default model)',
  '  --chunk S      chunk length in seconds (default 1)',
  '  --json         print {model, record, threshold, beats, anomalous, scores:[{t, rIndex, score, anomalous, class?}]}',
].join('\n');

/** `beatwatch score`: offline per-beat anomaly scores of one recording. */
const command: CommandModule = {
  summary: 'offline per-beat anomaly scores of an ECG recording (WFDB, EDF, CSV)',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      model: { type: 'string' },
      record: { type: 'string' },
      chunk: { type: 'string' },
      ...ECG_INPUT_FLAGS,
      json: { type: 'boolean' },
    });
    if (values.record === undefined) throw new UsageError('--record is required');
    const chunk = numberFlag(values.chunk, 'chunk', 1, 0.001, 60);
    const modelFile = values.model ?? DEFAULT_MODEL_FILE;
    if (!existsSync(modelFile)) throw new UsageError(`--model: no such file ${modelFile}`);
    const model = loadBeatModel(readFileSync(modelFile, 'utf8'));
    const spec = streamingWindowSpec(model.artifact);
    const input = readEcgInput(values.record, values, artifactLead(model.artifact));
    const { recording, lead } = input;
    for (const w of recording.warnings) progress(`score: ${w}`);
    if (input.warning) progress(`score: ${input.warning}`);
    const fs = recording.fs;
    const path = recording.source.file.replace(/\.hea$/, '');

    let beats;
    let classes: (string | null)[] | null = null;
    if (recording.source.format === 'wfdb' && recording.annotations?.from === 'atr') {
      // The reference beats of the record, matched against the beats of the chosen lead.
      const reference = loadMitdbRecord(dirname(path), basename(path));
      const labelled = labelledBeats({ ...reference, signal: lead.samples, lead: lead.name }, spec, chunk);
      beats = labelled.beats;
      classes = labelled.classes;
    } else {
      beats = streamBeats(lead.samples, fs, chunk, new BeatSegmenter({ fs, window: spec }));
    }
    const scores = model.scoreBeats(beats);
    const rows = beats.map((b, i) => ({
      t: Number((b.rIndex / fs).toFixed(3)),
      rIndex: b.rIndex,
      score: Number(scores[i].toFixed(5)),
      anomalous: scores[i] > model.threshold,
      ...(classes ? { class: classes[i] } : {}),
    }));
    const anomalous = rows.filter((r) => r.anomalous).length;
    if (values.json) {
      printJson({
        model: model.version,
        record: basename(path),
        lead: lead.name,
        threshold: model.threshold,
        beats: rows.length,
        anomalous,
        scores: rows,
      });
    } else {
      const lines = [
        `# model ${model.version}, threshold ${model.threshold.toFixed(4)}`,
        `#      t(s)   score  flag${classes ? ' class' : ''}`,
      ];
      for (const r of rows)
        lines.push(
          `${r.t.toFixed(3).padStart(10)} ${r.score.toFixed(4).padStart(7)}  ${r.anomalous ? '  *' : '   '}${'class' in r ? `   ${r.class ?? '-'}` : ''}`,
        );
      process.stdout.write(`${lines.join('\n')}\n`);
      progress(`${basename(path)}: ${rows.length} beats, ${anomalous} above the threshold`);
    }
    return 0;
  },
};
export default command;
