/**
 * What the level finder (levels.ts) needs of a vertebra mask, without the mask itself on every slice:
 * per slice its voxel count, per slice and row the count and the sum of column indices (its centroid and
 * its anterior part), its in-plane footprint, and a look-up of single voxels (a few hundred per level).
 *
 * From a multilabel file (labelSliceProfiles) every selected label's profile comes from ONE walk over
 * the CT grid, counting as it goes: no whole-volume mask per label is made or scanned (on a 336-slice
 * 512 x 512 series with a TotalSegmentator file that split was most of `measure`'s level finding).
 * The voxels counted are exactly those resampleLabels would set (forEachMappedVoxel's walk and arithmetic),
 * so levels come out the same to the bit.
 */
import type { VolumeGeometry } from '../geometry/volumeGeometry';
import type { NiftiImage } from './nifti';
import { labelAt, labelDecider, MaskOverlapError, niftiOverlapsGrid, rowMap, rowRange, scaler } from './resample';

export interface MaskSliceProfile {
  readonly name: string;
  /** Set voxels on each slice (length slices). */
  readonly perSlice: Int32Array;
  /** Set voxels on each row j of each slice k, at k * rows + j. */
  readonly rowCounts: Int32Array;
  /** Sum of the column indices i of those voxels, at k * rows + j (exact: integers below 2^53). */
  readonly rowSumI: Float64Array;
  /** 1 at in-plane pixel i + j * columns where any slice has a set voxel. */
  readonly footprint: Uint8Array;
  /** Whether voxel (pixel q = i + j * columns of slice k) is set. */
  isSet(k: number, q: number): boolean;
}

function emptyProfile(name: string, g: VolumeGeometry, isSet: (k: number, q: number) => boolean): MaskSliceProfile {
  return {
    name,
    perSlice: new Int32Array(g.slices),
    rowCounts: new Int32Array(g.slices * g.rows),
    rowSumI: new Float64Array(g.slices * g.rows),
    footprint: new Uint8Array(g.rows * g.columns),
    isSet,
  };
}

/** The profile of a binary mask on the whole CT grid (length columns*rows*slices). */
export function profileFromMask(name: string, mask: Uint8Array, g: VolumeGeometry): MaskSliceProfile {
  const plane = g.rows * g.columns;
  if (mask.length !== plane * g.slices) {
    throw new Error(`mask ${name} has ${mask.length} voxels; the CT grid has ${plane * g.slices}`);
  }
  const p = emptyProfile(name, g, (k, q) => mask[k * plane + q] !== 0);
  const { perSlice, rowCounts, rowSumI, footprint } = p;
  const cols = g.columns;
  // Masks are mostly zero: skip 4 voxels at a time through a 32-bit view where the slice is aligned.
  const words = mask.byteOffset % 4 === 0 && plane % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, mask.length >> 2) : undefined;
  const count = (k: number, q: number) => {
    const j = Math.floor(q / cols);
    perSlice[k]!++;
    rowCounts[k * g.rows + j]!++;
    rowSumI[k * g.rows + j]! += q - j * cols;
    footprint[q] = 1;
  };
  for (let k = 0; k < g.slices; k++) {
    const from = k * plane;
    if (words) {
      for (let w = from >> 2, end = w + (plane >> 2); w < end; w++) {
        if (words[w] === 0) continue;
        for (let o = w << 2, e = o + 4; o < e; o++) if (mask[o] !== 0) count(k, o - from);
      }
    } else {
      for (let q = 0; q < plane; q++) if (mask[from + q] !== 0) count(k, q);
    }
  }
  return p;
}

export interface LabelProfileOptions {
  /** Name used in error messages (the file's name). */
  readonly name?: string;
  /** Which label values to profile (default: every non-zero label). */
  readonly select?: (label: number) => boolean;
  /** Most distinct labels the file may hold (default MAX_LABELS, as resampleLabels). */
  readonly maxLabels?: number;
}

