import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/**
 * The bundled MIT-BIH records (`data/mitdb`) the demo streams when no folder is given, and the
 * pipeline benchmark replays. An explicit list, not "every record of data/mitdb": the folder
 * also holds the evaluation records, and the demo (and the default model, trained on these
 * five) should not change when records are added there.
 *
 * @example
 * for (const name of DEMO_RECORDS) readWfdbRecord(`data/mitdb/${name}`);
 */
export const DEMO_RECORDS: readonly string[] = ['100', '101', '106', '119', '208'];

/** A WFDB record of a folder that the local pipeline streams as one device. */
export interface FolderRecord {
  /** Record name (`119`): `<name>.hea` and its signal files are in the folder. */
  readonly name: string;
  /** Where the record comes from, for people: `<folder name>/<record>` (`mitdb/119`). */
  readonly label: string;
}

/** A record of a folder that is not streamed, and why (one line, names the files). */
export interface SkippedRecord {
  readonly name: string;
  readonly reason: string;
}

/** What {@link listRecordFolder} found: records to stream and records skipped, each with its reason. */
export interface RecordFolder {
  readonly records: readonly FolderRecord[];
  readonly skipped: readonly SkippedRecord[];
}

/**
 * The label of record `name` of `folder`: the folder's own name and the record's, so devices
 * from different sources (MIT-BIH, another database, a device export) are told apart.
 *
 * @example
 * recordLabel('data/mitdb', '119') // 'mitdb/119'
 */
export function recordLabel(folder: string, name: string): string {
  return `${basename(resolve(folder))}/${name}`;
}

/**
 * Lists the WFDB records of `folder` as `listMitdbRecords` selects them (the names in its
 * `RECORDS` file when there is one, otherwise every `<name>.hea` with a matching `.atr`), and
 * also what it leaves out and why: a header not listed in `RECORDS`, a listed name without a
 * header, a header without annotations, annotations without a header.
 *
 * @example
 * const { records, skipped } = listRecordFolder('data/mitdb');
 * for (const s of skipped) console.error(`skipped record ${s.name}: ${s.reason}`);
 */
export function listRecordFolder(folder: string): RecordFolder {
  const files = new Set(readdirSync(folder));
  const stems = (ext: string) => [...files].filter((f) => f.endsWith(ext) && f.length > ext.length).map((f) => f.slice(0, -ext.length));
  const headers = new Set(stems('.hea'));
  const annotations = new Set(stems('.atr'));
  const records: FolderRecord[] = [];
  const skipped: SkippedRecord[] = [];
  const take = (name: string) => records.push({ name, label: recordLabel(folder, name) });

  if (files.has('RECORDS')) {
    const listed = readFileSync(join(folder, 'RECORDS'), 'utf8')
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const seen = new Set<string>();
    for (const name of listed) {
      if (seen.has(name)) continue;
      seen.add(name);
      if (existsSync(join(folder, `${name}.hea`))) take(name);
      else skipped.push({ name, reason: `listed in RECORDS, but there is no ${name}.hea` });
    }
    for (const name of [...new Set([...headers, ...annotations])].sort()) {
      if (seen.has(name)) continue;
      skipped.push({
        name,
        reason: headers.has(name) ? `${name}.hea is not listed in RECORDS` : `${name}.atr has no ${name}.hea and is not listed in RECORDS`,
      });
    }
  } else {
    for (const name of [...new Set([...headers, ...annotations])].sort()) {
      if (headers.has(name) && annotations.has(name)) take(name);
      else if (headers.has(name))
        skipped.push({ name, reason: `no ${name}.atr (beat annotations): add it, or list the record in a RECORDS file` });
      else skipped.push({ name, reason: `${name}.atr has no ${name}.hea (the header naming its signal files)` });
    }
  }
  skipped.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { records, skipped };
}
