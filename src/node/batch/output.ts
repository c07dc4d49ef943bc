/**
 * The batch's outputs: the tidy results (measure's rows for every done row, the manifest's `id` as the
 * FIRST column) and the status file (`row,id,series,state,reason`, one line per manifest row), both
 * made from finished rows in manifest order. `paraspine merge` makes the same files from shards' outputs,
 * with the same functions, so a merge gives what one machine would have written.
 */
import { EXPORT_CSV_COLUMNS } from '../../core/export/measurementsExport';
import { toCsv } from '../../core/format/csv';

export const STATUS_COLUMNS = ['row', 'id', 'series', 'state', 'reason'] as const;
/** The column added after STATUS_COLUMNS by `--reports`: the row's report files, and why any was not made. */
export const REPORTS_COLUMN = 'reports';

/** A row's state as the status file lists it. */
export interface StatusLine {
  readonly row: number;
  readonly id: string;
  readonly series: string;
  readonly state: 'done' | 'failed';
  readonly reason: string;
  /** With --reports: the files made and the reports not made with their reason (row.ts reportsCell). */
  readonly reports?: string;
}

/** A done row's measure CSV, read as cells. */
export interface RowTable {
  readonly id: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/**
 * The results CSV: `id`, then measure's columns (EXPORT_CSV_COLUMNS, then any other column a row's
 * CSV has, e.g. `source`, in the order first met), one line per measure row; a cell a row's CSV lacks
 * is empty. The cells are written with measure's own writer, so each line minus its id is measure's.
 */
export function resultsCsv(tables: readonly RowTable[]): string {
  const columns: string[] = [...EXPORT_CSV_COLUMNS];
  for (const t of tables) for (const c of t.columns) if (!columns.includes(c)) columns.push(c);
  const records: Record<string, string>[] = [];
  for (const t of tables) {
    for (const cells of t.rows) {
      const r: Record<string, string> = { id: t.id };
      t.columns.forEach((c, k) => (r[c] = cells[k] ?? ''));
      records.push(r);
    }
  }
  return toCsv(['id', ...columns], records);
}

export function statusCsv(lines: readonly StatusLine[]): string {
  const columns = lines.some((l) => l.reports !== undefined) ? [...STATUS_COLUMNS, REPORTS_COLUMN] : STATUS_COLUMNS;
  return toCsv(columns, [...lines].sort((a, b) => a.row - b.row) as unknown as Record<string, unknown>[]);
}

/** The results as JSON: per row its status and, when done, measure's JSON document. */
export function resultsJson(rows: readonly (StatusLine & { result?: unknown })[]): string {
  return `${JSON.stringify({ format: 'paraspine-batch', version: 1, rows: [...rows].sort((a, b) => a.row - b.row) }, null, 2)}\n`;
}
