/**
 * Export encoders: one per format of the registry (core/export/formats.ts), each turning a measured
 * series into the bytes of its file. The command line's `measure --format` calls `encodeExport`, and so
 * does the app's export:report channel for the reports (PDF, SR, SEG: one code path, so the app's PDF
 * and the CLI's PDF of the same document are the same report); the app computes CSV/JSON in the
 * renderer (core's exportMeasurementsCsv/Json on the volume it holds) and export:write writes its bytes.
 *
 * A new format: its entry in EXPORT_FORMAT_REGISTRY, its encoder in EXPORT_ENCODERS (the type checker
 * refuses a registry entry without one), and what it needs (`needs`) passed in ExportSources.
 */
import { createHash } from 'node:crypto';
import type { Problem } from '../core/errors';
import type { AnnotationDocument } from '../core/annotations/document';
import type { SeriesReferences } from '../core/dicom/references';
import { reportPanels } from '../core/indices/panels';
import { TRABECULAR_MUSCLE } from '../core/bone/measureBone';
import { buildDicomReportInput, type DicomReportSource } from '../core/report/dicomInput';
import { keyImageInputsFromDocument, keyImageInputsFromMasks, type KeyImageInput, type LevelMask } from '../core/report/keyImage';
import { MASK_LEVEL_RULE, reportInput } from '../core/report/model';
import { MUSCLE_ORDER } from '../core/anatomy/anatomy';
import type { RoiMuscle } from '../core/annotations/document';
import { WINDOW_PRESETS } from '../shared/windowPresets';
import { APP_VERSION } from './appVersion';
// The PDF and DICOM writers (pdfkit with its fonts, dcmjs) are loaded by the export that needs them
// (import() below), not by every command line run that measures: CSV and JSON never pay for them.
import type { Paper } from './reports/pdf';
import type { makeSr } from './reports/sr';
import type { SeriesSummary } from '../core/dicom/types';
import { EXPORT_CSV_COLUMNS, exportRows, type MaskMapping, measurementsExport, measurementsJsonText, type MeasurementsLevel, type SliceNumbering } from '../core/export/measurementsExport';
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
  /** Records; each says where its muscle came from (`source`, then `sourceKind`, the CSV's last columns: core/export RECORD_SOURCE_KINDS). */
  measurements: readonly MeasurementRecord[];
  /** How masks were mapped to muscles (the JSON's `mapping`), when masks were measured. */
  mapping?: MaskMapping;
  warnings: readonly string[];
  problems: readonly Problem[];
  /** Rater, app version, modification time and revision (the JSON's documentRevision) of the annotation document measured, if any. */
  provenance: { rater: string; appVersion: string; modifiedAt?: string; documentRevision?: string };
  /** The series' slice count and InstanceNumbers (the slicePosition / instanceNumber columns and keys). */
  geometry?: SliceNumbering;
  /** Per record its slice mask and the document's outlines (the SR's and SEG's ROIs, the PDF's key images): never in the JSON or CSV. */
  dicom?: Omit<DicomReportSource, 'records'>;
  /** The annotation document measured, if any (the PDF's key images: its outlines per level). */
  document?: Pick<AnnotationDocument, 'rois' | 'levels' | 'patient'>;
}

/** What a report adds to the measurements (the command line's --paper, --height-m, --sex, --date). */
export interface ReportOptions {
  paper?: Paper;
  /** Typed height (m) and sex: used where the DICOM's PatientSize / PatientSex are absent. */
  heightM?: number | null;
  sex?: string | null;
  /** When the report was made (ISO 8601); default the document's modifiedAt, else now. */
  madeAt?: string;
  /** Default: this build's version. */
  softwareVersion?: string;
}

/** What an encoder is given: the result always; the HU and references where the format `needs` them. */
export interface ExportSources {
  result: MeasuredSeries;
  volume?: HuVolume;
  references?: SeriesReferences;
  options?: ReportOptions;
  /** One line per thing a report left out (a ROI that is no coded muscle), for the caller to print. */
  note?: (line: string) => void;
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
  return utf8.encode(toCsv(EXPORT_CSV_COLUMNS, rows));
}

/** JSON: the one measurements format (core/export/measurementsExport.ts), as the app's JSON export writes it. */
function encodeJson({ result }: ExportSources): Uint8Array {
  const { series, ranges, mapping, slices, measurements, warnings, problems, provenance, geometry } = result;
  return utf8.encode(
    measurementsJsonText(
      measurementsExport({ ...provenance, modifiedAt: provenance.modifiedAt ?? '', series, ranges, ...(mapping ? { mapping } : {}), levels: slices, measurements, warnings, problems, ...(geometry ? { geometry } : {}) }),
    ),
  );
}

/** The report's date: as given, else the annotation document's last change, else now. */
export function reportMadeAt(src: Pick<ExportSources, 'result' | 'options'>): string {
  return src.options?.madeAt ?? (src.result.provenance.modifiedAt || new Date().toISOString());
}

/** The muscle window (the key images are shown at it, as the app's Muscle preset). */
const MUSCLE_WINDOW = (() => {
  const p = WINDOW_PRESETS.find((w) => w.id === 'muscle')!;
  return { center: p.center, width: p.width };
})();

const isRoiMuscle = (m: string | null): m is RoiMuscle => m !== null && (m === 'autochthon' || (MUSCLE_ORDER as readonly string[]).includes(m));

/**
 * One key image per level: the masks measured (traced: core/report/keyImage) and the document's
 * outlines on the level's slice; where a level has both, the outlines on the same slice are joined.
 */
