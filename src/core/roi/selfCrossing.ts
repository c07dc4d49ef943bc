import type { PointIj } from './rasterize';

/**
 * Does a closed outline cross itself? rasterizePolygon measures any outline by the even-odd rule (a
 * pixel counts when a ray from its centre crosses the outline an odd number of times), so an outline
 * that crosses or doubles back over itself is measured, but not as drawn: a bow tie counts both lobes,
 * a loop traced twice round counts nothing, a curl counts the pixels it encloses twice as outside.
 * This finds the first such place so the outline can be flagged.
 *
 * RULE (vertices compared on a 1/1024-pixel grid, so rounding in the patient-coordinate round trip does
 * not matter; consecutive repeated vertices are one vertex):
 * - 'cross': two edges cross at a point inside both, or the outline passes twice through one point
 *   (a vertex on another edge, or two vertices at the same place) and its two passes cross there;
 * - 'overlap': two edges run along each other for a positive length (an edge traced twice, a spike
 *   that folds back, a line of collinear vertices, a loop traced twice round).
 * An outline that only touches itself at a point without crossing (a mask traced through one pixel
 * corner twice, maskToContours' weakly simple polygons) is not a crossing.
 *
 * COST: a sort-and-sweep over the edges' bounding boxes: edges sorted by their smallest x (O(n log n)),
 * and each edge tested only against the earlier edges whose x range overlaps its own (then their y
 * ranges, then exactly), so O(n log n + k) for k pairs with overlapping x ranges (close to n for a drawn
 * outline: its edges are short and meet only their neighbours). At most MAX_PAIR_TESTS such pairs are
 * looked at per outline; past that (a pathological outline of many long edges side by side) the answer
 * is 'unchecked', never a silent "no".
 */
export interface SelfCrossing {
  kind: 'cross' | 'overlap';
  /** Where (continuous pixel indices i = column, j = row). */
  at: PointIj;
}

export type SelfCrossingResult = SelfCrossing | { kind: 'unchecked'; pairs: number } | null;

/** Most edge pairs (with overlapping bounding boxes) examined for one outline. */
export const MAX_PAIR_TESTS = 4_000_000;

const Q = 1024;

type P = readonly [number, number];

