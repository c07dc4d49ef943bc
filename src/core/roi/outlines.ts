import { traceComponents, type TracedComponent } from './maskToContours';
import type { PointIj } from './rasterize';
import { DEFAULT_RANGES } from '../metrics/ranges';

/**
 * Shared helpers of the semi-automatic outline tools (regionGrow, brush, cut, edges, propagate, smooth).
 *
 * Units: everything is in slice pixel space: continuous i = column, j = row, integer = pixel centre
 * (the space of rasterizePolygon and maskToContours); callers convert to patient LPS mm with
 * sliceIjToLps. A slice mask is a Uint8Array of rows * columns (row-major, non-zero = inside).
 */

/** HU values of one slice, rows * columns, row-major. */
export type SliceHu = Int16Array | Float32Array;

/** Default HU range of a region grow or a threshold-limited brush: the muscle range of DEFAULT_RANGES. */
export const MUSCLE_HU: readonly [number, number] = DEFAULT_RANGES.muscleHu;

export function checkSliceSize(length: number, columns: number, rows: number, what: string): void {
  if (!Number.isInteger(columns) || !Number.isInteger(rows) || columns < 1 || rows < 1) {
    throw new Error(`slice size must be positive integers (got ${columns}x${rows})`);
  }
  if (length !== columns * rows) throw new Error(`${what} has ${length} values, expected ${columns}x${rows}=${columns * rows}`);
}

export function checkPoint(p: PointIj, what: string): void {
  if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new Error(`${what} is not a finite point`);
}

/** The pixel whose square [i - 0.5, i + 0.5) x [j - 0.5, j + 0.5) holds the continuous point (may lie outside the slice). */
export function pixelOf(p: PointIj): [number, number] {
  return [Math.floor(p[0] + 0.5), Math.floor(p[1] + 0.5)];
}

/**
 * Outlines of every connected component of a slice mask, largest first (by the component's own pixel
 * count; ties keep raster order of the components' first pixels). Each outline is the component's
 * outer boundary on pixel edges (maskToContours), so rasterizePolygon(outline) is exactly the
 * component with its holes filled. O(rows * columns).
 */
export function outlinesLargestFirst(mask: Uint8Array, columns: number, rows: number, connectivity: 4 | 8 = 8): TracedComponent[] {
  const cs = traceComponents(mask, columns, rows, { connectivity });
  return cs.map((c, order) => ({ c, order })).sort((a, b) => b.c.pixels - a.c.pixels || a.order - b.order).map((x) => x.c);
}
