import type { VolumeGeometry } from './geometry/volumeGeometry';

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
