import { checkPoint } from './outlines';
import { polygonArea, type PointIj } from './rasterize';

/**
 * Simplify and smooth closed outlines with a bound on how far the area moves.
 *
 * UNITS: any planar coordinates (pixel space here: i = column, j = row); areas are polygonArea
 * (shoelace) in those units². The bound is relative to the input's |area|: after the call,
 * |area(result) - area(input)| <= tolerance * |area(input)| (up to floating rounding, ~1e-12 relative).
 */

export interface SimplifyResult {
  contour: PointIj[];
  /** Vertices removed. */
  removed: number;
  /** area(result) - area(input). */
  areaChange: number;
}

/**
 * Visvalingam-Whyatt on the closed polygon: repeatedly remove the vertex whose triangle with its two
 * current neighbours has the smallest area (removing it changes the polygon's signed area by exactly
 * minus that triangle's signed area), updating the neighbours' triangles. It stops before the first
 * removal that would (a) take away a triangle larger than tolerance * |area(input)|, or (b) move the
 * total area by more than that, and when 3 vertices remain. Collinear vertices (zero triangles) go
 * first. Signed changes can cancel (a staircase straightens to its diagonal at no net area), which is
 * why (a) also bounds each single step. Limits: the result is not checked for self-intersection (it
 * cannot arise from a simple input with small tolerances in practice, but is not excluded).
 * COST: O(n log n) (a binary heap with lazy deletion), O(n) memory.
 */
export function simplifyContour(contour: readonly PointIj[], toleranceAreaFraction = 0.02): SimplifyResult {
  checkContour(contour);
  checkTolerance(toleranceAreaFraction);
  const n = contour.length;
  const a0 = polygonArea(contour);
  const budget = toleranceAreaFraction * Math.abs(a0);
  const xs = Float64Array.from(contour, (p) => p[0]);
  const ys = Float64Array.from(contour, (p) => p[1]);
  const prev = Int32Array.from({ length: n }, (_, k) => (k + n - 1) % n);
  const next = Int32Array.from({ length: n }, (_, k) => (k + 1) % n);
  const version = new Int32Array(n);
  const alive = new Uint8Array(n).fill(1);
  const tri = (k: number): number => {
    const p = prev[k]!;
    const q = next[k]!;
    return (xs[p]! * ys[k]! - xs[k]! * ys[p]! + xs[k]! * ys[q]! - xs[q]! * ys[k]! + xs[q]! * ys[p]! - xs[p]! * ys[q]!) / 2;
  };
  const heap = new MinHeap();
  for (let k = 0; k < n; k++) heap.push(Math.abs(tri(k)), k, 0);
  let count = n;
  let area = a0;
  while (count > 3 && heap.size > 0) {
    const [key, k, v] = heap.pop();
    if (!alive[k] || v !== version[k]) continue;
    if (key > budget) break;
    const t = tri(k);
    if (Math.abs(area - t - a0) > budget) break;
    area -= t;
    alive[k] = 0;
    count--;
    const p = prev[k]!;
    const q = next[k]!;
    next[p] = q;
    prev[q] = p;
    for (const m of [p, q]) {
      version[m]!++;
      heap.push(Math.abs(tri(m)), m, version[m]!);
    }
  }
  const out: PointIj[] = [];
  for (let k = 0; k < n; k++) if (alive[k]) out.push(contour[k]!);
  return { contour: out, removed: n - out.length, areaChange: polygonArea(out) - a0 };
}

export interface SmoothResult {
  contour: PointIj[];
  /** Iterations done (fewer than asked when the next would have moved the area too far). */
  iterations: number;
  /** area(result) - area(input). */
  areaChange: number;
}

/**
 * Chaikin corner cutting on the closed polygon: each iteration replaces every edge p->q by the two
 * points 3/4 p + 1/4 q and 1/4 p + 3/4 q (doubling the vertices; the curve converges to a quadratic
 * B-spline and stays inside the convex hull of each corner). Convex corners lose area and concave
 * ones gain; an iteration that would move the area by more than maxAreaChangeFraction * |area(input)|
 * (default 0.02) is not done and smoothing stops there. Limits: iterations at most 8 (256 x the
 * vertices); a sharp corner of long edges (a rectangle) loses a lot of area per iteration, so
 * smooth after simplifying rather than on long straight runs. COST: O(n 2^iterations).
 *
 * With `restoreArea`, each iteration's polygon is then scaled about its area centroid by
 * sqrt(area before / area after), so its area is the input's again (to rounding) and the tolerance only
 * guards against rounding: corners are rounded without the outline shrinking, which on a small outline
 * at 3 mm (a psoas of 80 pixels with a dozen corners) otherwise costs more than 2 % at the first cut.
 */
