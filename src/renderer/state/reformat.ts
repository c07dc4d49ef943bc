/**
 * Sagittal and coronal reformats of the HU volume, as grey levels for a canvas (no Cornerstone).
 * Voxel (i, j, k) is hu[k * rows * columns + j * columns + i]: i runs along a row (columns), j down the
 * image (rows), k from the feet to the head. Both images have the head at the top.
 */
import { findVertebra } from '../../core/annotations/plausibility';
import { sliceSpacingMm } from '../../core/geometry/volumeGeometry';
import { lpsToSliceIj } from '../../core/roi/contour';
import type { HuVolume } from '../../core/volume';

export type ReformatPlane = 'sagittal' | 'coronal';

/** Width in pixels of a reformat: sagittal runs along j (rows), coronal along i (columns). */
export function reformatWidth(v: HuVolume, plane: ReformatPlane): number {
  return plane === 'sagittal' ? v.geometry.rows : v.geometry.columns;
}

/** Physical width (mm) of one reformat pixel across. */
export function reformatPixelMm(v: HuVolume, plane: ReformatPlane): number {
  return plane === 'sagittal' ? v.geometry.rowSpacingMm : v.geometry.columnSpacingMm;
}

/** How many planes of that orientation the volume has (the range of the position slider). */
export function reformatCount(v: HuVolume, plane: ReformatPlane): number {
  return plane === 'sagittal' ? v.geometry.columns : v.geometry.rows;
}

/**
 * RGBA grey levels (width x slices, head at the top) of the plane at `index`: column i for a sagittal,
 * row j for a coronal; window `center`/`width` in HU.
 */
export function reformatImage(v: HuVolume, plane: ReformatPlane, index: number, center: number, width: number): Uint8ClampedArray {
  const g = v.geometry;
  const w = reformatWidth(v, plane);
  const out = new Uint8ClampedArray(w * g.slices * 4);
  const lo = center - width / 2;
  const n = g.rows * g.columns;
  for (let k = 0; k < g.slices; k++) {
    const y = g.slices - 1 - k;
    for (let x = 0; x < w; x++) {
      const p = plane === 'sagittal' ? k * n + x * g.columns + index : k * n + index * g.columns + x;
      const hu = v.hu[p]!;
      const grey = Math.max(0, Math.min(255, ((hu - lo) / width) * 255));
      const o = (y * w + x) * 4;
      out[o] = out[o + 1] = out[o + 2] = grey;
      out[o + 3] = 255;
    }
  }
  return out;
}

/** HU above which a pixel counts as part of the patient (soft tissue, fat, bone; not air, lung, foam). */
const BODY_HU = -500;

/** Up to `max` slice indices spread evenly over the series (the middle one always among them). */
function sampleSlices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, k) => k);
  const out = new Set<number>([Math.floor(n / 2)]);
  for (let s = 0; s < max; s++) out.add(Math.round(((s + 0.5) / max) * (n - 1)));
  return [...out].sort((a, b) => a - b);
}

/**
 * The patient on slice k: the largest 4-connected region of pixels above BODY_HU (a flood fill written
 * here: it is a few lines and no library we use has one). The CT table and its mattress lie outside it,
 * separated by air or foam. 1 = body, 0 = not; null when the slice has no such pixel.
 */
export function bodyMask(v: HuVolume, k: number): Uint8Array | null {
  const g = v.geometry;
  const C = g.columns;
  const n = g.rows * C;
  const base = k * n;
  const label = new Int32Array(n);
  const queue = new Int32Array(n);
  let best = 0;
  let bestSize = 0;
  let next = 0;
  for (let p0 = 0; p0 < n; p0++) {
    if (label[p0] !== 0 || v.hu[base + p0]! <= BODY_HU) continue;
    next++;
    let head = 0;
    let tail = 0;
    queue[tail++] = p0;
    label[p0] = next;
    while (head < tail) {
      const p = queue[head++]!;
      const i = p % C;
      for (let d = 0; d < 4; d++) {
        const q = d === 0 ? (i > 0 ? p - 1 : -1) : d === 1 ? (i < C - 1 ? p + 1 : -1) : d === 2 ? p - C : p + C;
        if (q < 0 || q >= n || label[q] !== 0 || v.hu[base + q]! <= BODY_HU) continue;
        label[q] = next;
        queue[tail++] = q;
      }
    }
    if (tail > bestSize) {
      bestSize = tail;
      best = next;
    }
  }
  if (best === 0) return null;
  const mask = new Uint8Array(n);
  for (let p = 0; p < n; p++) mask[p] = label[p] === best ? 1 : 0;
  return mask;
}

