import { asymmetryTable, measureAnnotationsChecked, type AsymmetryRow } from '../annotations/measureAnnotations';
import { documentGridMismatch } from '../annotations/checkRoi';
import { UserError } from '../errors';
import type { AnnotationDocument, SeriesIdentity } from '../annotations/document';
import type { Level } from '../anatomy/anatomy';
import type { Problem } from '../errors';
import { toCsv } from '../format/csv';
import type { HuRanges } from '../metrics/ranges';
import { ASYMMETRY_METRIC_KEYS, DEFAULT_REGISTRY, type MetricRegistry } from '../metrics/definitions';
import { RECORD_COLUMNS, recordColumns, type MeasurementRecord } from '../metrics/records';
import type { HuVolume } from '../volume';
import { sliceNumber } from '../geometry/sliceNumber';
import type { VolumeGeometry } from '../geometry/volumeGeometry';

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

/**
 * The last CSV column: everything a reader of the row must know, joined with ' | ' (the record's own
 * warnings, then the series' and the document's). Empty when nothing. So a batch never hides them.
 */
export const FLAGS_COLUMN = 'flags';

/**
 * Appended after flags: where the outlines measured came from (`origin`: drawn, imported, proposed,
 * confirmed, edited, '+'-joined when a union mixes them) and their ids (`roiIds`, space-separated).
 * Empty for mask records (the command line's --masks).
 */
export const PROVENANCE_COLUMNS = ['origin', 'roiIds'] as const;

/**
 * Appended after roiIds: the recorded state of an outline record (`status`: `measured`, or `absent`
 * when the rater recorded the muscle as not present at that level: its metric cells are then empty,
 * never 0) and the flags the rater accepted (`accepted`: per acceptance `reason (rater, time): flag; flag`,
 * joined with ' | '). Both empty for mask records.
 */
export const STATE_COLUMNS = ['status', 'accepted'] as const;

/**
 * Appended after those: the slice as people see it (sliceNumber.ts): `slicePosition` = sliceIndex + 1,
 * counted from the feet, and the `instanceNumber` (0020,0013) of the slice's file (empty where the file
 * has none, or the volume did not come with them). `sliceIndex` stays the 0-based index.
 */
export const SLICE_NUMBER_COLUMNS = ['slicePosition', 'instanceNumber'] as const;

/**
 * Where a record's muscle came from, as a fixed set of values (the JSON records' last key and the last
 * CSV column `sourceKind`):
 * - `outline`: the outline(s) of an annotation document (how each outline came to be: `origin`);
 * - `mask`, `label`, `segment`: a binary mask file of a folder, a label of a multilabel NIfTI, a segment
 *   of a DICOM SEG, measured as it is (no mapping, or a structure no mapping rule changes);
 * - `mask-split`, `label-split`, `segment-split`: made from such a mask by the TotalSegmentator mapping
 *   (core/muscles: the psoas component of an iliopsoas mask, the multifidus or erector spinae part of an
 *   autochthon mask);
 * - `vertebra-mask`: the trabecular bone ROI proposed from a vertebra's mask (`measure --bone`).
 */
export const RECORD_SOURCE_KINDS = ['outline', 'mask', 'mask-split', 'label', 'label-split', 'segment', 'segment-split', 'vertebra-mask'] as const;
export type RecordSourceKind = (typeof RECORD_SOURCE_KINDS)[number];

/**
 * The CSV column (and JSON record key) `source`, documented before the kinds: for a mask record the
 * mask's name and the mapping rule that made it (`iliopsoas_left: psoas component nearest the spine`,
 * `autochthon_left: medial part (fat-plane split)`, ...) or just the mask's name; `outline` for an
 * annotation document's outlines. Then, last, `sourceKind` (RECORD_SOURCE_KINDS).
 */
export const SOURCE_COLUMN = 'source';
export const SOURCE_KIND_COLUMN = 'sourceKind';

/**
 * How the masks' TotalSegmentator classes were mapped to muscles (the JSON's top-level `mapping`, when
 * masks were measured): `split` (iliopsoas -> psoas component, autochthon -> multifidus + erector spinae,
 * as the app's mask import), or `raw` (every mask measured as it is).
 */