export function smoothContour(contour: readonly PointIj[], iterations = 1, options: { maxAreaChangeFraction?: number; restoreArea?: boolean } = {}): SmoothResult {
  checkContour(contour);
  const tol = options.maxAreaChangeFraction ?? 0.02;
  checkTolerance(tol);
  if (!Number.isInteger(iterations) || iterations < 0 || iterations > 8) throw new Error(`smoothing iterations must be a whole number 0..8 (got ${iterations})`);
  const a0 = polygonArea(contour);
  const budget = tol * Math.abs(a0);
  let cur: PointIj[] = contour.slice();
  let done = 0;
  for (; done < iterations; done++) {
    const nxt: PointIj[] = [];
    for (let k = 0; k < cur.length; k++) {
      const [px, py] = cur[k]!;
      const [qx, qy] = cur[(k + 1) % cur.length]!;
      nxt.push([0.75 * px + 0.25 * qx, 0.75 * py + 0.25 * qy], [0.25 * px + 0.75 * qx, 0.25 * py + 0.75 * qy]);
    }
    const fixed = options.restoreArea ? scaledToArea(nxt, a0) : nxt;
    if (!fixed || Math.abs(polygonArea(fixed) - a0) > budget) break;
    cur = fixed;
  }
  return { contour: cur, iterations: done, areaChange: polygonArea(cur) - a0 };
}

/** The polygon scaled about its area centroid to the signed area `target` (null when it has no area or the sign differs). */
function scaledToArea(pts: PointIj[], target: number): PointIj[] | null {
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let k = 0; k < pts.length; k++) {
    const [x0, y0] = pts[k]!;
    const [x1, y1] = pts[(k + 1) % pts.length]!;
    const c = x0 * y1 - x1 * y0;
    a += c;
    cx += (x0 + x1) * c;
    cy += (y0 + y1) * c;
  }
  a /= 2;
  if (!(a !== 0 && a * target > 0)) return null;
  cx /= 6 * a;
  cy /= 6 * a;
  const f = Math.sqrt(target / a);
  return pts.map(([x, y]) => [cx + f * (x - cx), cy + f * (y - cy)] as const);
}

function checkContour(contour: readonly PointIj[]): void {
  if (contour.length < 3) throw new Error(`a closed contour needs at least 3 vertices (got ${contour.length})`);
  for (const p of contour) checkPoint(p, 'contour vertex');
}

function checkTolerance(t: number): void {
  if (!Number.isFinite(t) || t < 0) throw new Error(`area tolerance must be a fraction >= 0 (got ${t})`);
}

/** Binary min-heap of (key, index, version) triples in parallel arrays. */
class MinHeap {
  private keys: number[] = [];
  private idx: number[] = [];
  private ver: number[] = [];
  get size(): number {
    return this.keys.length;
  }
  push(key: number, index: number, version: number): void {
    let c = this.keys.length;
    this.keys.push(key);
    this.idx.push(index);
    this.ver.push(version);
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (this.less(c, p)) {
        this.swap(c, p);
        c = p;
      } else break;
    }
  }
  pop(): [number, number, number] {
    const top: [number, number, number] = [this.keys[0]!, this.idx[0]!, this.ver[0]!];
    const last = this.keys.length - 1;
    this.swap(0, last);
    this.keys.pop();
    this.idx.pop();
    this.ver.pop();
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      const r = l + 1;
      let m = p;
      if (l < this.keys.length && this.less(l, m)) m = l;
      if (r < this.keys.length && this.less(r, m)) m = r;
      if (m === p) break;
      this.swap(p, m);
      p = m;
    }
    return top;
  }
  /** Smaller key first; equal keys in index order, so results do not depend on heap history. */
  private less(a: number, b: number): boolean {
    return this.keys[a]! < this.keys[b]! || (this.keys[a] === this.keys[b] && this.idx[a]! < this.idx[b]!);
  }
  private swap(a: number, b: number): void {
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
    [this.idx[a], this.idx[b]] = [this.idx[b]!, this.idx[a]!];
    [this.ver[a], this.ver[b]] = [this.ver[b]!, this.ver[a]!];
  }
}
