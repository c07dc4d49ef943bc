/**
 * One batch row measured: tryMeasureSeries on the row's series (failures are data), encoded as
 * `paraspine measure` would write it alone (encodeExport), and kept as a part record. The part is
 * plain data, so a worker thread can make it (worker.ts) as well as the main thread.
 */
import { stat } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import type { MeasureSeriesInput } from '../measureSeries';
import { folderSeries, tryMeasureSeries } from '../measureSeries';
import { encodeExport } from '../exports';

export type BatchFormat = 'csv' | 'json';

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
  /** Set when the row was refused before measuring (a bad value in its manifest row): the reason. */
  readonly refused?: string;
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
  // the folder checked first, as `measure` does (its message: `<folder>: no such file or folder`)
  const folder = await stat(t.folder).catch(() => null);
  if (!folder) return { ...base, state: 'failed', reason: `${t.folder}: no such file or folder` };
  if (!folder.isDirectory()) return { ...base, state: 'failed', reason: `${t.folder}: not a folder` };
  const outcome = await tryMeasureSeries({ ...t.input, series: folderSeries(t.folder, t.seriesUid) });
  if (!outcome.ok) return { ...base, state: 'failed', reason: oneLine(outcome.failure.message) };
  const bytes = await encodeExport(t.format, { result: outcome.result });
  const text = new TextDecoder().decode(bytes);
  if (t.format === 'json') return { ...base, state: 'done', reason: '', json: JSON.parse(text) as unknown };
  // measure's CSV read back as cells: the batch writes them again with the same writer (core/format/csv), so each row is byte for byte measure's.
  const [columns, ...rows] = parse(text, { relax_column_count: false }) as string[][];
  return { ...base, state: 'done', reason: '', columns: columns ?? [], rows };
}
