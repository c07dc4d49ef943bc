import { z } from 'zod';
import { ALL_LEVELS, MUSCLES, SIDES, type Level, type Muscle, type Side } from '../anatomy/anatomy';
import { BONE_VERTEBRAE, type BoneVertebra } from '../bone/trabecular';
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
/**
 * The document version this Paraspine writes and reads up to. 1: outlines, level marks, absent records.
 * 2: adds `boneRois` (trabecular bone ROIs, BONE_ROI_VERSION). A version-1 document opens unchanged (it
 * has no bone ROIs); a document gets version 2 when a bone ROI is put in it (setBoneRoi).
 */
export const ANNOTATION_VERSION = 2;
/** The first document version that may hold bone ROIs. */
export const BONE_ROI_VERSION = 2;

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
   * user should check, e.g. the multifidus / erector spinae split of an autochthon mask), 'propagated'
   * (copied from another level's outline and snapped to this slice's edges) or 'mirrored' (the other
   * side's outline reflected across the midline): proposals until the user confirms them, then
   * 'confirmed' (a proposal the user accepted).
   */
  source: RoiSource;
  /** On a confirmed outline that was propagated or mirrored: which (absent on every other outline, and in older documents). */
  proposedBy?: 'propagated' | 'mirrored';
  createdAt: string;
  modifiedAt: string;
  /**
   * Trust flags (outlineFlagger) the rater accepted for this outline, with the reason. An acceptance
   * covers exactly the flag texts it names: a flag that is gone is resolved, a new or changed one is open
   * again (checklist.ts). Optional: older documents have none.
   */
  accepted?: FlagAcceptance;
}

/** Flags of an outline accepted with a reason: who, when (ISO time). */
export interface FlagAcceptance {
  flags: string[];
  reason: string;
  rater: string;
  at: string;
}

/**
 * A muscle recorded as not present on a level's slice (e.g. the quadratus lumborum at L5/S1, below its
 * insertion on the iliac crest): a state of its own, counted as done in the checklist, exported as a
 * record with status `absent` and empty numbers. An outline of that level, muscle and side wins over it.
 */
export interface AbsentRecord {
  level: Level;
  muscle: Muscle;
  side: Side;
  note?: string;
  rater?: string;
  /** When it was recorded (ISO time). */
  at: string;
}

export const ROI_SOURCES = ['drawn', 'imported', 'proposed', 'propagated', 'mirrored', 'confirmed'] as const;
export type RoiSource = (typeof ROI_SOURCES)[number];
/** The sources of outlines that are proposals (dashed, not done in the checklist's sense until confirmed: see isProposal). */
export const PROPOSAL_SOURCES = ['proposed', 'propagated', 'mirrored'] as const;
export type ProposalSource = (typeof PROPOSAL_SOURCES)[number];

/** An outline the user has still to check and confirm: a mask-split proposal, or one made by propagate or mirror. */
export function isProposal(source: RoiSource): source is ProposalSource {
  return (PROPOSAL_SOURCES as readonly string[]).includes(source);
}

/**
 * An oval ROI in the trabecular bone of a vertebral body (bone density: core/bone), from document
 * version 2. Not a muscle outline: measured into a 'trabecularBone' record (structure 'L1 trabecular'),
 * never into the muscle table or the checklist.
 */
export interface BoneRoi {
  id: string;
  vertebra: BoneVertebra;
  sliceIndex: number;
  /** Patient z of the slice, mm. */
  z: number;
  /** Closed outline, LPS mm, on the slice plane; first vertex not repeated. */
  pointsLps: Vec3[];
  /** 'proposed' from the vertebra mask (core/bone/trabecular.ts), 'drawn' by hand, or 'confirmed' (a proposal accepted, possibly adjusted). */
  source: BoneRoiSource;
  createdAt: string;
  modifiedAt: string;
  note?: string;
}

export const BONE_ROI_SOURCES = ['proposed', 'drawn', 'confirmed'] as const;
export type BoneRoiSource = (typeof BONE_ROI_SOURCES)[number];

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
  /** Muscles recorded absent at a level (optional: older documents have none). */
  absent?: AbsentRecord[];
  /** Trabecular bone ROIs, at most one per vertebra (document version 2 and later; optional). */
  boneRois?: BoneRoi[];
  /**
   * Height (m) and sex typed in the app for the muscle indices, used where the DICOM has no PatientSize /
   * PatientSex (core/indices/anthropometry.ts). Optional (version 2 documents without it are unchanged).
   */
  patient?: { heightM?: number; sex?: 'M' | 'F' };
  /**
   * The read signed off as done: by whom and when (ISO time); null or absent while it is open. Optional
   * (older documents have none; no version step). Reopening needs a reason, kept in the history beside
   * the document (node/history.ts), not here.
   */
  signedOff?: SignOff | null;
}