export type MaskMapping = 'split' | 'raw';

/** A record as measureSeries gives it: where its muscle came from (`source`, `sourceKind`), when it says so. */
type SourceKeys = { source?: unknown; sourceKind?: unknown };

/** `outline` for a record of an annotation document's outlines (it names them: roiIds), else ''. */
function defaultSource(r: MeasurementRecord): string {
  return r.roiIds !== undefined ? 'outline' : '';
}

/** A record's source: its own `source` (the mask and rule), else `outline` for outlines, else ''. */
export function recordSource(r: MeasurementRecord): string {
  const own = (r as SourceKeys).source;
  return typeof own === 'string' ? own : defaultSource(r);
}

/** A record's source kind (RECORD_SOURCE_KINDS): its own `sourceKind`, else `outline` for outlines, else ''. */
export function recordSourceKind(r: MeasurementRecord): string {
  const own = (r as SourceKeys).sourceKind;
  return typeof own === 'string' ? own : defaultSource(r);
}

/** Every CSV column, in order: identity, then the record keys, then the asymmetry metrics (asymmetryPct, per level and muscle), then flags, origin, roiIds, status, accepted, slicePosition, instanceNumber, source, sourceKind. */
export const EXPORT_CSV_COLUMNS = [...EXPORT_ID_COLUMNS, ...RECORD_COLUMNS, ...ASYMMETRY_METRIC_KEYS, FLAGS_COLUMN, ...PROVENANCE_COLUMNS, ...STATE_COLUMNS, ...SLICE_NUMBER_COLUMNS, SOURCE_COLUMN, SOURCE_KIND_COLUMN] as const;

/** The CSV columns a registry produces (EXPORT_CSV_COLUMNS for the default one). */
export function exportCsvColumns(registry: MetricRegistry = DEFAULT_REGISTRY): string[] {
  const cols = [...EXPORT_ID_COLUMNS, ...recordColumns(registry), ...registry.keys('asymmetry'), FLAGS_COLUMN, ...PROVENANCE_COLUMNS, ...STATE_COLUMNS, ...SLICE_NUMBER_COLUMNS, SOURCE_COLUMN, SOURCE_KIND_COLUMN];
  const dup = cols.find((c, i) => cols.indexOf(c) !== i);
  if (dup) throw new Error(`metric key '${dup}' collides with an export column`);
  return cols;
}

export type ExportCsvColumn = (typeof EXPORT_CSV_COLUMNS)[number];

export const MEASUREMENTS_FORMAT = 'paraspine-measurements';
export const MEASUREMENTS_VERSION = 1;

/**
 * One level (or measured slice) in the JSON: where it is and how it was chosen. The app writes the
 * document's level marks (`source`: manual, proposed, confirmed...); the CLI writes the slices it chose
 * (`method`: the rule or the option that chose them).
 */
export interface MeasurementsLevel {
  level: Level | null;
  sliceIndex: number;
  /** sliceIndex + 1: the slice's position from the feet, as the app shows it (added when the geometry is known). */
  slicePosition?: number;
  /** InstanceNumber of the slice's file, null when it has none (added when the geometry is known). */
  instanceNumber?: number | null;
  z: number;
  method?: string;
  source?: string;
  note?: string;
}

/**
 * The one JSON format of measurements, written by the app's JSON export and by `paraspine measure
 * --format json`. Keys are an interface people script against: they are only ever added to.
 */
export interface MeasurementsExport {
  format: typeof MEASUREMENTS_FORMAT;
  version: number;
  /** The Paraspine version that wrote the annotation document ('' when only masks were measured). */
  appVersion: string;
  rater: string;
  /** The document's last modification time ('' without a document): the export is a pure function of its inputs. */
  modifiedAt: string;
  /**
   * The version of the annotation document the numbers came from: its revision (`sha256:` + the hash of
   * the file's bytes, as the workspace and its history name it). Only when a saved document was measured.
   */
  documentRevision?: string;
  /** The series' identity (the CLI adds the rest of the scan summary: files, spacing, ...). */
  series: SeriesIdentity | (Pick<SeriesIdentity, 'seriesInstanceUid'> & Record<string, unknown>);
  ranges: HuRanges;
  /** How the masks were mapped to muscles (MaskMapping): only when masks were measured (`paraspine measure --masks`). */
  mapping?: MaskMapping;
  levels: MeasurementsLevel[];
  /**
   * Each record also carries `source` (after its own keys, where `paraspine measure --split-autochthon`
   * wrote it before), slicePosition and instanceNumber (as the CSV) when the geometry is known, and, last,
   * `sourceKind` (RECORD_SOURCE_KINDS).
   */
  measurements: (MeasurementRecord & Partial<SliceNumberKeys> & { source: string; sourceKind: string })[];
  asymmetry: AsymmetryRow[];
  /** Things about the series or the slices a reader must know (empty when none). */
  warnings: string[];
  /** Files that could not be used, each with a reason (empty when none). */
  problems: Problem[];
}

