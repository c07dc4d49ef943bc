/**
 * The batch manifest: a CSV (csv-parse, strict) with a header row and one row per series. Columns:
 * `series` (a folder or a DICOMweb series URL, required), optional `id`, `masks`, `annotations`, `levels`, `series_uid`,
 * `height_m`, `sex`. Relative paths are read from the manifest's folder. A byte order mark, CRLF line
 * ends, quoted fields (commas inside) and comment lines (`#` at the start of a line) work; a malformed
 * row is refused with its line number, naming the file.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { UserError } from '../../core/errors';
import { looksLikeUrl } from '../dicomweb/url';

export const MANIFEST_COLUMNS = ['series', 'id', 'masks', 'annotations', 'levels', 'series_uid', 'height_m', 'sex'] as const;
export type ManifestColumn = (typeof MANIFEST_COLUMNS)[number];

export interface ManifestRow {
  /** 1-based number of the row among the manifest's data rows (the status file's `row`). */
  readonly row: number;
  /** Line of the manifest the row starts on (1-based, the header being line 1 unless comments come first). */
  readonly line: number;
  /** The manifest's id, else the `series` value as written. */
  readonly id: string;
  /** The `series` value as written (the status file's `series`). */
  readonly seriesAsWritten: string;
  /** Absolute paths (relative ones resolved from the manifest's folder); a DICOMweb URL as written. */
  readonly series: string;
  readonly masks?: string;
  readonly annotations?: string;
  readonly levels?: string;
  readonly seriesUid?: string;
  readonly heightM?: string;
  readonly sex?: string;
}

const refused = (message: string) => new UserError('input', message);

/** The rows of the manifest file; refuses (one line naming the file, and the line where one is at fault) a manifest that cannot be read. */
export async function readManifest(file: string): Promise<ManifestRow[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? 'notFound' : code === 'EACCES' ? 'access' : 'input', `${file}: cannot read the manifest (${code ?? (e as Error).message})`);
  }
  return parseManifest(bytes, file);
}

/** The rows of manifest text `bytes` read from `file` (relative paths from its folder). */
export function parseManifest(bytes: Uint8Array | string, file: string): ManifestRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes), {
      bom: true,
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      info: true,
      relax_column_count: false,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    // csv-parse names the line itself ("... at line 4"); keep its first line only.
    throw refused(`${file}: not a valid manifest: ${(e as Error).message.split('\n')[0]}`);
  }
  if (records.length === 0) throw refused(`${file}: empty manifest (a header row with a 'series' column is needed)`);
  const header = records[0]!.record.map((h) => h.trim().toLowerCase());
  const headerLine = records[0]!.info.lines;
  for (const h of header) {
    if (!(MANIFEST_COLUMNS as readonly string[]).includes(h)) throw refused(`${file} line ${headerLine}: unknown column '${h}' (columns: ${MANIFEST_COLUMNS.join(', ')})`);
  }
  const repeated = header.find((h, k) => header.indexOf(h) !== k);
  if (repeated) throw refused(`${file} line ${headerLine}: column '${repeated}' given twice`);
  if (!header.includes('series')) throw refused(`${file} line ${headerLine}: no 'series' column (the header row must name the columns)`);
  const base = path.dirname(path.resolve(file));
  const at = (p: string) => path.resolve(base, p);
  const rows: ManifestRow[] = [];
  const ids = new Map<string, number>();
  for (const [n, { record, info }] of records.slice(1).entries()) {
    const cell = (c: ManifestColumn): string | undefined => {
      const k = header.indexOf(c);
      const v = k < 0 ? undefined : record[k]!.trim();
      return v === '' ? undefined : v;
    };
    // info.lines is the line the record ends on; a record spans as many lines as its quoted newlines.
    const line = info.lines - (record.join(',').match(/\r?\n/g)?.length ?? 0);
    const series = cell('series');
    if (series === undefined) throw refused(`${file} line ${line}: no series folder`);
    // A URL with a user name or password would carry it into the row's id, the output and the worklist:
    // refused here, before anything shows it (credentials come from --user/--password-env/--token-env).
    if (looksLikeUrl(series) && /^[^/]*\/\/[^/?#]*@/.test(series)) {
      throw refused(`${file} line ${line}: no user name or password in a series URL (credentials are never part of an address: use --user with --password-env, or --token-env)`);
    }
    const id = cell('id') ?? series;
    if (/[\r\n]/.test(id)) throw refused(`${file} line ${line}: the id must be one line`);
    const before = ids.get(id);
    if (before !== undefined) throw refused(`${file} line ${line}: id '${id}' is the id of line ${before} too (ids must be unique)`);
    ids.set(id, line);
    const masks = cell('masks');
    const annotations = cell('annotations');
    const levels = cell('levels');
    const seriesUid = cell('series_uid');
    const heightM = cell('height_m');
    const sex = cell('sex');
    rows.push({
      row: n + 1,
      line,
      id,
      seriesAsWritten: series,
      // a DICOMweb series URL is kept as written (read as `measure URL` reads it)
      series: looksLikeUrl(series) ? series : at(series),
      ...(masks !== undefined ? { masks: at(masks) } : {}),
      ...(annotations !== undefined ? { annotations: at(annotations) } : {}),
      ...(levels !== undefined ? { levels } : {}),
      ...(seriesUid !== undefined ? { seriesUid } : {}),
      ...(heightM !== undefined ? { heightM } : {}),
      ...(sex !== undefined ? { sex } : {}),
    });
  }
  return rows;
}

/** `--shard I/N`: the rows whose 0-based position p has p % N === I (every N-th row from I). */
export function shardRows<T>(rows: readonly T[], shard: { index: number; count: number } | undefined): T[] {
  return shard ? rows.filter((_, p) => p % shard.count === shard.index) : [...rows];
}
