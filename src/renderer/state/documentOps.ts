/**
 * Pure operations on the annotation document. Each returns a new document (the old one is never
 * mutated) with modifiedAt set, so history can keep the old one and React sees a new reference.
 */
import { setBoneRoi, type AbsentRecord, type AnnotationDocument, type FlagAcceptance, type LevelMark, type Roi, type RoiMuscle } from '../../core/annotations/document';
import { ALL_LEVELS, type Level, type Muscle, type Side } from '../../core/anatomy/anatomy';
import { absentKey, withAcceptance } from '../../core/annotations/recordedStates';
import type { Vec3 } from '../../core/geometry/vec3';
import type { HuRanges } from '../../core/metrics/ranges';
import type { MaskImportResult } from '../../shared/contract';
import { isEdited } from '../../core/annotations/outlineFlags';

function touch(doc: AnnotationDocument, now: string, patch: Partial<AnnotationDocument>): AnnotationDocument {
  return { ...doc, ...patch, modifiedAt: now };
}

/** Mark a slice as a level (manual). Replaces any earlier mark of that level, proposed or not. */
export function setLevel(doc: AnnotationDocument, level: Level, sliceIndex: number, z: number, now: string): AnnotationDocument {
  const prev = doc.levels.find((l) => l.level === level);
  if (prev && prev.sliceIndex === sliceIndex && prev.source !== 'proposed') return doc;
  const mark: LevelMark = { level, sliceIndex, z, source: prev?.source === 'proposed' && prev.sliceIndex === sliceIndex ? 'confirmed' : 'manual' };
  return touch(doc, now, { levels: sortLevels([...doc.levels.filter((l) => l.level !== level), mark]) });
}

/** Put a level's mark back as it was (`prev`), or remove it when it had none. */
export function restoreLevel(doc: AnnotationDocument, level: Level, prev: LevelMark | null, now: string): AnnotationDocument {
  const levels = doc.levels.filter((l) => l.level !== level);
  return touch(doc, now, { levels: sortLevels(prev ? [...levels, prev] : levels) });
}

/** Accept a proposed level where it is. */
export function confirmLevel(doc: AnnotationDocument, level: Level, now: string): AnnotationDocument {
  const prev = doc.levels.find((l) => l.level === level);
  if (!prev || prev.source !== 'proposed') return doc;
  return touch(doc, now, { levels: doc.levels.map((l) => (l.level === level ? { ...l, source: 'confirmed' as const } : l)) });
}

export function removeLevel(doc: AnnotationDocument, level: Level, now: string): AnnotationDocument {
  if (!doc.levels.some((l) => l.level === level)) return doc;
  return touch(doc, now, { levels: doc.levels.filter((l) => l.level !== level) });
}

function sortLevels(levels: LevelMark[]): LevelMark[] {
  return [...levels].sort((a, b) => ALL_LEVELS.indexOf(a.level) - ALL_LEVELS.indexOf(b.level));
}

export function addRoi(doc: AnnotationDocument, roi: Roi, now: string): AnnotationDocument {
  if (roi.pointsLps.length < 3) return doc;
  return touch(doc, now, { rois: [...doc.rois.filter((r) => r.id !== roi.id), roi] });
}

export function samePoints(a: readonly Vec3[], b: readonly Vec3[]): boolean {
  if (a.length !== b.length) return false;
  for (let n = 0; n < a.length; n++) {
    const p = a[n]!;
    const q = b[n]!;
    if (p[0] !== q[0] || p[1] !== q[1] || p[2] !== q[2]) return false;
  }
  return true;
}

export function updateRoiPoints(doc: AnnotationDocument, id: string, pointsLps: Vec3[], now: string): AnnotationDocument {
  const roi = doc.rois.find((r) => r.id === id);
  if (!roi || pointsLps.length < 3 || samePoints(roi.pointsLps, pointsLps)) return doc;
  return touch(doc, now, { rois: doc.rois.map((r) => (r.id === id ? { ...r, pointsLps, modifiedAt: now } : r)) });
}

/** Re-assign an ROI to another muscle/side (e.g. split an imported autochthon). */
export function assignRoi(doc: AnnotationDocument, id: string, muscle: RoiMuscle, side: Side, now: string): AnnotationDocument {
  const roi = doc.rois.find((r) => r.id === id);
  if (!roi || (roi.muscle === muscle && roi.side === side)) return doc;
  return touch(doc, now, { rois: doc.rois.map((r) => (r.id === id ? { ...r, muscle, side, modifiedAt: now } : r)) });
}

