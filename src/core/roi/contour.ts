import { dot, sub, type Vec3 } from '../geometry/vec3';
import type { VolumeGeometry } from '../geometry/volumeGeometry';
import { indexToLps } from '../geometry/volumeGeometry';
import { rasterizePolygon, type PointIj } from './rasterize';

/**
 * Project contour points in patient coordinates (LPS, mm) onto slice k's pixel grid (continuous i, j;
 * integer = pixel centre). The out-of-plane component is ignored (points are expected on the slice).
 */
export function lpsToSliceIj(g: VolumeGeometry, k: number, pointsLps: readonly Vec3[]): PointIj[] {
  const origin = g.slicePositions[k];
  if (!origin) throw new RangeError(`slice ${k} is outside 0..${g.slices - 1}`);
  return pointsLps.map((p) => {
    const d = sub(p, origin);
    return [dot(d, g.rowDirection) / g.columnSpacingMm, dot(d, g.columnDirection) / g.rowSpacingMm] as const;
  });
}

/** Continuous pixel indices on slice k to LPS mm. */
export function sliceIjToLps(g: VolumeGeometry, k: number, pointsIj: readonly PointIj[]): Vec3[] {
  return pointsIj.map(([i, j]) => indexToLps(g, i, j, k));
}

/** Slice mask (rows * columns) of a closed contour given in LPS on slice k. */
export function contourMask(g: VolumeGeometry, k: number, pointsLps: readonly Vec3[]): Uint8Array {
  return rasterizePolygon(lpsToSliceIj(g, k, pointsLps), g.columns, g.rows);
}
