/**
 * The export format registry (like the metric registry): every format measurements are exported in,
 * with what a writer and a reader need to know of it. The command line's --format (the first is its
 * default), its help, the app's export, the export:write channel (its schema and the file name it
 * writes) and the encoders (src/node/exports.ts) all read it.
 *
 * A new format is one entry here and one encoder in src/node/exports.ts.
 */

/** What an encoder needs beside the measurement result. */
export type ExportNeed =
  /** The measurement result (records, levels, ranges, provenance): every format. */
  | 'measurements'
  /** The series' HU (e.g. a report's slice images, a segmentation's grid). */
  | 'hu'
  /** The series' DICOM references (SOP instances, frame of reference, patient and study modules: SR, SEG). */
  | 'references';

export interface ExportFormatSpec {
  /** The format's id: --format, export:write's `format`, the menu's export action. */
  readonly id: string;
  /** How the app names it (buttons, menus, toasts). */
  readonly label: string;
  /** The media type of its bytes (downloads, HTTP). */
  readonly mediaType: string;
  /** File extension without the dot: files are `<stem>.measurements.<extension>`. */
  readonly extension: string;
  /** Bytes that are not UTF-8 text (never decoded or checked as text). */
  readonly binary: boolean;
  readonly needs: readonly ExportNeed[];
}

/** The registry, in order: the first is the command line's default. */
export const EXPORT_FORMAT_REGISTRY = {
  json: { id: 'json', label: 'JSON', mediaType: 'application/json', extension: 'json', binary: false, needs: ['measurements'] },
  csv: { id: 'csv', label: 'CSV', mediaType: 'text/csv', extension: 'csv', binary: false, needs: ['measurements'] },
  /** The PDF report (key images need the HU; the panels read PatientSize/PatientSex from the references). */
  pdf: { id: 'pdf', label: 'PDF report', mediaType: 'application/pdf', extension: 'pdf', binary: true, needs: ['measurements', 'hu', 'references'] },
  /** DICOM Comprehensive SR (TID 1500): one measurement group per ROI on its CT image. */
  sr: { id: 'sr', label: 'DICOM SR', mediaType: 'application/dicom', extension: 'sr.dcm', binary: true, needs: ['measurements', 'references'] },
  /** DICOM SEG (BINARY) of the measured pixels, on the CT's geometry. */
  seg: { id: 'seg', label: 'DICOM SEG', mediaType: 'application/dicom', extension: 'seg.dcm', binary: true, needs: ['measurements', 'references'] },
} as const satisfies Record<string, ExportFormatSpec>;

export type ExportFormat = keyof typeof EXPORT_FORMAT_REGISTRY;

/** The format ids in registry order (a non-empty tuple type, as a zod enum and `oneOf` take it). */
export const EXPORT_FORMATS = Object.keys(EXPORT_FORMAT_REGISTRY) as [ExportFormat, ...ExportFormat[]];

/** The formats whose bytes are reports made by the Node services from the series (PDF, SR, SEG), never computed in the renderer. */
export const REPORT_FORMATS: readonly ExportFormat[] = EXPORT_FORMATS.filter((f) => EXPORT_FORMAT_REGISTRY[f].binary);

/** The text formats (JSON, CSV): what a table of numbers alone (`paraspine stats`) is written in. */
export const TEXT_FORMATS = EXPORT_FORMATS.filter((f) => !EXPORT_FORMAT_REGISTRY[f].binary) as [ExportFormat, ...ExportFormat[]];

export function isExportFormat(id: string): id is ExportFormat {
  return Object.prototype.hasOwnProperty.call(EXPORT_FORMAT_REGISTRY, id);
}

/** A format's entry. */
export function exportFormat(id: ExportFormat): ExportFormatSpec {
  return EXPORT_FORMAT_REGISTRY[id];
}

/** The file name of a series' export in this format: `<stem>.measurements.<extension>`. */
export function exportFileName(stem: string, format: ExportFormat): string {
  return `${stem}.measurements.${EXPORT_FORMAT_REGISTRY[format].extension}`;
}
