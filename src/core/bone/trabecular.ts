import type { Vec3 } from '../geometry/vec3';
import { pixelAreaMm2, sliceOffsetMm, sliceZ, type VolumeGeometry } from '../geometry/volumeGeometry';
import { sliceIjToLps } from '../roi/contour';
import { rasterizePolygon, type PointIj } from '../roi/rasterize';

/**
 * A proposed ROI in the trabecular bone of a vertebral body (opportunistic bone density, as in
 * Pickhardt 2013: an oval in the body's cancellous bone on its mid slice, clear of the cortex and of the
 * posterior elements). Made from the vertebra's mask:
 * 1. the mid slice of the body: the slice nearest (along the normal) the centroid of the mask's anterior
 *    BODY_FRACTION of its anterior-posterior extent (the body; the posterior elements are behind);
 * 2. on that slice, the mask with its small holes filled (not the spinal canal), restricted to its anterior
 *    BODY_FRACTION (the body);
 * 3. the body eroded by the cortex margin: the pixels whose centre lies at least `marginMm` inside the
 *    body's edge (the distance to the nearest pixel centre outside the body, less half a pixel);
 * 4. an oval (semi-axes along the image's rows and columns), centred on the deepest pixel of the body,
 *    as large as fits: every pixel it holds (pixel-centre rule, as the muscles) and every vertex lies in
 *    the eroded body.
 * The oval is an outline (slice pixel coordinates and LPS), measured like any muscle outline.
 * Written here, not taken from a library: the erosion and the oval fit are a few loops over one slice,
 * and the project has no image-processing dependency in core.
 */

/** Vertebrae a trabecular ROI may be proposed in (Pickhardt 2013 measured T12 to L5; L1 is the default). */
export const BONE_VERTEBRAE = ['T12', 'L1', 'L2', 'L3', 'L4', 'L5'] as const;
export type BoneVertebra = (typeof BONE_VERTEBRAE)[number];
export const DEFAULT_BONE_VERTEBRA: BoneVertebra = 'L1';

export function isBoneVertebra(s: string): s is BoneVertebra {
  return (BONE_VERTEBRAE as readonly string[]).includes(s);
}

/** How far inside the body's edge every pixel of the ROI lies by default (the cortex and a margin), mm. */
export const CORTEX_MARGIN_MM = 3.5;
/** Fraction of the vertebra mask's anterior-posterior extent (from its anterior edge) taken as the body. */
export const BODY_FRACTION = 0.45;
/** Vertices of the oval outline. */
export const OVAL_VERTICES = 48;

export interface TrabecularOptions {
  /** Cortex margin, mm (default CORTEX_MARGIN_MM). */
  marginMm?: number;
  /** Propose on this slice instead of the body's mid slice. */
  sliceIndex?: number;
}

export interface TrabecularProposal {
  vertebra: BoneVertebra;
  sliceIndex: number;
  /** Patient z of the slice, mm. */
  z: number;
  /** Centre of the oval, slice pixel coordinates (i = column, j = row). */
  centreIj: PointIj;
  /** Semi-axes, mm: along the rows (i, left-right on an axial slice) and along the columns (j, anterior-posterior). */
  semiAxesMm: readonly [number, number];
  /** The closed oval, slice pixel coordinates (first vertex not repeated). */
  pointsIj: PointIj[];
  /** The same oval, LPS mm. */
  pointsLps: Vec3[];
  /** Pixels the oval holds (pixel-centre rule). */
  pixels: number;
  marginMm: number;
  /** How it was made, for the record's reader. */
  method: string;
}

export type TrabecularResult = { ok: true; proposal: TrabecularProposal } | { ok: false; reason: string };

/** +1 when increasing row index j runs anterior, -1 when posterior; 0 when the rows do not run along the AP axis. */
function anteriorSign(g: VolumeGeometry): number {
  const ap = g.columnDirection[1]; // LPS +y = posterior
  if (!(Math.abs(ap) > 0.5)) return 0;
  return ap > 0 ? -1 : 1;
}

/**
 * The body's mid slice: the slice nearest the centroid (along the normal) of the mask's anterior
 * BODY_FRACTION. Null when the mask is empty or the series is not axial.
 */
