/**
 * A batch run: the rows' tasks measured (inline, or on piscina worker threads for --jobs > 1), each
 * finished row kept at once in its own part file (`<out>.parts/<row>.json`, written atomically), and
 * the results and status files joined from the parts at the end (written atomically). A kill -9 at any
 * moment loses no finished row; `resume` keeps the parts of rows done with the same inputs and
 * measures only the others (failed rows are tried again).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, freemem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../../core/errors';
import { cleanInterruptedWrites, writeFileAtomic } from '../atomicWrite';
import { resultsCsv, resultsJson, statusCsv, type StatusLine } from './output';
import { measureRow, reportsCell, reportsComplete, taskKey, type BatchFormat, type RowPart, type RowTask } from './row';

export interface BatchRunOptions {
  readonly tasks: readonly RowTask[];
  readonly out: string;
  readonly format: BatchFormat;
  readonly jobs: number;
  readonly resume: boolean;
  /** The folder of the rows' reports (`--reports-dir`), made when missing. */
  readonly reportsDir?: string;
  /** Called once per row as it ends (resumed rows too, with `resumed`). */
  readonly onRow?: (part: RowPart, resumed: boolean) => void;
  /** One-line notes (stderr). */
  readonly note?: (line: string) => void;
}

export interface BatchSummary {
  readonly done: number;
  readonly failed: number;
  readonly resumed: number;
  /** Rows measured on worker threads (0 when inline). */
  readonly onWorkers: number;
  /** Worker threads the rows ran on (0: the main thread). */
  readonly threads: number;
}

/** Memory a row may need at most (a 512 x 512 x 600 series as HU and stored values, with room): caps the default --jobs. */
const ROW_MEMORY_BYTES = 1.5 * 1024 ** 3;

/** The default --jobs: the cores, capped by the free memory (at least 1). */
export function defaultJobs(): number {
  return Math.max(1, Math.min(availableParallelism(), Math.floor(freemem() / ROW_MEMORY_BYTES)));
}

export const partsDir = (out: string) => `${out}.parts`;
export const statusFile = (out: string) => `${out}.status.csv`;
const partFile = (out: string, row: number) => path.join(partsDir(out), `${row}.json`);

/** The bundled worker (out/cli/batchWorker.mjs, scripts/build-cli.mjs), found beside the running code as decoderPool finds its own. */
export function batchWorkerFile(): string | null {
  const here = import.meta.url;
  if (!here.startsWith('file:')) return null;
  for (const rel of ['./batchWorker.mjs', '../batchWorker.mjs', '../cli/batchWorker.mjs', '../../out/cli/batchWorker.mjs', '../../../out/cli/batchWorker.mjs']) {
    try {
      const p = fileURLToPath(new URL(rel, here));
      if (existsSync(p)) return p;
    } catch {
      // not a usable path: try the next
    }
  }
  return null;
}

async function readPart(file: string): Promise<RowPart | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as RowPart;
  } catch {
    return null; // absent, or not ours: the row is measured again
  }
}

export async function runBatch(o: BatchRunOptions): Promise<BatchSummary> {
  const dir = partsDir(o.out);
  try {
    if (!o.resume) await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await cleanInterruptedWrites(dir);
  } catch (e) {
    throw new UserError('input', `${dir}: cannot write the batch's part files (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (o.reportsDir !== undefined) {
    try {
      await mkdir(o.reportsDir, { recursive: true });
      await cleanInterruptedWrites(o.reportsDir);
    } catch (e) {
      throw new UserError('input', `${o.reportsDir}: cannot write the reports (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  const parts = new Map<number, RowPart>();
  let resumed = 0;
  if (o.resume) {
    for (const t of o.tasks) {
      const p = await readPart(partFile(o.out, t.row));
      if (p && p.state === 'done' && p.key === taskKey(t) && reportsComplete(p, t)) {
        parts.set(t.row, p);
        resumed++;
        o.onRow?.(p, true);
      }
    }
  }
  const todo = o.tasks.filter((t) => !parts.has(t.row));
  const keep = async (p: RowPart) => {
    await writeFileAtomic(partFile(o.out, p.row), JSON.stringify(p));
    parts.set(p.row, p);
    o.onRow?.(p, false);
  };
  const jobs = Math.max(1, Math.min(o.jobs, todo.length));
  const worker = jobs > 1 ? batchWorkerFile() : null;
  if (jobs > 1 && !worker) o.note?.('the batch worker (out/cli/batchWorker.mjs) is missing: rows run one at a time');
  let onWorkers = 0;
  if (worker) {
    const { Piscina } = await import('piscina');
    const pool = new Piscina<RowTask, RowPart>({ filename: worker, minThreads: jobs, maxThreads: jobs, idleTimeout: 1000 });
    try {
      await Promise.all(
        todo.map(async (t) => {
          let p: RowPart;
          try {
            p = await pool.run(t);
            onWorkers++;
          } catch (e) {
            // a worker that died (out of memory, a crash in a decoder): that row failed, the others go on
            p = { row: t.row, id: t.id, series: t.series, key: taskKey(t), state: 'failed', reason: `worker failed: ${((e as Error).message ?? String(e)).split('\n')[0]}` };
          }
          await keep(p);
        }),
      );
    } finally {
      await pool.destroy();
    }
  } else {
    for (const t of todo) await keep(await measureRow(t));
  }
  const ordered = o.tasks.map((t) => parts.get(t.row)!);
  // With --reports every row has a `reports` cell (empty for a failed row).
  const withReports = o.tasks.some((t) => t.reports !== undefined);
  const status: StatusLine[] = ordered.map(({ row, id, series, state, reason, reports }) => ({ row, id, series, state, reason, ...(withReports ? { reports: reportsCell(reports ?? []) } : {}) }));
  const results =
    o.format === 'json'
      ? resultsJson(ordered.map((p, k) => ({ ...status[k]!, ...(p.state === 'done' ? { result: p.json } : {}) })))
      : resultsCsv(ordered.filter((p) => p.state === 'done').map((p) => ({ id: p.id, columns: p.columns ?? [], rows: p.rows ?? [] })));
  try {
    await writeFileAtomic(o.out, results);
    await writeFileAtomic(statusFile(o.out), statusCsv(status));
  } catch (e) {
    throw new UserError('input', `cannot write ${o.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const failed = status.filter((s) => s.state === 'failed').length;
  return { done: status.length - failed, failed, resumed, onWorkers, threads: worker ? jobs : 0 };
}

/** The part files of a batch output (tests and merge checks). */
export async function listParts(out: string): Promise<string[]> {
  try {
    return (await readdir(partsDir(out))).filter((n) => /^\d+\.json$/.test(n));
  } catch {
    return [];
  }
}
