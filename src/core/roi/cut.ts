import type { TracedComponent } from './maskToContours';
import { checkPoint, checkSliceSize, outlinesLargestFirst } from './outlines';
import { rasterizePolygon, type PointIj } from './rasterize';

/**
 * Scissors: split a region in two by a cut polyline (e.g. autochthon into multifidus and erector
 * spinae by hand).
 *
 * UNITS: pixel space (i = column, j = row, integer = pixel centre), for the region and the polyline.
 *
 * RULE (the side test)
 * - The cut line is the polyline with its first and last segments extended indefinitely (so a line
 *   drawn only across the region, or stopping short of its edge, still cuts all of it). Consecutive
 *   repeated vertices are dropped; at least two distinct vertices are needed.
 * - A pixel goes to the side of the cut line its centre is on, judged at the nearest point of the
 *   line: with d the direction of travel of the nearest segment, cross = d.i * (y - a.j) - d.j * (x - a.i)
 *   is > 0 for the RIGHT side as seen on screen (x right, y down) walking along the line, < 0 for
 *   the LEFT. When the nearest point is an inner vertex (both segments meet there), the pixel is on
 *   the outer side of that turn (left of a right turn, right of a left turn). Pixels exactly on the
 *   line (cross = 0 at the nearest point) go to the LEFT part.
 * - For a cut line that does not cross itself (extensions included) this is the true side of the
 *   curve. For one that does, every pixel still gets exactly one side (the partition holds), but
 *   the sides may be patchy.
 * - The two parts partition the region exactly: every region pixel is in exactly one of them (by
 *   construction: right = region and side > 0, left = the rest of the region).
 *
 * COST: O(rows * columns + region pixels * segments); two output masks, nothing per pixel.
 */
export interface CutResult {
  left: Uint8Array;
  right: Uint8Array;
  leftPixels: number;
  rightPixels: number;
}

/** Packed segments of a cut polyline: ax, ay, dx, dy per segment. */
function segmentsOf(polyline: readonly PointIj[]): Float64Array {
  const pts: PointIj[] = [];
  for (const p of polyline) {
    checkPoint(p, 'cut line vertex');
    const last = pts[pts.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) pts.push(p);
  }
  if (pts.length < 2) throw new Error('a cut line needs at least two distinct points');
  const s = new Float64Array(4 * (pts.length - 1));
  for (let k = 0; k + 1 < pts.length; k++) {
    s[4 * k] = pts[k]![0];
    s[4 * k + 1] = pts[k]![1];
    s[4 * k + 2] = pts[k + 1]![0] - pts[k]![0];
    s[4 * k + 3] = pts[k + 1]![1] - pts[k]![1];
  }
  return s;
}

/** > 0 right of the line on screen, < 0 left, 0 on it (see RULE). */
function side(s: Float64Array, x: number, y: number): number {
  const m = s.length / 4;
  let best = Infinity;
  let bestK = 0;
  let vertex = -1; // inner vertex index (between segments vertex-1 and vertex) when the nearest point is one
  for (let k = 0; k < m; k++) {
    const ax = s[4 * k]!;
    const ay = s[4 * k + 1]!;
    const dx = s[4 * k + 2]!;
    const dy = s[4 * k + 3]!;
    const t = ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy);
    let d2: number;
    let v = -1;
    if (t < 0 && k > 0) {
      d2 = (x - ax) ** 2 + (y - ay) ** 2;
      v = k;
    } else if (t > 1 && k < m - 1) {
      d2 = (x - ax - dx) ** 2 + (y - ay - dy) ** 2;
      v = k + 1;
    } else {
      const c = dx * (y - ay) - dy * (x - ax);
      d2 = (c * c) / (dx * dx + dy * dy);
    }
    if (d2 < best) {
      best = d2;
      bestK = k;
      vertex = v;
    }
  }
  if (vertex >= 0) {
    const d1x = s[4 * (vertex - 1) + 2]!;
    const d1y = s[4 * (vertex - 1) + 3]!;
    const d2x = s[4 * vertex + 2]!;
    const d2y = s[4 * vertex + 3]!;
    const turn = d1x * d2y - d1y * d2x;
    if (turn !== 0) return turn > 0 ? -1 : 1;
    bestK = vertex - 1; // straight on (or a reversal): judge against the incoming segment
  }
  const ax = s[4 * bestK]!;
  const ay = s[4 * bestK + 1]!;
  const c = s[4 * bestK + 2]! * (y - ay) - s[4 * bestK + 3]! * (x - ax);
  return c > 0 ? 1 : c < 0 ? -1 : 0;
}

/** Side of the point (x, y) relative to the cut polyline: 1 right, -1 left, 0 on it (on-line pixels go left). */
export function sideOfCut(polyline: readonly PointIj[], point: PointIj): -1 | 0 | 1 {
  checkPoint(point, 'point');
  return side(segmentsOf(polyline), point[0], point[1]) as -1 | 0 | 1;
}

export function cutMask(mask: Uint8Array, columns: number, rows: number, cutPolyline: readonly PointIj[]): CutResult {
  checkSliceSize(mask.length, columns, rows, 'mask');
  const s = segmentsOf(cutPolyline);
  const left = new Uint8Array(columns * rows);
  const right = new Uint8Array(columns * rows);
  let leftPixels = 0;
  let rightPixels = 0;
  for (let j = 0, p = 0; j < rows; j++) {
    for (let i = 0; i < columns; i++, p++) {
      if (mask[p] === 0) continue;
      if (side(s, i, j) > 0) {
        right[p] = 1;
        rightPixels++;
      } else {
        left[p] = 1;
        leftPixels++;
      }
    }
  }
  return { left, right, leftPixels, rightPixels };
}

/**
 * Cut an outline (pixel space): rasterise it (pixel-centre rule), cut the mask, and trace each part.
 * Each part may have several components (a cut line crossing a U-shaped region twice): all are
 * returned, largest first, as outlines on pixel edges whose rasterisation is exactly that component
 * with its holes filled.
 */
export function cutOutline(
  contour: readonly PointIj[],
  columns: number,
  rows: number,
  cutPolyline: readonly PointIj[],
  connectivity: 4 | 8 = 8,
): CutResult & { leftOutlines: TracedComponent[]; rightOutlines: TracedComponent[] } {
  const r = cutMask(rasterizePolygon(contour, columns, rows), columns, rows, cutPolyline);
  return { ...r, leftOutlines: outlinesLargestFirst(r.left, columns, rows, connectivity), rightOutlines: outlinesLargestFirst(r.right, columns, rows, connectivity) };
}
