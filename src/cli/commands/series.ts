import { stat } from 'node:fs/promises';
import type { FileProblem, ScanResult, SeriesSummary } from '../../core/dicom/types';
import { looksLikeUrl } from '../../node/dicomweb/url';
import { DICOMWEB_AUTH_OPTIONS, useDicomWebCredentials } from '../dicomwebAuth';
import { int16Stats } from '../../core/dicom/simd16';
import type { HuStats } from '../../core/volume';
import { FolderSeriesSource, openFolderSeries, scanFolderSeries } from '../../node/seriesSource';
import { CliError, parse, UsageError, type OptionTable } from '../args';
import type { Output } from '../main';

/**
 * The folder named on the command line (it must exist and be a folder). A URL (`http://…`) passes as
 * it is: `measure` and `scan` also take a DICOMweb server's series or study (checked where it is read).
 */
export async function requireFolder(folder: string | undefined, what = 'folder'): Promise<string> {
  if (!folder) throw new UsageError(`missing ${what}`);
  if (looksLikeUrl(folder)) return folder;
  let s;
  try {
    s = await stat(folder);
  } catch {
    throw new CliError(`${folder}: no such file or folder`, 'notFound');
  }
  if (!s.isDirectory()) throw new CliError(`${folder}: not a folder`);
  return folder;
}

/**
 * Names every file a command left out (unusable, or not part of the series' volume), one line each on
 * stderr: `skipped <file>: <reason>`. Every command that reads a series calls it, so that no slice is
 * left out in silence (`scan` lists them in its own output instead).
 */
export function noteSkipped(problems: readonly FileProblem[], note: (line: string) => void): void {
  for (const p of problems) note(`skipped ${p.path}: ${p.reason}`);
}

function fmt(n: number | null | undefined, digits = 4): string {
  return n === null || n === undefined ? '-' : String(Number(n.toFixed(digits)));
}

export function describeSeries(s: SeriesSummary): string[] {
  return [
    `  series ${s.seriesInstanceUid}  #${s.seriesNumber ?? '-'}  ${s.modality}  "${s.seriesDescription}"`,
    `    ${s.slices} slices of ${s.rows} x ${s.columns}, pixel spacing ${s.pixelSpacing.map((v) => fmt(v)).join(' x ')} mm, ` +
      `spacing between slices ${fmt(s.sliceSpacingMm)} mm (slice thickness ${fmt(s.sliceThickness)} mm)`,
    `    orientation ${s.imageOrientation.map((v) => fmt(v, 3)).join('\\')}, transfer syntax ${s.transferSyntaxUids.join(', ') || 'as stored (known once retrieved)'}, ${s.files.length} ${isUrl(s.files[0]) ? 'instance(s)' : 'file(s)'}`,
    ...s.warnings.map((w) => `    warning: ${w}`),
  ];
}

function isUrl(s: string | undefined): boolean {
  return s !== undefined && looksLikeUrl(s);
}

const dicomWebQuery = (what: string) => ({ type: 'string', help: { value: 'TEXT', text: `Search a DICOMweb server's studies by ${what} (QIDO; a URL only).`, default: 'none' } }) as const;

/** Every option of `scan` (its parser and its help). */
export const SCAN_OPTIONS = {
  json: { type: 'boolean', help: { text: 'Print the listing as JSON.', default: 'off' } },
  patient: dicomWebQuery("patient name (wildcards * and ?)"),
  'patient-id': dicomWebQuery('patient ID'),
  date: dicomWebQuery('study date (YYYYMMDD or YYYYMMDD-YYYYMMDD)'),
  accession: dicomWebQuery('accession number'),
  description: dicomWebQuery('study description'),
  modality: dicomWebQuery('modality in the study (e.g. CT)'),
  ...DICOMWEB_AUTH_OPTIONS,
} as const satisfies OptionTable;

/** Every option of `info` (its parser and its help). */
export const INFO_OPTIONS = {
  series: { type: 'string', help: { value: 'UID', text: 'The series when the folder holds more than one.', default: 'the only series' } },
  'hu-stats': { type: 'boolean', help: { text: 'Load every pixel and print HU min, max and mean.', default: 'off' } },
  json: { type: 'boolean', help: { text: 'Print the summary as JSON.', default: 'off' } },
} as const satisfies OptionTable;

