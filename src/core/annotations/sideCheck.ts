/**
 * Side check: does an outline lie on the side of the patient its label says? Pure functions of the
 * HU volume and the outline (no viewer, no document state).
 *
 * The rule. Patient coordinates are LPS: +x is the patient's left (image right in the usual
 * radiological display). The midline of slice k is the median x of the slice's bone pixels (HU >=
 * BONE_HU): at the lumbar levels these are the vertebra (body, arch, spinous process) plus ribs or
 * iliac wings that come in left/right pairs, so the median falls on the spine even when the patient
 * lies off the centre of the field of view. An outline labelled left whose area centroid lies at
 * x < midline (or right with x > midline) is flagged.
 *
 * With fewer than MIN_BONE_PIXELS bone pixels on the slice (a phantom, a slice outside the body)
 * midlineX falls back to the x of the image's centre, but no flag is raised from it: a patient may
 * lie well off the centre of the field of view, and a flag that is often wrong would be ignored.
 */
import type { Vec3 } from '../geometry/vec3';
import { indexToLps, type VolumeGeometry } from '../geometry/volumeGeometry';
import type { HuVolume } from '../volume';
import type { Roi } from './document';

export const BONE_HU = 200;
export const MIN_BONE_PIXELS = 50;

export interface Midline {
  /** Patient x (LPS, mm) of the midline on this slice. */
  x: number;
  rule: 'bone' | 'image-centre';
}

/** The midline of slice k (see the rule above). */
export function midlineX(volume: HuVolume, k: number): Midline {
  const g = volume.geometry;
  const n = g.rows * g.columns;
  const xs: number[] = [];
  const off = k * n;
  const o = indexToLps(g, 0, 0, k);
  const dx = g.rowDirection[0] * g.columnSpacingMm;
  const dy = g.columnDirection[0] * g.rowSpacingMm;
  for (let j = 0; j < g.rows; j++) {
    for (let i = 0; i < g.columns; i++) {
      if (volume.hu[off + j * g.columns + i]! >= BONE_HU) xs.push(o[0] + i * dx + j * dy);
    }
  }
  if (xs.length >= MIN_BONE_PIXELS) {
    xs.sort((a, b) => a - b);
    const m = xs.length >> 1;
    return { x: xs.length % 2 ? xs[m]! : (xs[m - 1]! + xs[m]!) / 2, rule: 'bone' };
  }
  return { x: indexToLps(g, (g.columns - 1) / 2, (g.rows - 1) / 2, k)[0], rule: 'image-centre' };
}

/** Patient x of the area centroid of a closed outline (its vertex mean when the area is zero). */
export function centroidX(points: readonly Vec3[]): number {
  let a = 0;
  let cx = 0;
  for (let p = 0, q = points.length - 1; p < points.length; q = p++) {
    const [x0, y0] = points[q]!;
    const [x1, y1] = points[p]!;
    const cross = x0 * y1 - x1 * y0;
    a += cross;
    cx += (x0 + x1) * cross;
  }
  if (Math.abs(a) < 1e-9) return points.reduce((s, p) => s + p[0], 0) / points.length;
  return cx / (3 * a);
}

/** A one-line flag when the outline's centroid lies on the other side of the midline than its label, else null. */
export function sideFlag(volume: HuVolume, k: number, roi: Pick<Roi, 'side' | 'pointsLps'>, midline: Midline = midlineX(volume, k)): string | null {
  if (roi.pointsLps.length < 3 || midline.rule !== 'bone') return null;
  const cx = centroidX(roi.pointsLps);
  const wrong = roi.side === 'left' ? cx < midline.x : cx > midline.x;
  if (!wrong) return null;
  const other = roi.side === 'left' ? 'right' : 'left';
  return `side check: labelled ${roi.side} but its centre lies ${Math.abs(cx - midline.x).toFixed(1)} mm on the patient's ${other} of the midline (median x of the bone pixels)`;
}

/** A side checker for many outlines of one volume (one midline computation per slice). */
export function sideChecker(volume: HuVolume): (k: number, roi: Pick<Roi, 'side' | 'pointsLps'>) => string | null {
  const cache = new Map<number, Midline>();
  return (k, roi) => {
    let m = cache.get(k);
    if (!m) cache.set(k, (m = midlineX(volume, k)));
    return sideFlag(volume, k, roi, m);
  };
}

export type { VolumeGeometry };
