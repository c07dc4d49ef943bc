import { gradientMagnitude, SNAP_CLAMP_HU, snapContour } from './edges';
import { checkPoint, checkSliceSize, type SliceHu } from './outlines';
import type { PointIj } from './rasterize';
import { smoothContour } from './smooth';

/**
 * Mirror an outline to the other side and propagate an outline to a neighbouring slice.
 *
 * UNITS: pixel space (i = column, j = row, integer = pixel centre).
 */

/**
 * Reflect across the column i = midlineI: (i, j) -> (2 * midlineI - i, j), with the vertex order
 * reversed (first vertex kept first) so the outline keeps its orientation (polygonArea keeps its
 * sign). Mirroring twice gives the input back: exactly when the coordinates and the midline are
 * multiples of 1/2 of moderate size (pixel-edge outlines, midline on a pixel centre or edge), and to
 * within rounding otherwise. Rasterising a pixel-edge outline mirrored about a pixel centre or edge
 * gives exactly the mirrored mask. COST: O(n).
 */
export function mirrorContour(contour: readonly PointIj[], midlineI: number): PointIj[] {
  if (!Number.isFinite(midlineI)) throw new Error(`midline column must be a finite number (got ${midlineI})`);
  const n = contour.length;
  const out: PointIj[] = new Array<PointIj>(n);
  for (let k = 0; k < n; k++) {
    const p = contour[(n - k) % n]!;
    checkPoint(p, 'contour vertex');
    out[k] = [2 * midlineI - p[0], p[1]];
  }
  return out;
}

export interface MidlineEstimate {
  /** Continuous column of the midline (pixel space). */
  column: number;
  /** Pixels the estimate rests on. */
  pixels: number;
  source: 'vertebra-mask' | 'bone';
}

/**
 * A simple estimate of the body's midline column on an axial slice.
 *
 * RULE: with a vertebra mask slice (rows * columns, non-zero = vertebra) holding any pixel, the mean
 * column of its pixels. Otherwise the mean column of the bone pixels (HU > boneHu, default 200) in the
 * central third of the columns (columns / 3 <= i <= 2 * columns / 3), which on a lumbar slice are
 * the vertebra (body, arch, spinous process) and whatever symmetric bone lies there. Null when there
 * is neither. Limits: assumes the patient lies roughly centred and not rotated (the midline is a
 * column, not a tilted line); a scoliotic or off-centre spine, a table denser than boneHu or metal in
 * the central third bias it. COST: O(rows * columns).
 */
export function midlineColumn(hu: SliceHu, columns: number, rows: number, options: { vertebraMask?: Uint8Array; boneHu?: number } = {}): MidlineEstimate | null {
  checkSliceSize(hu.length, columns, rows, 'HU slice');
  const vm = options.vertebraMask;
  if (vm) {
    checkSliceSize(vm.length, columns, rows, 'vertebra mask');
    let s = 0;
    let n = 0;
    for (let p = 0; p < vm.length; p++) {
      if (vm[p] !== 0) {
        s += p % columns;
        n++;
      }
    }
    if (n > 0) return { column: s / n, pixels: n, source: 'vertebra-mask' };
  }
  const bone = options.boneHu ?? 200;
  const i0 = Math.ceil(columns / 3);
  const i1 = Math.floor((2 * columns) / 3);
  let s = 0;
  let n = 0;
  for (let j = 0; j < rows; j++) {
    for (let i = i0; i <= i1; i++) {
      if (hu[j * columns + i]! > bone) {
        s += i;
        n++;
      }
    }
  }
  return n > 0 ? { column: s / n, pixels: n, source: 'bone' } : null;
}

export interface PropagateOptions {
  /** The target slice's gradientMagnitude, when already computed (else computed from huTarget). */
  grad?: Float32Array;
  /** Snap radius in pixels (default 2). */
  snapRadiusPx?: number;
  /** Sub-pixel snap (snapToEdge's parabola refinement; default false). */
  subpixel?: boolean;
  /** Chaikin iterations after snapping (default 1; 0 = none). */
  smoothIterations?: number;
  /** Area tolerance of the smoothing, relative to the snapped outline (default 0.02). */
  maxAreaChangeFraction?: number;
}

/**
 * Copy an outline to another slice (same pixel grid) and adapt it to that slice's edges: snap each
 * vertex to the largest gradient magnitude within snapRadiusPx (snapContour), then smooth
 * (smoothContour, stopping before the area moves by more than maxAreaChangeFraction of the snapped
 * outline's). The snapped vertices move by at most snapRadiusPx; smoothing moves each point by at
 * most a quarter of an adjacent edge per iteration. Limits: a vertex-wise snap, not an active
 * contour: between vertices the outline is straight; pixel-edge outlines (from masks) have vertices
 * only at corners, so simplify or resample first for long edges; an edge of another structure within
 * the radius can attract a vertex. COST: O(rows * columns) for the gradient (when not given) plus
 * O(n * radius²) plus the smoothing.
 */
export function propagateContour(
  contour: readonly PointIj[],
  huTarget: SliceHu,
  columns: number,
  rows: number,
  options: PropagateOptions = {},
): { contour: PointIj[]; snapped: PointIj[]; smoothIterations: number } {
  const grad = options.grad ?? gradientMagnitude(huTarget, columns, rows, { clampHu: SNAP_CLAMP_HU });
  checkSliceSize(grad.length, columns, rows, 'gradient');
  const snapped = snapContour(contour, grad, columns, rows, { radiusPx: options.snapRadiusPx ?? 2, subpixel: options.subpixel ?? false });
  const s = smoothContour(snapped, options.smoothIterations ?? 1, { maxAreaChangeFraction: options.maxAreaChangeFraction ?? 0.02 });
  return { contour: s.contour, snapped, smoothIterations: s.iterations };
}