export function bodyMidSlice(g: VolumeGeometry, mask: Uint8Array): number | null {
  const s = anteriorSign(g);
  if (s === 0) return null;
  const { rows: h, columns: w } = g;
  const plane = h * w;
  // Voxels of the mask per row j (all slices), then per slice and row: two passes over the mask.
  const perSliceRow = new Float64Array(g.slices * h);
  for (let k = 0; k < g.slices; k++) {
    for (let j = 0; j < h; j++) {
      let c = 0;
      for (let p = k * plane + j * w, end = p + w; p < end; p++) if (mask[p] !== 0) c++;
      perSliceRow[k * h + j] = c;
    }
  }
  let aMin = Infinity;
  let aMax = -Infinity;
  for (let j = 0; j < h; j++) {
    let any = false;
    for (let k = 0; k < g.slices && !any; k++) any = perSliceRow[k * h + j]! > 0;
    if (!any) continue;
    const a = s * j;
    if (a < aMin) aMin = a;
    if (a > aMax) aMax = a;
  }
  if (aMin === Infinity) return null;
  const cut = aMax - BODY_FRACTION * (aMax - aMin);
  let sum = 0;
  let n = 0;
  for (let k = 0; k < g.slices; k++) {
    let c = 0;
    for (let j = 0; j < h; j++) if (s * j >= cut) c += perSliceRow[k * h + j]!;
    if (c === 0) continue;
    sum += c * sliceOffsetMm(g, k);
    n += c;
  }
  const mean = sum / n;
  let best = 0;
  let bestD = Infinity;
  for (let k = 0; k < g.slices; k++) {
    const d = Math.abs(sliceOffsetMm(g, k) - mean);
    if (d < bestD) (best = k), (bestD = d);
  }
  return best;
}

/**
 * Holes of a vertebra mask filled on its slice (a vessel channel left out of the body) up to this area,
 * mm²: the spinal canal (a hole in the ring of body, pedicles and laminae, some 200 mm² or more) is kept
 * open, so it never counts as bone.
 */
export const MAX_FILLED_HOLE_MM2 = 50;

/** Fill the small holes of a slice mask (background components not 4-connected to the image border, up to maxPixels). */
function fillSmallHoles(m: Uint8Array, w: number, h: number, maxPixels: number): Uint8Array {
  const out = Uint8Array.from(m, (v) => (v !== 0 ? 1 : 0));
  const seen = new Uint8Array(w * h);
  const comp: number[] = [];
  for (let start = 0; start < w * h; start++) {
    if (out[start] !== 0 || seen[start] !== 0) continue;
    comp.length = 0;
    let border = false;
    seen[start] = 1;
    comp.push(start);
    for (let c = 0; c < comp.length; c++) {
      const p = comp[c]!;
      const i = p % w;
      const j = (p - i) / w;
      if (i === 0 || j === 0 || i === w - 1 || j === h - 1) border = true;
      for (const q of [i > 0 ? p - 1 : -1, i < w - 1 ? p + 1 : -1, j > 0 ? p - w : -1, j < h - 1 ? p + w : -1]) {
        if (q >= 0 && out[q] === 0 && seen[q] === 0) (seen[q] = 1), comp.push(q);
      }
    }
    if (!border && comp.length <= maxPixels) for (const p of comp) out[p] = 1;
  }
  return out;
}

/** An oval's vertices in slice pixel coordinates. */
export function ovalPoints(centre: PointIj, semiAxesMm: readonly [number, number], g: Pick<VolumeGeometry, 'columnSpacingMm' | 'rowSpacingMm'>, n = OVAL_VERTICES): PointIj[] {
  const ri = semiAxesMm[0] / g.columnSpacingMm;
  const rj = semiAxesMm[1] / g.rowSpacingMm;
  return Array.from({ length: n }, (_, t) => {
    const a = (2 * Math.PI * t) / n;
    return [centre[0] + ri * Math.cos(a), centre[1] + rj * Math.sin(a)] as const;
  });
}

/**
 * Propose a trabecular ROI in a vertebra from its mask (rows * columns * slices, the volume's grid).
 * A one-line reason when none fits (empty mask, non-axial series, a body too small for the margin).
 */
