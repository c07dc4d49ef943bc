import type { VolumeGeometry } from '../geometry/volumeGeometry';
import { rasterizePolygon, type PointIj } from './rasterize';

/** An outline's pixels (pixel-centre rule) within its bounding box on its slice (clipped to the image). */
export interface BoxMask {
  i0: number;
  j0: number;
  w: number;
  h: number;
  bits: Uint8Array;
  /** Pixels set. */
  pixels: number;
}

/**
 * The outline's pixels (slice pixel coordinates, pixel-centre rule) in its bounding box clipped to the
 * image: an empty mask (w = h = 0) when the box lies outside the image, null when the contour is unusable
 * (fewer than 3 vertices, a coordinate not finite). COST: the bounding box. One home for the outline
 * checks (overlap, plausibility).
 */
export function boxMask(g: Pick<VolumeGeometry, 'columns' | 'rows'>, ij: readonly PointIj[]): BoxMask | null {
  if (ij.length < 3) return null;
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [x, y] of ij) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return null;
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const i0 = Math.max(0, Math.floor(minX));
  const j0 = Math.max(0, Math.floor(minY));
  const i1 = Math.min(g.columns - 1, Math.ceil(maxX));
  const j1 = Math.min(g.rows - 1, Math.ceil(maxY));
  if (i1 < i0 || j1 < j0) return { i0: 0, j0: 0, w: 0, h: 0, bits: new Uint8Array(0), pixels: 0 };
  const w = i1 - i0 + 1;
  const h = j1 - j0 + 1;
  const bits = rasterizePolygon(
    ij.map(([x, y]) => [x - i0, y - j0] as const),
    w,
    h,
  );
  let pixels = 0;
  for (let p = 0; p < bits.length; p++) pixels += bits[p]!;
  return { i0, j0, w, h, bits, pixels };
}
