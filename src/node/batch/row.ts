/**
 * One batch row measured: tryMeasureSeries on the row's series (failures are data), encoded as
 * `paraspine measure` would write it alone (encodeExport), and kept as a part record. The part is
 * plain data, so a worker thread can make it (worker.ts) as well as the main thread.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { exportFormat } from '../../core/export/formats';
import { toUserError } from '../../core/errors';
import type { MeasureResult, MeasureSeriesInput } from '../measureSeries';
import { folderSeries, seriesRefFor, tryMeasureSeries } from '../measureSeries';
import { looksLikeUrl, parseDicomWebUrl } from '../dicomweb/url';
import { DicomWebClient, setProcessCredentials } from '../dicomweb/client';
import type { Credentials } from '../secrets';
import { encodeExport, type ReportOptions } from '../exports';
import { writeFileAtomic } from '../atomicWrite';

export type BatchFormat = 'csv' | 'json';

/** The reports `batch --reports` makes per done row. */
export const REPORT_FORMATS = ['pdf', 'sr', 'seg'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A row's reports: which, where, under which name (filename-safe: reportName) and with which options (--paper, --date, ...). Plain data. */
export interface RowReports {
  readonly formats: readonly ReportFormat[];
  readonly dir: string;
  readonly name: string;
  readonly options: ReportOptions;
  /** `--store URL`: the SR and SEG made are sent there by STOW-RS (a DICOMweb base, or BASE/studies/STUDY_UID). */
  readonly store?: string;
}

/** A row's report: its file in the reports folder, or why it could not be made (one line). */
export interface ReportOutcome {
  readonly format: ReportFormat;
  readonly file?: string;
  readonly reason?: string;
  /** With --store (SR, SEG): true once the server took it, else why not (one line; --resume tries again). */
  readonly stored?: true | string;
}

/** The file of a report: `<name>.pdf`, `<name>.sr.dcm`, `<name>.seg.dcm` (the formats' extensions). */
export const reportFile = (name: string, format: ReportFormat) => `${name}.${exportFormat(format).extension}`;

/**
 * A row id as a file name, the rule README states: every character but ASCII letters, digits, `.`, `_`
 * and `-` becomes `_`; a leading `.` becomes `_`; at most 100 characters; an empty id is `_`. Where two
 * rows' ids give the same name, every row after the first gets `-ROW` (its manifest row number) appended.
 * Hand-written: a dozen lines, and the rule must be stated exactly (no package states it).
 */
export function reportNames(rows: readonly { row: number; id: string }[]): Map<number, string> {
  const names = new Map<number, string>();
  const taken = new Set<string>();
  for (const r of rows) {
    let n = r.id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\./, '_').slice(0, 100) || '_';
    if (taken.has(n)) n = `${n}-${r.row}`;
    taken.add(n);
    names.set(r.row, n);
  }
  return names;
}

/** The identity of a row's reports (compared on --resume: other reports or options make them again). */
export function reportsKey(r: RowReports | undefined): string | undefined {
  return r ? JSON.stringify([r.formats, r.dir, r.name, r.options, r.store ?? null]) : undefined;
}

/** Whether a done part has every report its task asks for (made, its file present; or refused with its reason). */
export function reportsComplete(p: RowPart, t: RowTask): boolean {
  if (!t.reports) return true;
  if (p.reportsKey !== reportsKey(t.reports)) return false;
  return t.reports.formats.every((f) => {
    const o = p.reports?.find((x) => x.format === f);
    return o !== undefined && (o.file === undefined || (existsSync(path.join(t.reports!.dir, o.file)) && (o.stored === undefined || o.stored === true)));
  });
}

/**
 * The status file's `reports` cell: the files made (with --store, `FILE (stored)` or `FILE (not stored:
 * reason)`), and for each report not made `FORMAT: reason`, joined by `; `.
 */
export function reportsCell(outcomes: readonly ReportOutcome[]): string {
  const stored = (o: ReportOutcome) => (o.stored === undefined ? '' : o.stored === true ? ' (stored)' : ` (not stored: ${o.stored})`);
  return outcomes.map((o) => (o.file !== undefined ? `${o.file}${stored(o)}` : `${o.format}: ${o.reason ?? 'not made'}`)).join('; ');
}

/** What a row is measured with: measure's input without the series, the folder and the series' UID. Plain data (sent to workers). */
export interface RowTask {
  readonly row: number;
  readonly id: string;
  /** The `series` value as the manifest wrote it. */
  readonly series: string;
  readonly folder: string;
  readonly seriesUid?: string;
  readonly input: Omit<MeasureSeriesInput, 'series'>;
  readonly format: BatchFormat;
  /** The reports to make when the row is done (`--reports`). */
  readonly reports?: RowReports;
  /** Set when the row was refused before measuring (a bad value in its manifest row): the reason. */
  readonly refused?: string;
  /**
   * The DICOMweb credentials of URL rows and --store, as the NAMES of the environment variables holding
   * them (`batch --user/--password-env/--token-env`): a secret never travels in a task, a part file or a key.
   */
  readonly auth?: RowAuth;
}

export interface RowAuth {
  readonly user?: string;
  readonly passwordEnv?: string;
  readonly tokenEnv?: string;
}