/**
 * Every selected label of a multilabel image, profiled on the CT grid in one walk: label value ->
 * profile, for the labels that occur on the CT voxels, in increasing label order (the labels, order and
 * voxels of resampleLabels on the whole grid). Throws MaskOverlapError when the volumes do not overlap,
 * and resampleLabels' refusal past maxLabels distinct labels.
 */
export function labelSliceProfiles(img: NiftiImage, g: VolumeGeometry, opts: LabelProfileOptions = {}): Map<number, MaskSliceProfile> {
  const name = opts.name ?? 'NIfTI';
  if (!niftiOverlapsGrid(img, g)) throw new MaskOverlapError(name);
  const select = opts.select;
  const profiles = new Map<number, MaskSliceProfile>();
  const labelOf = labelAt(img, g, name);
  const cols = g.columns;
  const rows = g.rows;
  const decide = labelDecider(img, name, opts.maxLabels, (v) => {
    if (select && !select(v)) return null;
    let p = profiles.get(v);
    if (!p) {
      p = emptyProfile(`label_${v}`, g, (k, q) => {
        const j = Math.floor(q / cols);
        return labelOf(k, j, q - j * cols) === v;
      });
      profiles.set(v, p);
    }
    return p;
  });
  const data = img.data;
  let lastRaw = NaN;
  let cur: MaskSliceProfile | null = null;
  // forEachMappedVoxel's walk with the counting written into its loop (the same arithmetic, so the same
  // voxels): a call per voxel of a 90-million-voxel grid cost more than the counting itself.
  const map = rowMap(img, g, name);
  const { nx, ny, nz } = img;
  const n = [nx, ny, nz];
  const [du, dv, dw] = map.di;
  const nxy = nx * ny;
  const count = (p: MaskSliceProfile, k: number, j: number, i: number) => {
    p.perSlice[k]!++;
    p.rowCounts[k * rows + j]!++;
    p.rowSumI[k * rows + j]! += i;
    p.footprint[j * cols + i] = 1;
  };
  const nonZero = zeroIsBackground(img) ? nonZeroRuns(img) : null;
  // Same voxel size along the rows (du = ±1, the usual case): u = floor(su + 0.5) + i * du exactly, as
  // long as su + 0.5 is not within rounding of a whole number (then each voxel is computed as above).
  const unitStep = (du === 1 || du === -1) && nx < 2 ** 19;
  for (let k = 0; k < g.slices; k++) {
    const s0 = map.sliceStart(k);
    for (let j = 0; j < rows; j++) {
      const su = s0[0] + j * map.dj[0];
      const sv = s0[1] + j * map.dj[1];
      const sw = s0[2] + j * map.dj[2];
      const [lo, hi] = rowRange([su, sv, sw], map.di, n, cols);
      if (dv === 0 && dw === 0) {
        const v = Math.floor(sv + 0.5);
        const w = Math.floor(sw + 0.5);
        if (v < 0 || v >= ny || w < 0 || w >= nz) continue;
        // A row of the label image that holds only 0 (background) has nothing to count; else only its
        // voxels from the first non-zero one to the last.
        const row = v + ny * w;
        if (nonZero && nonZero[2 * row]! < 0) continue;
        const base = nx * v + nxy * w;
        const r0 = Math.floor(su + 0.5);
        const frac = su + 0.5 - r0;
        if (nonZero && unitStep && Math.abs(su) < 2 ** 19 && frac > 1e-6 && frac < 1 - 1e-6) {
          const first = nonZero[2 * row]!;
          const last = nonZero[2 * row + 1]!;
          const from = Math.max(lo, du === 1 ? first - r0 : r0 - last);
          const to = Math.min(hi, du === 1 ? last - r0 : r0 - first);
          for (let i = from; i <= to; i++) {
            const raw = data[base + r0 + i * du]!;
            if (raw !== lastRaw) {
              lastRaw = raw;
              cur = decide(raw);
            }
            if (cur) count(cur, k, j, i);
          }
          continue;
        }
        for (let i = lo; i <= hi; i++) {
          const u = Math.floor(su + i * du + 0.5);
          if (u < 0 || u >= nx) continue;
          const raw = data[u + base]!;
          if (raw !== lastRaw) {
            lastRaw = raw;
            cur = decide(raw);
          }
          if (cur) count(cur, k, j, i);
        }
        continue;
      }
      for (let i = lo; i <= hi; i++) {
        const u = Math.floor(su + i * du + 0.5);
        const v = Math.floor(sv + i * dv + 0.5);
        const w = Math.floor(sw + i * dw + 0.5);
        if (u < 0 || u >= nx || v < 0 || v >= ny || w < 0 || w >= nz) continue;
        const raw = data[u + nx * v + nxy * w]!;
        if (raw !== lastRaw) {
          lastRaw = raw;
          cur = decide(raw);
        }
        if (cur) count(cur, k, j, i);
      }
    }
  }
  return new Map([...profiles.entries()].sort((a, b) => a[0] - b[0]));
}

