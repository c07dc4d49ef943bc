/**
 * Map a NIfTI label image onto a CT grid (VolumeGeometry) by nearest voxel centre, through both
 * files' geometry. The two grids are never assumed to be aligned.
 *
 * For each CT voxel centre (i, j, k):
 *   lps = slicePositions[k] + i*columnSpacingMm*rowDirection + j*rowSpacingMm*columnDirection
 *   ras = (-lps.x, -lps.y, lps.z)
 *   (u, v, w) = inverse(NIfTI affine) * ras          continuous NIfTI voxel index
 *   NIfTI voxel = (floor(u + 0.5), floor(v + 0.5), floor(w + 0.5)), used when inside 0..n-1.
 * So a NIfTI voxel owns the half-open box [-0.5, n-0.5) around its centre along each axis, and CT
 * voxels whose centre falls outside the NIfTI volume read 0. The map is affine in i, so each CT row
 * is one start point and one step, and the range of i inside the NIfTI volume is solved per row.
 *
 * Values are compared after scl_slope/scl_inter. A voxel is set only when its value is finite and
 * non-zero (a NaN or infinite background is never inside): a binary mask selects those; a label
 * selects Math.round(value) === label.
 *
 * Bounded work: a multilabel file yields at most MAX_LABELS distinct labels, and the masks of one load
 * take at most MAX_MASK_BYTES (refused with a reason past either). With `compact`, a mask holds only
 * the slices asked for.
 */
import { UserError } from '../errors';
import type { VolumeGeometry } from '../geometry/volumeGeometry';
import type { NiftiImage } from './nifti';

export interface GridSampleOptions {
  /** Only these CT slice indices are filled (the output still covers the whole grid); default all. */
  readonly slices?: readonly number[];
  /** Name used in error messages (e.g. the mask's structure name or file name). */
  readonly name?: string;
  /**
   * Output only the slices asked for, in the order of `slices` (slices.length*rows*columns), instead
   * of the whole grid with only those slices filled.
   */
  readonly compact?: boolean;
}

/** Most distinct labels a multilabel file may hold (TotalSegmentator's 'total' task has 117). */
export const MAX_LABELS = 1000;
/** Most bytes the masks of one load may take (one byte per CT voxel and mask: 2 GiB). */
export const MAX_MASK_BYTES = 2 * 1024 * 1024 * 1024;

/** Bytes of one mask on the grid (whole grid, or only the slices asked for when compact). */
export function maskBytes(g: VolumeGeometry, opts: GridSampleOptions = {}): number {
  const slices = opts.compact && opts.slices ? opts.slices.length : g.slices;
  return g.columns * g.rows * slices;
}

/** A load refused because it would pass a limit (MAX_LABELS, MAX_MASK_BYTES): it stops the whole load. */
export class MaskLimitError extends UserError {
  constructor(message: string) {
    super('input', message);
    this.name = 'MaskLimitError';
  }
}

/** The load that would take more than MAX_MASK_BYTES of masks. */
export function maskBudgetError(name: string, masks: number, bytesEach: number, limit = MAX_MASK_BYTES): MaskLimitError {
  const mib = (n: number) => `${Math.round(n / (1024 * 1024))} MiB`;
  return new MaskLimitError( `${name}: ${masks} masks of ${mib(bytesEach)} on this CT grid would take more than the limit of ${mib(limit)}; ask for fewer structures`);
}

export interface ResampleOptions extends GridSampleOptions {
  /** Label value to select; undefined selects every non-zero voxel (binary masks). */
  readonly label?: number;
  /**
   * A probability map's threshold (core/masks/maskValues): select voxels whose finite value is >= it,
   * instead of every non-zero one. Not used with `label`.
   */
  readonly threshold?: number;
}

/** Error thrown when a mask's volume contains no CT voxel centre at all. */
export class MaskOverlapError extends UserError {
  constructor(name: string) {
    super('input', `mask ${name} does not overlap the CT`);
    this.name = 'MaskOverlapError';
  }
}

export interface RowMap {
  /** Continuous NIfTI index of CT voxel (0, 0, k) for each slice k: [u, v, w]. */
  readonly sliceStart: (k: number) => [number, number, number];
  /** Step of the continuous NIfTI index per CT column (i) and per CT row (j). */
  readonly di: [number, number, number];
  readonly dj: [number, number, number];
}

