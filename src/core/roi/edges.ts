import { checkPoint, checkSliceSize, type SliceHu } from './outlines';
import type { PointIj } from './rasterize';

/**
 * Edge snapping on one slice.
 *
 * UNITS: pixel space (i = column, j = row, integer = pixel centre); radii in pixels; gradient
 * magnitudes in HU per pixel.
 */

/**
 * Sobel gradient magnitude of a slice, computed once per slice and reused by every snap.
 * gx = (sum of the right column - sum of the left column of the 3 x 3 neighbourhood, weights 1 2 1) / 8,
 * gy likewise for rows, magnitude sqrt(gx² + gy²): a linear ramp of s HU per pixel gives s, a step of
 * h HU gives h / 2 on the two pixels beside it. Borders replicate the edge pixels (clamp), so a
 * constant slice is 0 everywhere. NaN HU propagates to its neighbours.
 * COST: O(rows * columns), one Float32Array.
 */
export function gradientMagnitude(hu: SliceHu, columns: number, rows: number): Float32Array {
  checkSliceSize(hu.length, columns, rows, 'HU slice');
  const g = new Float32Array(columns * rows);
  for (let j = 0; j < rows; j++) {
    const up = Math.max(0, j - 1) * columns;
    const mid = j * columns;
    const dn = Math.min(rows - 1, j + 1) * columns;
    for (let i = 0; i < columns; i++) {
      const l = Math.max(0, i - 1);
      const r = Math.min(columns - 1, i + 1);
      const gx = hu[up + r]! + 2 * hu[mid + r]! + hu[dn + r]! - hu[up + l]! - 2 * hu[mid + l]! - hu[dn + l]!;
      const gy = hu[dn + l]! + 2 * hu[dn + i]! + hu[dn + r]! - hu[up + l]! - 2 * hu[up + i]! - hu[up + r]!;
      g[mid + i] = Math.sqrt(gx * gx + gy * gy) / 8;
    }
  }
  return g;
}

export interface SnapOptions {
  /** Search radius in pixels (pixel centres with distance <= radius are candidates). */
  radiusPx: number;
  /** Refine to sub-pixel by a parabola through the maximum and its neighbours, in i and in j separately. Default false. */
  subpixel?: boolean;
  /** Do not snap when the largest gradient within the radius is not above this (HU per pixel). Default 0. */
  minGradient?: number;
}

/**
 * The point of maximal gradient magnitude near `point`.
 *
 * RULE: among the pixel centres of the slice within radiusPx of the point (Euclidean, boundary
 * included), the one with the largest magnitude; ties go to the one nearest the point, then to the
 * first in raster order. When there is none, or the largest is not above minGradient, the point is
 * returned unchanged. With `subpixel`, each coordinate moves by the vertex of the parabola through
 * the magnitudes at the chosen pixel and its two neighbours along that axis (at most half a pixel;
 * not at the slice border), unless that leaves the radius. So the result is always within radiusPx
 * of the point. COST: O(radiusPx²).
 */
export function snapToEdge(grad: Float32Array, columns: number, rows: number, point: PointIj, options: SnapOptions): PointIj {
  checkSliceSize(grad.length, columns, rows, 'gradient');
  checkPoint(point, 'point');
  const r = options.radiusPx;
  if (!Number.isFinite(r) || r < 0) throw new Error(`snap radius must be a finite number >= 0 pixels (got ${r})`);
  const minG = options.minGradient ?? 0;
  const [x, y] = point;
  const i0 = Math.max(0, Math.ceil(x - r));
  const i1 = Math.min(columns - 1, Math.floor(x + r));
  const j0 = Math.max(0, Math.ceil(y - r));
  const j1 = Math.min(rows - 1, Math.floor(y + r));
  const r2 = r * r;
  let bestG = -Infinity;
  let bestD = Infinity;
  let bi = -1;
  let bj = -1;
  for (let j = j0; j <= j1; j++) {
    for (let i = i0; i <= i1; i++) {
      const d2 = (i - x) ** 2 + (j - y) ** 2;
      if (d2 > r2) continue;
      const gv = grad[j * columns + i]!;
      if (gv > bestG || (gv === bestG && d2 < bestD)) {
        bestG = gv;
        bestD = d2;
        bi = i;
        bj = j;
      }
    }
  }
  if (bi < 0 || !(bestG > minG)) return point;
  if (!options.subpixel) return [bi, bj];
  const off = (a: number, c: number, b: number): number => {
    const den = a - 2 * c + b;
    if (!(den < 0)) return 0; // not a strict maximum of the parabola
    return Math.max(-0.5, Math.min(0.5, (a - b) / (2 * den)));
  };
  const oi = bi > 0 && bi < columns - 1 ? off(grad[bj * columns + bi - 1]!, bestG, grad[bj * columns + bi + 1]!) : 0;
  const oj = bj > 0 && bj < rows - 1 ? off(grad[(bj - 1) * columns + bi]!, bestG, grad[(bj + 1) * columns + bi]!) : 0;
  const sx = bi + oi;
  const sy = bj + oj;
  return (sx - x) ** 2 + (sy - y) ** 2 <= r2 ? [sx, sy] : [bi, bj];
}

/**
 * Snap every vertex of a contour (snapToEdge with the same options). Vertex k of the result is the
 * snap of vertex k (same count, order kept), so each moves by at most radiusPx. Neighbouring
 * vertices may land on the same pixel (harmless for rasterizePolygon and polygonArea) and a large
 * radius can fold the outline; keep the radius small (2-3 pixels). COST: O(vertices * radiusPx²).
 */
export function snapContour(contour: readonly PointIj[], grad: Float32Array, columns: number, rows: number, options: SnapOptions): PointIj[] {
  return contour.map((p) => snapToEdge(grad, columns, rows, p, options));
}
