/**
 * `paraspine batch MANIFEST.csv --out FILE`: every manifest row measured as `paraspine measure` would
 * measure that series alone (node/batch: rows, parts, workers, outputs); this module parses the
 * arguments, makes each row's task and reports progress. Exit 0 when every row is done, 3 when some
 * failed, 1 when none could be measured.
 */
import { SingleBar } from 'cli-progress';
import { readManifest, shardRows, type ManifestRow } from '../../node/batch/manifest';
import path from 'node:path';
import { REPORT_FORMATS, reportNames, type ReportFormat, type RowTask } from '../../node/batch/row';
import { defaultJobs, runBatch, statusFile } from '../../node/batch/run';
import { oneOf, parse, UsageError, type OptionTable } from '../args';
import { MEASURE_OPTIONS, measureInput, type MeasureOptionValues } from '../measureOptions';
import type { Output } from '../main';
import { MEASURE_COMMAND_OPTIONS, reportOptions } from './measure';
import { parseDicomWebUrl } from '../../node/dicomweb/url';
import { credentialsFrom, DICOMWEB_AUTH_OPTIONS } from '../dicomwebAuth';

/** measure's options that differ per row (the manifest's columns give them), so a batch does not take them. */
const PER_ROW = ['masks', 'annotations', 'series'] as const;
const COMMON_OPTIONS = Object.fromEntries(Object.entries(MEASURE_OPTIONS).filter(([k]) => !(PER_ROW as readonly string[]).includes(k))) as Omit<typeof MEASURE_OPTIONS, (typeof PER_ROW)[number]>;

export const BATCH_FORMATS = ['csv', 'json'] as const;

/** `--shard I/N` (0 <= I < N). */
export function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new UsageError(`--shard must be I/N with 0 <= I < N (got '${s}')`);
  return { index, count };
}

/**
 * The measure option values of a row: the batch's common ones, then the row's own (masks, annotations,
 * levels, series UID, and height and sex where measure has those options).
 */
function rowValues(common: MeasureOptionValues, r: ManifestRow): Record<string, string | boolean | undefined> {
  const v: Record<string, string | boolean | undefined> = { ...common, masks: r.masks, annotations: r.annotations, series: r.seriesUid };
  if (r.levels !== undefined) v.levels = r.levels;
  const extra: [string, string | undefined, string][] = [
    ['height-m', r.heightM, 'height_m'],
    ['sex', r.sex, 'sex'],
  ];
  for (const [option, value, column] of extra) {
    if (value === undefined) continue;
    if (!(option in MEASURE_OPTIONS)) throw new UsageError(`column ${column}: this version of measure has no --${option}`);
    v[option] = value;
  }
  return v;
}

export function rowTask(common: MeasureOptionValues, r: ManifestRow, format: RowTask['format'], manifest: string): RowTask {
  const base = { row: r.row, id: r.id, series: r.seriesAsWritten, folder: r.series, ...(r.seriesUid !== undefined ? { seriesUid: r.seriesUid } : {}), format };
  try {
    return { ...base, input: measureInput(rowValues(common, r) as MeasureOptionValues) };
  } catch (e) {
    return { ...base, input: {}, refused: `${manifest} line ${r.line}: ${(e as Error).message}` };
  }
}

/** Every option of `batch` (its parser and its help): measure's, but those a manifest row gives, and its own. */
export const BATCH_OPTIONS = {
  ...COMMON_OPTIONS,
  out: { type: 'string', help: { value: 'FILE', text: 'The results (required); FILE.status.csv and FILE.parts/ are written beside it.', default: 'none: required' } },
  jobs: { type: 'string', help: { value: 'N', text: 'Rows measured at once (worker threads).', default: 'the cores, as far as free memory allows' } },
  shard: { type: 'string', help: { value: 'I/N', text: 'Measure only every N-th row from row I (0-based): one shard of a cluster run.', default: 'every row' } },
  resume: { type: 'boolean', help: { text: 'Measure only the rows not finished in FILE.parts/ by an earlier run.', default: 'off' } },
  format: { type: 'string', help: { value: BATCH_FORMATS.join('|'), text: 'Format of the results.', default: BATCH_FORMATS[0] } },
  reports: {
    type: 'string',
    help: { value: 'pdf,sr,seg', text: "Per done row also write the reports `measure --format X` writes for that series, as ID.pdf, ID.sr.dcm, ID.seg.dcm in --reports-dir (listed in the status file's reports column), e.g. --reports pdf,sr.", default: 'none' },
  },
  'reports-dir': { type: 'string', help: { value: 'DIR', text: 'The folder of the reports (made when missing).', default: 'FILE.reports/ beside the results' } },
  store: {
    type: 'string',
    help: { value: 'URL', text: 'With --reports sr and/or seg: send each SR and SEG made to this DICOMweb server by STOW-RS (BASE: each into its own study), e.g. http://pacs:8042/dicom-web; the status file says stored or why not.', default: 'none' },
  },
  paper: MEASURE_COMMAND_OPTIONS.paper,
  date: MEASURE_COMMAND_OPTIONS.date,
  ...DICOMWEB_AUTH_OPTIONS,
} as const satisfies OptionTable;

/** `--reports pdf,sr,seg`: the formats, each once, in the order given. */
export function parseReports(s: string): ReportFormat[] {
  const formats: ReportFormat[] = [];
  for (const f of s.split(',').map((x) => x.trim().toLowerCase())) {
    if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new UsageError(`--reports takes ${REPORT_FORMATS.join(', ')} separated by commas (got '${s}')`);
    if (!formats.includes(f as ReportFormat)) formats.push(f as ReportFormat);
  }
  return formats;
}