export function proposeTrabecularRoi(g: VolumeGeometry, mask: Uint8Array, vertebra: BoneVertebra = DEFAULT_BONE_VERTEBRA, opts: TrabecularOptions = {}): TrabecularResult {
  const marginMm = opts.marginMm ?? CORTEX_MARGIN_MM;
  const w = g.columns;
  const h = g.rows;
  const plane = w * h;
  if (mask.length !== plane * g.slices) return { ok: false, reason: `${vertebra} mask has ${mask.length} voxels, the series ${plane * g.slices}` };
  const s = anteriorSign(g);
  if (s === 0) return { ok: false, reason: `${vertebra}: the series is not axial (its rows do not run front to back), so the body cannot be told from the posterior elements` };
  const k = opts.sliceIndex ?? bodyMidSlice(g, mask);
  if (k === null) return { ok: false, reason: `${vertebra} mask is empty` };
  if (!Number.isInteger(k) || k < 0 || k >= g.slices) return { ok: false, reason: `${vertebra}: slice ${k} is outside 0..${g.slices - 1}` };
  const filled = fillSmallHoles(mask.subarray(k * plane, (k + 1) * plane), w, h, Math.floor(MAX_FILLED_HOLE_MM2 / pixelAreaMm2(g)));
  // The body: the anterior BODY_FRACTION of the mask on this slice.
  let aMin = Infinity;
  let aMax = -Infinity;
  for (let p = 0; p < plane; p++) {
    if (filled[p] === 0) continue;
    const a = s * Math.floor(p / w);
    if (a < aMin) aMin = a;
    if (a > aMax) aMax = a;
  }
  if (aMin === Infinity) return { ok: false, reason: `${vertebra} mask is empty on slice ${k}` };
  const cut = aMax - BODY_FRACTION * (aMax - aMin);
  const body = new Uint8Array(plane);
  for (let p = 0; p < plane; p++) if (filled[p] !== 0 && s * Math.floor(p / w) >= cut) body[p] = 1;
  // Depth of each body pixel: distance to the nearest pixel centre outside the body (the image's edge counts as outside), mm.
  const rim: [number, number][] = [];
  for (let j = -1; j <= h; j++) {
    for (let i = -1; i <= w; i++) {
      const inside = i >= 0 && j >= 0 && i < w && j < h && body[j * w + i] !== 0;
      if (inside) continue;
      let touches = false;
      for (let dj = -1; dj <= 1 && !touches; dj++) {
        for (let di = -1; di <= 1; di++) {
          const ii = i + di;
          const jj = j + dj;
          if (ii >= 0 && jj >= 0 && ii < w && jj < h && body[jj * w + ii] !== 0) (touches = true);
        }
      }
      if (touches) rim.push([i, j]);
    }
  }
  const halfPixel = Math.max(g.columnSpacingMm, g.rowSpacingMm) / 2;
  const inner = new Uint8Array(plane);
  let best = -1;
  let bestDepth = -Infinity;
  for (let p = 0; p < plane; p++) {
    if (body[p] === 0) continue;
    const i = p % w;
    const j = Math.floor(p / w);
    let d2 = Infinity;
    for (const [ri, rj] of rim) {
      const dx = (ri - i) * g.columnSpacingMm;
      const dy = (rj - j) * g.rowSpacingMm;
      const q = dx * dx + dy * dy;
      if (q < d2) d2 = q;
    }
    const depth = Math.sqrt(d2) - halfPixel;
    if (depth >= marginMm - 1e-9) inner[p] = 1;
    if (depth > bestDepth + 1e-9) (bestDepth = depth), (best = p);
  }
  if (!(bestDepth >= marginMm - 1e-9)) {
    return { ok: false, reason: `${vertebra}: the body on slice ${k} is too small for an ROI ${marginMm} mm clear of its edge (deepest pixel ${Math.max(0, bestDepth).toFixed(1)} mm in)` };
  }
  const centre: PointIj = [best % w, Math.floor(best / w)];
  // Grow ovals of several aspect ratios from the centre; keep the one holding most pixels.
  const inInner = (i: number, j: number) => i >= 0 && j >= 0 && i < w && j < h && inner[j * w + i] !== 0;
  // Rasterised in the inner region's bounding box (a whole-pixel shift keeps the pixel-centre rule exact).
  let i0 = w;
  let i1 = -1;
  let j0 = h;
  let j1 = -1;
  for (let p = 0; p < plane; p++) {
    if (inner[p] === 0) continue;
    const i = p % w;
    const j = Math.floor(p / w);
    i0 = Math.min(i0, i);
    i1 = Math.max(i1, i);
    j0 = Math.min(j0, j);
    j1 = Math.max(j1, j);
  }
  const bw = i1 - i0 + 1;
  const bh = j1 - j0 + 1;
  const fits = (pts: PointIj[]): number => {
    for (const [x, y] of pts) if (!inInner(Math.round(x), Math.round(y))) return -1;
    const m = rasterizePolygon(
      pts.map(([x, y]) => [x - i0, y - j0] as const),
      bw,
      bh,
    );
    let n = 0;
    for (let q = 0; q < m.length; q++) {
      if (m[q] === 0) continue;
      if (inner[(j0 + Math.floor(q / bw)) * w + i0 + (q % bw)] === 0) return -1;
      n++;
    }
    return n;
  };
  const step = Math.min(g.columnSpacingMm, g.rowSpacingMm) / 4;
  let chosen: { axes: [number, number]; pts: PointIj[]; n: number } | null = null;
  for (let r10 = 10; r10 <= 20; r10++) {
    const ratio = r10 / 10;
    for (let b = step; ; b += step) {
      const axes: [number, number] = [b * ratio, b];
      const pts = ovalPoints(centre, axes, g);
      const n = fits(pts);
      if (n < 0) break;
      if (n > 0 && (!chosen || n > chosen.n)) chosen = { axes, pts, n };
    }
  }
  if (!chosen) return { ok: false, reason: `${vertebra}: no oval fits in the body on slice ${k} ${marginMm} mm clear of its edge` };
  return {
    ok: true,
    proposal: {
      vertebra,
      sliceIndex: k,
      z: sliceZ(g, k),
      centreIj: centre,
      semiAxesMm: chosen.axes,
      pointsIj: chosen.pts,
      pointsLps: sliceIjToLps(g, k, chosen.pts),
      pixels: chosen.n,
      marginMm,
      method: `proposed from the ${vertebra} mask: mid slice of the body, oval ${(2 * chosen.axes[0]).toFixed(1)} x ${(2 * chosen.axes[1]).toFixed(1)} mm, ${marginMm} mm clear of the body's edge (${(chosen.n * pixelAreaMm2(g)).toFixed(0)} mm²)`,
    },
  };
}
