import type { PointIj } from './rasterize';

/**
 * Outer outlines of the connected components of a slice mask, as closed polygons along pixel edges.
 *
 * Coordinates are continuous pixel indices (i = column, j = row, integer = pixel centre), the same
 * space as rasterizePolygon, so every vertex lies on half-integers (pixel corners). Collinear
 * vertices are dropped: a vertex is emitted only where the outline turns.
 *
 * SEMANTICS
 * - Components are 4- or 8-connected (option `connectivity`, default 8). The background is read with
 *   the dual connectivity (8 for a 4-connected foreground, 4 for an 8-connected one), which is what
 *   makes "inside" and "outside" well defined on a pixel grid.
 * - Holes are filled: a component's outline is its outer boundary only, so background pixels that
 *   the component encloses (and any other component inside them) count as inside the outline. A
 *   component lying in another's hole gets its own outline too.
 * - Guarantee (property-tested): rasterizePolygon(outline, columns, rows) returns exactly the
 *   component's pixels with its holes filled. Every boundary edge of that pixel set is on the outline
 *   exactly once; with the pixel-centre rule the even-odd crossing count at a pixel centre is then its
 *   membership. Where a 4-connected component touches itself at a corner, the outline passes through
 *   that corner twice (it is a weakly simple polygon), which the rasteriser handles exactly.
 * - Orientation: clockwise on screen (x right, y down), i.e. positive polygonArea in (x, y).
 * - Outlines are returned in raster order of each component's first pixel (top-most, then left-most).
 */
export interface MaskToContoursOptions {
  connectivity?: 4 | 8;
  /** Components with fewer pixels (before hole filling) are skipped. Default 1 (keep all). */
  minPixels?: number;
}

export interface TracedComponent {
  /** Closed outline, first vertex not repeated. */
  contour: PointIj[];
  /** Pixels of the component itself (holes not counted). */
  pixels: number;
  /** Pixels inside the outline (component plus filled holes). */
  filledPixels: number;
}

export function maskToContours(mask: Uint8Array, columns: number, rows: number, options: MaskToContoursOptions = {}): PointIj[][] {
  return traceComponents(mask, columns, rows, options).map((c) => c.contour);
}

export function traceComponents(mask: Uint8Array, columns: number, rows: number, options: MaskToContoursOptions = {}): TracedComponent[] {
  if (!Number.isInteger(columns) || !Number.isInteger(rows) || columns < 1 || rows < 1) {
    throw new Error(`mask size must be positive integers (got ${columns}x${rows})`);
  }
  if (mask.length !== columns * rows) throw new Error(`mask has ${mask.length} pixels, expected ${columns}x${rows}=${columns * rows}`);
  const conn = options.connectivity ?? 8;
  if (conn !== 4 && conn !== 8) throw new Error(`connectivity must be 4 or 8 (got ${String(conn)})`);
  const minPixels = options.minPixels ?? 1;

  const label = new Int32Array(columns * rows); // 0 = unlabelled
  const out: TracedComponent[] = [];
  const stack: number[] = [];
  let next = 0;
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] === 0 || label[start] !== 0) continue;
    const id = ++next;
    // Flood the component, recording its pixels and bounding box.
    const pixels: number[] = [];
    let minI = columns;
    let maxI = -1;
    let minJ = rows;
    let maxJ = -1;
    label[start] = id;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      pixels.push(p);
      const i = p % columns;
      const j = (p - i) / columns;
      if (i < minI) minI = i;
      if (i > maxI) maxI = i;
      if (j < minJ) minJ = j;
      if (j > maxJ) maxJ = j;
      for (let dj = -1; dj <= 1; dj++) {
        const nj = j + dj;
        if (nj < 0 || nj >= rows) continue;
        for (let di = -1; di <= 1; di++) {
          if (di === 0 && dj === 0) continue;
          if (conn === 4 && di !== 0 && dj !== 0) continue;
          const ni = i + di;
          if (ni < 0 || ni >= columns) continue;
          const q = nj * columns + ni;
          if (mask[q] !== 0 && label[q] === 0) {
            label[q] = id;
            stack.push(q);
          }
        }
      }
    }
    if (pixels.length < minPixels) continue;

    // Local grid: the bounding box padded by one background pixel on every side.
    const w = maxI - minI + 3;
    const h = maxJ - minJ + 3;
    const local = new Uint8Array(w * h); // 1 = component pixel
    for (const p of pixels) {
      const i = p % columns;
      const j = (p - i) / columns;
      local[(j - minJ + 1) * w + (i - minI + 1)] = 1;
    }
    const filled = fillHoles(local, w, h, conn === 4 ? 8 : 4);
    let filledPixels = 0;
    for (let p = 0; p < filled.length; p++) filledPixels += filled[p]!;
    const contour = traceOuter(filled, w, h, conn).map(([x, y]) => [x + minI - 1 - 0.5, y + minJ - 1 - 0.5] as const);
    out.push({ contour, pixels: pixels.length, filledPixels });
  }
  return out;
}

