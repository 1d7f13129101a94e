import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { CommandModule } from '../command';
import { UsageError } from '../command';
import { numberFlag, parseFlags, printJson, progress } from '../args';
import { loadBeatModel } from '../../model/beat-model';
import { DEFAULT_MODEL_FILE } from '../../evaluate/default-model';
import { labelledBeats } from '../../evaluate/labelled-beats';
import { loadMitdbRecord } from '../../ecg/mitdb';
import { streamBeats } from '../../ecg/qrs-evaluation';
import { BeatSegmenter } from '../../ecg/beat-segmenter';
import { streamingWindowSpec } from '../../contract/artifact';
import { readWfdbRecord } from '../../ecg/wfdb-record';

const usage = [
  'usage: beatwatch score --record PATH [--model FILE] [--chunk SECONDS] [--json]',
  '',
  'Scores every beat of a WFDB record offline, through the same streaming segmenter and model',
  'code as the detector (first channel, cut in 1 s chunks). With a reference annotation file',
  '(PATH.atr) each beat also gets the AAMI class it matches within 150 ms.',
  '',
  '  --record PATH  record without extension, e.g. data/mitdb/119',
  '  --model FILE   model artifact (default: the shipped default model)',
  '  --chunk S      chunk length in seconds (default 1)',
  '  --json         print {model, record, threshold, beats, anomalous, scores:[{t, rIndex, score, anomalous, class?}]}',
].join('\n');

/** `beatwatch score`: offline per-beat anomaly scores of one recording. */
const command: CommandModule = {
  summary: 'offline per-beat anomaly scores of a WFDB record',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      model: { type: 'string' },
      record: { type: 'string' },
      chunk: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.record === undefined) throw new UsageError('--record is required');
    const path = values.record.replace(/\.(hea|dat|atr)$/, '');
    if (!existsSync(`${path}.hea`)) throw new UsageError(`--record: no WFDB header at ${path}.hea`);
    const chunk = numberFlag(values.chunk, 'chunk', 1, 0.001, 60);
    const modelFile = values.model ?? DEFAULT_MODEL_FILE;
    if (!existsSync(modelFile)) throw new UsageError(`--model: no such file ${modelFile}`);
    const model = loadBeatModel(readFileSync(modelFile, 'utf8'));
    const spec = streamingWindowSpec(model.artifact);

    let beats;
    let classes: (string | null)[] | null = null;
    let fs: number;
    if (existsSync(`${path}.atr`)) {
      const record = loadMitdbRecord(dirname(path), basename(path));
      const labelled = labelledBeats(record, spec, chunk);
      beats = labelled.beats;
      classes = labelled.classes;
      fs = record.fs;
    } else {
      const record = readWfdbRecord(path);
      fs = record.fs;
      beats = streamBeats(record.signals[0].samples, fs, chunk, new BeatSegmenter({ fs, window: spec }));
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
      printJson({ model: model.version, record: basename(path), threshold: model.threshold, beats: rows.length, anomalous, scores: rows });
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
