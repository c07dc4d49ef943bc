/**
 * `paraspine measure`: argument parsing and printing around the measuring use case
 * (node/measureSeries.ts), which reads the series through a folder SeriesSource.
 */
import { parseLevels } from '../../core/anatomy/anatomy';
import { EXPORT_FORMATS } from '../../core/export/formats';
import { validMaskThreshold } from '../../core/masks/maskValues';
import type { HuRanges } from '../../core/metrics/ranges';
import { encodeExport } from '../../node/exports';
import { measureSeries, seriesRefFor, type MeasureSeriesInput } from '../../node/measureSeries';
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
    },
    1,
  );
  const format = oneOf(values.format, EXPORT_FORMATS, '--format', EXPORT_FORMATS[0]);
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
      series: seriesRefFor(folder, values.series),
      masks: values.masks,
      labels,
      annotations: values.annotations,
      levels,
      z: values.z !== undefined ? parseNumberList(values.z, '--z') : undefined,
      structures: values.structures,
      ranges,
      splitAutochthon: values['split-autochthon'] === true,
      ...(maskThreshold !== undefined ? { maskThreshold } : {}),
    },
    (l) => out.note(l),
  );
  await out.emit(await encodeExport(format, { result }), values.out);
}
