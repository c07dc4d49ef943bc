/**
 * Overlap of two raters' outlines of the same level, muscle and side: the Dice coefficient of their
 * masks and the (symmetric) Hausdorff distance between them in mm. Masks are made by the pixel-centre
 * rule (core/roi/rasterize.ts), as the measurements are: a pixel belongs to an outline when its centre
 * lies inside; several outlines of one rater for the same ROI count as their union (as measured).
 */
import type { VolumeGeometry } from '../geometry/volumeGeometry';
import { contourMask } from '../roi/contour';
import type { Roi } from '../annotations/document';

/** Dice = 2 |A ∩ B| / (|A| + |B|); null when both masks are empty (undefined). */
export function dice(a: Uint8Array, b: Uint8Array): number | null {
  if (a.length !== b.length) throw new RangeError('masks of different sizes');
  let na = 0;
  let nb = 0;
  let both = 0;
  for (let p = 0; p < a.length; p++) {
    const x = a[p] !== 0;
    const y = b[p] !== 0;
    if (x) na++;
    if (y) nb++;
    if (x && y) both++;
  }
  return na + nb === 0 ? null : (2 * both) / (na + nb);
}

/**
 * Symmetric Hausdorff distance (mm) between the pixel-centre sets of two masks on one grid, with the
 * column and row spacing: max(h(A,B), h(B,A)), h(A,B) = max over a in A of the distance from a to the
 * nearest b in B. Null when a mask is empty (the distance is then undefined).
 *
 * Exact and by hand (no library has it for our masks): a pixel of A inside B is at distance 0; for one
 * outside, the nearest pixel of B is one of B's edge pixels (a pixel of B with a 4-neighbour outside B),
 * so each pixel of A \ B is compared with B's edge pixels only, O(|A \ B| x |edge of B|): a few hundred
 * thousand steps for a muscle outline at 512².
 */
export function hausdorffMm(a: Uint8Array, b: Uint8Array, columns: number, rows: number, columnSpacingMm: number, rowSpacingMm: number): number | null {
  if (a.length !== columns * rows || b.length !== columns * rows) throw new RangeError('masks do not match the grid');
  const h1 = directed(a, b, columns, rows, columnSpacingMm, rowSpacingMm);
  const h2 = directed(b, a, columns, rows, columnSpacingMm, rowSpacingMm);
  return h1 === null || h2 === null ? null : Math.max(h1, h2);
}

function edgePixels(m: Uint8Array, columns: number, rows: number): number[] {
  const out: number[] = [];
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < columns; i++) {
      const p = j * columns + i;
      if (!m[p]) continue;
      if (i === 0 || j === 0 || i === columns - 1 || j === rows - 1 || !m[p - 1] || !m[p + 1] || !m[p - columns] || !m[p + columns]) out.push(p);
    }
  }
  return out;
}

function directed(a: Uint8Array, b: Uint8Array, columns: number, rows: number, sx: number, sy: number): number | null {
  const edge = edgePixels(b, columns, rows);
  let anyA = false;
  for (let p = 0; p < a.length; p++) if (a[p]) { anyA = true; break; }
  if (!anyA || edge.length === 0) return null;
  const ex = edge.map((p) => (p % columns) * sx);
  const ey = edge.map((p) => Math.floor(p / columns) * sy);
  let worst = 0;
  for (let p = 0; p < a.length; p++) {
    if (!a[p] || b[p]) continue;
    const x = (p % columns) * sx;
    const y = Math.floor(p / columns) * sy;
    let best = Infinity;
    for (let e = 0; e < ex.length; e++) {
      const d = (ex[e]! - x) ** 2 + (ey[e]! - y) ** 2;
      if (d < best) {
        best = d;
        if (best <= worst) break; // cannot raise the maximum any more
      }
    }
    if (best > worst) worst = best;
  }
  return Math.sqrt(worst);
}

/** The union mask of one rater's outlines of an ROI, each on its own slice of the grid. */
export function outlinesMask(g: VolumeGeometry, outlines: readonly { sliceIndex: number; pointsLps: Roi['pointsLps'] }[]): Uint8Array {
  const mask = new Uint8Array(g.columns * g.rows);
  for (const o of outlines) {
    const m = contourMask(g, o.sliceIndex, o.pointsLps);
    for (let p = 0; p < m.length; p++) if (m[p]) mask[p] = 1;
  }
  return mask;
}

export interface OutlineOverlap {
  dice: number | null;
  hausdorffMm: number | null;
  pixelsA: number;
  pixelsB: number;
  /** Set when the two raters outlined the ROI on different slices: the masks are compared in the image plane. */
  note?: string;
}

/**
 * Dice and Hausdorff of two raters' outlines of one ROI (each the union of that rater's outlines of it).
 * Outlines on different slices (the raters marked the level on different slices) are compared in the
 * image plane, and the note says so.
 */
export function compareOutlines(
  g: VolumeGeometry,
  a: readonly Pick<Roi, 'sliceIndex' | 'pointsLps'>[],
  b: readonly Pick<Roi, 'sliceIndex' | 'pointsLps'>[],
): OutlineOverlap {
  const ma = outlinesMask(g, a);
  const mb = outlinesMask(g, b);
  let pixelsA = 0;
  let pixelsB = 0;
  for (let p = 0; p < ma.length; p++) {
    if (ma[p]) pixelsA++;
    if (mb[p]) pixelsB++;
  }
  const sa = [...new Set(a.map((o) => o.sliceIndex))].sort((x, y) => x - y);
  const sb = [...new Set(b.map((o) => o.sliceIndex))].sort((x, y) => x - y);
  const same = sa.length === sb.length && sa.every((s, i) => s === sb[i]);
  return {
    dice: dice(ma, mb),
    hausdorffMm: hausdorffMm(ma, mb, g.columns, g.rows, g.columnSpacingMm, g.rowSpacingMm),
    pixelsA,
    pixelsB,
    ...(same ? {} : { note: `outlined on different slices (${sa.join(', ')} vs ${sb.join(', ')}): compared in the image plane` }),
  };
}