/** Delete several outlines at once (one undo step). */
export function deleteRois(doc: AnnotationDocument, ids: readonly string[], now: string): AnnotationDocument {
  if (!doc.rois.some((r) => ids.includes(r.id))) return doc;
  return touch(doc, now, { rois: doc.rois.filter((r) => !ids.includes(r.id)) });
}

/**
 * Move outlines to another slice: each outline is translated by the offset between its slice's
 * position and the target slice's (for an axial stack: its z changes, x and y stay), and takes the
 * target's slice index and z.
 */
export function moveRoisToSlice(doc: AnnotationDocument, ids: readonly string[], from: (roi: Roi) => number, positions: readonly Vec3[], to: number, now: string): AnnotationDocument {
  const target = positions[to];
  if (!target) return doc;
  let changed = false;
  const rois = doc.rois.map((r) => {
    if (!ids.includes(r.id)) return r;
    const src = positions[from(r)];
    if (!src) return r;
    const d: Vec3 = [target[0] - src[0], target[1] - src[1], target[2] - src[2]];
    changed = true;
    return { ...r, sliceIndex: to, z: target[2], pointsLps: r.pointsLps.map((p) => [p[0] + d[0], p[1] + d[1], p[2] + d[2]] as Vec3), modifiedAt: now };
  });
  return changed ? touch(doc, now, { rois }) : doc;
}

export function deleteRoi(doc: AnnotationDocument, id: string, now: string): AnnotationDocument {
  if (!doc.rois.some((r) => r.id === id)) return doc;
  return touch(doc, now, { rois: doc.rois.filter((r) => r.id !== id) });
}

export function setRanges(doc: AnnotationDocument, ranges: HuRanges, now: string): AnnotationDocument {
  const same =
    doc.ranges.muscleHu[0] === ranges.muscleHu[0] &&
    doc.ranges.muscleHu[1] === ranges.muscleHu[1] &&
    doc.ranges.fatHu[0] === ranges.fatHu[0] &&
    doc.ranges.fatHu[1] === ranges.fatHu[1];
  if (same) return doc;
  return touch(doc, now, { ranges: { muscleHu: [ranges.muscleHu[0], ranges.muscleHu[1]], fatHu: [ranges.fatHu[0], ranges.fatHu[1]] } });
}

/** Who is annotating (travels into the exports). */
export function setRater(doc: AnnotationDocument, rater: string, now: string): AnnotationDocument {
  if (doc.rater === rater) return doc;
  return touch(doc, now, { rater });
}

/** Outlines of one level, muscle and side share this key (the table shows their union). */
export const roiKey = (r: Pick<Roi, 'level' | 'muscle' | 'side'>): string => `${r.level}|${r.muscle}|${r.side}`;

/** Multifidus / erector spinae from a split (proposed or confirmed) and an autochthon outline of the same level and side cover the same muscle. */
function coversSameMuscle(a: Pick<Roi, 'level' | 'muscle' | 'side' | 'source' | 'proposedBy'>, b: Pick<Roi, 'level' | 'muscle' | 'side' | 'source' | 'proposedBy'>): boolean {
  if (a.level !== b.level || a.side !== b.side) return false;
  const split = (r: typeof a) => (r.muscle === 'multifidus' || r.muscle === 'erectorSpinae') && (r.source === 'proposed' || (r.source === 'confirmed' && !r.proposedBy));
  return (a.muscle === 'autochthon' && split(b)) || (b.muscle === 'autochthon' && split(a));
}

/**
 * What a mask import does to the outlines already there, per level x muscle x side: an imported
 * outline never edited is replaced by the new import (importing twice does not duplicate); where the
 * user drew or edited an outline, that one is kept and the imported one is not added ('kept'). An
 * autochthon outline and a multifidus / erector spinae split of it count as the same muscle, so an
 * import with the split replaces an earlier one without it (and the other way round).
 */
export function planMaskImport(doc: AnnotationDocument, result: MaskImportResult): { replace: string[]; skip: Set<number> } {
  const replace: string[] = [];
  const skip = new Set<number>();
  result.rois.forEach((r, n) => {
    const same = doc.rois.filter((x) => roiKey(x) === roiKey(r) || coversSameMuscle(x, r));
    // Unedited imported outlines and unconfirmed, unedited proposals are replaced; drawn, edited or confirmed ones stay.
    if (same.some((x) => (x.source !== 'imported' && x.source !== 'proposed') || isEdited(x))) skip.add(n);
    else for (const x of same) if (!replace.includes(x.id)) replace.push(x.id);
  });
  return { replace, skip };
}

