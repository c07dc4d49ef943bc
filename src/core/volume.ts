import type { VolumeGeometry } from './geometry/volumeGeometry';
import { int16Stats } from './dicom/simd16';

/**
 * A CT volume in Hounsfield units. Voxel (i, j, k) is at hu[k * rows * columns + j * columns + i].
 * Int16Array when the rescale keeps every value an integer in range, otherwise Float32Array.
 */
export interface HuVolume {
  readonly geometry: VolumeGeometry;
  readonly hu: Int16Array | Float32Array;
  /** Human-readable notes about the volume (gantry tilt, irregular spacing, ...). */
  readonly warnings: readonly string[];
}

/** A view of one slice's HU values (length rows * columns). */
export function sliceView(v: HuVolume, k: number): Int16Array | Float32Array {
  const n = v.geometry.rows * v.geometry.columns;
  if (!Number.isInteger(k) || k < 0 || k >= v.geometry.slices) {
    throw new RangeError(`slice ${k} is outside 0..${v.geometry.slices - 1}`);
  }
  return v.hu.subarray(k * n, (k + 1) * n);
}

/** HU min, max and mean over every voxel of a volume. */
export interface HuStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly voxels: number;
}

/**
 * Min, max and mean HU of the whole volume, in one pass (WebAssembly SIMD for int16 volumes where it
 * runs: the sum of integers is exact, so the figures are the same bits as the plain loop's).
 */
export function huStats(v: HuVolume): HuStats {
  const hu = v.hu;
  const fast = hu instanceof Int16Array ? int16Stats(hu) : null;
  if (fast) return { min: fast.min, max: fast.max, mean: fast.sum / hu.length, voxels: hu.length };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let p = 0; p < hu.length; p++) {
    const x = hu[p]!;
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  return { min, max, mean: sum / hu.length, voxels: hu.length };
}
