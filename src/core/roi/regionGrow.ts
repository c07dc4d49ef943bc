import { DEFAULT_RANGES } from '../metrics/ranges';
import { checkPoint, checkSliceSize, MUSCLE_HU, outlinesLargestFirst, pixelOf, type SliceHu } from './outlines';
import type { TracedComponent } from './maskToContours';
import type { PointIj } from './rasterize';

/**
 * HU-limited region grow ("magic wand") on one slice.
 *
 * UNITS: pixel space (i = column, j = row, integer = pixel centre); HU as stored in the slice.
 *
 * RULE
 * - The seed is the pixel holding the continuous point (round half up: pixel i covers [i - 0.5, i + 0.5)).
 * - A pixel joins when it is connected to the seed (4- or 8-neighbours, option `connectivity`,
 *   default 8) through pixels that all have loHu <= HU <= hiHu (both inclusive; default the muscle
 *   range -29..150 HU) and are not set in `barrier` (a user-drawn limit, rows * columns, non-zero =
 *   may not be entered). So the region stops at fat planes (fat is below -29 HU) and at bone.
 * - The grow is breadth-first, so when `maxPixels` stops it the region is the maxPixels pixels
 *   nearest the seed in steps (ties in a fixed neighbour order); `hitMaxPixels` then says so.
 * - `fillHoles` (default false) then adds every pixel the region encloses (not reachable from the
 *   slice border through non-region pixels, read with the dual connectivity: 4 for an 8-connected
 *   region, 8 for a 4-connected one, as maskToContours does), whatever its HU or barrier bit. That is
 *   exactly the pixel set of the region's outline (regionToContour).
 * - A seed outside the slice, outside the range or on the barrier gives an empty region (seedAccepted false).
 *
 * LIMITS: NaN HU never lies in a range, so NaN pixels stop the grow. The region is one connected
 * component by construction.
 *
 * COST: O(rows * columns) time and memory in the worst case (one Int32Array queue and the output
 * mask, allocated once per call; nothing per pixel); the grow itself touches only the region and its
 * border; hole filling scans the region's bounding box.
 */
export interface RegionGrowOptions {
  loHu?: number;
  hiHu?: number;
  connectivity?: 4 | 8;
  barrier?: Uint8Array;
  maxPixels?: number;
  fillHoles?: boolean;
}

export interface RegionGrowResult {
  /** rows * columns, 1 = in the region. */
  mask: Uint8Array;
  /** Pixels set in mask (after hole filling when asked). */
  pixels: number;
  /** Pixels grown from the seed, before hole filling. */
  grownPixels: number;
  /** True when the grow stopped because it reached maxPixels (the region may continue). */
  hitMaxPixels: boolean;
  /** False when the seed pixel is outside the slice, outside the HU range or on the barrier. */
  seedAccepted: boolean;
}

