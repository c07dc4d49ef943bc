import { asymmetryTable, measureAnnotations, type AsymmetryRow } from '../annotations/measureAnnotations';
import type { AnnotationDocument, SeriesIdentity } from '../annotations/document';
import { toCsv } from '../format/csv';
import type { HuRanges } from '../metrics/ranges';
import { ASYMMETRY_METRIC_KEYS, DEFAULT_REGISTRY, type MetricRegistry } from '../metrics/definitions';
import { RECORD_COLUMNS, recordColumns, type MeasurementRecord } from '../metrics/records';
import type { HuVolume } from '../volume';

/**
 * Exports of an annotation document's measurements. Numbers come from measureAnnotations (HU pixels +
 * contours), so the app's export, the CLI and the metrics panel agree. Column names are the stable
 * record keys (camelCase, as RECORD_COLUMNS) and never change once released.
 */

/** Series identity, ranges and provenance repeated on every CSV row (tidy data). */
export const EXPORT_ID_COLUMNS = [
  'studyInstanceUid',
  'seriesInstanceUid',
  'patientId',
  'seriesDescription',
  'muscleHuLo',
  'muscleHuHi',
  'fatHuLo',
  'fatHuHi',
  'rater',
  'appVersion',
] as const;

/** Every CSV column, in order: identity, then the record keys, then the asymmetry metrics (asymmetryPct, per level and muscle). */
export const EXPORT_CSV_COLUMNS = [...EXPORT_ID_COLUMNS, ...RECORD_COLUMNS, ...ASYMMETRY_METRIC_KEYS] as const;

/** The CSV columns a registry produces (EXPORT_CSV_COLUMNS for the default one). */
export function exportCsvColumns(registry: MetricRegistry = DEFAULT_REGISTRY): string[] {
  const cols = [...EXPORT_ID_COLUMNS, ...recordColumns(registry), ...registry.keys('asymmetry')];
  const dup = cols.find((c, i) => cols.indexOf(c) !== i);
  if (dup) throw new Error(`metric key '${dup}' collides with an export column`);
  return cols;
}

export type ExportCsvColumn = (typeof EXPORT_CSV_COLUMNS)[number];

export const MEASUREMENTS_FORMAT = 'paraspine-measurements';
export const MEASUREMENTS_VERSION = 1;

export interface MeasurementsExport {
  format: typeof MEASUREMENTS_FORMAT;
  version: number;
  appVersion: string;
  rater: string;
  /** The document's last modification time (the export itself is a pure function of the document). */
  modifiedAt: string;
  series: SeriesIdentity;
  ranges: HuRanges;
  levels: AnnotationDocument['levels'];
  measurements: MeasurementRecord[];
  asymmetry: AsymmetryRow[];
}

/** Check that the document belongs to this volume (same grid); throws a one-line reason otherwise. */
export function checkDocumentMatchesVolume(volume: HuVolume, doc: AnnotationDocument): void {
  const g = volume.geometry;
  if (doc.series.rows !== g.rows || doc.series.columns !== g.columns) {
    throw new Error(
      `annotation document is for a ${doc.series.columns}x${doc.series.rows} series but the loaded series is ${g.columns}x${g.rows}`,
    );
  }
}

export interface MeasuredDocument {
  records: MeasurementRecord[];
  asymmetry: AsymmetryRow[];
}

export function measureDocument(volume: HuVolume, doc: AnnotationDocument, registry: MetricRegistry = DEFAULT_REGISTRY): MeasuredDocument {
  checkDocumentMatchesVolume(volume, doc);
  const records = measureAnnotations(volume, doc, doc.ranges, registry);
  return { records, asymmetry: asymmetryTable(records, registry) };
}

/** What every tidy row repeats: the series, the HU ranges and the provenance. */
export interface RowContext {
  series: Pick<SeriesIdentity, 'studyInstanceUid' | 'seriesInstanceUid' | 'patientId' | 'seriesDescription'>;
  ranges: HuRanges;
  rater: string;
  appVersion: string;
}

/** Tidy rows from measurement records: context columns, record keys, and the L/R asymmetry metrics of the row's level and muscle. */
export function exportRows(
  records: readonly MeasurementRecord[],
  ctx: RowContext,
  registry: MetricRegistry = DEFAULT_REGISTRY,
): Record<ExportCsvColumn, unknown>[] {
  const asym = new Map(asymmetryTable(records, registry).map((a) => [`${a.level}|${a.muscle}`, a as Record<string, unknown>]));
  const id = {
    studyInstanceUid: ctx.series.studyInstanceUid,
    seriesInstanceUid: ctx.series.seriesInstanceUid,
    patientId: ctx.series.patientId,
    seriesDescription: ctx.series.seriesDescription,
    muscleHuLo: ctx.ranges.muscleHu[0],
    muscleHuHi: ctx.ranges.muscleHu[1],
    fatHuLo: ctx.ranges.fatHu[0],
    fatHuHi: ctx.ranges.fatHu[1],
    rater: ctx.rater,
    appVersion: ctx.appVersion,
  };
  return records.map((r) => {
    const a = asym.get(`${r.level}|${r.muscle}`);
    const pair: Record<string, unknown> = {};
    for (const d of registry.asymmetry) pair[d.key] = a?.[d.key] ?? null;
    return { ...id, ...r, ...pair } as Record<ExportCsvColumn, unknown>;
  });
}

/** Tidy rows: one per level x muscle x side that has an ROI. */
export function measurementRows(volume: HuVolume, doc: AnnotationDocument, registry: MetricRegistry = DEFAULT_REGISTRY): Record<ExportCsvColumn, unknown>[] {
  const { records } = measureDocument(volume, doc, registry);
  return exportRows(records, { series: doc.series, ranges: doc.ranges, rater: doc.rater, appVersion: doc.appVersion }, registry);
}

/** Tidy CSV (RFC 4180, '\n' line ends, header always present). */
export function exportMeasurementsCsv(volume: HuVolume, doc: AnnotationDocument, registry: MetricRegistry = DEFAULT_REGISTRY): string {
  return toCsv(exportCsvColumns(registry), measurementRows(volume, doc, registry));
}

export function measurementsJson(volume: HuVolume, doc: AnnotationDocument, registry: MetricRegistry = DEFAULT_REGISTRY): MeasurementsExport {
  const { records, asymmetry } = measureDocument(volume, doc, registry);
  return {
    format: MEASUREMENTS_FORMAT,
    version: MEASUREMENTS_VERSION,
    appVersion: doc.appVersion,
    rater: doc.rater,
    modifiedAt: doc.modifiedAt,
    series: doc.series,
    ranges: doc.ranges,
    levels: doc.levels,
    measurements: records,
    asymmetry,
  };
}

/** JSON export, pretty-printed, trailing newline. */
export function exportMeasurementsJson(volume: HuVolume, doc: AnnotationDocument, registry: MetricRegistry = DEFAULT_REGISTRY): string {
  return JSON.stringify(measurementsJson(volume, doc, registry), null, 2) + '\n';
}
