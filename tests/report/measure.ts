import { EXPORT_ENCODERS } from '../../src/node/exports';
import { folderSeries, measureSeries, type MeasureResult, type MeasureSeriesInput } from '../../src/node/measureSeries';
import type { FolderSeriesLocator } from '../../src/shared/contract';

export type { MeasureResult };

/** `paraspine measure`'s use case on a folder (the options as the command line gives them). */
export function measure(opts: Omit<MeasureSeriesInput<FolderSeriesLocator>, 'series'> & { folder: string; seriesUid?: string }): Promise<MeasureResult> {
  const { folder, seriesUid, ...rest } = opts;
  return measureSeries({ series: folderSeries(folder, seriesUid), ...rest });
}

/** The CSV `paraspine measure --format csv` prints for a result. */
export function measureCsv(result: MeasureResult): string {
  return new TextDecoder().decode(EXPORT_ENCODERS.csv({ result }) as Uint8Array); // the CSV encoder is synchronous
}
