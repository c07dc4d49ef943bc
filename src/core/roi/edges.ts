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
 * With `clampHu`, HU are first clamped to that range: edges are then measured as a window shows them
 * (with the soft-tissue window -160..240 HU, bone next to muscle is no longer a ten times stronger edge
 * than fat next to muscle, so a snap near both does not always jump to the bone).
 * COST: O(rows * columns), one Float32Array (two with clampHu).
 */
export function gradientMagnitude(hu: SliceHu, columns: number, rows: number, options: GradientOptions = {}): Float32Array {
  checkSliceSize(hu.length, columns, rows, 'HU slice');
  const clamp = options.clampHu;
  if (clamp && !(Number.isFinite(clamp[0]) && Number.isFinite(clamp[1]) && clamp[0] < clamp[1])) throw new Error(`clampHu must be two finite HU values, low < high (got ${clamp[0]}..${clamp[1]})`);
  if (clamp) {
    const c = new Float32Array(hu.length);
    for (let p = 0; p < hu.length; p++) {
      const v = hu[p]!;
      c[p] = v < clamp[0] ? clamp[0] : v > clamp[1] ? clamp[1] : v; // NaN stays NaN
    }
    hu = c;
  }
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

export interface GradientOptions {
  /** Clamp HU to [low, high] before the Sobel differences (e.g. SNAP_CLAMP_HU). Default: no clamp. */
  clampHu?: readonly [number, number];
}

/** The soft-tissue window (W 400 / L 40) as a clamp: the edges a user sees on the default window. */
export const SNAP_CLAMP_HU: readonly [number, number] = [-160, 240];

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
 * snap of vertex k or vertex k itself (same count, order kept), so each moves by at most radiusPx.
 * Neighbouring vertices may land on the same pixel (harmless for rasterizePolygon and polygonArea).
 *
 * NO FOLDS: vertices are moved one after another, in order, and a move is kept only when it adds no
 * crossing: the two edges at the moved vertex cross no more of the contour's other edges (as it is at
 * that moment) than they did before (edges that only touch at a shared vertex do not count). So a
 * simple contour stays simple; two vertices snapping past each other onto the same edge from both
 * sides would fold the outline into a bow tie, and the second of them stays where it was.
 * `kept` counts the vertices left in place for that reason.
 * COST: O(vertices * radiusPx²) for the snaps plus O(vertices²) for the crossing checks.
 */
export function snapContour(contour: readonly PointIj[], grad: Float32Array, columns: number, rows: number, options: SnapOptions): PointIj[] {
  return snapContourChecked(contour, grad, columns, rows, options).contour;
}

/** snapContour, with how many vertices moved and how many stayed because their move would fold the outline. */
export function snapContourChecked(contour: readonly PointIj[], grad: Float32Array, columns: number, rows: number, options: SnapOptions): { contour: PointIj[]; moved: number; kept: number } {
  const out: PointIj[] = contour.map((p) => [p[0], p[1]] as const);
  const n = out.length;
  let moved = 0;
  let kept = 0;
  for (let k = 0; k < n; k++) {
    const from = out[k]!;
    const to = snapToEdge(grad, columns, rows, from, options);
    if (to[0] === from[0] && to[1] === from[1]) continue;
    if (n >= 4) {
      const before = crossingsAt(out, k);
      out[k] = to;
      if (crossingsAt(out, k) > before) {
        out[k] = from;
        kept++;
        continue;
      }
    } else out[k] = to;
    moved++;
  }
  return { contour: out, moved, kept };
}

/** How many proper crossings the two edges at vertex k have with the polygon's other edges (not their neighbours). */
function crossingsAt(pts: readonly PointIj[], k: number): number {
  const n = pts.length;
  const prev = (k + n - 1) % n;
  const next = (k + 1) % n;
  let count = 0;
  for (const [a, b] of [
    [prev, k],
    [k, next],
  ] as const) {
    for (let e = 0; e < n; e++) {
      const f = (e + 1) % n;
      // Skip the edge itself and the edges that share a vertex with it.
      if (e === a || e === b || f === a || f === b) continue;
      if (segmentsCross(pts[a]!, pts[b]!, pts[e]!, pts[f]!)) count++;
    }
  }
  return count;
}

const orient = (a: PointIj, b: PointIj, c: PointIj) => Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));

/** Whether segments ab and cd cross or touch (collinear overlaps included): a fold in the making. */
function segmentsCross(a: PointIj, b: PointIj, c: PointIj, d: PointIj): boolean {
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  const on = (p: PointIj, q: PointIj, r: PointIj) => Math.min(p[0], q[0]) <= r[0] && r[0] <= Math.max(p[0], q[0]) && Math.min(p[1], q[1]) <= r[1] && r[1] <= Math.max(p[1], q[1]);
  return (o1 === 0 && on(a, b, c)) || (o2 === 0 && on(a, b, d)) || (o3 === 0 && on(c, d, a)) || (o4 === 0 && on(c, d, b));
}
