/**
 * Flags that tell a reader whether an outline can be trusted, beyond the grid checks of checkRoi:
 * its origin (drawn, imported, edited), whether it still lies on its level's marked slice, and the
 * side check (sideCheck.ts). Pure functions; measureAnnotationsChecked puts the flags on records.
 */
import { nearestSliceToZ } from '../geometry/volumeGeometry';
import type { HuVolume } from '../volume';
import type { AnnotationDocument, Roi } from './document';
import { sideChecker } from './sideCheck';

/**
 * Where an outline came from: 'proposed' while it is an unconfirmed proposal (even after a re-split);
 * otherwise 'edited' once its points or label were changed after it was made, else its source
 * (drawn, imported, confirmed).
 */
export type RoiOrigin = Roi['source'] | 'edited';

/** An outline is edited when it was changed after it was created (modifiedAt later than createdAt; old documents need nothing new). */
export function isEdited(roi: Pick<Roi, 'createdAt' | 'modifiedAt'>): boolean {
  return roi.modifiedAt > roi.createdAt;
}

export function roiOrigin(roi: Pick<Roi, 'source' | 'createdAt' | 'modifiedAt'>): RoiOrigin {
  if (roi.source === 'proposed') return 'proposed';
  return isEdited(roi) ? 'edited' : roi.source;
}

/** The origin of a group of outlines measured together: their origins, distinct, joined with '+' (in first-seen order). */
export function groupOrigin(rois: readonly Pick<Roi, 'source' | 'createdAt' | 'modifiedAt'>[]): string {
  return [...new Set(rois.map(roiOrigin))].join('+');
}

/** The slice a level mark stands on in this volume (its slice index, or the slice nearest its z when the series changed). */
export function levelSlice(volume: HuVolume, mark: { sliceIndex: number; z: number }): number {
  const pos = volume.geometry.slicePositions[mark.sliceIndex];
  if (pos && Math.abs(pos[2] - mark.z) < 1e-3) return mark.sliceIndex;
  return nearestSliceToZ(volume.geometry, mark.z);
}

/** A flag when the outline's level is marked on another slice than the one the outline lies on (slice k), else null. */
export function levelSliceFlag(volume: HuVolume, doc: Pick<AnnotationDocument, 'levels'>, roi: Pick<Roi, 'level'>, k: number): string | null {
  const mark = doc.levels.find((l) => l.level === roi.level);
  if (!mark) return null;
  const at = levelSlice(volume, mark);
  return at === k ? null : `${roi.level} is marked on slice index ${at}; this outline is on slice index ${k}`;
}

/** The trust flags of each outline of a document (one side-check midline per slice). */
export function outlineFlagger(volume: HuVolume, doc: Pick<AnnotationDocument, 'levels'>): (roi: Roi, k: number) => string[] {
  const side = sideChecker(volume);
  return (roi, k) => {
    const out: string[] = [];
    const lv = levelSliceFlag(volume, doc, roi, k);
    if (lv) out.push(lv);
    const sd = side(k, roi);
    if (sd) out.push(sd);
    return out;
  };
}