function invert3x4(a: readonly number[], name: string): number[] {
  // a: row-major 4x4 (only the top 3 rows are used). Returns row-major 3x4 inverse [Minv | -Minv t].
  const m00 = a[0]!, m01 = a[1]!, m02 = a[2]!, t0 = a[3]!;
  const m10 = a[4]!, m11 = a[5]!, m12 = a[6]!, t1 = a[7]!;
  const m20 = a[8]!, m21 = a[9]!, m22 = a[10]!, t2 = a[11]!;
  const c00 = m11 * m22 - m12 * m21;
  const c01 = m02 * m21 - m01 * m22;
  const c02 = m01 * m12 - m02 * m11;
  const c10 = m12 * m20 - m10 * m22;
  const c11 = m00 * m22 - m02 * m20;
  const c12 = m02 * m10 - m00 * m12;
  const c20 = m10 * m21 - m11 * m20;
  const c21 = m01 * m20 - m00 * m21;
  const c22 = m00 * m11 - m01 * m10;
  const det = m00 * c00 + m01 * c10 + m02 * c20;
  const scaleRef = Math.max(Math.abs(m00), Math.abs(m11), Math.abs(m22), Math.abs(m01), Math.abs(m10), 1e-30);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12 * scaleRef ** 3) {
    throw new UserError('input', `mask ${name}: NIfTI affine is singular or not finite`);
  }
  const r = 1 / det;
  const inv = [c00 * r, c01 * r, c02 * r, c10 * r, c11 * r, c12 * r, c20 * r, c21 * r, c22 * r];
  return [
    inv[0]!, inv[1]!, inv[2]!, -(inv[0]! * t0 + inv[1]! * t1 + inv[2]! * t2),
    inv[3]!, inv[4]!, inv[5]!, -(inv[3]! * t0 + inv[4]! * t1 + inv[5]! * t2),
    inv[6]!, inv[7]!, inv[8]!, -(inv[6]! * t0 + inv[7]! * t1 + inv[8]! * t2),
  ];
}

export function rowMap(img: NiftiImage, g: VolumeGeometry, name: string): RowMap {
  const inv = invert3x4(img.affine, name);
  // LPS point or direction -> RAS (negate x, y), then through the inverse affine.
  const applyDir = (d: readonly number[]): [number, number, number] => {
    const x = -d[0]!, y = -d[1]!, z = d[2]!;
    return [inv[0]! * x + inv[1]! * y + inv[2]! * z, inv[4]! * x + inv[5]! * y + inv[6]! * z, inv[8]! * x + inv[9]! * y + inv[10]! * z];
  };
  const applyPoint = (p: readonly number[]): [number, number, number] => {
    const d = applyDir(p);
    return [d[0] + inv[3]!, d[1] + inv[7]!, d[2] + inv[11]!];
  };
  const r = g.rowDirection;
  const c = g.columnDirection;
  const di = applyDir([r[0] * g.columnSpacingMm, r[1] * g.columnSpacingMm, r[2] * g.columnSpacingMm]);
  const dj = applyDir([c[0] * g.rowSpacingMm, c[1] * g.rowSpacingMm, c[2] * g.rowSpacingMm]);
  return { sliceStart: (k) => applyPoint(g.slicePositions[k]!), di, dj };
}

/**
 * Integer range [lo, hi] of CT columns i whose centre maps inside the NIfTI volume for a row whose
 * continuous NIfTI index is start + i*step; empty when lo > hi. Conservative by one column on each
 * side (callers bounds-check every voxel), never missing a column.
 */
export function rowRange(start: readonly number[], step: readonly number[], n: readonly number[], columns: number): [number, number] {
  let lo = 0;
  let hi = columns - 1;
  for (let a = 0; a < 3; a++) {
    const s = start[a]!;
    const d = step[a]!;
    const min = -0.5;
    const max = n[a]! - 0.5; // inside when min <= s + i*d < max
    if (Math.abs(d) < 1e-12) {
      if (!(s >= min - 1e-9 && s < max + 1e-9)) return [1, 0];
      continue;
    }
    let a0 = (min - s) / d;
    let a1 = (max - s) / d;
    if (a0 > a1) [a0, a1] = [a1, a0];
    lo = Math.max(lo, Math.floor(a0) - 1);
    hi = Math.min(hi, Math.ceil(a1) + 1);
    if (lo > hi) return [1, 0];
  }
  return [lo, hi];
}