/**
 * Where the vertebral bodies and the spinal midline are, for the default coronal row and sagittal column.
 * On a sample of the slices, the vertebra is found as the anatomy checks find it (core findVertebra: the
 * largest front-to-back cluster of bone >= 200 HU near the median bone column, so not the CT table, the
 * sternum, the ribs or the iliac wings); the midline column is the median of its midlines. Then along
 * that column (+-BAND_MM) each slice's rows from 10 mm in front of the vertebra to its back are read:
 * a row is bone where half the band or more is HU 120..1500 (trabecular bone of an older patient
 * included; an osteophyte's or a vessel's edge is not), runs of bone rows are joined
 * over gaps up to 2 mm, and the vertebral body is the front-most run at least MIN_BODY_MM deep (the thin
 * front edge and a calcified vessel in front are shorter; the canal parts it from the arch). The row is
 * the median of the bodies' middles: through the vertebral bodies, not their front edge, the aorta or
 * the canal. The column is then the median centre of the bodies' width on those rows (the body is
 * symmetric about the midline; the finder's column can lean towards a contrast-filled aorta).
 * Null when no slice of the sample has a vertebra (a phantom without bone).
 */
const BAND_MM = 5;
const MIN_BODY_MM = 10;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const spineCache = new WeakMap<HuVolume, { row: number; column: number } | null>();

export function spinePosition(v: HuVolume): { row: number; column: number } | null {
  if (spineCache.has(v)) return spineCache.get(v)!;
  const found = findSpine(v);
  spineCache.set(v, found);
  return found;
}

function findSpine(v: HuVolume): { row: number; column: number } | null {
  const g = v.geometry;
  const found: { k: number; column: number; front: number; back: number }[] = [];
  for (const k of sampleSlices(g.slices, 12)) {
    const vb = findVertebra(v, k);
    if (!vb) continue;
    const z = g.slicePositions[k]![2];
    const [front, back] = lpsToSliceIj(g, k, [
      [vb.midX, vb.frontY, z],
      [vb.midX, vb.backY, z],
    ]);
    found.push({ k, column: front![0], front: Math.min(front![1], back![1]), back: Math.max(front![1], back![1]) });
  }
  if (!found.length) return null;
  const clamp = (x: number, n: number) => Math.max(0, Math.min(n - 1, Math.round(x)));
  const column = clamp(median(found.map((f) => f.column)), g.columns);
  const half = Math.max(1, Math.round(BAND_MM / g.columnSpacingMm));
  const joinRows = Math.max(1, Math.round(2 / g.rowSpacingMm));
  const minRows = Math.max(2, Math.round(MIN_BODY_MM / g.rowSpacingMm));
  const middles: number[] = [];
  const centres: number[] = [];
  for (const f of found) {
    const off = f.k * g.rows * g.columns;
    const j0 = clamp(f.front - 10 / g.rowSpacingMm, g.rows);
    const j1 = clamp(f.back, g.rows);
    let start = -1;
    let last = -1;
    let body: number | null = null;
    for (let j = j0; j <= j1 + joinRows + 1 && body === null; j++) {
      let n = 0;
      let nBone = 0;
      if (j <= j1)
        for (let i = Math.max(0, column - half); i <= Math.min(g.columns - 1, column + half); i++) {
          const hu = v.hu[off + j * g.columns + i]!;
          n++;
          if (hu >= 120 && hu <= 1500) nBone++;
        }
      const bone = n > 0 && nBone * 2 >= n;
      if (bone) {
        if (start < 0 || j - last > joinRows + 1) start = j;
        last = j;
      } else if (start >= 0 && j - last > joinRows) {
        if (last - start + 1 >= minRows) body = (start + last) / 2;
        start = -1;
      }
    }
    if (body === null) continue;
    middles.push(body);
    // the body's width on its middle row: its centre is the midline (a contrast-filled aorta beside the
    // body can pull the vertebra finder's median bone column off it)
    const row = off + Math.round(body) * g.columns;
    const isBone = (i: number) => i >= 0 && i < g.columns && v.hu[row + i]! >= 120 && v.hu[row + i]! <= 1500;
    let lo = column;
    let hi = column;
    const reach = (i: number, d: 1 | -1) => {
      let gap = 0;
      for (let x = i + d; x >= 0 && x < g.columns && gap <= joinRows; x += d) {
        if (isBone(x)) ((gap = 0), (i = x));
        else gap++;
      }
      return i;
    };
    if (isBone(column)) {
      lo = reach(column, -1);
      hi = reach(column, 1);
      centres.push((lo + hi) / 2);
    }
  }
  if (!middles.length) return null;
  return { row: clamp(median(middles), g.rows), column: centres.length ? clamp(median(centres), g.columns) : column };
}

