/**
 * Flags that tell a reader whether an outline can be trusted, beyond the grid checks of checkRoi:
 * its origin (drawn, imported, edited), whether it still lies on its level's marked slice, the side
 * check (sideCheck.ts), and overlap with another muscle's outline (pixels counted twice). Pure
 * functions; measureAnnotationsChecked puts the flags on records.
 */
import { nearestSliceToZ } from '../geometry/volumeGeometry';
import { lpsToSliceIj } from '../roi/contour';
import { rasterizePolygon } from '../roi/rasterize';
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

/**
 * The slice an ROI lies on: its stored sliceIndex when that slice's z matches the stored z
 * (within 1e-3 mm), otherwise the slice nearest its z (a series reloaded with other files).
 */
export function roiSlice(volume: HuVolume, roi: Pick<Roi, 'sliceIndex' | 'z'>): number {
  const g = volume.geometry;
  const pos = g.slicePositions[roi.sliceIndex];
  if (pos && Math.abs(pos[2] - roi.z) < 1e-3) return roi.sliceIndex;
  return nearestSliceToZ(g, roi.z);
}

/** An outline's pixels (pixel-centre rule) within its bounding box on its slice. */
interface BoxMask {
  k: number;
  i0: number;
  j0: number;
  w: number;
  h: number;
  bits: Uint8Array;
}

/**
 * Overlap flags: an outline that shares pixels with the outline of another muscle or side at the same
 * level, on the same slice, has those pixels counted in both rows. RULE: both rasterised with the
 * pixel-centre rule; the flag names the other label and the number of shared pixels. Outlines of the
 * same label (kept both: measured as their union) are not compared. Masks are made once per outline
 * and compared only inside the intersection of their bounding boxes.
 */
function overlapChecker(volume: HuVolume, rois: readonly Roi[]): (roi: Roi, k: number) => string[] {
  const g = volume.geometry;
  const masks = new Map<string, BoxMask | null>();
  const maskOf = (r: Roi, k: number): BoxMask | null => {
    const key = `${r.id}@${k}`;
    if (masks.has(key)) return masks.get(key)!;
    let m: BoxMask | null = null;
    try {
      const ij = lpsToSliceIj(g, k, r.pointsLps);
      const xs = ij.map((p) => p[0]);
      const ys = ij.map((p) => p[1]);
      const i0 = Math.max(0, Math.floor(Math.min(...xs)));
      const j0 = Math.max(0, Math.floor(Math.min(...ys)));
      const i1 = Math.min(g.columns - 1, Math.ceil(Math.max(...xs)));
      const j1 = Math.min(g.rows - 1, Math.ceil(Math.max(...ys)));
      if (i1 >= i0 && j1 >= j0) {
        const w = i1 - i0 + 1;
        const h = j1 - j0 + 1;
        m = { k, i0, j0, w, h, bits: rasterizePolygon(ij.map(([x, y]) => [x - i0, y - j0] as const), w, h) };
      }
    } catch {
      m = null; // an unusable contour: checkRoi refuses it; nothing to compare
    }
    masks.set(key, m);
    return m;
  };
  return (roi, k) => {
    const out: string[] = [];
    const a = maskOf(roi, k);
    if (!a) return out;
    for (const o of rois) {
      if (o.id === roi.id || o.level !== roi.level || (o.muscle === roi.muscle && o.side === roi.side)) continue;
      const ko = roiSlice(volume, o);
      if (ko !== k) continue;
      const b = maskOf(o, ko);
      if (!b) continue;
      const i0 = Math.max(a.i0, b.i0);
      const j0 = Math.max(a.j0, b.j0);
      const i1 = Math.min(a.i0 + a.w, b.i0 + b.w) - 1;
      const j1 = Math.min(a.j0 + a.h, b.j0 + b.h) - 1;
      let shared = 0;
      for (let j = j0; j <= j1; j++) {
        for (let i = i0; i <= i1; i++) shared += a.bits[(j - a.j0) * a.w + (i - a.i0)]! & b.bits[(j - b.j0) * b.w + (i - b.i0)]!;
      }
      if (shared > 0) out.push(`overlaps the ${o.muscle} ${o.side} outline by ${shared} px (those pixels count in both)`);
    }
    return out;
  };
}

/** The trust flags of each outline of a document (one side-check midline per slice; overlaps when the document's outlines are given). */
export function outlineFlagger(volume: HuVolume, doc: Pick<AnnotationDocument, 'levels'> & { rois?: readonly Roi[] }): (roi: Roi, k: number) => string[] {
  const side = sideChecker(volume);
  const overlap = doc.rois ? overlapChecker(volume, doc.rois) : null;
  return (roi, k) => {
    const out: string[] = [];
    const lv = levelSliceFlag(volume, doc, roi, k);
    if (lv) out.push(lv);
    const sd = side(k, roi);
    if (sd) out.push(sd);
    if (overlap) out.push(...overlap(roi, k));
    return out;
  };
}
