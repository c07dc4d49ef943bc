/**
 * `paraspine merge`: shards' results and status files (each shard a `batch --shard I/N` run) joined into
 * what one machine would have written for the whole manifest: rows in manifest order (the status
 * files' `row`), written by the same functions as a batch (output.ts).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { UserError } from '../../core/errors';
import { writeFileAtomic } from '../atomicWrite';
import { REPORTS_COLUMN, resultsCsv, resultsJson, statusCsv, STATUS_COLUMNS, type RowTable, type StatusLine } from './output';
import { statusFile } from './run';

const refused = (message: string) => new UserError('input', message);

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? 'notFound' : 'input', `${file}: cannot read (${code ?? (e as Error).message})`);
  }
}

function csvCells(text: string, file: string): string[][] {
  try {
    return parse(text, { relax_column_count: false }) as string[][];
  } catch (e) {
    throw refused(`${file}: not a valid CSV: ${(e as Error).message.split('\n')[0]}`);
  }
}

async function readStatus(shard: string): Promise<StatusLine[]> {
  const file = statusFile(shard);
  const [header, ...rows] = csvCells(await readText(file), file);
  const plain = STATUS_COLUMNS.join(',');
  const withReports = header?.join(',') === `${plain},${REPORTS_COLUMN}`;
  if (!header || (header.join(',') !== plain && !withReports)) throw refused(`${file}: not a batch status file (header ${plain}[,${REPORTS_COLUMN}] expected)`);
  return rows.map((c, k) => {
    const row = Number(c[0]);
    if (!Number.isInteger(row) || row < 1 || (c[3] !== 'done' && c[3] !== 'failed')) throw refused(`${file} line ${k + 2}: not a status line (row number, state done or failed)`);
    return { row, id: c[1]!, series: c[2]!, state: c[3], reason: c[4]!, ...(withReports ? { reports: c[5]! } : {}) };
  });
}

export interface MergeSummary {
  readonly rows: number;
  readonly failed: number;
  /** Row numbers below the highest one that no shard has (a shard not given, or not finished). */
  readonly missing: number[];
}

export async function mergeShards(out: string, shards: readonly string[]): Promise<MergeSummary> {
  const status: StatusLine[] = [];
  const from = new Map<number, string>();
  const tables = new Map<string, RowTable>();
  let json: (StatusLine & { result?: unknown })[] | null = null;
  for (const shard of shards) {
    const lines = await readStatus(shard);
    for (const l of lines) {
      const other = from.get(l.row);
      if (other !== undefined) throw refused(`${shard}: row ${l.row} is in ${other} too (each shard once)`);
      from.set(l.row, shard);
    }
    status.push(...lines);
    const text = await readText(shard);
    if (text.trimStart().startsWith('{')) {
      let doc: { format?: unknown; rows?: (StatusLine & { result?: unknown })[] };
      try {
        doc = JSON.parse(text) as typeof doc;
      } catch {
        throw refused(`${shard}: not valid JSON`);
      }
      if (doc.format !== 'paraspine-batch' || !Array.isArray(doc.rows)) throw refused(`${shard}: not a batch result (format paraspine-batch)`);
      json = [...(json ?? []), ...doc.rows];
      continue;
    }
    if (json) throw refused(`${shard}: a CSV among JSON shards (merge shards of one format)`);
    const [header, ...rows] = csvCells(text, shard);
    if (!header || header[0] !== 'id') throw refused(`${shard}: not a batch result (its first column must be id)`);
    for (const cells of rows) {
      const id = cells[0]!;
      const t = tables.get(id) ?? { id, columns: header.slice(1), rows: [] };
      (t.rows as string[][]).push(cells.slice(1));
      tables.set(id, t);
    }
  }
  status.sort((a, b) => a.row - b.row);
  const max = status.at(-1)?.row ?? 0;
  const missing = Array.from({ length: max }, (_, k) => k + 1).filter((r) => !from.has(r));
  const content = json
    ? resultsJson(json)
    : resultsCsv(status.filter((s) => s.state === 'done').map((s) => tables.get(s.id) ?? { id: s.id, columns: [], rows: [] }));
  try {
    await writeFileAtomic(out, content);
    await writeFileAtomic(statusFile(out), statusCsv(status));
  } catch (e) {
    throw refused(`cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return { rows: status.length, failed: status.filter((s) => s.state === 'failed').length, missing };
}
