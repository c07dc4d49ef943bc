import type { TracedComponent } from './maskToContours';
import { checkPoint, checkSliceSize, MUSCLE_HU, outlinesLargestFirst, type SliceHu } from './outlines';
import { rasterizePolygon, type PointIj } from './rasterize';

/**
 * Threshold-limited brush and eraser on a slice mask.
 *
 * UNITS: pixel space (i = column, j = row, integer = pixel centre); the radius is in pixels (a
 * caller with a radius in mm divides by the pixel spacing); HU as stored in the slice.
 *
 * RULE
 * - A disk covers the pixels whose centres lie within the radius of its centre:
 *   (i - ci)² + (j - cj)² <= r² (boundary included). A stroke covers the pixels whose centres lie
 *   within r of the polyline through its centres (the union of the disks slid continuously along each
 *   segment: a capsule per segment), so a fast mouse move leaves no gap.
 * - 'add' (default) sets covered pixels, 'erase' clears them.
 * - Threshold limit: when `hu` is given, only covered pixels with loHu <= HU <= hiHu (inclusive;
 *   default the muscle range -29..150) change, in both modes (so an eraser with the fat range removes
 *   only fat). Without `hu` every covered pixel changes; loHu/hiHu without hu is an error.
 * - The mask is changed in place; the functions return how many pixels changed.
 *
 * COST: paintDisk O(r²); paintStroke O(sum over segments of the capsule's bounding box,
 * (|di| + 2r + 1) (|dj| + 2r + 1)); no allocation. paintOutline adds O(rows * columns) for the
 * rasterisation and re-tracing.
 */
export interface BrushOptions {
  mode?: 'add' | 'erase';
  hu?: SliceHu;
  loHu?: number;
  hiHu?: number;
}

interface Brush {
  set: number;
  hu: SliceHu | undefined;
  lo: number;
  hi: number;
}

function brushOf(mask: Uint8Array, columns: number, rows: number, radiusPx: number, o: BrushOptions): Brush {
  checkSliceSize(mask.length, columns, rows, 'mask');
  if (!Number.isFinite(radiusPx) || radiusPx < 0) throw new Error(`brush radius must be a finite number >= 0 pixels (got ${radiusPx})`);
  const mode = o.mode ?? 'add';
  if (mode !== 'add' && mode !== 'erase') throw new Error(`brush mode must be 'add' or 'erase' (got ${String(mode)})`);
  if (o.hu === undefined && (o.loHu !== undefined || o.hiHu !== undefined)) throw new Error('a brush HU range needs the slice HU values (hu)');
  if (o.hu) checkSliceSize(o.hu.length, columns, rows, 'HU slice');
  const lo = o.loHu ?? MUSCLE_HU[0];
  const hi = o.hiHu ?? MUSCLE_HU[1];
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) throw new Error(`HU range must be LO <= HI (got ${lo},${hi})`);
  return { set: mode === 'add' ? 1 : 0, hu: o.hu, lo, hi };
}

/** Apply the brush to pixel p (covered); 1 when it changed. */
function apply(mask: Uint8Array, p: number, b: Brush): number {
  if ((mask[p] !== 0 ? 1 : 0) === b.set) return 0;
  if (b.hu) {
    const v = b.hu[p]!;
    if (!(v >= b.lo && v <= b.hi)) return 0;
  }
  mask[p] = b.set;
  return 1;
}

export function paintDisk(mask: Uint8Array, columns: number, rows: number, centre: PointIj, radiusPx: number, options: BrushOptions = {}): number {
  const b = brushOf(mask, columns, rows, radiusPx, options);
  checkPoint(centre, 'brush centre');
  return stamp(mask, columns, rows, centre, centre, radiusPx, b);
}

/** A stroke through `centres` (one centre = a disk). */
export function paintStroke(mask: Uint8Array, columns: number, rows: number, centres: readonly PointIj[], radiusPx: number, options: BrushOptions = {}): number {
  const b = brushOf(mask, columns, rows, radiusPx, options);
  for (const c of centres) checkPoint(c, 'brush centre');
  if (centres.length === 0) return 0;
  if (centres.length === 1) return stamp(mask, columns, rows, centres[0]!, centres[0]!, radiusPx, b);
  let changed = 0;
  for (let k = 1; k < centres.length; k++) changed += stamp(mask, columns, rows, centres[k - 1]!, centres[k]!, radiusPx, b);
  return changed;
}

/** Pixels whose centres lie within r of segment a-b (a disk when a == b). */
function stamp(mask: Uint8Array, columns: number, rows: number, a: PointIj, bEnd: PointIj, r: number, b: Brush): number {
  const [ax, ay] = a;
  const [bx, by] = bEnd;
  const i0 = Math.max(0, Math.ceil(Math.min(ax, bx) - r));
  const i1 = Math.min(columns - 1, Math.floor(Math.max(ax, bx) + r));
  const j0 = Math.max(0, Math.ceil(Math.min(ay, by) - r));
  const j1 = Math.min(rows - 1, Math.floor(Math.max(ay, by) + r));
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const r2 = r * r;
  let changed = 0;
  for (let j = j0; j <= j1; j++) {
    for (let i = i0; i <= i1; i++) {
      // Distance² to the nearest point of the segment; the ends are measured from a and b themselves
      // so that a stroke's end disks are bit-identical to paintDisk's.
      const t = len2 > 0 ? ((i - ax) * dx + (j - ay) * dy) / len2 : 0;
      let d2: number;
      if (t <= 0) d2 = (i - ax) ** 2 + (j - ay) ** 2;
      else if (t >= 1) d2 = (i - bx) ** 2 + (j - by) ** 2;
      else d2 = (i - ax - t * dx) ** 2 + (j - ay - t * dy) ** 2;
      if (d2 <= r2) changed += apply(mask, j * columns + i, b);
    }
  }
  return changed;
}

export interface PaintOutlineOptions extends BrushOptions {
  /** Connectivity of the re-traced components (default 8, as maskToContours). */
  connectivity?: 4 | 8;
}

/**
 * Apply a stroke to an existing outline (pixel space): rasterise it (pixel-centre rule), paint, and
 * re-trace. The result may fall apart into several components: all are returned, largest first, each
 * an outline on pixel edges whose rasterisation is exactly that component with its holes filled (an
 * outline has no holes, so erasing inside an outline without reaching its edge changes nothing
 * once re-traced). `mask` is the painted mask (before hole filling).
 */
export function paintOutline(
  contour: readonly PointIj[],
  columns: number,
  rows: number,
  centres: readonly PointIj[],
  radiusPx: number,
  options: PaintOutlineOptions = {},
): { components: TracedComponent[]; mask: Uint8Array; changed: number } {
  const mask = rasterizePolygon(contour, columns, rows);
  const changed = paintStroke(mask, columns, rows, centres, radiusPx, options);
  return { components: outlinesLargestFirst(mask, columns, rows, options.connectivity ?? 8), mask, changed };
}
