import { TEXT_FORMATS } from '../../core/export/formats';
import { toCsv } from '../../core/format/csv';
import { VOLUME_METRIC_KEYS } from '../../core/metrics/definitions';
import { computeMetrics, DEFAULT_REGISTRY } from '../../core/metrics/definitions';
import type { VolumeStats } from '../../core/metrics/volumeStats';
import { loadFolderSeries } from '../../node/seriesSource';
import { maskVolumeAccumulators } from '../../node/masks';
import { CliError, oneOf, parse, type OptionTable } from '../args';
import type { Output } from '../main';
import { noteSkipped, requireFolder } from './series';

export interface StructureStats extends VolumeStats {
  structure: string;
}

/** CSV columns: the structure, then the volume metrics' keys (from their definitions). */
export const STATS_COLUMNS = ['structure', ...VOLUME_METRIC_KEYS] as const;

/** Whole-volume statistics per mask (what TotalSegmentator's --statistics reports, for cross-checks). */
export async function stats(folder: string, masksPath: string, opts: { seriesUid?: string; labels?: 'totalsegmentator' } = {}, note: (l: string) => void = () => {}) {
  const { summary, volume, problems: seriesProblems } = await loadFolderSeries(folder, opts.seriesUid);
  noteSkipped(seriesProblems, note); // before the masks are read, so a failure there still leaves them named
  // One mask at a time (a multilabel file in one pass): never one whole-grid array per label.
  const { structures: sums, problems: maskProblems, notes } = await maskVolumeAccumulators(masksPath, volume, { labels: opts.labels });
  noteSkipped(maskProblems, note);
  // Every file left out, the series' (DICOM) first, then the masks', as measure lists them.
  const problems = [...seriesProblems, ...maskProblems];
  for (const w of volume.warnings) note(`warning: ${w}`);
  for (const n of notes) note(`note ${n.path}: ${n.reason}`);
  const structures: StructureStats[] = sums.map((m) => ({ structure: m.name, ...(computeMetrics(DEFAULT_REGISTRY.volume, m.accumulator) as VolumeStats) }));
  return { series: summary, structures, problems, warnings: notes.map((n) => `${n.path}: ${n.reason}`) };
}

/** Every option of `stats` (its parser and its help). */
export const STATS_OPTIONS = {
  masks: { type: 'string', help: { value: 'FOLDER|FILE', text: 'The masks (required): a folder of NIfTI masks, a multilabel NIfTI or a DICOM SEG.', default: 'none: required' } },
  labels: { type: 'string', help: { value: 'totalsegmentator', text: "The label table of a multilabel file (TotalSegmentator v2 'total').", default: 'label_N names' } },
  series: { type: 'string', help: { value: 'UID', text: 'The series when the folder holds more than one.', default: 'the only series' } },
  format: { type: 'string', help: { value: TEXT_FORMATS.join('|'), text: 'Output format.', default: TEXT_FORMATS[0] } },
  out: { type: 'string', help: { value: 'FILE', text: 'Write to FILE instead of stdout.', default: 'stdout' } },
} as const satisfies OptionTable;

export async function runStats(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parse(
    argv,
    STATS_OPTIONS,
    1,
  );
  const format = oneOf(values.format, TEXT_FORMATS, '--format', TEXT_FORMATS[0]);
  const labels = values.labels === undefined ? undefined : oneOf(values.labels, ['totalsegmentator'] as const, '--labels', 'totalsegmentator');
  const folder = await requireFolder(positionals[0], 'series folder');
  if (!values.masks) throw new CliError('stats needs --masks <folder|file>');
  const r = await stats(folder, values.masks, { seriesUid: values.series, labels }, (l) => out.note(l));
  const text =
    format === 'csv'
      ? toCsv(['seriesInstanceUid', ...STATS_COLUMNS], r.structures.map((s) => ({ seriesInstanceUid: r.series.seriesInstanceUid, ...s })))
      : JSON.stringify({ series: r.series, structures: r.structures, problems: r.problems, ...(r.warnings.length ? { warnings: r.warnings } : {}) }, null, 2) + '\n';
  await out.emit(text, values.out);
}
