/**
 * Export encoders: one per format of the registry (core/export/formats.ts), each turning a measured
 * series into the bytes of its file. The command line's `measure --format`, and the coming batch and
 * report commands, call `encodeExport`; the app computes CSV/JSON in the renderer (core's
 * exportMeasurementsCsv/Json on the volume it holds) and export:write checks and writes its bytes.
 *
 * A new format: its entry in EXPORT_FORMAT_REGISTRY, its encoder in EXPORT_ENCODERS (the type checker
 * refuses a registry entry without one), and what it needs (`needs`) passed in ExportSources.
 */
import type { Problem } from '../core/errors';
import type { SeriesReferences } from '../core/dicom/references';
import type { SeriesSummary } from '../core/dicom/types';
import { EXPORT_CSV_COLUMNS, exportRows, measurementsExport, measurementsJsonText, type MeasurementsLevel, type SliceNumbering } from '../core/export/measurementsExport';
import { EXPORT_FORMAT_REGISTRY, exportFormat, type ExportFormat } from '../core/export/formats';
import { toCsv } from '../core/format/csv';
import type { HuRanges } from '../core/metrics/ranges';
import type { MeasurementRecord } from '../core/metrics/records';
import type { HuVolume } from '../core/volume';
import { UserError } from '../core/errors';

/** A measured series: what `paraspine measure` computes (its MeasureResult has this shape). */
export interface MeasuredSeries {
  series: SeriesSummary;
  ranges: HuRanges;
  /** The measured slices (levels), each with how it was chosen. */
  slices: readonly MeasurementsLevel[];
  /** Records; a record may carry `source` (the mask and rule, --split-autochthon): the CSV then has a last `source` column. */
  measurements: readonly MeasurementRecord[];
  warnings: readonly string[];
  problems: readonly Problem[];
  /** Rater, app version, modification time and revision (the JSON's documentRevision) of the annotation document measured, if any. */
  provenance: { rater: string; appVersion: string; modifiedAt?: string; documentRevision?: string };
  /** The series' slice count and InstanceNumbers (the slicePosition / instanceNumber columns and keys). */
  geometry?: SliceNumbering;
}

/** What an encoder is given: the result always; the HU and references where the format `needs` them. */
export interface ExportSources {
  result: MeasuredSeries;
  volume?: HuVolume;
  references?: SeriesReferences;
}

export type ExportEncoder = (src: ExportSources) => Uint8Array | Promise<Uint8Array>;

const utf8 = new TextEncoder();

/** CSV: the same tidy rows as the app's export (series identity and ranges on every row, record keys, L/R asymmetry). */
function encodeCsv({ result }: ExportSources): Uint8Array {
  const rows = exportRows(result.measurements, {
    series: result.series,
    ranges: result.ranges,
    ...result.provenance,
    warnings: result.warnings,
    ...(result.geometry ? { geometry: result.geometry } : {}),
  });
  // The `source` column (mask and rule) is added, last, only when records carry it (--split-autochthon):
  // without it the columns are exactly those of the app's export.
  const sourced = result.measurements.some((r) => (r as { source?: unknown }).source !== undefined);
  return utf8.encode(sourced ? toCsv([...EXPORT_CSV_COLUMNS, 'source'], rows) : toCsv(EXPORT_CSV_COLUMNS, rows));
}

/** JSON: the one measurements format (core/export/measurementsExport.ts), as the app's JSON export writes it. */
function encodeJson({ result }: ExportSources): Uint8Array {
  const { series, ranges, slices, measurements, warnings, problems, provenance, geometry } = result;
  return utf8.encode(
    measurementsJsonText(
      measurementsExport({ ...provenance, modifiedAt: provenance.modifiedAt ?? '', series, ranges, levels: slices, measurements, warnings, problems, ...(geometry ? { geometry } : {}) }),
    ),
  );
}

/** One encoder per registered format (pdf, sr and seg add theirs here). */
export const EXPORT_ENCODERS: { readonly [F in ExportFormat]: ExportEncoder } = {
  json: encodeJson,
  csv: encodeCsv,
};

/** The bytes of `src` in `format`; refuses (input) a format whose needs are not given. */
export async function encodeExport(format: ExportFormat, src: ExportSources): Promise<Uint8Array> {
  const spec = exportFormat(format);
  if (spec.needs.includes('hu') && !src.volume) throw new UserError('usage', `the ${spec.label} export needs the series' HU`);
  if (spec.needs.includes('references') && !src.references) throw new UserError('usage', `the ${spec.label} export needs the series' DICOM references`);
  return EXPORT_ENCODERS[format](src);
}

/**
 * Check the bytes an export:write was given before they are written: a text format must be UTF-8
 * (and JSON must parse); binary formats are written as given. Throws a one-line UserError (usage).
 */
export function checkExportBody(format: ExportFormat, body: Uint8Array): void {
  const spec = EXPORT_FORMAT_REGISTRY[format];
  if (spec.binary) return;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new UserError('usage', `export: the ${spec.label} export is not UTF-8 text`);
  }
  if (spec.mediaType === 'application/json') {
    try {
      JSON.parse(text);
    } catch (e) {
      throw new UserError('usage', `export: the ${spec.label} export is not valid JSON (${(e instanceof Error ? e.message : String(e)).split('\n')[0]})`);
    }
  }
}
