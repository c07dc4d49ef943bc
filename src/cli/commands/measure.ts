/**
 * `paraspine measure`: argument parsing and printing around the measuring use case
 * (node/measureSeries.ts), which reads the series through a folder SeriesSource.
 */
import { parseLevels } from '../../core/anatomy/anatomy';
import { BONE_VERTEBRAE } from '../../core/bone/trabecular';
import { EXPORT_FORMATS, exportFormat } from '../../core/export/formats';
import { heightProblem } from '../../core/indices/anthropometry';
import { validMaskThreshold } from '../../core/masks/maskValues';
import type { HuRanges } from '../../core/metrics/ranges';
import { encodeExport } from '../../node/exports';
import { folderSeries, measureSeries, type MeasureSeriesInput } from '../../node/measureSeries';
import { oneOf, parse, parseNumberList, parseRange, UsageError } from '../args';
import type { Output } from '../main';
import { requireFolder } from './series';

export async function runMeasure(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      masks: { type: 'string' },
      labels: { type: 'string' },
      annotations: { type: 'string' },
      levels: { type: 'string' },
      z: { type: 'string' },
      structures: { type: 'string' },
      'split-autochthon': { type: 'boolean' },
      'mask-threshold': { type: 'string' },
      'muscle-hu': { type: 'string' },
      'fat-hu': { type: 'string' },
      series: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      'height-m': { type: 'string' },
      sex: { type: 'string' },
      paper: { type: 'string' },
      bone: { type: 'string' },
      date: { type: 'string' },
    },
    1,
  );
  const format = oneOf(values.format, EXPORT_FORMATS, '--format', EXPORT_FORMATS[0]);
  // Bytes are never dumped on a terminal: a binary format goes to --out (or a pipe).
  if (exportFormat(format).binary && values.out === undefined && process.stdout.isTTY) {
    throw new UsageError(`--format ${format} writes binary ${exportFormat(format).label} bytes: give --out FILE (or pipe the output)`);
  }
  const paper = oneOf(values.paper, ['a4', 'letter'] as const, '--paper', 'a4');
  const sex = values.sex === undefined ? undefined : oneOf(values.sex.toUpperCase(), ['M', 'F'] as const, '--sex', 'M');
  const boneSpec = values.bone === undefined ? 'none' : oneOf(values.bone.toUpperCase() === 'NONE' ? 'none' : values.bone.toUpperCase(), [...BONE_VERTEBRAE, 'none'] as const, '--bone', 'none');
  let heightM: number | undefined;
  if (values['height-m'] !== undefined) {
    const t = values['height-m'].trim();
    heightM = /^(\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : NaN;
    const why = heightProblem(heightM);
    if (why) throw new UsageError(`--height-m: ${Number.isNaN(heightM) ? `'${values['height-m']}' is not a height in metres` : why}`);
  }
  if (values.date !== undefined && (!/^\d{4}-\d{2}-\d{2}/.test(values.date) || Number.isNaN(new Date(values.date).getTime()))) {
    throw new UsageError(`--date must be an ISO 8601 date or date-time (got '${values.date}')`);
  }
  const labels = values.labels === undefined ? undefined : oneOf(values.labels, ['totalsegmentator'] as const, '--labels', 'totalsegmentator');
  let levels: MeasureSeriesInput['levels'];
  if (values.levels !== undefined) {
    try {
      levels = values.levels.trim().toLowerCase() === 'auto' ? 'auto' : parseLevels(values.levels);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const ranges: Partial<HuRanges> = {};
  if (values['muscle-hu'] !== undefined) (ranges as { muscleHu?: [number, number] }).muscleHu = parseRange(values['muscle-hu'], '--muscle-hu');
  if (values['fat-hu'] !== undefined) (ranges as { fatHu?: [number, number] }).fatHu = parseRange(values['fat-hu'], '--fat-hu');
  let maskThreshold: number | undefined;
  if (values['mask-threshold'] !== undefined) {
    const t = values['mask-threshold'].trim();
    maskThreshold = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
    if (!validMaskThreshold(maskThreshold)) throw new UsageError(`--mask-threshold must be a number greater than 0 and at most 1 (got '${values['mask-threshold']}')`);
  }
  const folder = await requireFolder(positionals[0], 'series folder');
  const result = await measureSeries(
    {
      series: folderSeries(folder, values.series),
      masks: values.masks,
      labels,
      annotations: values.annotations,
      levels,
      z: values.z !== undefined ? parseNumberList(values.z, '--z') : undefined,
      structures: values.structures,
      ranges,
      splitAutochthon: values['split-autochthon'] === true,
      ...(maskThreshold !== undefined ? { maskThreshold } : {}),
      ...(boneSpec !== 'none' ? { bone: boneSpec } : {}),
      keepVolume: exportFormat(format).needs.includes('hu'),
    },
    (l) => out.note(l),
  );
  const bytes = await encodeExport(format, {
    result,
    volume: result.volume,
    references: result.references,
    options: { paper, ...(heightM !== undefined ? { heightM } : {}), ...(sex ? { sex } : {}), ...(values.date !== undefined ? { madeAt: new Date(values.date).toISOString() } : {}) },
    note: (l) => out.note(l),
  });
  await out.emit(bytes, values.out);
}