export function regionGrow(hu: SliceHu, columns: number, rows: number, seed: PointIj, options: RegionGrowOptions = {}): RegionGrowResult {
  checkSliceSize(hu.length, columns, rows, 'HU slice');
  checkPoint(seed, 'seed');
  const lo = options.loHu ?? MUSCLE_HU[0];
  const hi = options.hiHu ?? MUSCLE_HU[1];
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) throw new Error(`HU range must be LO <= HI (got ${lo},${hi})`);
  const conn = options.connectivity ?? 8;
  if (conn !== 4 && conn !== 8) throw new Error(`connectivity must be 4 or 8 (got ${String(conn)})`);
  const barrier = options.barrier;
  if (barrier) checkSliceSize(barrier.length, columns, rows, 'barrier');
  const maxPixels = options.maxPixels ?? Infinity;
  if (maxPixels !== Infinity && !(Number.isInteger(maxPixels) && maxPixels >= 1)) throw new Error(`maxPixels must be a whole number >= 1 (got ${maxPixels})`);

  const n = columns * rows;
  const mask = new Uint8Array(n);
  const empty: RegionGrowResult = { mask, pixels: 0, grownPixels: 0, hitMaxPixels: false, seedAccepted: false };
  const [si, sj] = pixelOf(seed);
  if (si < 0 || sj < 0 || si >= columns || sj >= rows) return empty;
  const accept = (p: number): boolean => {
    const v = hu[p]!;
    return v >= lo && v <= hi && (barrier === undefined || barrier[p] === 0);
  };
  const s = sj * columns + si;
  if (!accept(s)) return empty;

  // Breadth-first: queue[head..tail) holds pixels already in the mask whose neighbours are pending.
  const queue = new Int32Array(Math.min(n, maxPixels));
  let head = 0;
  let tail = 0;
  mask[s] = 1;
  queue[tail++] = s;
  let hit = false;
  let minI = si;
  let maxI = si;
  let minJ = sj;
  let maxJ = sj;
  grow: while (head < tail) {
    const p = queue[head++]!;
    const i = p % columns;
    const j = (p - i) / columns;
    for (let k = 0; k < conn; k++) {
      const ni = i + NB_I[k]!;
      const nj = j + NB_J[k]!;
      if (ni < 0 || nj < 0 || ni >= columns || nj >= rows) continue;
      const q = nj * columns + ni;
      if (mask[q] !== 0 || !accept(q)) continue;
      if (tail >= maxPixels) {
        hit = true;
        break grow;
      }
      mask[q] = 1;
      queue[tail++] = q;
      if (ni < minI) minI = ni;
      if (ni > maxI) maxI = ni;
      if (nj < minJ) minJ = nj;
      if (nj > maxJ) maxJ = nj;
    }
  }
  const grown = tail;
  const pixels = options.fillHoles ? grown + fillEnclosed(mask, columns, rows, minI, maxI, minJ, maxJ, conn === 4 ? 8 : 4, queue) : grown;
  return { mask, pixels, grownPixels: grown, hitMaxPixels: hit, seedAccepted: true };
}

/**
 * Cut thin bridges off a grown region: a morphological opening kept to the region and to the seed's part.
 *
 * RULE: erode the region `radiusPx` times with the 3 x 3 square (a pixel stays when its 8 neighbours
 * are all in; pixels on the slice border go), keep the 4-connected part of the eroded region that holds
 * the seed pixel (or, when the seed was eroded away, the part of the eroded pixel nearest the seed
 * within radiusPx + 1 pixels; ties in raster order), dilate that part back `radiusPx` times with the
 * 3 x 3 square but never outside the region. So a part joined to the seed's only through a passage at
 * most 2 * radiusPx pixels wide is cut off, and so are spurs that thin; the seed's part keeps its outline
 * elsewhere (a region that the erosion does not split comes back as itself, less spurs and corners
 * thinner than the opening). The result is a subset of the region and one 8-connected piece; holes are
 * not filled here (regionToContour's outline fills them, as for any grown region).
 * pixels = 0 when nothing is left (the seed sat in a part thinner than the opening).
 * COST: O(radiusPx * rows * columns).
 */