/** Who signed a read off as done, and when (ISO time). */
export interface SignOff {
  by: string;
  at: string;
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
      source: z.enum(ROI_SOURCES),
      proposedBy: z.enum(['propagated', 'mirrored']).optional(),
      createdAt: z.string(),
      modifiedAt: z.string(),
      accepted: z
        .object({
          flags: z.array(z.string()).min(1),
          reason: z.string().refine((t) => t.trim() !== '', 'a reason is needed'),
          rater: z.string(),
          at: z.string(),
        })
        .optional(),
    }),
  ),
  absent: z
    .array(
      z.object({
        level: z.enum(ALL_LEVELS),
        muscle: z.enum(MUSCLES),
        side: z.enum(SIDES),
        note: z.string().optional(),
        rater: z.string().optional(),
        at: z.string(),
      }),
    )
    .optional(),
  boneRois: z
    .array(
      z.object({
        id: z.string().min(1),
        vertebra: z.enum(BONE_VERTEBRAE),
        sliceIndex: z.number().int().min(0),
        z: finite,
        pointsLps: z.array(vec3).min(3),
        source: z.enum(BONE_ROI_SOURCES),
        createdAt: z.string(),
        modifiedAt: z.string(),
        note: z.string().optional(),
      }),
    )
    .optional(),
  patient: z.object({ heightM: finite.optional(), sex: z.enum(['M', 'F']).optional() }).optional(),
  signedOff: z
    .object({ by: z.string().refine((t) => t.trim() !== '', 'a name is needed'), at: z.string() })
    .nullable()
    .optional(),
});

export type ParseResult = { ok: true; document: AnnotationDocument } | { ok: false; reason: string };

/**
 * Validate an annotation document read from outside. A document from a newer version is refused with
 * a reason (never silently downgraded); anything malformed gets a one-line reason naming the field, in
 * the user's terms (which outline or level, what is wrong: documentIssue).
 */
export function parseAnnotationDocument(json: unknown): ParseResult {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { ok: false, reason: 'not a JSON object' };
  const o = json as Record<string, unknown>;
  if (o.format !== ANNOTATION_FORMAT) {
    return { ok: false, reason: `not a Paraspine annotation document (${o.format === undefined ? 'it has no format field' : `its format is ${shortJson(o.format)}`})` };
  }
  if (typeof o.version === 'number' && o.version > ANNOTATION_VERSION) {
    return { ok: false, reason: `written by a newer Paraspine (document version ${o.version}, this version reads up to ${ANNOTATION_VERSION})` };
  }
  if (typeof o.version === 'number' && o.version < BONE_ROI_VERSION && o.boneRois !== undefined) {
    return { ok: false, reason: `invalid annotation document: boneRois (bone ROIs) need document version ${BONE_ROI_VERSION}, this document is version ${o.version}` };
  }
  const r = annotationDocumentSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    return { ok: false, reason: `invalid annotation document: ${documentIssue(json, issues[0]!)}${more}` };
  }
  return { ok: true, document: r.data as AnnotationDocument };
}

/** A value as it appears in the file, shortened for a one-line message. */
function shortJson(v: unknown): string {
  let t: string;
  try {
    t = JSON.stringify(v) ?? String(v);
  } catch {
    t = String(v);
  }
  return t.length > 40 ? `${t.slice(0, 39)}…` : t;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

const KIND_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  object: 'an object',
  array: 'a list',
  tuple: 'a list',
  boolean: 'true or false',
};

