import { dot, sub } from '../geometry/vec3';
import { nearestSliceToZ, sliceGapsMm, sliceZ, type VolumeGeometry } from '../geometry/volumeGeometry';
import { lpsToSliceIj } from '../roi/contour';
import type { AnnotationDocument, LevelMark, Roi } from './document';

/**
 * Checks of an annotation document against the grid it is measured on. A document read from outside
 * (the CLI's --annotations, a workspace file written by another version, a hand-edited file) may hold
 * outlines that no longer belong to this grid; measuring them anyway would give a number without a
 * word. Each ROI is either refused (not measured, with a reason) or measured with flags.
 *
 * - refused: coordinates beyond MAX_COORDINATE_MM or more than MAX_VERTICES vertices (overflowing
 *   input); a z that lies off every slice by more than half the slice spacing; a vertex that leaves
 *   the slice plane by more than half the slice spacing (the outline belongs to no one slice).
 * - flagged: vertices outside the image (the pixels outside are not counted, so CSA is what lies
 *   inside); a stored sliceIndex that no longer matches the slice at its z (the series was reloaded
 *   with other files; the slice at its z is measured).
 *
 * A document made for another grid (other rows x columns) is refused as a whole: checkDocumentGrid.
 */

/** Largest absolute patient coordinate accepted in a document, mm (100 m: far beyond any scanner). */
export const MAX_COORDINATE_MM = 1e5;
/** Most vertices one outline may have (a freehand outline on a 512 x 512 slice has a few thousand). */
export const MAX_VERTICES = 100_000;

export interface RoiCheck {
  /** Set when the ROI must not be measured: the one-line reason. */
  refused: string | null;
  /** Things a reader of the number must know (the ROI is still measured). */
  flags: string[];
  /** The slice the ROI is measured on (when not refused). */
  sliceIndex: number;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 1000) / 1000) : String(x);
}

/** Slice gaps per geometry, computed once (a document of thousands of outlines asks for them for each). */
const gapsOf = new WeakMap<VolumeGeometry, number[]>();

/** Half the gap to the nearer neighbour of slice k (the tolerance for "on this slice"), mm; 0.5 mm for one slice. */
export function halfSliceGapMm(g: VolumeGeometry, k: number): number {
  let gaps = gapsOf.get(g);
  if (!gaps) gapsOf.set(g, (gaps = sliceGapsMm(g)));
  if (gaps.length === 0) return 0.5;
  const below = k > 0 ? gaps[k - 1]! : Infinity;
  const above = k < gaps.length ? gaps[k]! : Infinity;
  return Math.min(below, above) / 2;
}

/** Where a z (mm) lies: the nearest slice, and a reason when it lies off every slice. */
export function sliceAtZ(g: VolumeGeometry, z: number): { sliceIndex: number; off: string | null } {
  const k = nearestSliceToZ(g, z);
  const d = Math.abs(sliceZ(g, k) - z);
  const tol = halfSliceGapMm(g, k) + 1e-6;
  return { sliceIndex: k, off: d > tol ? `z ${fmt(z)} mm lies off every slice (nearest: slice ${k} at z ${fmt(sliceZ(g, k))} mm)` : null };
}

export function checkRoi(g: VolumeGeometry, roi: Pick<Roi, 'sliceIndex' | 'z' | 'pointsLps'>): RoiCheck {
  const refuse = (reason: string, k = 0): RoiCheck => ({ refused: reason, flags: [], sliceIndex: k });
  if (roi.pointsLps.length > MAX_VERTICES) return refuse(`outline has ${roi.pointsLps.length} vertices (at most ${MAX_VERTICES})`);
  if (!(Math.abs(roi.z) <= MAX_COORDINATE_MM)) return refuse(`z ${fmt(roi.z)} mm is beyond any scanner (±${MAX_COORDINATE_MM} mm)`);
  for (const p of roi.pointsLps) {
    if (!p.every((c) => Math.abs(c) <= MAX_COORDINATE_MM)) return refuse(`a vertex (${p.map(fmt).join(', ')}) is beyond any scanner (±${MAX_COORDINATE_MM} mm)`);
  }
  const at = sliceAtZ(g, roi.z);
  const k = at.sliceIndex;
  if (at.off) return refuse(at.off, k);
  const flags: string[] = [];
  if (roi.sliceIndex !== k) flags.push(`stored slice ${roi.sliceIndex} is not the slice at its z (${fmt(roi.z)} mm): measured on slice ${k}`);
  // Distance of each vertex from the slice plane, along the normal.
  const tol = halfSliceGapMm(g, k);
  const origin = g.slicePositions[k]!;
  let worst = 0;
  for (const p of roi.pointsLps) worst = Math.max(worst, Math.abs(dot(sub(p, origin), g.normal)));
  if (worst > tol + 1e-6) return refuse(`the outline leaves the plane of slice ${k} (a vertex lies ${fmt(worst)} mm off it; at most ${fmt(tol)} mm)`, k);
  // Vertices outside the image: pixel centres run 0..columns-1, 0..rows-1; the image edge is half a pixel further.
  const ij = lpsToSliceIj(g, k, roi.pointsLps);
  const outside = ij.filter(([i, j]) => i < -0.5 || j < -0.5 || i > g.columns - 0.5 || j > g.rows - 0.5).length;
  if (outside > 0) flags.push(`${outside} of ${ij.length} outline vertices lie outside the image: only the pixels inside are counted`);
  return { refused: null, flags, sliceIndex: k };
}

/** A level mark whose z lies off every slice: the reason, or null. */
export function checkLevel(g: VolumeGeometry, mark: Pick<LevelMark, 'level' | 'z'>): string | null {
  if (!(Math.abs(mark.z) <= MAX_COORDINATE_MM)) return `level ${mark.level}: z ${fmt(mark.z)} mm is beyond any scanner`;
  const at = sliceAtZ(g, mark.z);
  return at.off ? `level ${mark.level}: ${at.off}` : null;
}

/** The reason a document cannot be measured on this grid (other rows x columns), or null. */
export function documentGridMismatch(g: VolumeGeometry, doc: Pick<AnnotationDocument, 'series'>): string | null {
  if (doc.series.rows !== g.rows || doc.series.columns !== g.columns) {
    return `annotation document is for a ${doc.series.columns}x${doc.series.rows} series but the loaded series is ${g.columns}x${g.rows}`;
  }
  return null;
}