export function cutBridges(region: Uint8Array, columns: number, rows: number, seed: PointIj, radiusPx: number): { mask: Uint8Array; pixels: number } {
  checkSliceSize(region.length, columns, rows, 'region');
  checkPoint(seed, 'seed');
  if (!(Number.isInteger(radiusPx) && radiusPx >= 1 && radiusPx <= 10)) throw new Error(`bridge cut must be a whole number of pixels, 1 to 10 (got ${radiusPx})`);
  const n = columns * rows;
  let cur: Uint8Array = region.slice();
  for (let r = 0; r < radiusPx; r++) {
    const next = new Uint8Array(n);
    for (let j = 1; j < rows - 1; j++) {
      for (let i = 1; i < columns - 1; i++) {
        const p = j * columns + i;
        if (cur[p] && cur[p - 1] && cur[p + 1] && cur[p - columns] && cur[p + columns] && cur[p - columns - 1] && cur[p - columns + 1] && cur[p + columns - 1] && cur[p + columns + 1]) next[p] = 1;
      }
    }
    cur = next;
  }
  const [si, sj] = pixelOf(seed);
  let start = -1;
  if (si >= 0 && sj >= 0 && si < columns && sj < rows && cur[sj * columns + si]) start = sj * columns + si;
  else {
    let best = Infinity;
    const reach = radiusPx + 1;
    for (let j = Math.max(0, sj - reach); j <= Math.min(rows - 1, sj + reach); j++) {
      for (let i = Math.max(0, si - reach); i <= Math.min(columns - 1, si + reach); i++) {
        const d = (i - si) ** 2 + (j - sj) ** 2;
        if (cur[j * columns + i] && d <= reach * reach && d < best) {
          best = d;
          start = j * columns + i;
        }
      }
    }
  }
  const out = new Uint8Array(n);
  if (start < 0) return { mask: out, pixels: 0 };
  const stack = new Int32Array(n);
  let top = 0;
  out[start] = 1;
  stack[top++] = start;
  while (top > 0) {
    const p = stack[--top]!;
    const i = p % columns;
    const j = (p - i) / columns;
    for (let k = 0; k < 4; k++) {
      const ni = i + NB_I[k]!;
      const nj = j + NB_J[k]!;
      if (ni < 0 || nj < 0 || ni >= columns || nj >= rows) continue;
      const q = nj * columns + ni;
      if (cur[q] && !out[q]) {
        out[q] = 1;
        stack[top++] = q;
      }
    }
  }
  let part: Uint8Array = out;
  for (let r = 0; r < radiusPx; r++) {
    const next = part.slice();
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < columns; i++) {
        const p = j * columns + i;
        if (next[p] || !region[p]) continue;
        near: for (let dj = -1; dj <= 1; dj++) {
          for (let di = -1; di <= 1; di++) {
            const ni = i + di;
            const nj = j + dj;
            if (ni >= 0 && nj >= 0 && ni < columns && nj < rows && part[nj * columns + ni]) {
              next[p] = 1;
              break near;
            }
          }
        }
      }
    }
    part = next;
  }
  let pixels = 0;
  for (let p = 0; p < n; p++) pixels += part[p]!;
  return { mask: part, pixels };
}

// Neighbour offsets: the first four are the 4-neighbours.
const NB_I = [1, -1, 0, 0, 1, 1, -1, -1] as const;
const NB_J = [0, 0, 1, -1, 1, -1, 1, -1] as const;

/**
 * Set every pixel of the box enclosed by the mask (background not reachable from the box's border,
 * the box being the mask's bounding box grown by one pixel and clamped to the slice, whose border is
 * then outside or on the slice edge). Returns how many pixels were added. `scratch` is reused.
 */