/** The credentials a task's auth names, read from this thread's environment (a worker thread gets a copy of the batch's). */
function credentialsOf(a: RowAuth): Credentials | null {
  const env = (name: string): string => {
    const v = process.env[name];
    if (v === undefined || v === '') throw new Error(`the environment variable ${name} is not set`);
    return v;
  };
  if (a.tokenEnv !== undefined) return { kind: 'bearer', token: env(a.tokenEnv) };
  if (a.user !== undefined && a.passwordEnv !== undefined) return { kind: 'basic', user: a.user, password: env(a.passwordEnv) };
  return null;
}

/** A finished row, as its part file keeps it. */
export interface RowPart {
  readonly row: number;
  readonly id: string;
  readonly series: string;
  readonly state: 'done' | 'failed';
  /** One line: why the row failed ('' when done). */
  readonly reason: string;
  /** What the row was measured with (a resumed run redoes a row whose key changed). */
  readonly key: string;
  /** csv: measure's header and rows, as measure writes them for this series alone. */
  readonly columns?: string[];
  readonly rows?: string[][];
  /** json: measure's JSON document for this series alone. */
  readonly json?: unknown;
  /** The reports made (or not) for a done row, and what they were made with (reportsKey). */
  readonly reports?: readonly ReportOutcome[];
  readonly reportsKey?: string;
}

/** The identity of what a row is measured with (compared on --resume). */
export function taskKey(t: RowTask): string {
  return JSON.stringify([t.row, t.id, t.series, t.folder, t.seriesUid ?? null, t.input, t.format, t.refused ?? null]);
}

const oneLine = (s: string) => s.replace(/\s*[\r\n]+\s*/g, ' ').trim();

/** Measures one row (never throws for the row's own failures: they are its part's reason). */
export async function measureRow(t: RowTask): Promise<RowPart> {
  const base = { row: t.row, id: t.id, series: t.series, key: taskKey(t) };
  if (t.refused !== undefined) return { ...base, state: 'failed', reason: oneLine(t.refused) };
  // Set (or cleared) for every row: a thread never keeps the credentials of another batch's row.
  const auth = t.auth;
  setProcessCredentials(auth ? async () => credentialsOf(auth) : null);
  const url = looksLikeUrl(t.folder);
  if (!url) {
    // the folder checked first, as `measure` does (its message: `<folder>: no such file or folder`)
    const folder = await stat(t.folder).catch(() => null);
    if (!folder) return { ...base, state: 'failed', reason: `${t.folder}: no such file or folder` };
    if (!folder.isDirectory()) return { ...base, state: 'failed', reason: `${t.folder}: not a folder` };
  }
  let series;
  try {
    // A DICOMweb series URL is read as `measure URL` reads it (a DicomWebSeriesSource, the user's instance cache).
    series = url ? seriesRefFor(t.folder, t.seriesUid) : folderSeries(t.folder, t.seriesUid);
  } catch (e) {
    return { ...base, state: 'failed', reason: oneLine(toUserError(e).message) };
  }
  // A report that needs the HU (the PDF's key images) keeps the volume, as `measure --format pdf` does.
  const keepVolume = t.reports?.formats.some((f) => exportFormat(f).needs.includes('hu')) === true;
  const outcome = await tryMeasureSeries({ ...t.input, series, ...(keepVolume ? { keepVolume } : {}) });
  if (!outcome.ok) return { ...base, state: 'failed', reason: oneLine(outcome.failure.message) };
  const bytes = await encodeExport(t.format, { result: outcome.result });
  const text = new TextDecoder().decode(bytes);
  const reports = t.reports ? { reports: await makeReports(outcome.result, t.reports), reportsKey: reportsKey(t.reports)! } : {};
  if (t.format === 'json') return { ...base, state: 'done', reason: '', json: JSON.parse(text) as unknown, ...reports };
  // measure's CSV read back as cells: the batch writes them again with the same writer (core/format/csv), so each row is byte for byte measure's.
  const [columns, ...rows] = parse(text, { relax_column_count: false }) as string[][];
  return { ...base, state: 'done', reason: '', columns: columns ?? [], rows, ...reports };
}

/** STOW-RS of one written SR or SEG (as `paraspine store` sends it): true, or the one-line reason it was not stored. */
async function storeReport(url: string, bytes: Uint8Array): Promise<true | string> {
  try {
    const addr = parseDicomWebUrl(url);
    const r = await new DicomWebClient(addr.base).store([bytes], addr.studyUid);
    const f = r.failed[0];
    return f ? `the server refused it: ${f.reason}` : true;
  } catch (e) {
    return oneLine(toUserError(e).message);
  }
}

/**
 * A done row's reports, each encoded as `measure --format X` encodes it for this series alone (the same
 * encodeExport, result, volume, references and options) and written atomically (write then rename); one
 * that cannot be made is its one-line reason, never a failed row.
 */
async function makeReports(result: MeasureResult, r: RowReports): Promise<ReportOutcome[]> {
  const outcomes: ReportOutcome[] = [];
  for (const format of r.formats) {
    const file = reportFile(r.name, format);
    try {
      const bytes = await encodeExport(format, { result, volume: result.volume, references: result.references, options: r.options });
      await writeFileAtomic(path.join(r.dir, file), bytes);
      outcomes.push({ format, file, ...(r.store !== undefined && format !== 'pdf' ? { stored: await storeReport(r.store, bytes) } : {}) });
    } catch (e) {
      outcomes.push({ format, reason: oneLine(toUserError(e).message) });
    }
  }
  return outcomes;
}
