/**
 * `paraspine measure`: argument parsing and printing around the measuring use case
 * (node/measureSeries.ts), which reads the series through a folder SeriesSource.
 */
import { EXPORT_FORMATS, exportFormat } from '../../core/export/formats';
import { encodeExport, type ReportOptions } from '../../node/exports';
import { seriesRefFor, measureSeries } from '../../node/measureSeries';
import { oneOf, parse, UsageError, type OptionTable } from '../args';
import { MEASURE_OPTIONS, measureInput, person, type MeasureOptionValues } from '../measureOptions';
import type { Output } from '../main';
import { requireFolder } from './series';
import { DICOMWEB_AUTH_OPTIONS, useDicomWebCredentials } from '../dicomwebAuth';
import { looksLikeUrl, parseDicomWebUrl } from '../../node/dicomweb/url';
import { parseIsoDate } from '../isoDate';

/** Every option of `measure` (its parser and its help). */
export const MEASURE_COMMAND_OPTIONS = {
  ...MEASURE_OPTIONS,
  format: { type: 'string', help: { value: EXPORT_FORMATS.join('|'), text: 'What to write: the records (csv, json), the report (pdf), a DICOM SR or a DICOM SEG of the outlines.', default: EXPORT_FORMATS[0] } },
  out: { type: 'string', help: { value: 'FILE', text: 'Write to FILE instead of stdout (binary formats need it, or a pipe).', default: 'stdout' } },
  paper: { type: 'string', help: { value: 'a4|letter', text: 'Paper size of the PDF report.', default: 'a4' } },
  date: { type: 'string', help: { value: 'ISO', text: "The report's date (with it an SR or SEG made again from the same inputs is the same bytes: its UIDs are derived from its content and date).", default: "the annotation document's last change, else now" } },
  store: {
    type: 'string',
    help: { value: 'URL', text: 'After writing the SR or SEG (--format sr|seg), send it by STOW-RS to this DICOMweb server (BASE, or BASE/studies/STUDY_UID), e.g. http://pacs:8042/dicom-web.', default: 'none' },
  },
  ...DICOMWEB_AUTH_OPTIONS,
} as const satisfies OptionTable;

/** The formats --store sends (the DICOM objects). */
const STORABLE = ['sr', 'seg'] as const;

/** --paper, --height-m, --sex and --date as a report's options (usage errors as UsageError); shared with `batch --reports`. */
export function reportOptions(values: { paper?: string; date?: string } & MeasureOptionValues): ReportOptions {
  const paper = oneOf(values.paper, ['a4', 'letter'] as const, '--paper', 'a4');
  if (values.date !== undefined && parseIsoDate(values.date) === null) {
    throw new UsageError(`--date must be an ISO 8601 date or date-time (got '${values.date}')`);
  }
  return { paper, ...person(values), ...(values.date !== undefined ? { madeAt: new Date(values.date).toISOString() } : {}) };
}

export async function runMeasure(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parse(argv, MEASURE_COMMAND_OPTIONS, 1);
  const format = oneOf(values.format, EXPORT_FORMATS, '--format', EXPORT_FORMATS[0]);
  // Bytes are never dumped on a terminal: a binary format goes to --out (or a pipe).
  if (exportFormat(format).binary && values.out === undefined && process.stdout.isTTY) {
    throw new UsageError(`--format ${format} writes binary ${exportFormat(format).label} bytes: give --out FILE (or pipe the output)`);
  }
  const options = reportOptions(values);
  if (values.store !== undefined) {
    if (!(STORABLE as readonly string[]).includes(format)) throw new UsageError(`--store sends a DICOM SR or SEG: give --format sr or --format seg (not ${format})`);
    parseDicomWebUrl(values.store); // the URL checked before measuring
  }
  // Options are checked before the folder (a usage error first, as before).
  const input = measureInput(values);
  // The mapping options name what to do with masks: alone they are a mistake (a batch's rows may lack masks, so not refused there).
  for (const option of ['split-autochthon', 'no-split'] as const) if (values[option] === true && values.masks === undefined) throw new UsageError(`--${option} needs --masks`);
  const folder = await requireFolder(positionals[0], 'series folder');
  useDicomWebCredentials(values, looksLikeUrl(folder) || values.store !== undefined); // the series' server and --store's share them
  const result = await measureSeries({ ...input, series: seriesRefFor(folder, values.series), keepVolume: exportFormat(format).needs.includes('hu') }, (l) => out.note(l));
  const bytes = await encodeExport(format, {
    result,
    volume: result.volume,
    references: result.references,
    options,
    note: (l) => out.note(l),
  });
  await out.emit(bytes, values.out);
  // Written first: a store that fails leaves the file on disk, and says why in one line (exit non-zero).
  if (values.store !== undefined) out.note(await (await import('./store')).storeMade(values.store, values.out ?? 'stdout', bytes, exportFormat(format).label));
}