function fillEnclosed(mask: Uint8Array, columns: number, rows: number, minI: number, maxI: number, minJ: number, maxJ: number, bgConn: 4 | 8, scratch: Int32Array): number {
  const i0 = Math.max(0, minI - 1);
  const i1 = Math.min(columns - 1, maxI + 1);
  const j0 = Math.max(0, minJ - 1);
  const j1 = Math.min(rows - 1, maxJ + 1);
  const w = i1 - i0 + 1;
  const h = j1 - j0 + 1;
  const outside = new Uint8Array(w * h);
  // The stack never holds a box pixel twice, so the box size bounds it.
  const stack = scratch.length >= w * h ? scratch : new Int32Array(w * h);
  let top = 0;
  const seedAt = (i: number, j: number) => {
    const l = (j - j0) * w + (i - i0);
    if (outside[l] === 0 && mask[j * columns + i] === 0) {
      outside[l] = 1;
      stack[top++] = l;
    }
  };
  for (let i = i0; i <= i1; i++) {
    seedAt(i, j0);
    seedAt(i, j1);
  }
  for (let j = j0; j <= j1; j++) {
    seedAt(i0, j);
    seedAt(i1, j);
  }
  while (top > 0) {
    const l = stack[--top]!;
    const li = l % w;
    const lj = (l - li) / w;
    for (let k = 0; k < bgConn; k++) {
      const ni = li + NB_I[k]!;
      const nj = lj + NB_J[k]!;
      if (ni < 0 || nj < 0 || ni >= w || nj >= h) continue;
      const q = nj * w + ni;
      if (outside[q] === 0 && mask[(nj + j0) * columns + ni + i0] === 0) {
        outside[q] = 1;
        stack[top++] = q;
      }
    }
  }
  let added = 0;
  for (let lj = 0; lj < h; lj++) {
    for (let li = 0; li < w; li++) {
      const p = (lj + j0) * columns + li + i0;
      if (outside[lj * w + li] === 0 && mask[p] === 0) {
        mask[p] = 1;
        added++;
      }
    }
  }
  return added;
}

/**
 * The outline of a region: the outer contour of its largest connected component (by own pixels) on
 * pixel edges, via maskToContours with the same connectivity. rasterizePolygon(contour) is exactly
 * that component with its holes filled (for a regionGrow result with fillHoles: exactly its mask).
 * Null for an empty mask. O(rows * columns).
 */
export function regionToContour(mask: Uint8Array, columns: number, rows: number, connectivity: 4 | 8 = 8): TracedComponent | null {
  checkSliceSize(mask.length, columns, rows, 'mask');
  return outlinesLargestFirst(mask, columns, rows, connectivity)[0] ?? null;
}

/** Soft tissue as the brush's default range and the envelope's limit: the fat range's low end to the muscle range's high end. */
export const SOFT_TISSUE_HU: readonly [number, number] = [DEFAULT_RANGES.fatHu[0], DEFAULT_RANGES.muscleHu[1]];
/** Radius (mm) of the closing that takes a grown muscle to its envelope: fat streaks up to about twice this wide that open onto the fascia are taken in. */
export const ENVELOPE_CLOSE_MM = 5;

export interface EnvelopeOptions {
  /** The slice's HU: when given, the closing adds only pixels with loHu <= HU <= hiHu (default SOFT_TISSUE_HU), so bone and air in a notch stay out. */
  hu?: SliceHu;
  loHu?: number;
  hiHu?: number;
  /** Pixels the closing may not add (the grow's limit). Enclosed pixels are filled all the same (an outline has no holes). */
  barrier?: Uint8Array;
  /** Connectivity of the region (default 8): holes are read with the dual one, as regionGrow's fillHoles. */
  connectivity?: 4 | 8;
}

/**
 * The envelope of a grown muscle: what the muscle encloses, so that intramuscular fat is inside.
 *
 * WHY: a grow in the muscle range stops at every fat pixel, so fat streaks and marbling that reach the
 * muscle's edge are left out and fat infiltration comes out biased low. The fascia, not the HU range,
 * bounds the muscle.
 *
 * RULE: a morphological closing of the region with the disk of radius `radiusPx` + 1/2 (pixel offsets
 * with di² + dj² <= (r + 1/2)²: the half keeps the disk round, its tip three pixels wide, so it cannot
 * poke into the mouth of a one- or two-pixel streak): dilate, then erode (a pixel stays when every pixel
 * of its disk that lies on the slice is dilated). Of the pixels the closing adds, only those in the HU range (when `hu` is given) and
 * not on the barrier are taken; then every pixel the result encloses is filled (any HU, as regionGrow's
 * fillHoles). So a notch of the region narrower than about 2r (a fat streak opening onto the edge) is
 * filled (one or two pixels wide: to its mouth), a hole of any size (fat enclosed by muscle) is filled, and fat beside a straight or convex
 * stretch of the edge (subcutaneous, paravertebral fat, a fat plane to the next muscle) stays out: the
 * disk fits there, so the closing adds nothing. The result contains the region (radiusPx 0: only holes
 * are filled).
 * COST: O(bounding box of the region grown by r, times r²) for the closing, O(rows * columns) for the fill.
 */