/**
 * A row j that cuts through the vertebral bodies, for the default coronal plane: spinePosition's row;
 * without a vertebra found, the row with the most bone (HU 150..1500) inside the patient (bodyMask: not
 * the CT table, which is as dense as bone and spans the whole width) within +-20 mm of the middle column,
 * over a sample of the slices, smoothed over +-10 mm (triangular weights); the middle row when no bone is found.
 */
export function spineRow(v: HuVolume): number {
  const found = spinePosition(v);
  if (found) return found.row;
  return boneRow(v);
}

function boneRow(v: HuVolume): number {
  const g = v.geometry;
  const mid = Math.floor(g.columns / 2);
  const half = Math.max(1, Math.round(20 / g.columnSpacingMm));
  const i0 = Math.max(0, mid - half);
  const i1 = Math.min(g.columns - 1, mid + half);
  const n = g.rows * g.columns;
  const counts = new Float64Array(g.rows);
  for (const k of sampleSlices(g.slices, 12)) {
    const body = bodyMask(v, k);
    for (let j = 0; j < g.rows; j++) {
      const row = j * g.columns;
      let c = 0;
      for (let i = i0; i <= i1; i++) {
        if (body && body[row + i] !== 1) continue;
        const hu = v.hu[k * n + row + i]!;
        if (hu >= 150 && hu <= 1500) c++;
      }
      counts[j] = counts[j]! + c;
    }
  }
  // Triangular smoothing over +-10 mm: the densest slab of bone is the vertebral bodies, not the thin
  // boundary between a body and its posterior elements (the thorax CT's single densest rows).
  const reach = Math.max(1, Math.round(10 / g.rowSpacingMm));
  let best = -1;
  let bestScore = 0;
  for (let j = 0; j < g.rows; j++) {
    let s = 0;
    for (let d = -reach; d <= reach; d++) s += (reach + 1 - Math.abs(d)) * (counts[j + d] ?? 0);
    if (s > bestScore) {
      bestScore = s;
      best = j;
    }
  }
  return best >= 0 ? best : Math.floor(g.rows / 2);
}

/**
 * The part of a reformat's width (first and last pixel across, inclusive) that holds the patient:
 * the body masks' extent over a sample of slices, widened by 10 mm; the whole width when no body is
 * found. The view zooms onto it so that a short series (20 slices) is not a thin strip.
 */