export async function runBatchCommand(argv: string[], out: Output): Promise<number> {
  const { values, positionals } = parse(
    argv,
    BATCH_OPTIONS,
    1,
  );
  const format = oneOf(values.format, BATCH_FORMATS, '--format', 'csv');
  const manifestFile = positionals[0];
  if (manifestFile === undefined) throw new UsageError('batch needs a manifest (paraspine batch MANIFEST.csv --out FILE)');
  if (values.out === undefined) throw new UsageError('batch needs --out FILE (the results; the status file is written beside it)');
  let jobs = defaultJobs();
  if (values.jobs !== undefined) {
    if (!/^\d+$/.test(values.jobs.trim()) || Number(values.jobs) < 1) throw new UsageError(`--jobs must be a whole number of at least 1 (got '${values.jobs}')`);
    jobs = Number(values.jobs);
  }
  const shard = values.shard !== undefined ? parseShard(values.shard) : undefined;
  const { out: outFile, jobs: _j, shard: _s, resume, format: _f, reports: reportsOption, 'reports-dir': reportsDirOption, store, paper, date, user, 'password-env': passwordEnv, 'token-env': tokenEnv, ...common } = values;
  // Checked once here (usage errors: a missing variable, --user without --password-env); the rows get the variables' names only.
  const auth = credentialsFrom({ ...(user !== undefined ? { user } : {}), ...(passwordEnv !== undefined ? { 'password-env': passwordEnv } : {}), ...(tokenEnv !== undefined ? { 'token-env': tokenEnv } : {}) })
    ? { ...(user !== undefined ? { user } : {}), ...(passwordEnv !== undefined ? { passwordEnv } : {}), ...(tokenEnv !== undefined ? { tokenEnv } : {}) }
    : undefined;
  measureInput(common); // the common options checked once, before any row (a usage error)
  const formats = reportsOption !== undefined ? parseReports(reportsOption) : undefined;
  if (formats === undefined && (reportsDirOption !== undefined || paper !== undefined || date !== undefined)) {
    throw new UsageError(`${reportsDirOption !== undefined ? '--reports-dir' : paper !== undefined ? '--paper' : '--date'} needs --reports`);
  }
  if (store !== undefined) {
    if (!formats?.some((f) => f !== 'pdf')) throw new UsageError('--store sends the SR and SEG reports: give --reports sr and/or seg');
    parseDicomWebUrl(store); // the URL checked before any row
  }
  const reportsDir = formats ? path.resolve(reportsDirOption ?? `${outFile}.reports`) : undefined;
  const options = formats ? reportOptions({ ...common, paper, date }) : undefined;
  const manifest = await readManifest(manifestFile);
  // Names from the whole manifest (before --shard), so every shard names a row's reports as one machine would.
  const names = reportNames(manifest);
  const rows = shardRows(manifest, shard);
  const tasks = rows.map((r) => {
    const t0 = rowTask(common, r, format, manifestFile);
    const t = auth ? { ...t0, auth } : t0;
    return formats && reportsDir && options ? { ...t, reports: { formats, dir: reportsDir, name: names.get(r.row)!, options, ...(store !== undefined ? { store } : {}) } } : t;
  });

  const total = tasks.length;
  let done = 0;
  let failed = 0;
  let notMade = 0;
  let notStored = 0;
  const failures: { row: number; id: string; reason: string }[] = [];
  const started = Date.now();
  const bar = out.progressBar
    ? new SingleBar({ format: 'batch [{bar}] {value}/{total} | done {done} | failed {failed} | {rate}/min | left {eta_formatted}', etaBuffer: 20, hideCursor: true, clearOnComplete: false })
    : null;
  const rate = () => {
    const min = (Date.now() - started) / 60000;
    return min > 0 ? (done + failed) / min : 0;
  };
  bar?.start(total, 0, { done: 0, failed: 0, rate: '0' });
  const summary = await runBatch({
    tasks,
    out: outFile,
    format,
    jobs,
    resume: resume === true,
    ...(reportsDir !== undefined ? { reportsDir } : {}),
    note: (l) => out.note(l),
    onRow(p, resumed) {
      for (const o of p.reports ?? []) {
        if (o.file === undefined) notMade++;
        else if (typeof o.stored === 'string') notStored++;
      }
      if (p.state === 'done') done++;
      else {
        failed++;
        failures.push(p);
      }
      if (bar) bar.update(done + failed, { done, failed, rate: rate().toFixed(1) });
      else if (resumed) out.note(`[${done + failed}/${total}] row ${p.row} (${p.id}): done before, kept`);
      else out.note(`[${done + failed}/${total}] row ${p.row} (${p.id}): ${p.state === 'done' ? 'done' : `failed: ${p.reason}`}`);
    },
  }).finally(() => bar?.stop());
  // Under a progress bar the failed rows are named once it is done (plain lines named them as they came).
  if (bar) for (const f of failures) out.note(`row ${f.row} (${f.id}) failed: ${f.reason}`);
  if (notMade + notStored > 0) {
    out.note(`reports: ${[notMade ? `${notMade} not made` : '', notStored ? `${notStored} not stored` : ''].filter(Boolean).join(', ')} (why: the reports column of ${statusFile(outFile)})`);
  }
  out.note(
    `batch: ${summary.done} done, ${summary.failed} failed of ${total} rows${summary.resumed ? ` (${summary.resumed} done before)` : ''}` +
      `${summary.threads > 0 ? ` on ${summary.threads} worker threads` : ''}; ${outFile}, ${statusFile(outFile)}`,
  );
  if (summary.failed > 0 && summary.done === 0) return 1;
  return summary.failed > 0 ? 3 : 0;
}

