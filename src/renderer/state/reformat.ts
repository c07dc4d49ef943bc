/**
 * Sagittal and coronal reformats of the HU volume, as grey levels for a canvas (no Cornerstone).
 * Voxel (i, j, k) is hu[k * rows * columns + j * columns + i]: i runs along a row (columns), j down the
 * image (rows), k from the feet to the head. Both images have the head at the top.
 */
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

/**
 * A row j that cuts through the vertebral bodies, for the default coronal plane: the row with the
 * most bone (HU 150..1500) within +-20 mm of the middle column, over (a sample of) all slices,
 * smoothed over three rows (1-2-1). The middle row when no bone is found.
 */
export function spineRow(v: HuVolume): number {
  const g = v.geometry;
  const mid = Math.floor(g.columns / 2);
  const half = Math.max(1, Math.round(20 / g.columnSpacingMm));
  const i0 = Math.max(0, mid - half);
  const i1 = Math.min(g.columns - 1, mid + half);
  const step = Math.max(1, Math.floor(g.slices / 60));
  const n = g.rows * g.columns;
  const counts = new Float64Array(g.rows);
  for (let k = 0; k < g.slices; k += step) {
    for (let j = 0; j < g.rows; j++) {
      const base = k * n + j * g.columns;
      let c = 0;
      for (let i = i0; i <= i1; i++) {
        const hu = v.hu[base + i]!;
        if (hu >= 150 && hu <= 1500) c++;
      }
      counts[j] = counts[j]! + c;
    }
  }
  let best = -1;
  let bestScore = 0;
  for (let j = 0; j < g.rows; j++) {
    const s = (counts[j - 1] ?? 0) + 2 * counts[j]! + (counts[j + 1] ?? 0);
    if (s > bestScore) {
      bestScore = s;
      best = j;
    }
  }
  return best >= 0 ? best : Math.floor(g.rows / 2);
}