/** 1 for the component and every background pixel not reachable from the border (bg connectivity `bgConn`). */
function fillHoles(local: Uint8Array, w: number, h: number, bgConn: 4 | 8): Uint8Array {
  const outside = new Uint8Array(w * h);
  const stack: number[] = [0]; // the padded corner is always background
  outside[0] = 1;
  while (stack.length > 0) {
    const p = stack.pop()!;
    const i = p % w;
    const j = (p - i) / w;
    for (let dj = -1; dj <= 1; dj++) {
      const nj = j + dj;
      if (nj < 0 || nj >= h) continue;
      for (let di = -1; di <= 1; di++) {
        if (di === 0 && dj === 0) continue;
        if (bgConn === 4 && di !== 0 && dj !== 0) continue;
        const ni = i + di;
        if (ni < 0 || ni >= w) continue;
        const q = nj * w + ni;
        if (local[q] === 0 && outside[q] === 0) {
          outside[q] = 1;
          stack.push(q);
        }
      }
    }
  }
  const filled = new Uint8Array(w * h);
  for (let p = 0; p < filled.length; p++) filled[p] = outside[p] ? 0 : 1;
  return filled;
}

// Directions on the corner lattice (y down): 0 = east, 1 = south, 2 = west, 3 = north.
const DX = [1, 0, -1, 0] as const;
const DY = [0, 1, 0, -1] as const;

/**
 * Walk the outer boundary of `filled` (foreground on the right of the direction of travel), on the
 * corner lattice where corner (x, y) is the top-left corner of pixel (x, y). Returns turning corners.
 * The padded border guarantees every looked-up pixel outside the grid is background.
 */
function traceOuter(filled: Uint8Array, w: number, h: number, conn: 4 | 8): [number, number][] {
  const at = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < w && y < h && filled[y * w + x] === 1;
  // First foreground pixel in raster order: its top edge is a boundary edge, and its top-left corner a turn.
  let first = -1;
  for (let p = 0; p < filled.length; p++) {
    if (filled[p] === 1) {
      first = p;
      break;
    }
  }
  if (first < 0) return [];
  const sx = first % w;
  const sy = (first - sx) / w;
  const pts: [number, number][] = [];
  let x = sx;
  let y = sy;
  let dir = 0; // leave the start corner heading east along the top edge
  const maxSteps = 4 * w * h + 4;
  for (let step = 0; step < maxSteps; step++) {
    x += DX[dir]!;
    y += DY[dir]!;
    // Pixels around corner (x, y): a = top-left, b = top-right, c = bottom-left, d = bottom-right.
    const a = at(x - 1, y - 1);
    const b = at(x, y - 1);
    const c = at(x - 1, y);
    const d = at(x, y);
    const out = [d && !b, c && !d, a && !c, b && !a]; // outgoing E, S, W, N with foreground on the right
    let nd: number;
    const right = (dir + 1) % 4;
    const left = (dir + 3) % 4;
    if (out[right] && out[left]) nd = conn === 4 ? right : left; // saddle: 4-connected keeps to the same pixel
    else if (out[dir]) nd = dir;
    else if (out[right]) nd = right;
    else if (out[left]) nd = left;
    else throw new Error('internal error: outline tracing lost the boundary');
    if (x === sx && y === sy && nd === 0) {
      pts.unshift([sx, sy]);
      return pts;
    }
    if (nd !== dir) pts.push([x, y]);
    dir = nd;
  }
  throw new Error('internal error: outline tracing did not close');
}