const cross = (ax: number, ay: number, bx: number, by: number) => ax * by - ay * bx;
const orient = (a: P, b: P, c: P) => Math.sign(cross(b[0] - a[0], b[1] - a[1], c[0] - a[0], c[1] - a[1]));
const same = (a: P, b: P) => a[0] === b[0] && a[1] === b[1];
/** c lies on segment ab (given collinear), endpoints included. */
const within = (a: P, b: P, c: P) => Math.min(a[0], b[0]) <= c[0] && c[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= c[1] && c[1] <= Math.max(a[1], b[1]);

/** Directions u, w point the same way (parallel, not opposite). */
const sameDirection = (u: P, w: P) => cross(u[0], u[1], w[0], w[1]) === 0 && u[0] * w[0] + u[1] * w[1] > 0;

/** w strictly inside the counter-clockwise turn from u to v (none of them parallel to another in the same direction). */
function between(u: P, v: P, w: P): boolean {
  const half = (x: P) => {
    const c = cross(u[0], u[1], x[0], x[1]);
    return c > 0 || (c === 0 && u[0] * x[0] + u[1] * x[1] > 0) ? 0 : 1;
  };
  const hw = half(w);
  const hv = half(v);
  return hw < hv || (hw === hv && cross(w[0], w[1], v[0], v[1]) > 0);
}

export function findSelfCrossing(points: readonly PointIj[], maxPairTests = MAX_PAIR_TESTS): SelfCrossingResult {
  // Quantise, and drop consecutive repeats (cyclically).
  const pts: P[] = [];
  for (const [x, y] of points) {
    const p: P = [Math.round(x * Q), Math.round(y * Q)];
    if (pts.length === 0 || !same(pts[pts.length - 1]!, p)) pts.push(p);
  }
  while (pts.length > 1 && same(pts[0]!, pts[pts.length - 1]!)) pts.pop();
  const n = pts.length;
  const back = (p: P): PointIj => [p[0] / Q, p[1] / Q];
  if (n < 2) return null; // a point: nothing to cross (it encloses no pixel)
  if (n === 2) return { kind: 'overlap', at: back(pts[0]!) }; // there and back along one line
  const v = (i: number) => pts[((i % n) + n) % n]!;
  const dir = (from: P, to: P): P => [to[0] - from[0], to[1] - from[1]];

  /** The two directions in which the outline leaves point t on edge e (t on that edge). */
  const pass = (e: number, t: P): [P, P] => {
    const a = v(e);
    const b = v(e + 1);
    if (same(t, a)) return [dir(t, v(e - 1)), dir(t, b)];
    if (same(t, b)) return [dir(t, a), dir(t, v(e + 2))];
    return [dir(t, a), dir(t, b)];
  };

  /** Two passes through t: null when they only touch, else what they do. */
  const passesMeet = (e: number, f: number, t: P): SelfCrossing | null => {
    const [a1, a2] = pass(e, t);
    const [b1, b2] = pass(f, t);
    if (sameDirection(a1, a2) || sameDirection(b1, b2) || [b1, b2].some((b) => sameDirection(b, a1) || sameDirection(b, a2))) return { kind: 'overlap', at: back(t) };
    return between(a1, a2, b1) !== between(a1, a2, b2) ? { kind: 'cross', at: back(t) } : null;
  };

  const test = (e: number, f: number): SelfCrossing | null => {
    const a = v(e);
    const b = v(e + 1);
    const c = v(f);
    const d = v(f + 1);
    const adjacent = (f - e + n) % n === 1 || (e - f + n) % n === 1;
    if (adjacent) {
      // They share a vertex; they meet elsewhere only when they fold back along each other.
      const [s, p, q] = (e + 1) % n === f ? [b, a, d] : [a, b, c];
      return sameDirection(dir(s, p), dir(s, q)) ? { kind: 'overlap', at: back(s) } : null;
    }
    const o1 = orient(a, b, c);
    const o2 = orient(a, b, d);
    const o3 = orient(c, d, a);
    const o4 = orient(c, d, b);
    if (o1 * o2 < 0 && o3 * o4 < 0) {
      // A proper crossing: the point where they cross.
      const den = cross(b[0] - a[0], b[1] - a[1], d[0] - c[0], d[1] - c[1]);
      const t = cross(c[0] - a[0], c[1] - a[1], d[0] - c[0], d[1] - c[1]) / den;
      return { kind: 'cross', at: [(a[0] + t * (b[0] - a[0])) / Q, (a[1] + t * (b[1] - a[1])) / Q] };
    }
    if (o1 === 0 && o2 === 0) {
      // Collinear: overlapping for a length, touching at an end, or apart.
      const ax = b[0] !== a[0] ? 0 : 1;
      const lo1 = Math.min(a[ax]!, b[ax]!);
      const hi1 = Math.max(a[ax]!, b[ax]!);
      const lo2 = Math.min(c[ax]!, d[ax]!);
      const hi2 = Math.max(c[ax]!, d[ax]!);
      const lo = Math.max(lo1, lo2);
      const hi = Math.min(hi1, hi2);
      if (hi > lo) return { kind: 'overlap', at: back([a, b, c, d].find((p) => p[ax] === lo)!) };
      if (hi < lo) return null;
    }
    // Touching at a point: an end of one edge on the other.
    for (const [t, on] of [
      [c, o1 === 0 && within(a, b, c)],
      [d, o2 === 0 && within(a, b, d)],
      [a, o3 === 0 && within(c, d, a)],
      [b, o4 === 0 && within(c, d, b)],
    ] as const) {
      if (on) return passesMeet(e, f, t);
    }
    return null;
  };

  // Sort-and-sweep over the edges' bounding boxes.
  const minX = new Float64Array(n);
  const maxX = new Float64Array(n);
  const minY = new Float64Array(n);
  const maxY = new Float64Array(n);
  for (let e = 0; e < n; e++) {
    const a = v(e);
    const b = v(e + 1);
    minX[e] = Math.min(a[0], b[0]);
    maxX[e] = Math.max(a[0], b[0]);
    minY[e] = Math.min(a[1], b[1]);
    maxY[e] = Math.max(a[1], b[1]);
  }
  const order = Array.from({ length: n }, (_, e) => e).sort((p, q) => minX[p]! - minX[q]!);
  let active: number[] = [];
  let pairs = 0;
  for (const e of order) {
    // Edges whose x range ends before this one's starts leave the active list; every other one is a
    // pair (counted against the bound, so a long list costs what it is allowed to, no more).
    const kept: number[] = [];
    for (const f of active) {
      if (maxX[f]! < minX[e]!) continue;
      kept.push(f);
      if (++pairs > maxPairTests) return { kind: 'unchecked', pairs: maxPairTests };
      if (maxY[f]! < minY[e]! || minY[f]! > maxY[e]!) continue;
      const hit = test(Math.min(e, f), Math.max(e, f));
      if (hit) return hit;
    }
    kept.push(e);
    active = kept;
  }
  return null;
}
