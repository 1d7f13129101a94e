/**
 * How `score`, `replay` and `demo` read a recording: any file `readEcgFile` reads, at a rate the
 * detector takes (resampled when not), one lead picked by `--lead NAME|INDEX` (default: the
 * model's lead, by name), and a one-line warning when the lead is not the model's.
 */
import { chooseLead, isLeadNamed, MODEL_LEAD, readEcgFile, type EcgLead, type EcgRecording, toDetectableRate, type CsvUnit } from '../ecg';
import { choiceFlag, numberFlag } from './args';
import { UsageError } from './command';

/** The flags every command that reads a recording takes. */
export const ECG_INPUT_FLAGS = {
  lead: { type: 'string' },
  fs: { type: 'string' },
  unit: { type: 'string' },
  gain: { type: 'string' },
} as const;

/** Usage lines of {@link ECG_INPUT_FLAGS}. */
export const ECG_INPUT_USAGE = [
  '  --lead NAME|I  lead to use, by name (MLII, V1, "ECG II") or 0-based index; default the model\'s lead',
  '                 (MLII), then II, then an ECG-named lead, then the first (a warning says when it is',
  "                 not the model's); a rate outside 100-1000 Hz is resampled into it (with a warning)",
  '  --fs HZ        sampling rate of a CSV file without a time column',
  '  --unit U       unit of CSV values: mV (default), uV, V or adu (with --gain)',
  '  --gain G       ADC units per mV (CSV in adu; for v2 replays, the resolution to send at)',
].join('\n');

const CSV_UNITS: readonly CsvUnit[] = ['mV', 'uV', 'V', 'adu'];

/** Parsed values of {@link ECG_INPUT_FLAGS}. */
export interface EcgInputFlags {
  readonly lead?: string;
  readonly fs?: string;
  readonly unit?: string;
  readonly gain?: string;
}

/** A recording with the lead a command works on. */
export interface EcgInput {
  readonly recording: EcgRecording;
  readonly lead: EcgLead;
  readonly index: number;
  /** Why the lead is not the model's (printed by the caller), if it is not. */
  readonly warning: string | undefined;
  /** `--gain` when given. */
  readonly gain: number | undefined;
}

/**
 * Reads `path` with the input flags, for a model trained on `modelLead` (the artifact's lead,
 * default MLII). A file that cannot be read throws the reader's `EcgFormatError`, whose message
 * names the file and the problem (the CLI prints it as one line). A rate the detector does not
 * take is resampled into its range (`toDetectableRate`, a warning in `recording.warnings`).
 *
 * @example
 * const { recording, lead, warning } = readEcgInput('holter.edf', { lead: 'II' }, artifactLead(model.artifact));
 * if (warning) progress(`score: ${warning}`);
 */
export function readEcgInput(path: string, flags: EcgInputFlags, modelLead: string = MODEL_LEAD): EcgInput {
  const fs = flags.fs === undefined ? undefined : numberFlag(flags.fs, 'fs', 0, 1, 100_000);
  const unit = flags.unit === undefined ? undefined : choiceFlag(flags.unit, 'unit', CSV_UNITS, 'mV');
  const gain = flags.gain === undefined ? undefined : numberFlag(flags.gain, 'gain', 0, 1e-9, 1e12);
  if (unit === 'adu' && gain === undefined) throw new UsageError('--unit adu needs --gain (ADC units per mV)');
  const byIndex = flags.lead !== undefined && /^\d+$/.test(flags.lead);
  const recording = toDetectableRate(
    readEcgFile(path, {
      ...(fs === undefined ? {} : { fs }),
      ...(unit === undefined ? {} : { unit }),
      ...(gain === undefined ? {} : { gain }),
      ...(flags.lead === undefined || byIndex ? {} : { lead: flags.lead }),
    }),
  );
  const notModels = (lead: EcgLead) =>
    isLeadNamed(lead.name, modelLead) ? undefined : `using lead "${lead.name}": the model was trained on ${modelLead}`;
  if (byIndex) {
    const index = Number(flags.lead);
    const lead = recording.leads[index];
    if (lead === undefined)
      throw new UsageError(
        `--lead ${index}: ${path} has ${recording.leads.length} leads (${recording.leads.map((l) => l.name).join(', ')})`,
      );
    return { recording, lead, index, warning: notModels(lead), gain };
  }
  // The model's lead by name unless another was asked for (MLII needs no asking: chooseLead's first choice).
  const preferred = flags.lead ?? (isLeadNamed(modelLead, MODEL_LEAD) ? undefined : modelLead);
  const chosen = chooseLead(recording, preferred);
  // A lead asked for by name is no surprise to chooseLead, but it may still not be the model's.
  const warning = chosen.warning ?? notModels(chosen.lead);
  return { recording, lead: chosen.lead, index: chosen.index, warning, gain };
}