export function closeEnvelope(region: Uint8Array, columns: number, rows: number, radiusPx: number, options: EnvelopeOptions = {}): { mask: Uint8Array; pixels: number; added: number } {
  checkSliceSize(region.length, columns, rows, 'region');
  if (!(Number.isInteger(radiusPx) && radiusPx >= 0 && radiusPx <= 30)) throw new Error(`envelope closing radius must be a whole number of pixels, 0 to 30 (got ${radiusPx})`);
  const { hu, barrier } = options;
  if (hu) checkSliceSize(hu.length, columns, rows, 'HU slice');
  if (barrier) checkSliceSize(barrier.length, columns, rows, 'barrier');
  const lo = options.loHu ?? SOFT_TISSUE_HU[0];
  const hi = options.hiHu ?? SOFT_TISSUE_HU[1];
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) throw new Error(`HU range must be LO <= HI (got ${lo},${hi})`);
  const conn = options.connectivity ?? 8;
  const n = columns * rows;
  const mask = region.slice();
  let minI = columns;
  let maxI = -1;
  let minJ = rows;
  let maxJ = -1;
  let own = 0;
  for (let p = 0; p < n; p++) {
    if (!mask[p]) continue;
    mask[p] = 1;
    own++;
    const i = p % columns;
    const j = (p - i) / columns;
    if (i < minI) minI = i;
    if (i > maxI) maxI = i;
    if (j < minJ) minJ = j;
    if (j > maxJ) maxJ = j;
  }
  if (own === 0) return { mask, pixels: 0, added: 0 };
  const r = radiusPx;
  const disk: [number, number][] = [];
  const rr = (r + 0.5) ** 2;
  for (let dj = -r; dj <= r; dj++) for (let di = -r; di <= r; di++) if (di * di + dj * dj <= rr) disk.push([di, dj]);
  if (r > 0) {
    // The dilation reaches r beyond the region's box; the erosion only changes pixels inside that.
    const i0 = Math.max(0, minI - r);
    const i1 = Math.min(columns - 1, maxI + r);
    const j0 = Math.max(0, minJ - r);
    const j1 = Math.min(rows - 1, maxJ + r);
    const dil = new Uint8Array(n);
    for (let j = minJ; j <= maxJ; j++) {
      for (let i = minI; i <= maxI; i++) {
        if (!region[j * columns + i]) continue;
        for (const [di, dj] of disk) {
          const ni = i + di;
          const nj = j + dj;
          if (ni >= 0 && nj >= 0 && ni < columns && nj < rows) dil[nj * columns + ni] = 1;
        }
      }
    }
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        const p = j * columns + i;
        if (mask[p] || !dil[p]) continue;
        if (hu) {
          const v = hu[p]!;
          if (!(v >= lo && v <= hi)) continue;
        }
        if (barrier && barrier[p]) continue;
        let all = true;
        for (const [di, dj] of disk) {
          const ni = i + di;
          const nj = j + dj;
          if (ni >= 0 && nj >= 0 && ni < columns && nj < rows && !dil[nj * columns + ni]) {
            all = false;
            break;
          }
        }
        if (all) mask[p] = 1;
      }
    }
    minI = i0;
    maxI = i1;
    minJ = j0;
    maxJ = j1;
  }
  let closed = 0;
  for (let p = 0; p < n; p++) closed += mask[p]!;
  const filled = fillEnclosed(mask, columns, rows, minI, maxI, minJ, maxJ, conn === 4 ? 8 : 4, new Int32Array(0));
  return { mask, pixels: closed + filled, added: closed + filled - own };
}