export function reportKeyImages(result: MeasuredSeries, volume: HuVolume): KeyImageInput[] {
  const masks: LevelMask[] = [];
  for (const r of result.measurements) {
    const mask = result.dicom?.recordMasks?.get(r);
    if (!mask || r.status === 'absent') continue;
    masks.push({ level: r.level, sliceIndex: r.sliceIndex, structure: r.structure, muscle: isRoiMuscle(r.muscle) ? r.muscle : null, side: r.side, mask });
  }
  const fromMasks = masks.length ? keyImageInputsFromMasks(volume, masks) : [];
  const fromDoc = result.document && (result.document.rois.length || result.document.levels.length) ? keyImageInputsFromDocument(volume, result.document) : [];
  const out = [...fromMasks];
  for (const d of fromDoc) {
    const at = out.findIndex((m) => m.level === d.level);
    if (at < 0) out.push(d);
    else if (out[at]!.sliceIndex === d.sliceIndex) out[at] = { ...out[at]!, outlines: [...out[at]!.outlines, ...d.outlines] };
  }
  return out;
}

/**
 * The panels' height and sex: the DICOM's PatientSize / PatientSex first, else as given (the command's
 * --height-m / --sex, else what was typed into the document: its `patient`, as the app's panels show).
 */
function panelsOf(src: ExportSources) {
  const p = src.references?.patient;
  const typed = src.result.document?.patient;
  return reportPanels(src.result, {
    dicom: p ? { sizeM: p.sizeM, sex: p.sex } : null,
    heightM: src.options?.heightM ?? typed?.heightM ?? null,
    sex: src.options?.sex ?? typed?.sex ?? null,
  });
}

/** The report's sentence on the masks' mapping (the JSON's `mapping`). */
const MAPPING_RULE: Record<MaskMapping, string> = {
  split:
    'Muscles from masks: TotalSegmentator classes mapped as the app imports them (psoas: the iliopsoas component nearest the spine, the iliacus left out; multifidus and erector spinae: the autochthon parted along the fat plane between them, a proposal to check).',
  raw: 'Muscles from masks: every mask measured as it is (iliopsoas as psoas with the iliacus, autochthon as erector spinae and multifidus together).',
};

/** PDF: the report of core/report/model over renderPdfReport, key images at the muscle window. */
async function encodePdf(src: ExportSources): Promise<Uint8Array> {
  const { result } = src;
  // A trabecular bone record is drawn in the bone panel (from all records), not on a level page of its
  // own (its level, L1, would otherwise get a page with no muscle on it).
  const muscles = { ...result, measurements: result.measurements.filter((r) => r.muscle !== TRABECULAR_MUSCLE) };
  const input = reportInput(muscles, {
    // how the masks' classes became muscles, after the level rule in the method section (kept in this field so the layout stays as it is)
    ...(result.mapping ? { levelRule: `${MASK_LEVEL_RULE} ${MAPPING_RULE[result.mapping]}` } : {}),
    softwareVersion: src.options?.softwareVersion ?? APP_VERSION,
    madeAt: reportMadeAt(src),
    panels: panelsOf(src),
    keyImages: reportKeyImages(muscles, src.volume!),
  });
  const { renderPdfReport } = await import('./reports/pdf');
  return renderPdfReport(input, { paper: src.options?.paper ?? 'a4', window: MUSCLE_WINDOW });
}

/** The SR's and SEG's input: every measured record with its pixels and outlines on its CT image. */
function dicomInput(src: ExportSources) {
  const { result } = src;
  if (!result.dicom) throw new UserError('usage', 'the DICOM export needs the measured masks and outlines (a result of measureSeries)');
  return buildDicomReportInput({ ...result.dicom, references: src.references ?? result.dicom.references, records: result.measurements });
}

/**
 * The seed of a DICOM object's UIDs when its date is given (withDerivedUids): the format, the date, the
 * series, the provenance, every record and the pixels of every record's mask.
 */
function uidSeed(kind: string, src: ExportSources, madeAt: string): string {
  const { result } = src;
  const h = createHash('sha256').update(JSON.stringify([kind, madeAt, result.series.seriesInstanceUid, result.provenance, result.measurements]));
  for (const r of result.measurements) {
    const m = result.dicom?.recordMasks?.get(r);
    if (m) h.update(m);
  }
  return h.digest('hex');
}

function dicomEncoder(load: () => Promise<typeof makeSr>, kind: string): ExportEncoder {
  return async (src) => {
    const [make, { withDerivedUids }] = await Promise.all([load(), import('./reports/dicomWrite')]);
    const at = reportMadeAt(src);
    const build = () => make(dicomInput(src), { at: new Date(at) });
    // A given date makes the object reproducible (its UIDs derived from its content and date), else new UIDs.
    const obj = src.options?.madeAt !== undefined ? withDerivedUids(uidSeed(kind, src, at), build) : build();
    for (const l of obj.leftOut) src.note?.(`left out: ${l}`);
    return new Uint8Array(obj.bytes.buffer, obj.bytes.byteOffset, obj.bytes.byteLength);
  };
}

/** One encoder per registered format. */
export const EXPORT_ENCODERS: { readonly [F in ExportFormat]: ExportEncoder } = {
  json: encodeJson,
  csv: encodeCsv,
  pdf: encodePdf,
  sr: dicomEncoder(async () => (await import('./reports/sr')).makeSr, 'sr'),
  seg: dicomEncoder(async () => (await import('./reports/seg')).makeSeg, 'seg'),
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
