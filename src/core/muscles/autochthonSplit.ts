/**
 * Proposed split of one side's autochthon mask (TotalSegmentator: erector spinae and multifidus together)
 * on one axial slice into a medial part (multifidus, beside the spinous process and lamina) and a lateral
 * part (erector spinae), following the fat plane between them where the image shows one.
 *
 * Rule (README, Definitions):
 * - Medial is the side of the spine's midline column (`midlineI`). Let W be the mask's medio-lateral
 *   extent on the slice in pixels and t the distance of a column from the mask's most medial column
 *   (0 .. W-1); A(t) is the mask's area medial of column t (the multifidus area if every row were cut at t).
 * - At a level with published multifidus / erector spinae areas (mfShareByLevel.ts: L3, L3/L4, L4/L5,
 *   L5/S1) the prior follows the level's share: t0 is the column where A(t0) = share x the mask's area
 *   (linear between columns), and the cut stays between the columns whose A gives the level's band
 *   (the first t with A(t) >= low x area, the last with A(t) <= high x area; the one column nearest t0
 *   when no column lies between), half-width the larger distance from t0 to either end. As every row is
 *   cut inside that band, the multifidus share of the split always lies in the band.
 * - Without a level (or at another level): the geometric prior t0 = SPLIT_PRIOR_FRACTION x (W-1); the
 *   cut stays in the band |t - t0| <= SPLIT_BAND_FRACTION x W.
 * - The cut is a path with one pixel per row, from the mask's first row to its last (ventral to dorsal
 *   border on an axial slice), moving at most one column between rows. It minimises the sum over its
 *   pixels of cost = HU cost + prior cost, plus SPLIT_STEP_COST per column step:
 *     HU cost: inside the mask (HU + 100) / 100 clamped to 0..1 (fat at -100 HU or below costs 0, muscle
 *     at 0 HU or above 1; a non-finite HU costs 1); outside the mask 0 (cutting air separates nothing);
 *     prior cost: SPLIT_PRIOR_WEIGHT x ((t - t0) / (band half-width))².
 *   So the cut follows a low-HU plane through the band (the fat plane between the two muscles wins over
 *   the share: a fat pixel saves up to 1, the prior costs at most SPLIT_PRIOR_WEIGHT at the band's edge)
 *   and keeps to the prior line where there is none.
 *   Equal costs go to the path found first (the smaller t on the last row, then backwards).
 * - On each row, mask pixels medial to the cut pixel are multifidus; the cut pixel and the pixels
 *   lateral to it are erector spinae. The two parts partition the mask exactly.
 * - The cut polyline runs along the pixel edges between the two parts (column boundaries at half-integer
 *   i, from j = first row - 0.5 to last row + 0.5), in the same continuous pixel coordinates as
 *   rasterizePolygon (integer = pixel centre).
 */
import type { Level } from '../anatomy/anatomy';
import type { PointIj } from '../roi/rasterize';
import { mfShareAt } from './mfShareByLevel';

export const SPLIT_PRIOR_FRACTION = 0.45;
export const SPLIT_BAND_FRACTION = 0.2;
export const SPLIT_PRIOR_WEIGHT = 0.25;
export const SPLIT_STEP_COST = 0.1;

export interface AutochthonSplit {
  /** Multifidus: the medial part (rows x columns). */
  readonly medial: Uint8Array;
  /** Erector spinae: the lateral part. */
  readonly lateral: Uint8Array;
  /** The cut along pixel edges, ventral (first row) to dorsal (last row); empty for an empty mask. */
  readonly cutIj: PointIj[];
  /** Column of the cut pixel per row, from `firstRow`. */
  readonly cutColumns: number[];
  readonly firstRow: number;
  /** Mask pixels on the cut with HU at or below -30 (how much of the cut follows fat). */
  readonly fatPixelsOnCut: number;
  /** The multifidus (medial) share of the mask's pixels; 0 for an empty mask. */
  readonly medialShare: number;
  /** The level whose published share and band set the prior, or null (geometric prior). */
  readonly shareLevel: Level | null;
}

export interface SplitOptions {
  /** The spine's midline column on this slice (the vertebra's centroid column). */
  readonly midlineI: number;
  readonly priorFraction?: number;
  readonly bandFraction?: number;
  /** The slice's level: at L3, L3/L4, L4/L5 and L5/S1 the prior and band follow the published multifidus share (mfShareByLevel.ts). */
  readonly level?: Level | null;
}