export function bodyExtent(v: HuVolume, plane: ReformatPlane): { from: number; to: number } {
  const g = v.geometry;
  const w = reformatWidth(v, plane);
  let lo = w;
  let hi = -1;
  for (const k of sampleSlices(g.slices, 6)) {
    const body = bodyMask(v, k);
    if (!body) continue;
    for (let j = 0; j < g.rows; j++)
      for (let i = 0; i < g.columns; i++) {
        if (body[j * g.columns + i] !== 1) continue;
        const x = plane === 'sagittal' ? j : i;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
  }
  if (hi < 0) return { from: 0, to: w - 1 };
  const margin = Math.round(10 / reformatPixelMm(v, plane));
  return { from: Math.max(0, lo - margin), to: Math.min(w - 1, hi + margin) };
}

/**
 * Where the spine is across the columns, for the default sagittal plane: spinePosition's midline; without
 * a vertebra found, the mean column of the bone pixels (HU 150..1500) inside the patient within +-10 mm of
 * `row` and +-50 mm of the middle column, over a sample of the slices; the middle column when there are none.
 */
export function spineColumn(v: HuVolume, row: number): number {
  const found = spinePosition(v);
  if (found) return found.column;
  const g = v.geometry;
  const mid = Math.floor(g.columns / 2);
  const half = Math.round(50 / g.columnSpacingMm);
  const reach = Math.max(1, Math.round(10 / g.rowSpacingMm));
  const n = g.rows * g.columns;
  let sum = 0;
  let count = 0;
  for (const k of sampleSlices(g.slices, 12)) {
    const body = bodyMask(v, k);
    for (let j = Math.max(0, row - reach); j <= Math.min(g.rows - 1, row + reach); j++)
      for (let i = Math.max(0, mid - half); i <= Math.min(g.columns - 1, mid + half); i++) {
        const p = j * g.columns + i;
        if (body && body[p] !== 1) continue;
        const hu = v.hu[k * n + p]!;
        if (hu >= 150 && hu <= 1500) {
          sum += i;
          count++;
        }
      }
  }
  return count > 0 ? sum / count : mid;
}

/** The narrowest a zoomed reformat gets across (mm): a short series shows the spine and what is beside it. */
export const MIN_ZOOM_MM = 80;

/** What the zoom of a reformat is built on (per volume): the patient's extent and where the spine is across. */
export interface ZoomBasis {
  /** First and last pixel across holding the patient (bodyExtent). */
  from: number;
  to: number;
  /** Where to centre a window narrower than the patient, in pixels across (pixel centres at i + 0.5). */
  centre: number;
  /** mm per pixel across, and the physical height (slices x slice spacing) in mm. */
  pixelMm: number;
  heightMm: number;
}

export function zoomBasis(v: HuVolume, plane: ReformatPlane): ZoomBasis {
  const e = bodyExtent(v, plane);
  const pixelMm = reformatPixelMm(v, plane);
  const row = spineRow(v);
  const centre = plane === 'sagittal' ? row + 0.5 : spineColumn(v, row) + 0.5;
  return { ...e, centre, pixelMm, heightMm: v.geometry.slices * (sliceSpacingMm(v.geometry) || pixelMm) };
}

/**
 * The window across (pixels, `to` exclusive) a reformat shows in a box of boxW x boxH at true aspect:
 * the patient's extent when the series is tall enough to fill the box height with it; for a short
 * series (20 slices of 2 mm) the width that fills the height, at least MIN_ZOOM_MM, centred on the
 * spine and kept inside the patient, so the image is not a thin strip under the slice line.
 */
export function zoomWindow(b: ZoomBasis, boxW: number, boxH: number): { from: number; to: number } {
  const bodyPx = b.to - b.from + 1;
  const fitPx = (b.heightMm * (boxW / Math.max(1, boxH))) / b.pixelMm;
  const widthPx = Math.min(bodyPx, Math.max(MIN_ZOOM_MM / b.pixelMm, fitPx));
  const from = Math.max(b.from, Math.min(b.to + 1 - widthPx, b.centre - widthPx / 2));
  return { from, to: from + widthPx };
}
