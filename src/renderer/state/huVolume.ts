import type { HuVolume } from '../../core/volume';
import type { LoadedSeriesMeta } from '../../shared/contract';

/** Build the core HuVolume from the series:volume bytes and the series:load meta (the pixels core measures). */
export function huVolumeFromBytes(bytes: ArrayBuffer, meta: LoadedSeriesMeta): HuVolume {
  const g = meta.geometry;
  const n = g.columns * g.rows * g.slices;
  const bpe = meta.huType === 'int16' ? 2 : 4;
  if (bytes.byteLength !== n * bpe) {
    throw new Error(`series volume has ${bytes.byteLength} bytes, expected ${n * bpe} (${g.columns}x${g.rows}x${g.slices} ${meta.huType})`);
  }
  const hu = meta.huType === 'int16' ? new Int16Array(bytes) : new Float32Array(bytes);
  return { geometry: g, hu, warnings: meta.warnings };
}

/** HU at pixel (i, j) of slice k, or null outside the volume. */
export function huAt(v: HuVolume, i: number, j: number, k: number): number | null {
  const g = v.geometry;
  if (i < 0 || j < 0 || k < 0 || i >= g.columns || j >= g.rows || k >= g.slices) return null;
  return v.hu[k * g.rows * g.columns + j * g.columns + i] ?? null;
}