export interface MeasurementsJsonInput {
  appVersion: string;
  rater: string;
  modifiedAt: string;
  /** The measured document's revision (MeasurementsExport.documentRevision), when known. */
  documentRevision?: string;
  series: MeasurementsExport['series'];
  ranges: HuRanges;
  /** The masks' mapping (the JSON's `mapping`), when masks were measured. */
  mapping?: MaskMapping;
  levels: readonly MeasurementsLevel[];
  measurements: readonly MeasurementRecord[];
  warnings?: readonly string[];
  problems?: readonly Problem[];
  registry?: MetricRegistry;
  /** The volume's slice count and InstanceNumbers: levels and records then carry slicePosition and instanceNumber. */
  geometry?: SliceNumbering;
}

/** What the slice numbering needs of a volume's geometry. */
export type SliceNumbering = Pick<VolumeGeometry, 'slices' | 'instanceNumbers'>;

export interface SliceNumberKeys {
  slicePosition: number;
  instanceNumber: number | null;
}

/** slicePosition (1-based from the feet) and instanceNumber of slice index k. */
export function sliceNumberKeys(g: SliceNumbering, k: number): SliceNumberKeys {
  const n = sliceNumber(g, k);
  return { slicePosition: n.position, instanceNumber: n.instanceNumber };
}

/** The measurements JSON object (format, version, provenance, series, ranges, levels, records, L/R asymmetry, warnings, problems). */
export function measurementsExport(input: MeasurementsJsonInput): MeasurementsExport {
  const g = input.geometry;
  return {
    format: MEASUREMENTS_FORMAT,
    version: MEASUREMENTS_VERSION,
    appVersion: input.appVersion,
    rater: input.rater,
    modifiedAt: input.modifiedAt,
    ...(input.documentRevision !== undefined ? { documentRevision: input.documentRevision } : {}),
    series: input.series,
    ranges: { muscleHu: input.ranges.muscleHu, fatHu: input.ranges.fatHu },
    ...(input.mapping !== undefined ? { mapping: input.mapping } : {}),
    levels: input.levels.map((l) => (g ? { ...l, ...sliceNumberKeys(g, l.sliceIndex) } : { ...l })),
    measurements: input.measurements.map((r) => {
      // `source` stays where the record has it (its key order is the JSON's, byte for byte as before),
      // or comes after the record's keys; `sourceKind` is last, as the CSV's last column.
      const { sourceKind: _kind, ...rest } = r as MeasurementRecord & SourceKeys;
      void _kind;
      return { ...rest, source: recordSource(r), ...(g ? sliceNumberKeys(g, r.sliceIndex) : {}), sourceKind: recordSourceKind(r) };
    }),
    asymmetry: asymmetryTable(input.measurements, input.registry ?? DEFAULT_REGISTRY),
    warnings: [...(input.warnings ?? [])],
    problems: (input.problems ?? []).map((p) => ({ path: p.path, reason: p.reason })),
  };
}

/** Pretty-printed JSON text with a trailing newline. */
export function measurementsJsonText(value: MeasurementsExport): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** Check that the document belongs to this volume (same grid); throws a one-line reason otherwise. */
export function checkDocumentMatchesVolume(volume: HuVolume, doc: AnnotationDocument): void {
  const mismatch = documentGridMismatch(volume.geometry, doc);
  if (mismatch) throw new UserError('input', mismatch);
}

