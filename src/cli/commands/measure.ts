/**
 * `paraspine measure`: argument parsing and printing around the measuring use case
 * (node/measureSeries.ts), which reads the series through a folder SeriesSource.
 */
import { EXPORT_FORMATS } from '../../core/export/formats';
import { encodeExport } from '../../node/exports';
import { folderSeries, measureSeries } from '../../node/measureSeries';
import { oneOf, parse } from '../args';
import { MEASURE_OPTIONS, measureInput } from '../measureOptions';
import type { Output } from '../main';
import { requireFolder } from './series';

export async function runMeasure(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parse(argv, { ...MEASURE_OPTIONS, format: { type: 'string' }, out: { type: 'string' } }, 1);
  const format = oneOf(values.format, EXPORT_FORMATS, '--format', EXPORT_FORMATS[0]);
  // Options are checked before the folder (a usage error first, as before).
  const input = measureInput(values);
  const folder = await requireFolder(positionals[0], 'series folder');
  const result = await measureSeries({ ...input, series: folderSeries(folder, values.series) }, (l) => out.note(l));
  await out.emit(await encodeExport(format, { result }), values.out);
}