function checkSlices(g: VolumeGeometry, slices: readonly number[] | undefined): readonly number[] {
  if (slices === undefined) return Array.from({ length: g.slices }, (_, k) => k);
  for (const k of slices) {
    if (!Number.isInteger(k) || k < 0 || k >= g.slices) throw new RangeError(`slice ${k} is outside 0..${g.slices - 1}`);
  }
  return slices;
}

/**
 * Visit every CT voxel (on the chosen slices) whose centre maps inside the NIfTI volume, with the CT
 * voxel offset (k*rows*columns + j*columns + i) and the NIfTI voxel offset (u + nx*(v + ny*w)).
 * Returns the number of voxels visited.
 */
export function forEachMappedVoxel(
  img: NiftiImage,
  g: VolumeGeometry,
  slices: readonly number[] | undefined,
  visit: (ctOffset: number, niftiOffset: number) => void,
  name = 'NIfTI',
): number {
  const ks = checkSlices(g, slices);
  const map = rowMap(img, g, name);
  const { nx, ny, nz } = img;
  const n = [nx, ny, nz];
  const [du, dv, dw] = map.di;
  const nxy = nx * ny;
  const plane = g.rows * g.columns;
  let visited = 0;
  for (const k of ks) {
    const s0 = map.sliceStart(k);
    for (let j = 0; j < g.rows; j++) {
      const su = s0[0] + j * map.dj[0];
      const sv = s0[1] + j * map.dj[1];
      const sw = s0[2] + j * map.dj[2];
      const [lo, hi] = rowRange([su, sv, sw], map.di, n, g.columns);
      const rowBase = k * plane + j * g.columns;
      if (dv === 0 && dw === 0) {
        // CT rows run along a NIfTI axis (the usual case): v and w are the same for the whole row.
        const v = Math.floor(sv + 0.5);
        const w = Math.floor(sw + 0.5);
        if (v < 0 || v >= ny || w < 0 || w >= nz) continue;
        const base = nx * v + nxy * w;
        for (let i = lo; i <= hi; i++) {
          const u = Math.floor(su + i * du + 0.5);
          if (u < 0 || u >= nx) continue;
          visit(rowBase + i, u + base);
          visited++;
        }
        continue;
      }
      for (let i = lo; i <= hi; i++) {
        const u = Math.floor(su + i * du + 0.5);
        const v = Math.floor(sv + i * dv + 0.5);
        const w = Math.floor(sw + i * dw + 0.5);
        if (u < 0 || u >= nx || v < 0 || v >= ny || w < 0 || w >= nz) continue;
        visit(rowBase + i, u + nx * v + nxy * w);
        visited++;
      }
    }
  }
  return visited;
}

/**
 * The NIfTI voxel offset (u + nx*(v + ny*w)) that CT voxel (i, j, k) reads, or -1 when its centre falls
 * outside the NIfTI volume: the same arithmetic as forEachMappedVoxel, so a voxel looked up here is set
 * exactly when that walk would visit it with this offset (for a few voxels: no walk over the grid).
 */
export function niftiOffsetAt(img: NiftiImage, g: VolumeGeometry, name = 'NIfTI'): (k: number, j: number, i: number) => number {
  const map = rowMap(img, g, name);
  const { nx, ny, nz } = img;
  const n = [nx, ny, nz];
  const [du, dv, dw] = map.di;
  const nxy = nx * ny;
  return (k, j, i) => {
    const s0 = map.sliceStart(k);
    const su = s0[0] + j * map.dj[0];
    const sv = s0[1] + j * map.dj[1];
    const sw = s0[2] + j * map.dj[2];
    const [lo, hi] = rowRange([su, sv, sw], map.di, n, g.columns);
    if (i < lo || i > hi) return -1;
    if (dv === 0 && dw === 0) {
      const v = Math.floor(sv + 0.5);
      const w = Math.floor(sw + 0.5);
      if (v < 0 || v >= ny || w < 0 || w >= nz) return -1;
      const u = Math.floor(su + i * du + 0.5);
      return u < 0 || u >= nx ? -1 : u + nx * v + nxy * w;
    }
    const u = Math.floor(su + i * du + 0.5);
    const v = Math.floor(sv + i * dv + 0.5);
    const w = Math.floor(sw + i * dw + 0.5);
    if (u < 0 || u >= nx || v < 0 || v >= ny || w < 0 || w >= nz) return -1;
    return u + nx * v + nxy * w;
  };
}