export async function runScan(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parse(argv, SCAN_OPTIONS, 1);
  const folder = await requireFolder(positionals[0]);
  useDicomWebCredentials(values, looksLikeUrl(folder));
  if (looksLikeUrl(folder)) {
    const found = await (await import('./scanDicomWeb')).scanDicomWeb(folder, values);
    if (values.json) return out.emit(JSON.stringify(found, null, 2) + '\n');
    const lines: string[] = [];
    for (const r of found.studies) {
      if (r.series.length === 0) lines.push(`study ${r.studyInstanceUid}`, '  no image series');
      lines.push(...scanLines(r, 'instance').filter((l) => l !== 'no image series found'));
    }
    if (found.studies.length === 0) lines.push(`no study found on ${found.root}`);
    await out.emit(lines.join('\n') + '\n');
    return;
  }
  for (const o of ['patient', 'patient-id', 'date', 'accession', 'description', 'modality'] as const) {
    if (values[o] !== undefined) throw new UsageError(`--${o} searches a DICOMweb server: give its URL (http://HOST/dicom-web), not a folder`);
  }
  const result = await new FolderSeriesSource().list({ kind: 'folder', path: folder });
  if (values.json) {
    await out.emit(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  await out.emit(scanLines(result).join('\n') + '\n');
}

/** A listing as `scan` prints it: each study with its series, then the items not used. */
export function scanLines(result: ScanResult, what = 'file'): string[] {
  const lines: string[] = [];
  const studies = new Map<string, SeriesSummary[]>();
  for (const s of result.series) {
    const list = studies.get(s.studyInstanceUid) ?? [];
    list.push(s);
    studies.set(s.studyInstanceUid, list);
  }
  for (const [study, series] of studies) {
    const f = series[0]!;
    lines.push(`study ${study}  patient "${f.patientName}" (${f.patientId})  ${f.studyDate}  "${f.studyDescription}"`);
    for (const s of series) lines.push(...describeSeries(s));
  }
  if (result.series.length === 0) lines.push('no image series found');
  if (result.problems.length > 0) {
    lines.push(`${result.problems.length} ${what}(s) not used:`);
    for (const p of result.problems) lines.push(`  ${p.path}: ${p.reason}`);
  }
  return lines;
}

/** Bytes of HU one read of `info --hu-stats` takes at most (whole slices; at least one slice). */
const HU_STATS_CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * `info --hu-stats`: min, max and mean HU of the CT series of a folder (chosen as loadFolderSeries
 * chooses it), read a range of slices at a time and summed as it goes, so the whole HU volume is never
 * held: a fresh volume-sized buffer costs more in first-touch page faults than reading the files (issue
 * 17: within 3x of `cat`). The same figures as core/volume huStats on the whole volume: int16 sums are
 * exact integers (any order), float sums run voxel by voxel in the same order across ranges.
 */
async function streamHuStats(folder: string, seriesUid: string | undefined): Promise<{ summary: SeriesSummary; stats: HuStats; warnings: readonly string[]; problems: FileProblem[] }> {
  const series = await openFolderSeries(folder, seriesUid);
  const g = series.geometry;
  const step = Math.max(1, Math.floor(HU_STATS_CHUNK_BYTES / (g.rows * g.columns * (series.huType === 'int16' ? 2 : 4))));
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let voxels = 0;
  let buffer: Int16Array | Float32Array | undefined; // one array for every range (a fresh one each costs GC and page faults)
  for (let start = 0; start < g.slices; start += step) {
    const hu = await series.readSlices(start, Math.min(step, g.slices - start), buffer);
    buffer = hu;
    voxels += hu.length;
    const fast = hu instanceof Int16Array ? int16Stats(hu) : null;
    if (fast) {
      if (fast.min < min) min = fast.min;
      if (fast.max > max) max = fast.max;
      sum += fast.sum;
      continue;
    }
    for (let p = 0; p < hu.length; p++) {
      const x = hu[p]!;
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
    }
  }
  return { summary: series.summary, stats: { min, max, mean: sum / voxels, voxels }, warnings: series.warnings, problems: series.problems };
}

export async function runInfo(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parse(argv, INFO_OPTIONS, 1);
  const folder = await requireFolder(positionals[0], 'series folder');
  if (looksLikeUrl(folder)) throw new UsageError(`${folder}: info reads a folder; list a DICOMweb study with scan, measure its series with measure`);
  let info: Record<string, unknown>;
  let lines: string[];
  // Files of the folder left out (`problems`, a key of its own in the JSON): named on stderr as well.
  if (values['hu-stats']) {
    const { summary, stats, warnings, problems } = await streamHuStats(folder, values.series);
    noteSkipped(problems, (l) => out.note(l));
    info = { series: summary, huStats: stats, warnings, problems };
    lines = [...describeSeries(summary), `    HU min ${fmt(stats.min)}, max ${fmt(stats.max)}, mean ${fmt(stats.mean)} over ${stats.voxels} voxels`];
  } else {
    const { scan: result, summary } = await scanFolderSeries(folder, values.series);
    noteSkipped(result.problems, (l) => out.note(l));
    info = { series: summary, problems: result.problems };
    lines = describeSeries(summary);
  }
  await out.emit(values.json ? JSON.stringify(info, null, 2) + '\n' : lines.join('\n') + '\n');
}
