/**
 * The lean/fat overlay of one slice: which pixels inside the ROIs count as lean muscle (muscle HU
 * range) and which as fat (fat HU range) — exactly the pixels core's metrics count, from core's
 * contourMask (pixel-centre rule) and the HU volume.
 */
import type { Roi } from '../../core/annotations/document';
import { roiSlice } from '../../core/annotations/measureAnnotations';
import { inHuRange, type HuRanges } from '../../core/metrics/ranges';
import { contourMask } from '../../core/roi/contour';
import type { HuVolume } from '../../core/volume';

/** Overlay colours: cyan (lean) and magenta (fat), hues none of the muscle outlines use (checklist MUSCLE_COLORS). */
export const LEAN_RGBA = [0, 255, 255, 110] as const;
export const FAT_RGBA = [255, 0, 255, 150] as const;

export interface OverlayCounts {
  lean: number;
  fat: number;
  inside: number;
}

/** RGBA pixels (columns x rows) for slice k; transparent outside ROIs and for pixels in neither range. */
export function leanFatOverlay(volume: HuVolume, rois: readonly Roi[], k: number, ranges: HuRanges): { rgba: Uint8ClampedArray; counts: OverlayCounts } {
  const g = volume.geometry;
  const n = g.rows * g.columns;
  const mask = new Uint8Array(n);
  for (const roi of rois) {
    if (roiSlice(volume, roi) !== k) continue;
    const m = contourMask(g, k, roi.pointsLps);
    for (let p = 0; p < n; p++) if (m[p]) mask[p] = 1;
  }
  const rgba = new Uint8ClampedArray(n * 4);
  const off = k * n;
  const counts: OverlayCounts = { lean: 0, fat: 0, inside: 0 };
  for (let p = 0; p < n; p++) {
    if (!mask[p]) continue;
    counts.inside++;
    const v = volume.hu[off + p]!;
    const lean = inHuRange(v, ranges.muscleHu);
    const fat = inHuRange(v, ranges.fatHu);
    const c = lean ? LEAN_RGBA : fat ? FAT_RGBA : null;
    if (lean) counts.lean++;
    if (fat) counts.fat++;
    if (!c) continue;
    rgba[p * 4] = c[0];
    rgba[p * 4 + 1] = c[1];
    rgba[p * 4 + 2] = c[2];
    rgba[p * 4 + 3] = c[3];
  }
  return { rgba, counts };
}