/**
 * The label (Math.round of the scaled value, as resampleLabels selects it) that CT voxel (i, j, k) reads
 * from a multilabel image; 0 outside the image and for 0, NaN and infinite values.
 */
export function labelAt(img: NiftiImage, g: VolumeGeometry, name = 'NIfTI'): (k: number, j: number, i: number) => number {
  const at = niftiOffsetAt(img, g, name);
  const scale = scaler(img);
  const data = img.data;
  return (k, j, i) => {
    const o = at(k, j, i);
    if (o < 0) return 0;
    const v = Math.round(scale(data[o]!));
    return v !== 0 && Number.isFinite(v) ? v : 0;
  };
}

/**
 * A mask file may declare at most this many times the voxels its grid needs to cover the CT (and more
 * than MIN_DECLARED_BYTES_CHECKED): a mask on a larger scan than the series (a whole-body CT, a series
 * of its lumbar part) needs a few times more; a header declaring hundreds of times more is refused
 * before its data is inflated.
 */
export const MAX_DECLARED_OVER_NEEDED = 16;
/** Masks declaring up to this many bytes are never refused for their size against the CT (16 MiB). */
export const MIN_DECLARED_BYTES_CHECKED = 16 * 1024 * 1024;

export interface GridCoverage {
  /** Whether the mask's grid can hold a CT voxel centre (by bounding boxes: true may still not overlap). */
  readonly overlaps: boolean;
  /** Voxels of the mask's grid along i, j, k within the box that holds the CT's voxel centres. */
  readonly box: readonly [number, number, number];
  /** box[0] * box[1] * box[2]: the mask voxels the CT can use. */
  readonly neededVoxels: number;
}

/**
 * Which part of a mask's grid the CT can use, from the header alone (dims and affine): the CT's corner
 * voxel centres on every slice, through the inverse affine, give a box in the mask's voxel indices
 * (nearest voxel centre), clamped to the grid. Conservative: `overlaps` false means no CT voxel centre
 * maps inside the mask's grid.
 */
export function gridCoverage(hdr: Pick<NiftiImage, 'affine' | 'nx' | 'ny' | 'nz'>, g: VolumeGeometry, name = 'NIfTI'): GridCoverage {
  const inv = invert3x4(hdr.affine, name);
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  const r = g.rowDirection;
  const c = g.columnDirection;
  for (const p of g.slicePositions) {
    for (const i of [0, g.columns - 1]) {
      for (const j of [0, g.rows - 1]) {
        // LPS -> RAS, then the inverse affine: the continuous mask voxel index.
        const x = -(p[0] + i * g.columnSpacingMm * r[0] + j * g.rowSpacingMm * c[0]);
        const y = -(p[1] + i * g.columnSpacingMm * r[1] + j * g.rowSpacingMm * c[1]);
        const z = p[2] + i * g.columnSpacingMm * r[2] + j * g.rowSpacingMm * c[2];
        for (let a = 0; a < 3; a++) {
          const u = inv[4 * a]! * x + inv[4 * a + 1]! * y + inv[4 * a + 2]! * z + inv[4 * a + 3]!;
          lo[a] = Math.min(lo[a]!, u);
          hi[a] = Math.max(hi[a]!, u);
        }
      }
    }
  }
  const n = [hdr.nx, hdr.ny, hdr.nz];
  const box = [0, 0, 0] as [number, number, number];
  for (let a = 0; a < 3; a++) {
    const from = Math.max(0, Math.floor(lo[a]! + 0.5));
    const to = Math.min(n[a]! - 1, Math.floor(hi[a]! + 0.5));
    box[a] = Number.isFinite(from) && Number.isFinite(to) ? Math.max(0, to - from + 1) : 0;
  }
  const neededVoxels = box[0] * box[1] * box[2];
  return { overlaps: neededVoxels > 0, box, neededVoxels };
}

/**
 * Why a mask's header cannot match the CT, checked before its data is inflated: a grid that holds no
 * CT voxel centre (MaskOverlapError, thrown), or a declared image far larger than the part of its grid
 * the CT can use (a reason, returned); undefined when it may match.
 */
