import { checkPoint, checkSliceSize, type SliceHu } from './outlines';
import { rasterizePolygon, type PointIj } from './rasterize';
import { simplifyContour, smoothContour } from './smooth';

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

/**
 * The outline's edges in a uniform grid of EDGE_CELL_PX cells (edge e runs from vertex e to e + 1 and is
 * listed in every cell its bounding box touches), so the crossing check of a moved vertex looks only at
 * the edges near it: the same count as crossingsAt, without visiting every edge.
 */
const EDGE_CELL_PX = 4;
class EdgeGrid {
  private readonly cells = new Map<number, Set<number>>();
  constructor(pts: readonly PointIj[]) {
    for (let e = 0; e < pts.length; e++) this.edit(pts, e, true);
  }
  private static key(cx: number, cy: number): number {
    return (cx + 32768) * 65536 + (cy + 32768);
  }
  private range(a: PointIj, b: PointIj): [number, number, number, number] {
    return [Math.floor(Math.min(a[0], b[0]) / EDGE_CELL_PX), Math.floor(Math.max(a[0], b[0]) / EDGE_CELL_PX), Math.floor(Math.min(a[1], b[1]) / EDGE_CELL_PX), Math.floor(Math.max(a[1], b[1]) / EDGE_CELL_PX)];
  }
  private edit(pts: readonly PointIj[], e: number, add: boolean): void {
    const [x0, x1, y0, y1] = this.range(pts[e]!, pts[(e + 1) % pts.length]!);
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) {
        const key = EdgeGrid.key(cx, cy);
        let set = this.cells.get(key);
        if (!set) this.cells.set(key, (set = new Set()));
        if (add) set.add(e);
        else set.delete(e);
      }
    }
  }
  /** Move vertex k to `to` in pts (its two edges re-listed). */
  move(pts: PointIj[], k: number, to: PointIj): void {
    const n = pts.length;
    const prev = (k + n - 1) % n;
    this.edit(pts, prev, false);
    this.edit(pts, k, false);
    pts[k] = to;
    this.edit(pts, prev, true);
    this.edit(pts, k, true);
  }
  /** crossingsAt(pts, k), looking only at the edges listed in the cells the two edges at k touch (pts may differ from the listed outline only at vertex k). */
  crossingsAt(pts: readonly PointIj[], k: number): number {
    const n = pts.length;
    const prev = (k + n - 1) % n;
    const next = (k + 1) % n;
    let count = 0;
    for (const [a, b] of [
      [prev, k],
      [k, next],
    ] as const) {
      const pa = pts[a]!;
      const pb = pts[b]!;
      const [x0, x1, y0, y1] = this.range(pa, pb);
      const seen = new Set<number>();
      for (let cx = x0; cx <= x1; cx++) {
        for (let cy = y0; cy <= y1; cy++) {
          for (const e of this.cells.get(EdgeGrid.key(cx, cy)) ?? []) {
            if (seen.has(e)) continue;
            seen.add(e);
            const f = (e + 1) % n;
            if (e === a || e === b || f === a || f === b) continue;
            if (segmentsCross(pa, pb, pts[e]!, pts[f]!)) count++;
          }
        }
      }
    }
    return count;
  }
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
    const pa = pts[a]!;
    const pb = pts[b]!;
    const x0 = Math.min(pa[0], pb[0]);
    const x1 = Math.max(pa[0], pb[0]);
    const y0 = Math.min(pa[1], pb[1]);
    const y1 = Math.max(pa[1], pb[1]);
    for (let e = 0; e < n; e++) {
      const f = (e + 1) % n;
      // Skip the edge itself and the edges that share a vertex with it.
      if (e === a || e === b || f === a || f === b) continue;
      const pe = pts[e]!;
      const pf = pts[f]!;
      // Bounding boxes apart: no crossing, no touch (a quick test before the exact one).
      if ((pe[0] < x0 && pf[0] < x0) || (pe[0] > x1 && pf[0] > x1) || (pe[1] < y0 && pf[1] < y0) || (pe[1] > y1 && pf[1] > y1)) continue;
      if (segmentsCross(pa, pb, pe, pf)) count++;
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

/** Sharpest turn (degrees) a snap may make at a vertex (0 = straight on, 180 = a needle folding back). */
export const SNAP_MAX_TURN_DEG = 60;

export interface SafeSnapOptions extends SnapOptions {
  /** Farthest a vertex may move (pixels; default radiusPx, and never more than radiusPx). */
  maxMovePx?: number;
  /** A move is kept only when the turn at the moved vertex and at its two neighbours stays within this (degrees, default SNAP_MAX_TURN_DEG) or is no sharper than it was. */
  maxTurnDeg?: number;
  /** Pixels of the neighbouring outlines on the slice (rows * columns, non-zero): a move never changes whether such a pixel is inside. */
  forbidden?: Uint8Array;
}

export interface SafeSnapResult {
  contour: PointIj[];
  /** The outline the vertices were snapped from: the input, or its smoothed version when the input was a staircase. */
  prepared: PointIj[];
  /** How the staircase was smoothed first: 'smoothed' (simplified and corner-cut), 'simplified' (simplified only: the corner cut would have taken in a neighbour's pixel), 'none' (not a staircase, or both would have). */
  smoothing: 'smoothed' | 'simplified' | 'none';
  staircase: boolean;
  moved: number;
  /** Vertices that stopped short of their edge (some not moved at all): going on would fold the outline, turn it sharper than maxTurnDeg, or change a neighbour's pixel. */
  keptFold: number;
  keptTurn: number;
  keptNeighbour: number;
}

/**
 * True when every edge of the outline is horizontal or vertical and every vertex sits on a pixel corner
 * (coordinates k + 1/2, within 1e-6): a pixel-edge outline such as a grown, brushed, imported or mirrored one.
 */
export function isStaircase(contour: readonly PointIj[]): boolean {
  const n = contour.length;
  if (n < 4) return false;
  const half = (v: number) => Math.abs(v - 0.5 - Math.round(v - 0.5)) < 1e-6;
  for (let k = 0; k < n; k++) {
    const a = contour[k]!;
    const b = contour[(k + 1) % n]!;
    if (!half(a[0]) || !half(a[1])) return false;
    if (Math.abs(a[0] - b[0]) > 1e-6 && Math.abs(a[1] - b[1]) > 1e-6) return false;
  }
  return true;
}

/** Turn at vertex k in degrees (0 straight on, 180 folding back); 180 when an edge at k has no length. */
export function turnDeg(pts: readonly PointIj[], k: number): number {
  const n = pts.length;
  const a = pts[(k + n - 1) % n]!;
  const b = pts[k]!;
  const c = pts[(k + 1) % n]!;
  const ux = b[0] - a[0];
  const uy = b[1] - a[1];
  const vx = c[0] - b[0];
  const vy = c[1] - b[1];
  const lu = Math.hypot(ux, uy);
  const lv = Math.hypot(vx, vy);
  if (lu < 1e-9 || lv < 1e-9) return 180;
  const cos = Math.max(-1, Math.min(1, (ux * vx + uy * vy) / (lu * lv)));
  return (Math.acos(cos) * 180) / Math.PI;
}

/** The sharpest turn of an outline (degrees). */
export function maxTurnDeg(pts: readonly PointIj[]): number {
  let m = 0;
  for (let k = 0; k < pts.length; k++) m = Math.max(m, turnDeg(pts, k));
  return m;
}

/** Area tolerance of the staircase smoothing before a snap (fraction of the outline's area). */
const STAIRCASE_SIMPLIFY = 0.005;
/** Longest edge (pixels) before the corner cuts: a cut takes a quarter of each edge, so corners round by at most about a pixel. */
const STAIRCASE_EDGE_PX = 2;

/** Insert evenly spaced points so that no edge is longer than maxLen. */
function subdivide(c: readonly PointIj[], maxLen: number): PointIj[] {
  const out: PointIj[] = [];
  for (let k = 0; k < c.length; k++) {
    const a = c[k]!;
    const b = c[(k + 1) % c.length]!;
    const parts = Math.max(1, Math.ceil(Math.hypot(b[0] - a[0], b[1] - a[1]) / maxLen));
    for (let m = 0; m < parts; m++) out.push([a[0] + ((b[0] - a[0]) * m) / parts, a[1] + ((b[1] - a[1]) * m) / parts]);
  }
  return out;
}
/** A vertex walks to its edge in steps of at most this (pixels), over at most SNAP_PASSES passes; a step that breaks a rule is tried at half and a quarter of its length. */
const SNAP_STEP_PX = 0.5;
const SNAP_PASSES = 12;
const SNAP_STEPS = [1, 0.5, 0.25] as const;

/**
 * Snap to edges without spikes ("n" in the app).
 *
 * RULE
 * 1. A staircase outline (isStaircase: grown, brushed, imported, mirrored) is smoothed first: simplified
 *    (Visvalingam, area within 0.5 %: the steps become the diagonals they stand for), its edges split to
 *    at most 2 px, and then corner-cut twice (Chaikin, area restored: each cut halves a corner's turn,
 *    and a corner rounds by about a pixel at most). Snapping a staircase vertex by vertex is what made needles: each
 *    pixel corner jumps on its own to the strongest edge and its neighbours stay. When the smoothing
 *    would take in a pixel of `forbidden`, the outline is only simplified, and when that would too, it
 *    is snapped as it is.
 * 2. Each vertex of that outline has a goal: snapToEdge's point within min(radiusPx, maxMovePx) of it.
 *    The vertices walk toward their goals in steps of at most 1/2 pixel, pass after pass (at most 12;
 *    a step that breaks a rule is tried at half and a quarter of its length), so neighbours follow each
 *    other instead of one vertex jumping alone. A step is taken only when (a) it adds no crossing of the outline (as snapContour), (b) the turns
 *    at the vertex and at its two neighbours each stay within maxTurnDeg or get no sharper than they
 *    were, and (c) the area it sweeps (triangles prev-old-new and old-new-next) holds no pixel centre of
 *    `forbidden`, so no neighbouring outline's pixel changes sides: the overlap with a neighbour never grows.
 * So no vertex moves more than maxMovePx from the prepared outline (it never passes its goal), no turn gets sharper than
 * max(maxTurnDeg, what the prepared outline had there), and a simple outline stays simple.
 * COST: O(rows * columns) for the staircase checks with `forbidden`; the crossing checks look only at
 * the edges within a few pixels (EdgeGrid), so O(passes * vertices) for a drawn-like outline (a 1,160-vertex
 * outline on a 512 x 512 slice: about 0.4 s on the CI machine, a 3 mm muscle well under 50 ms).
 */
export function snapContourSafe(contour: readonly PointIj[], grad: Float32Array, columns: number, rows: number, options: SafeSnapOptions): SafeSnapResult {
  checkSliceSize(grad.length, columns, rows, 'gradient');
  const move = Math.min(options.radiusPx, options.maxMovePx ?? options.radiusPx);
  if (!Number.isFinite(move) || move < 0) throw new Error(`snap distance must be a finite number >= 0 pixels (got ${move})`);
  const maxTurn = options.maxTurnDeg ?? SNAP_MAX_TURN_DEG;
  if (!(maxTurn >= 0 && maxTurn <= 180)) throw new Error(`snap turn limit must be 0 to 180 degrees (got ${maxTurn})`);
  const forbidden = options.forbidden;
  if (forbidden) checkSliceSize(forbidden.length, columns, rows, 'neighbour mask');
  for (const p of contour) checkPoint(p, 'contour vertex');

  const staircase = isStaircase(contour);
  let prepared: PointIj[] = contour.map((p) => [p[0], p[1]] as const);
  let smoothing: SafeSnapResult['smoothing'] = 'none';
  if (staircase) {
    const taken = (c: readonly PointIj[]) => (forbidden ? overlapCount(c, forbidden, columns, rows) : 0);
    const before = taken(contour);
    const simplified = simplifyContour(contour, STAIRCASE_SIMPLIFY).contour;
    const smoothed = smoothContour(subdivide(simplified, STAIRCASE_EDGE_PX), 2, { restoreArea: true }).contour;
    if (simplified.length >= 3 && taken(smoothed) <= before) {
      prepared = smoothed;
      smoothing = 'smoothed';
    } else if (simplified.length >= 3 && taken(simplified) <= before) {
      prepared = simplified.map((p) => [p[0], p[1]] as const);
      smoothing = 'simplified';
    }
  }

  const out: PointIj[] = prepared.map((p) => [p[0], p[1]] as const);
  const n = out.length;
  // Each vertex's goal: its snap from the prepared outline. It walks there in steps of at most
  // SNAP_STEP_PX over several passes, so its neighbours can follow and no step makes a needle.
  const goal = n >= 4 ? prepared.map((p) => snapToEdge(grad, columns, rows, p, { ...options, radiusPx: move })) : [];
  const why: ('fold' | 'turn' | 'neighbour' | null)[] = new Array<null>(n).fill(null);
  const grid = new EdgeGrid(out);
  for (let pass = 0; pass < SNAP_PASSES && n >= 4; pass++) {
    let stepped = 0;
    for (let k = 0; k < n; k++) {
      const from = out[k]!;
      const target = goal[k]!;
      const left = Math.hypot(target[0] - from[0], target[1] - from[1]);
      if (left < 1e-9) continue;
      const prev = out[(k + n - 1) % n]!;
      const next = out[(k + 1) % n]!;
      const idx = [(k + n - 1) % n, k, (k + 1) % n];
      const turnsBefore = idx.map((m) => turnDeg(out, m));
      const crossBefore = grid.crossingsAt(out, k);
      let failed: 'fold' | 'turn' | 'neighbour' | null = null;
      let ok = false;
      for (const f of SNAP_STEPS) {
        const t = (f * Math.min(left, SNAP_STEP_PX)) / left;
        const to: PointIj = t >= 1 ? target : [from[0] + t * (target[0] - from[0]), from[1] + t * (target[1] - from[1])];
        if (forbidden && (forbiddenIn(prev, from, to, forbidden, columns, rows) || forbiddenIn(from, next, to, forbidden, columns, rows))) {
          failed ??= 'neighbour';
          continue;
        }
        out[k] = to;
        if (grid.crossingsAt(out, k) > crossBefore) {
          out[k] = from;
          failed ??= 'fold';
          continue;
        }
        if (idx.some((m, x) => {
          const tn = turnDeg(out, m);
          return tn > maxTurn && tn > turnsBefore[x]! + 1e-9;
        })) {
          out[k] = from;
          failed ??= 'turn';
          continue;
        }
        out[k] = from;
        grid.move(out, k, to);
        ok = true;
        break;
      }
      why[k] = ok ? null : failed;
      if (ok) stepped++;
    }
    if (stepped === 0) break;
  }
  let moved = 0;
  let keptFold = 0;
  let keptTurn = 0;
  let keptNeighbour = 0;
  for (let k = 0; k < n; k++) {
    const atGoal = n >= 4 && Math.hypot(goal[k]![0] - out[k]![0], goal[k]![1] - out[k]![1]) < 1e-9;
    if (out[k]![0] !== prepared[k]![0] || out[k]![1] !== prepared[k]![1]) moved++;
    if (atGoal || why[k] === null) continue;
    if (why[k] === 'fold') keptFold++;
    else if (why[k] === 'turn') keptTurn++;
    else keptNeighbour++;
  }
  return { contour: out, prepared, smoothing, staircase, moved, keptFold, keptTurn, keptNeighbour };
}

/** Pixels of `forbidden` inside the outline (pixel-centre rule). */
function overlapCount(contour: readonly PointIj[], forbidden: Uint8Array, columns: number, rows: number): number {
  const m = rasterizePolygon(contour, columns, rows);
  let c = 0;
  for (let p = 0; p < m.length; p++) if (m[p] && forbidden[p]) c++;
  return c;
}

/** Whether a pixel centre set in `forbidden` lies in the closed triangle abc. */
function forbiddenIn(a: PointIj, b: PointIj, c: PointIj, forbidden: Uint8Array, columns: number, rows: number): boolean {
  const i0 = Math.max(0, Math.ceil(Math.min(a[0], b[0], c[0]) - 1e-9));
  const i1 = Math.min(columns - 1, Math.floor(Math.max(a[0], b[0], c[0]) + 1e-9));
  const j0 = Math.max(0, Math.ceil(Math.min(a[1], b[1], c[1]) - 1e-9));
  const j1 = Math.min(rows - 1, Math.floor(Math.max(a[1], b[1], c[1]) + 1e-9));
  const side = (p: PointIj, q: PointIj, x: number, y: number) => (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0]);
  for (let j = j0; j <= j1; j++) {
    for (let i = i0; i <= i1; i++) {
      if (!forbidden[j * columns + i]) continue;
      const s1 = side(a, b, i, j);
      const s2 = side(b, c, i, j);
      const s3 = side(c, a, i, j);
      const eps = 1e-9;
      if ((s1 >= -eps && s2 >= -eps && s3 >= -eps) || (s1 <= eps && s2 <= eps && s3 <= eps)) return true;
    }
  }
  return false;
}