/**
 * Add what masks:import found: proposed levels only where the user has not set that level, and the
 * traced outlines (ids made unique against the document), replacing unedited imported outlines of
 * the same level, muscle and side and never overriding drawn or edited ones (planMaskImport).
 */
export function applyMaskImport(doc: AnnotationDocument, result: MaskImportResult, now: string): AnnotationDocument {
  doc = applyBoneProposal(doc, result, now);
  if (result.proposedLevels.length === 0 && result.rois.length === 0) return doc;
  const plan = planMaskImport(doc, result);
  if (plan.replace.length > 0) doc = { ...doc, rois: doc.rois.filter((r) => !plan.replace.includes(r.id)) };
  const levels = [...doc.levels];
  for (const p of result.proposedLevels) {
    const existing = levels.find((l) => l.level === p.level);
    if (existing && existing.source !== 'proposed') continue;
    const idx = levels.findIndex((l) => l.level === p.level);
    const mark: LevelMark = { ...p, source: 'proposed' };
    if (idx >= 0) levels[idx] = mark;
    else levels.push(mark);
  }
  const ids = new Set(doc.rois.map((r) => r.id));
  const rois = [...doc.rois];
  for (const [n, r] of result.rois.entries()) {
    if (plan.skip.has(n)) continue;
    let id = r.id;
    for (let n = 2; ids.has(id); n++) id = `${r.id}-${n}`;
    ids.add(id);
    rois.push({ ...r, id });
  }
  return touch(doc, now, { levels: sortLevels(levels), rois });
}

/**
 * The import's proposed trabecular ROI (MaskImportResult.boneRoi) into the document: it replaces only a
 * proposal of the same vertebra, never an oval the user drew or confirmed.
 */
function applyBoneProposal(doc: AnnotationDocument, result: MaskImportResult, now: string): AnnotationDocument {
  const b = result.boneRoi;
  if (!b) return doc;
  const old = doc.boneRois?.find((x) => x.vertebra === b.vertebra);
  if (old && old.source !== 'proposed') return doc;
  const taken = new Set([...doc.rois.map((r) => r.id), ...(doc.boneRois ?? []).filter((x) => x !== old).map((x) => x.id)]);
  let id = b.id;
  for (let n = 2; taken.has(id); n++) id = `${b.id}-${n}`;
  return setBoneRoi(doc, { ...b, id, source: 'proposed' }, now);
}

/**
 * Record a muscle as absent at a level: its outlines there are deleted and the absent record added
 * (replacing an earlier one), in one change. `absent` is left out of the document while empty.
 */
export function setAbsent(doc: AnnotationDocument, record: AbsentRecord, now: string): AnnotationDocument {
  const key = absentKey(record);
  const rois = doc.rois.filter((r) => roiKey(r) !== key);
  const absent = [...(doc.absent ?? []).filter((a) => absentKey(a) !== key), record];
  return touch(doc, now, { rois, absent });
}

/** Clear the absent record of a level, muscle and side (no change when there is none). */
export function clearAbsent(doc: AnnotationDocument, level: Level, muscle: Muscle | RoiMuscle, side: Side, now: string): AnnotationDocument {
  const key = absentKey({ level, muscle, side });
  if (!(doc.absent ?? []).some((a) => absentKey(a) === key)) return doc;
  const absent = (doc.absent ?? []).filter((a) => absentKey(a) !== key);
  const next = touch(doc, now, { absent });
  if (absent.length === 0) delete next.absent;
  return next;
}

/**
 * Accept the given flags of outlines (by id) with a reason: each outline's acceptance becomes exactly its
 * flags listed (an earlier acceptance is replaced). The outlines' own modifiedAt is kept: accepting is
 * not editing (their origin stays drawn / imported / ...).
 */
export function acceptFlags(doc: AnnotationDocument, flagsById: ReadonlyMap<string, readonly string[]>, reason: string, rater: string, now: string): AnnotationDocument {
  let changed = false;
  const rois = doc.rois.map((r) => {
    const flags = flagsById.get(r.id);
    if (!flags || flags.length === 0) return r;
    changed = true;
    const acceptance: FlagAcceptance = { flags: [...flags], reason, rater, at: now };
    return withAcceptance(r, acceptance);
  });
  return changed ? touch(doc, now, { rois }) : doc;
}