/** Whether a stored 0 is background (no label): its scaled value rounds to 0 (scl_inter may say otherwise). */
function zeroIsBackground(img: NiftiImage): boolean {
  const v = Math.round(scaler(img)(0));
  return !(v !== 0 && Number.isFinite(v));
}

/**
 * For each row (v, w) of the label image, at 2 * (v + ny * w) and the next index, the first and last u
 * holding a non-zero stored value; -1 and -1 for a row of zeros. Label images are mostly 0: a 1-byte
 * image is read 4 voxels at a time where its rows are 4-byte aligned.
 */
function nonZeroRuns(img: NiftiImage): Int32Array {
  const { nx, ny, nz, data } = img;
  const rows = ny * nz;
  const out = new Int32Array(2 * rows).fill(-1);
  const words = data.BYTES_PER_ELEMENT === 1 && nx % 4 === 0 && data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, (nx * rows) >> 2) : null;
  const perRow = nx >> 2;
  for (let r = 0; r < rows; r++) {
    const o = r * nx;
    let first = -1;
    let last = -1;
    if (words) {
      let wFirst = -1;
      for (let w = r * perRow, end = w + perRow; w < end; w++) {
        if (words[w] !== 0) {
          wFirst = w;
          break;
        }
      }
      if (wFirst < 0) continue;
      let wLast = wFirst;
      for (let w = r * perRow + perRow - 1; w > wFirst; w--) {
        if (words[w] !== 0) {
          wLast = w;
          break;
        }
      }
      for (let u = wFirst * 4 - o; first < 0; u++) if (data[o + u] !== 0) first = u;
      for (let u = wLast * 4 - o + 3; last < 0; u--) if (data[o + u] !== 0) last = u;
    } else {
      for (let u = 0; u < nx; u++) {
        if (data[o + u] !== 0) {
          first = u;
          break;
        }
      }
      if (first < 0) continue;
      for (let u = nx - 1; u >= first; u--) {
        if (data[o + u] !== 0) {
          last = u;
          break;
        }
      }
    }
    out[2 * r] = first;
    out[2 * r + 1] = last;
  }
  return out;
}

/** A profile under another name (labelSliceProfiles names them label_N; the caller knows the table). */
export function renamedProfile(p: MaskSliceProfile, name: string): MaskSliceProfile {
  return { ...p, name };
}

/**
 * Centroid of a profiled mask in voxel indices (slice, row, column, not rounded) and its voxel count; null
 * when empty. The same figures as pipeline.maskCentroid on the whole mask: the sums are of integers, exact.
 */
export function profileCentroid(p: MaskSliceProfile, g: VolumeGeometry): { sliceIndex: number; row: number; column: number; voxels: number } | null {
  let n = 0;
  let sk = 0;
  let sj = 0;
  let si = 0;
  for (let k = 0; k < g.slices; k++) {
    const c = p.perSlice[k]!;
    if (c === 0) continue;
    n += c;
    sk += k * c;
    for (let j = 0; j < g.rows; j++) {
      const r = p.rowCounts[k * g.rows + j]!;
      if (r === 0) continue;
      sj += j * r;
      si += p.rowSumI[k * g.rows + j]!;
    }
  }
  return n === 0 ? null : { sliceIndex: sk / n, row: sj / n, column: si / n, voxels: n };
}