export function gridFitProblem(hdr: Pick<NiftiImage, 'affine' | 'nx' | 'ny' | 'nz'>, bytesPerVoxel: number, g: VolumeGeometry, name = 'NIfTI'): string | undefined {
  const cov = gridCoverage(hdr, g, name);
  if (!cov.overlaps) throw new MaskOverlapError(name);
  const declared = hdr.nx * hdr.ny * hdr.nz;
  const dataBytes = declared * bytesPerVoxel;
  if (dataBytes > MIN_DECLARED_BYTES_CHECKED && declared > MAX_DECLARED_OVER_NEEDED * cov.neededVoxels) {
    const mib = (b: number) => `${(b / (1024 * 1024)).toFixed(b < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
    return (
      `declares ${hdr.nx}x${hdr.ny}x${hdr.nz} voxels (${mib(dataBytes)}) but the CT lies within ${cov.box.join('x')} of them ` +
      `(${mib(cov.neededVoxels * bytesPerVoxel)}): more than ${MAX_DECLARED_OVER_NEEDED} times what this series needs; not read`
    );
  }
  return undefined;
}

/** True when at least one CT voxel centre (on any slice) falls inside the NIfTI volume. */
export function niftiOverlapsGrid(img: NiftiImage, g: VolumeGeometry): boolean {
  const map = rowMap(img, g, 'NIfTI');
  const n = [img.nx, img.ny, img.nz];
  for (let k = 0; k < g.slices; k++) {
    const s0 = map.sliceStart(k);
    for (let j = 0; j < g.rows; j++) {
      const s = [s0[0] + j * map.dj[0], s0[1] + j * map.dj[1], s0[2] + j * map.dj[2]];
      const [lo, hi] = rowRange(s, map.di, n, g.columns);
      for (let i = lo; i <= hi; i++) {
        let inside = true;
        for (let a = 0; a < 3 && inside; a++) {
          const x = Math.floor(s[a]! + i * map.di[a]! + 0.5);
          inside = x >= 0 && x < n[a]!;
        }
        if (inside) return true;
      }
    }
  }
  return false;
}

export function scaler(img: NiftiImage): (raw: number) => number {
  const s = img.sclSlope;
  if (!Number.isFinite(s) || s === 0 || (s === 1 && !img.sclInter)) return (raw) => raw;
  const b = Number.isFinite(img.sclInter) ? img.sclInter : 0;
  return (raw) => raw * s + b;
}

/**
 * Binary mask on the CT grid (Uint8Array of columns*rows*slices, 1 = selected) from a NIfTI image:
 * voxels with `label` (or any non-zero value when no label is given). Throws MaskOverlapError when the
 * NIfTI volume contains no CT voxel centre; a mask that overlaps but has no selected voxel there is
 * simply empty. With `slices`, only those slices are filled (others stay 0).
 */
export function resampleMask(img: NiftiImage, g: VolumeGeometry, opts: ResampleOptions = {}): Uint8Array {
  const name = opts.name ?? 'NIfTI';
  checkSlices(g, opts.slices);
  if (!niftiOverlapsGrid(img, g)) throw new MaskOverlapError(name);
  const out = new Uint8Array(maskBytes(g, opts));
  const data = img.data;
  const scale = scaler(img);
  const label = opts.label;
  const threshold = opts.threshold;
  const set =
    label !== undefined
      ? (ct: number, nv: number) => {
          if (Math.round(scale(data[nv]!)) === label) out[ct] = 1;
        }
      : threshold !== undefined
        ? (ct: number, nv: number) => {
            const v = scale(data[nv]!);
            if (v >= threshold && Number.isFinite(v)) out[ct] = 1;
          }
        : (ct: number, nv: number) => {
            const v = scale(data[nv]!);
            if (v !== 0 && Number.isFinite(v)) out[ct] = 1;
          };
  forEachGridVoxel(img, g, opts, set, name);
  return out;
}

export interface LabelSampleOptions extends GridSampleOptions {
  /**
   * Which label values to split out (default: every non-zero label). Masks are allocated only for
   * selected labels, so a 100-label file costs one array per label asked for, not per label present.
   */
  readonly select?: (label: number) => boolean;
  /** Limits (defaults MAX_LABELS distinct labels in the file, MAX_MASK_BYTES for the masks returned). */
  readonly maxLabels?: number;
  readonly maxMaskBytes?: number;
}

/**
 * Split a multilabel NIfTI onto the CT grid in one pass: label value -> binary mask on the CT grid,
 * for every selected non-zero label (Math.round of the scaled value) that occurs on the sampled CT
 * voxels, in increasing label order. Throws MaskOverlapError when the volumes do not overlap.
 */
export function resampleLabels(img: NiftiImage, g: VolumeGeometry, opts: LabelSampleOptions = {}): Map<number, Uint8Array> {
  const name = opts.name ?? 'NIfTI';
  checkSlices(g, opts.slices);
  if (!niftiOverlapsGrid(img, g)) throw new MaskOverlapError(name);
  const bytesEach = maskBytes(g, opts);
  const maxBytes = opts.maxMaskBytes ?? MAX_MASK_BYTES;
  const masks = new Map<number, Uint8Array>();
  const select = opts.select;
  const data = img.data;
  let lastMask: Uint8Array | null = null;
  const label = labelDecider(img, name, opts.maxLabels, (v) => {
    if (select && !select(v)) return null;
    let m = masks.get(v);
    if (!m) {
      if ((masks.size + 1) * bytesEach > maxBytes) throw maskBudgetError(name, masks.size + 1, bytesEach, maxBytes);
      masks.set(v, (m = new Uint8Array(bytesEach)));
    }
    return m;
  });
  let lastRaw = NaN;
  forEachGridVoxel(img, g, opts, (ct, nv) => {
    const raw = data[nv]!;
    if (raw !== lastRaw) {
      lastRaw = raw;
      lastMask = label(raw);
    }
    if (lastMask) lastMask[ct] = 1;
  }, name);
  return new Map([...masks.entries()].sort((a, b) => a[0] - b[0]));
}

/**
 * Raw voxel value -> what `onLabel` makes of its label (Math.round of the scaled value), or null for
 * 0, NaN and infinite values. Decisions are cached per raw value; more than `maxLabels` distinct labels
 * are refused (UserError naming the file).
 */
export function labelDecider<T>(img: NiftiImage, name: string, maxLabels: number | undefined, onLabel: (label: number) => T | null): (raw: number) => T | null {
  const limit = maxLabels ?? MAX_LABELS;
  const scale = scaler(img);
  const decided = new Map<number, T | null>();
  const labels = new Set<number>();
  return (raw) => {
    let m = decided.get(raw);
    if (m === undefined) {
      const v = Math.round(scale(raw));
      m = null;
      if (v !== 0 && Number.isFinite(v)) {
        if (!labels.has(v)) {
          if (labels.size >= limit) {
            throw new MaskLimitError(`${name}: more than ${limit} distinct labels (the limit for a multilabel file); is it a label image?`);
          }
          labels.add(v);
        }
        m = onLabel(v);
      }
      // Bounded cache: a float image may hold millions of raw values for few labels.
      if (decided.size >= 65536) decided.clear();
      decided.set(raw, m);
    }
    return m;
  };
}

/**
 * forEachMappedVoxel on the slices of `opts`; with `compact`, CT offsets count within the slices asked
 * for (n-th slice of `opts.slices` at n*rows*columns).
 */
export function forEachGridVoxel(img: NiftiImage, g: VolumeGeometry, opts: GridSampleOptions, visit: (ctOffset: number, niftiOffset: number) => void, name: string): void {
  if (!opts.compact || !opts.slices) {
    forEachMappedVoxel(img, g, opts.slices, visit, name);
    return;
  }
  const plane = g.rows * g.columns;
  opts.slices.forEach((k, n) => {
    const shift = (n - k) * plane;
    forEachMappedVoxel(img, g, [k], (ct, nv) => visit(ct + shift, nv), name);
  });
}

/** Number of set voxels in a mask, optionally on one slice only. */
export function countVoxels(mask: Uint8Array, g: VolumeGeometry, slice?: number): number {
  const plane = g.rows * g.columns;
  const from = slice === undefined ? 0 : slice * plane;
  const to = slice === undefined ? mask.length : from + plane;
  let n = 0;
  for (let o = from; o < to; o++) n += mask[o]! !== 0 ? 1 : 0;
  return n;
}
