/**
 * Rasterise a closed polygon on a pixel grid with the pixel-centre rule.
 *
 * Coordinates are continuous pixel indices (i = column, j = row) where integer values are pixel
 * centres. A pixel (i, j) belongs to the polygon when its centre lies inside under the even-odd rule,
 * with the half-open convention of the classic crossing test: an edge counts for row j when
 * (yA > j) !== (yB > j), and the pixel is inside when an odd number of those crossings lie strictly
 * to its right (x > i). Consequences (see SEMANTICS in README): pixels whose centres lie on a shared
 * edge of two polygons that tile a region belong to exactly one of them, so splitting an ROI in two
 * never counts a pixel twice or drops one; translating by whole pixels translates the mask exactly.
 */
export type PointIj = readonly [number, number];

/** When `out` is given, the polygon is OR-ed into it. */
export function rasterizePolygon(points: readonly PointIj[], columns: number, rows: number, out?: Uint8Array): Uint8Array {
  if (points.length < 3) throw new Error(`a closed contour needs at least 3 vertices (got ${points.length})`);
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new Error('contour vertex is not a finite number');
  }
  const mask = out ?? new Uint8Array(columns * rows);
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [, y] of points) {
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const j0 = Math.max(0, Math.ceil(minY) - 1);
  const j1 = Math.min(rows - 1, Math.floor(maxY) + 1);
  const n = points.length;
  const xs: number[] = [];
  for (let j = j0; j <= j1; j++) {
    xs.length = 0;
    for (let a = 0, b = n - 1; a < n; b = a++) {
      const [xa, ya] = points[a]!;
      const [xb, yb] = points[b]!;
      if (ya > j === yb > j) continue;
      // Evaluate each edge from its lower to its upper end, so an edge shared by two polygons (walked
      // in opposite directions) gives the bit-identical crossing in both.
      if (ya < yb || (ya === yb && xa <= xb)) xs.push(xa + ((j - ya) * (xb - xa)) / (yb - ya));
      else xs.push(xb + ((j - yb) * (xa - xb)) / (ya - yb));
    }
    if (xs.length < 2) continue;
    xs.sort((p, q) => p - q);
    const rowOff = j * columns;
    for (let c = 0; c + 1 < xs.length; c += 2) {
      // inside when x1 <= i < x2 (crossings strictly to the right of i are odd)
      const iStart = Math.max(0, Math.ceil(xs[c]!));
      const iEnd = Math.min(columns - 1, Math.ceil(xs[c + 1]!) - 1);
      for (let i = iStart; i <= iEnd; i++) mask[rowOff + i] = 1;
    }
  }
  return mask;
}

/** Signed area of a polygon in its own units² (shoelace); positive for counter-clockwise in x-right/y-up. */
export function polygonArea(points: readonly PointIj[]): number {
  let s = 0;
  for (let a = 0, b = points.length - 1; a < points.length; b = a++) {
    s += points[b]![0] * points[a]![1] - points[a]![0] * points[b]![1];
  }
  return s / 2;
}
