import { z } from 'zod';
import { ALL_LEVELS, MUSCLES, SIDES, type Level, type Muscle, type Side } from '../anatomy/anatomy';
import type { SeriesSummary } from '../dicom/types';
import type { Vec3 } from '../geometry/vec3';
import type { HuRanges } from '../metrics/ranges';

/**
 * The annotation document: everything a user marked on one series, one versioned JSON document per
 * series. Contours are stored in patient coordinates (LPS, mm) so they survive any viewer change.
 */
export const ANNOTATION_FORMAT = 'paraspine-annotations';

/** Largest annotation document read (bytes): larger files are refused before they are parsed. */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;
export const ANNOTATION_VERSION = 1;

/** What an ROI outlines: one of the four muscles, or TotalSegmentator's autochthon (erector spinae + multifidus) until split. */
export type RoiMuscle = Muscle | 'autochthon';

export interface SeriesIdentity {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  patientId: string;
  patientName: string;
  studyDate: string;
  seriesDescription: string;
  slices: number;
  rows: number;
  columns: number;
}

/** The identity an annotation document records for the series it belongs to. */
export function seriesIdentity(s: SeriesSummary): SeriesIdentity {
  return {
    studyInstanceUid: s.studyInstanceUid,
    seriesInstanceUid: s.seriesInstanceUid,
    patientId: s.patientId,
    patientName: s.patientName,
    studyDate: s.studyDate,
    seriesDescription: s.seriesDescription,
    slices: s.slices,
    rows: s.rows,
    columns: s.columns,
  };
}

export interface LevelMark {
  level: Level;
  sliceIndex: number;
  /** Patient z of the slice, mm (the slice is found again by z when the document is reopened). */
  z: number;
  /** 'manual': set by the user; 'proposed': from vertebra masks, not yet confirmed; 'confirmed': proposal accepted. */
  source: 'manual' | 'proposed' | 'confirmed';
  note?: string;
}

export interface Roi {
  id: string;
  level: Level;
  muscle: RoiMuscle;
  side: Side;
  sliceIndex: number;
  z: number;
  /** Closed contour, LPS mm, on the slice plane; first vertex is not repeated. */
  pointsLps: Vec3[];
  /**
   * 'drawn' by the user, 'imported' (traced from a mask), or 'proposed' (made from a mask by a rule the
   * user should check, e.g. the multifidus / erector spinae split of an autochthon mask), or 'confirmed'
   * (a proposal the user accepted).
   */
  source: 'drawn' | 'imported' | 'proposed' | 'confirmed';
  createdAt: string;
  modifiedAt: string;
}

export interface AnnotationDocument {
  format: typeof ANNOTATION_FORMAT;
  version: number;
  appVersion: string;
  rater: string;
  createdAt: string;
  modifiedAt: string;
  series: SeriesIdentity;
  ranges: HuRanges;
  levels: LevelMark[];
  rois: Roi[];
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const vec3 = z.tuple([finite, finite, finite]);
const range = z.tuple([finite, finite]).refine(([lo, hi]) => lo <= hi, 'range LO must be <= HI');

export const annotationDocumentSchema = z.object({
  format: z.literal(ANNOTATION_FORMAT),
  version: z.number().int().min(1),
  appVersion: z.string(),
  rater: z.string(),
  createdAt: z.string(),
  modifiedAt: z.string(),
  series: z.object({
    studyInstanceUid: z.string(),
    seriesInstanceUid: z.string(),
    patientId: z.string(),
    patientName: z.string(),
    studyDate: z.string(),
    seriesDescription: z.string(),
    slices: z.number().int().min(1),
    rows: z.number().int().min(1),
    columns: z.number().int().min(1),
  }),
  ranges: z.object({ muscleHu: range, fatHu: range }),
  levels: z.array(
    z.object({
      level: z.enum(ALL_LEVELS),
      sliceIndex: z.number().int().min(0),
      z: finite,
      source: z.enum(['manual', 'proposed', 'confirmed']),
      note: z.string().optional(),
    }),
  ),
  rois: z.array(
    z.object({
      id: z.string().min(1),
      level: z.enum(ALL_LEVELS),
      muscle: z.enum([...MUSCLES, 'autochthon']),
      side: z.enum(SIDES),
      sliceIndex: z.number().int().min(0),
      z: finite,
      pointsLps: z.array(vec3).min(3),
      source: z.enum(['drawn', 'imported', 'proposed', 'confirmed']),
      createdAt: z.string(),
      modifiedAt: z.string(),
    }),
  ),
});

export type ParseResult = { ok: true; document: AnnotationDocument } | { ok: false; reason: string };

/**
 * Validate an annotation document read from outside. A document from a newer version is refused with
 * a reason (never silently downgraded); anything malformed gets a one-line reason naming the field.
 */
export function parseAnnotationDocument(json: unknown): ParseResult {
  if (typeof json !== 'object' || json === null) return { ok: false, reason: 'not a JSON object' };
  const o = json as Record<string, unknown>;
  if (o.format !== ANNOTATION_FORMAT) return { ok: false, reason: `not a Paraspine annotation document (format is ${JSON.stringify(o.format)})` };
  if (typeof o.version === 'number' && o.version > ANNOTATION_VERSION) {
    return { ok: false, reason: `written by a newer Paraspine (document version ${o.version}, this version reads up to ${ANNOTATION_VERSION})` };
  }
  const r = annotationDocumentSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return { ok: false, reason: `invalid annotation document: ${issue.path.join('.') || '(root)'}: ${issue.message}` };
  }
  return { ok: true, document: r.data as AnnotationDocument };
}

export function newAnnotationDocument(series: SeriesIdentity, ranges: HuRanges, appVersion: string, rater: string, now: string): AnnotationDocument {
  return {
    format: ANNOTATION_FORMAT,
    version: ANNOTATION_VERSION,
    appVersion,
    rater,
    createdAt: now,
    modifiedAt: now,
    series,
    ranges: { muscleHu: [...ranges.muscleHu], fatHu: [...ranges.fatHu] },
    levels: [],
    rois: [],
  };
}

export type { Level, Muscle, Side };