export function splitAutochthon(
  mask: Uint8Array,
  hu: ArrayLike<number>,
  columns: number,
  rows: number,
  opts: SplitOptions,
): AutochthonSplit {
  const n = columns * rows;
  if (mask.length !== n || hu.length !== n) throw new Error(`mask and HU must have ${columns}x${rows} pixels`);
  const medial = new Uint8Array(n);
  const lateral = new Uint8Array(n);
  let iMin = Infinity;
  let iMax = -Infinity;
  let jMin = Infinity;
  let jMax = -Infinity;
  let si = 0;
  let count = 0;
  for (let p = 0; p < n; p++) {
    if (mask[p] === 0) continue;
    const i = p % columns;
    const j = (p - i) / columns;
    if (i < iMin) iMin = i;
    if (i > iMax) iMax = i;
    if (j < jMin) jMin = j;
    if (j > jMax) jMax = j;
    si += i;
    count++;
  }
  if (count === 0) return { medial, lateral, cutIj: [], cutColumns: [], firstRow: 0, fatPixelsOnCut: 0, medialShare: 0, shareLevel: null };
  // s = +1 when medial lies towards increasing i.
  const s = opts.midlineI > si / count ? 1 : -1;
  const medialEdge = s > 0 ? iMax : iMin;
  const W = iMax - iMin + 1;
  const colOf = (t: number) => medialEdge - s * t;
  const byLevel = opts.priorFraction === undefined && opts.bandFraction === undefined ? mfShareAt(opts.level) : null;
  let t0: number;
  let half: number;
  let tLo: number;
  let tHi: number;
  if (byLevel) {
    // A[t] = mask pixels in the columns medial of column t (t = 0 .. W).
    const A = new Float64Array(W + 1);
    for (let j = jMin; j <= jMax; j++) for (let i = iMin; i <= iMax; i++) if (mask[i + j * columns] !== 0) A[(s > 0 ? medialEdge - i : i - medialEdge) + 1]! += 1;
    for (let t = 1; t <= W; t++) A[t]! += A[t - 1]!;
    const want = byLevel.share * count;
    t0 = W - 1;
    for (let t = 0; t < W; t++) {
      if (A[t + 1]! >= want) {
        const step = A[t + 1]! - A[t]!;
        t0 = t + (step > 0 ? (want - A[t]!) / step : 0);
        break;
      }
    }
    tLo = W;
    tHi = -1;
    for (let t = 0; t < W; t++) {
      if (A[t]! >= byLevel.band[0] * count && tLo === W) tLo = t;
      if (A[t]! <= byLevel.band[1] * count) tHi = t;
    }
    if (tLo > tHi) tLo = tHi = Math.min(W - 1, Math.max(0, Math.round(t0)));
    half = Math.max(1, t0 - tLo, tHi - t0);
  } else {
    t0 = (opts.priorFraction ?? SPLIT_PRIOR_FRACTION) * (W - 1);
    half = Math.max(1, (opts.bandFraction ?? SPLIT_BAND_FRACTION) * W);
    tLo = Math.max(0, Math.ceil(t0 - half));
    tHi = Math.min(W - 1, Math.floor(t0 + half));
  }
  const nt = tHi - tLo + 1;
  const nRows = jMax - jMin + 1;
  const pixelCost = (t: number, j: number) => {
    const p = colOf(t) + j * columns;
    let c = 0;
    if (mask[p] !== 0) {
      const h = hu[p]!;
      c = Number.isFinite(h) ? Math.min(1, Math.max(0, (h + 100) / 100)) : 1;
    }
    const d = (t - t0) / half;
    return c + SPLIT_PRIOR_WEIGHT * d * d;
  };
  // Dynamic programming over rows; from[r * nt + x] = previous x.
  const acc = new Float64Array(nt);
  const next = new Float64Array(nt);
  const from = new Int32Array(nRows * nt);
  for (let x = 0; x < nt; x++) acc[x] = pixelCost(tLo + x, jMin);
  for (let r = 1; r < nRows; r++) {
    for (let x = 0; x < nt; x++) {
      let best = Infinity;
      let arg = x;
      for (const dx of [0, -1, 1]) {
        const y = x + dx;
        if (y < 0 || y >= nt) continue;
        const c = acc[y]! + (dx === 0 ? 0 : SPLIT_STEP_COST);
        if (c < best - 1e-12) {
          best = c;
          arg = y;
        }
      }
      next[x] = best + pixelCost(tLo + x, jMin + r);
      from[r * nt + x] = arg;
    }
    acc.set(next);
  }
  let x = 0;
  for (let y = 1; y < nt; y++) if (acc[y]! < acc[x]! - 1e-12) x = y;
  const cutT = new Array<number>(nRows);
  for (let r = nRows - 1; r >= 0; r--) {
    cutT[r] = tLo + x;
    x = from[r * nt + x]!;
  }
  let fatPixelsOnCut = 0;
  let medialPixels = 0;
  for (let r = 0; r < nRows; r++) {
    const j = jMin + r;
    for (let i = iMin; i <= iMax; i++) {
      const p = i + j * columns;
      if (mask[p] === 0) continue;
      const t = s > 0 ? medialEdge - i : i - medialEdge;
      if (t < cutT[r]!) {
        medial[p] = 1;
        medialPixels++;
      } else lateral[p] = 1;
      if (t === cutT[r]! && hu[p]! <= -30) fatPixelsOnCut++;
    }
  }
  // The boundary between the parts on row j: half a pixel medial of the cut pixel.
  const cutIj: PointIj[] = [];
  for (let r = 0; r < nRows; r++) {
    const ib = colOf(cutT[r]!) + s * 0.5;
    const top: PointIj = [ib, jMin + r - 0.5];
    const bottom: PointIj = [ib, jMin + r + 0.5];
    const last = cutIj[cutIj.length - 1];
    if (last && last[0] === ib) cutIj[cutIj.length - 1] = bottom;
    else cutIj.push(top, bottom);
  }
  return { medial, lateral, cutIj, cutColumns: cutT.map(colOf), firstRow: jMin, fatPixelsOnCut, medialShare: medialPixels / count, shareLevel: byLevel ? opts.level! : null };
}