function foundName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list (${shortJson(v)})`;
  if (typeof v === 'string') return `text ${shortJson(v)}`;
  if (typeof v === 'object') return 'an object';
  return shortJson(v);
}

/**
 * One zod issue of an annotation document, in the user's terms: the field's path in the file (for
 * whoever edits it), what it belongs to (outline 2 of 5, L3 psoas left, id "a"; level mark 1, L3; a
 * vertex and coordinate), and what is wrong with it ("missing", "expected a number, found text "x"",
 * "expected one of ...", "has 2 items, needs at least 3"). Never the word "undefined".
 */
export function documentIssue(root: unknown, issue: z.core.$ZodIssue): string {
  const path = issue.path;
  const where = path.map(String).join('.') || '(the document)';
  // What the field belongs to.
  const parts: string[] = [];
  const [top, n, field, v, c] = path;
  if ((top === 'rois' || top === 'levels') && typeof n === 'number') {
    const list = valueAt(root, [top]);
    const count = Array.isArray(list) ? list.length : 0;
    const item = valueAt(root, [top, n]);
    const rec = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const str = (k: string) => (typeof rec[k] === 'string' && rec[k] !== '' ? (rec[k] as string) : null);
    if (top === 'rois') {
      const label = [str('level'), str('muscle'), str('side')].filter((x) => x !== null).join(' ');
      const id = str('id');
      const what = [label, id !== null ? `id ${shortJson(id)}` : ''].filter(Boolean).join(', ');
      parts.push(`outline ${n + 1} of ${count}${what ? ` (${what})` : ''}`);
      if (field === 'pointsLps' && typeof v === 'number') parts.push(`vertex ${v + 1}${typeof c === 'number' ? `, coordinate ${'xyz'[c] ?? c + 1}` : ''}`);
    } else {
      const level = str('level');
      parts.push(`level mark ${n + 1} of ${count}${level ? ` (${level})` : ''}`);
    }
  } else if (top === 'absent' && typeof n === 'number') {
    const list = valueAt(root, ['absent']);
    const item = valueAt(root, ['absent', n]);
    const rec = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const label = ['level', 'muscle', 'side'].map((k) => (typeof rec[k] === 'string' ? (rec[k] as string) : '')).filter(Boolean).join(' ');
    parts.push(`absent record ${n + 1} of ${Array.isArray(list) ? list.length : 0}${label ? ` (${label})` : ''}`);
  } else if (top === 'boneRois' && typeof n === 'number') {
    const list = valueAt(root, ['boneRois']);
    const item = valueAt(root, ['boneRois', n]);
    const rec = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const label = ['vertebra', 'id'].map((k) => (typeof rec[k] === 'string' && rec[k] !== '' ? (k === 'id' ? `id ${shortJson(rec[k])}` : (rec[k] as string)) : '')).filter(Boolean).join(', ');
    parts.push(`bone ROI ${n + 1} of ${Array.isArray(list) ? list.length : 0}${label ? ` (${label})` : ''}`);
    if (field === 'pointsLps' && typeof v === 'number') parts.push(`vertex ${v + 1}${typeof c === 'number' ? `, coordinate ${'xyz'[c] ?? c + 1}` : ''}`);
  } else if (top === 'series') {
    parts.push('the series identity');
  } else if (top === 'ranges') {
    parts.push(n === 'muscleHu' ? 'the muscle HU range' : n === 'fatHu' ? 'the fat HU range' : 'the HU ranges');
  }
  const value = valueAt(root, path);
  let what: string;
  switch (issue.code) {
    case 'invalid_type': {
      const expected = KIND_NAMES[issue.expected] ?? issue.expected;
      what = value === undefined ? 'missing' : `expected ${expected}, found ${foundName(value)}`;
      break;
    }
    case 'invalid_value':
      what = value === undefined ? 'missing' : `expected ${issue.values.length === 1 ? shortJson(issue.values[0]) : `one of ${issue.values.map((x) => String(x)).join(', ')}`}, found ${foundName(value)}`;
      break;
    case 'too_small':
    case 'too_big': {
      const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const atLeast = issue.code === 'too_small' ? 'at least' : 'at most';
      if (issue.origin === 'array') {
        const has = Array.isArray(value) ? value.length : 0;
        if (field === 'pointsLps' && v === undefined) what = `an outline needs ${atLeast} ${bound} vertices; it has ${has}`;
        else if (field === 'pointsLps') what = `a vertex needs 3 coordinates (x, y, z); it has ${has}`;
        else what = `needs ${atLeast} ${bound} item${bound === 1 ? '' : 's'}; it has ${has}`;
      } else if (issue.origin === 'string') {
        what = value === '' ? 'empty' : `needs ${atLeast} ${bound} characters`;
      } else {
        what = `must be ${atLeast} ${bound}, found ${foundName(value)}`;
      }
      break;
    }
    case 'custom':
      what = `${issue.message}, found ${foundName(value)}`;
      break;
    default:
      what = issue.message;
  }
  return `${where}${parts.length ? ` (${parts.join(', ')})` : ''}: ${what}`;
}

/**
 * Make ROI ids unique, as a document is loaded (the CLI's --annotations, the workspace): ids name
 * outlines in the exports (`roiIds`) and in the app, and two outlines with one id would be taken for one.
 * The later outline with an id already used gets a fresh one (`<id>-2`, `-3`, ...); each change is a
 * one-line note. Returns the document unchanged (same object) when every id is unique.
 */
export function uniqueRoiIds(doc: AnnotationDocument): { document: AnnotationDocument; notes: string[] } {
  const seen = new Map<string, Roi>();
  const all = new Set(doc.rois.map((r) => r.id));
  const notes: string[] = [];
  let rois: Roi[] | null = null;
  doc.rois.forEach((r, n) => {
    const first = seen.get(r.id);
    if (!first) {
      seen.set(r.id, r);
      return;
    }
    let id = r.id;
    for (let k = 2; all.has(id); k++) id = `${r.id}-${k}`;
    all.add(id);
    seen.set(id, r);
    rois ??= [...doc.rois];
    rois[n] = { ...r, id };
    notes.push(`outline ${n + 1} (${r.level} ${r.muscle} ${r.side}) had the id ${JSON.stringify(r.id)} of the ${first.level} ${first.muscle} ${first.side} outline: it now has the id ${JSON.stringify(id)}`);
  });
  // Bone ROIs (version 2) share the id space: an id taken by an outline or an earlier bone ROI gets a fresh one too.
  const taken = new Set(seen.keys());
  let bones: BoneRoi[] | null = null;
  (doc.boneRois ?? []).forEach((b, n) => {
    all.add(b.id);
    if (!taken.has(b.id)) {
      taken.add(b.id);
      return;
    }
    let id = b.id;
    for (let k = 2; all.has(id); k++) id = `${b.id}-${k}`;
    all.add(id);
    taken.add(id);
    bones ??= [...doc.boneRois!];
    bones[n] = { ...b, id };
    notes.push(`bone ROI ${n + 1} (${b.vertebra}) had the id ${JSON.stringify(b.id)} of another ROI: it now has the id ${JSON.stringify(id)}`);
  });
  if (!rois && !bones) return { document: doc, notes };
  return { document: { ...doc, ...(rois ? { rois } : {}), ...(bones ? { boneRois: bones } : {}) }, notes };
}

/** parseAnnotationDocument, then uniqueRoiIds: how a document is read from a file (notes: what was repaired). */
export type ReadResult = { ok: true; document: AnnotationDocument; notes: string[] } | { ok: false; reason: string };

export function readAnnotationDocument(json: unknown): ReadResult {
  const r = parseAnnotationDocument(json);
  if (!r.ok) return r;
  const { document, notes } = uniqueRoiIds(r.document);
  return { ok: true, document, notes };
}

/**
 * Put a bone ROI in a document (replacing the one of the same vertebra, if any): a new document object,
 * its version raised to BONE_ROI_VERSION when older, modifiedAt set.
 */
export function setBoneRoi(doc: AnnotationDocument, roi: BoneRoi, now: string): AnnotationDocument {
  const others = (doc.boneRois ?? []).filter((b) => b.vertebra !== roi.vertebra);
  return { ...doc, version: Math.max(doc.version, BONE_ROI_VERSION), boneRois: [...others, roi], modifiedAt: now };
}

/** Remove the bone ROI of a vertebra (the document is returned unchanged when it has none). */
export function removeBoneRoi(doc: AnnotationDocument, vertebra: BoneVertebra, now: string): AnnotationDocument {
  if (!(doc.boneRois ?? []).some((b) => b.vertebra === vertebra)) return doc;
  return { ...doc, boneRois: doc.boneRois!.filter((b) => b.vertebra !== vertebra), modifiedAt: now };
}

/** The document signed off as done by `by` at `now` (a new object; modifiedAt set). */
export function signOffDocument(doc: AnnotationDocument, by: string, now: string): AnnotationDocument {
  if (by.trim() === '') throw new Error('signing off needs the rater\'s name');
  return { ...doc, signedOff: { by: by.trim(), at: now }, modifiedAt: now };
}

/** The document reopened (no longer signed off; a new object, modifiedAt set). The reason goes with the save (the history). */
export function reopenDocument(doc: AnnotationDocument, now: string): AnnotationDocument {
  return { ...doc, signedOff: null, modifiedAt: now };
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