export interface MeasuredDocument {
  records: MeasurementRecord[];
  asymmetry: AsymmetryRow[];
  /** The series' warnings, then the document's (ROIs not measured, levels off every slice). */
  warnings: string[];
}

export function measureDocument(volume: HuVolume, doc: AnnotationDocument, registry: MetricRegistry = DEFAULT_REGISTRY): MeasuredDocument {
  checkDocumentMatchesVolume(volume, doc);
  const { records, warnings } = measureAnnotationsChecked(volume, doc, doc.ranges, registry);
  return { records, asymmetry: asymmetryTable(records, registry), warnings: [...volume.warnings, ...warnings] };
}

/** What every tidy row repeats: the series, the HU ranges and the provenance. */
export interface RowContext {
  series: Pick<SeriesIdentity, 'studyInstanceUid' | 'seriesInstanceUid' | 'patientId' | 'seriesDescription'>;
  ranges: HuRanges;
  rater: string;
  appVersion: string;
  /** Series- and document-level warnings, added to every row's flags. */
  warnings?: readonly string[];
  /** The volume's slice count and InstanceNumbers (the instanceNumber column is empty without them). */
  geometry?: SliceNumbering;
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
    const flags = [...(r.warnings ?? []), ...(ctx.warnings ?? [])].join(' | ');
    const { warnings: _recordWarnings, roiIds, origin, status, accepted, absent: _absent, source: _source, sourceKind: _kind, ...cells } = r as MeasurementRecord & SourceKeys;
    void _recordWarnings;
    void _absent;
    void _source; // the last columns
    void _kind;
    const acceptedText = (accepted ?? []).map((a) => `${a.reason} (${a.rater || 'no rater'}, ${a.at}): ${a.flags.join('; ')}`).join(' | ');
    const num = ctx.geometry ? sliceNumberKeys(ctx.geometry, r.sliceIndex) : { slicePosition: r.sliceIndex + 1, instanceNumber: null };
    return {
      ...id,
      ...cells,
      ...pair,
      [FLAGS_COLUMN]: flags,
      origin: origin ?? '',
      roiIds: (roiIds ?? []).join(' '),
      status: status ?? '',
      accepted: acceptedText,
      slicePosition: num.slicePosition,
      instanceNumber: num.instanceNumber ?? '',
      [SOURCE_COLUMN]: recordSource(r),
      [SOURCE_KIND_COLUMN]: recordSourceKind(r),
    } as unknown as Record<ExportCsvColumn, unknown>;
  });
}

/** Tidy rows: one per level x muscle x side that has an ROI. */
export function measurementRows(volume: HuVolume, doc: AnnotationDocument, registry: MetricRegistry = DEFAULT_REGISTRY): Record<ExportCsvColumn, unknown>[] {
  const { records, warnings } = measureDocument(volume, doc, registry);
  return exportRows(records, { series: doc.series, ranges: doc.ranges, rater: doc.rater, appVersion: doc.appVersion, warnings, geometry: volume.geometry }, registry);
}

/** Tidy CSV (RFC 4180, '\n' line ends, header always present). */
export function exportMeasurementsCsv(volume: HuVolume, doc: AnnotationDocument, registry: MetricRegistry = DEFAULT_REGISTRY): string {
  return toCsv(exportCsvColumns(registry), measurementRows(volume, doc, registry));
}

export function measurementsJson(volume: HuVolume, doc: AnnotationDocument, registry: MetricRegistry = DEFAULT_REGISTRY, documentRevision?: string): MeasurementsExport {
  const { records, warnings } = measureDocument(volume, doc, registry);
  return measurementsExport({
    appVersion: doc.appVersion,
    rater: doc.rater,
    modifiedAt: doc.modifiedAt,
    ...(documentRevision !== undefined ? { documentRevision } : {}),
    series: doc.series,
    ranges: doc.ranges,
    levels: doc.levels,
    measurements: records,
    warnings,
    registry,
    geometry: volume.geometry,
  });
}

/** JSON export, pretty-printed, trailing newline. */
export function exportMeasurementsJson(volume: HuVolume, doc: AnnotationDocument, registry: MetricRegistry = DEFAULT_REGISTRY, documentRevision?: string): string {
  return measurementsJsonText(measurementsJson(volume, doc, registry, documentRevision));
}
