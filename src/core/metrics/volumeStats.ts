import { pixelAreaMm2, sliceWeightsMm } from '../geometry/volumeGeometry';
import type { HuVolume } from '../volume';
import { DEFAULT_REGISTRY, computeMetrics, type MetricRegistry, type VolumeAccumulator, type VolumeMetrics } from './definitions';

/** Whole-volume metrics of a mask (keys and order from the volume definitions: voxels, volumeMm3, meanHu). */
export type VolumeStats = VolumeMetrics;

/** One pass over a mask on the CT grid (same layout as volume.hu): voxels, HU sum, volume. */
export function maskVolumeAccumulator(volume: HuVolume, mask: Uint8Array): VolumeAccumulator {
  const g = volume.geometry;
  const n = g.rows * g.columns;
  if (mask.length !== volume.hu.length) throw new Error(`mask has ${mask.length} voxels but the CT has ${volume.hu.length}`);
  const weights = sliceWeightsMm(g);
  const area = pixelAreaMm2(g);
  let voxels = 0;
  let sum = 0;
  let volumeMm3 = 0;
  for (let k = 0; k < g.slices; k++) {
    let count = 0;
    const off = k * n;
    for (let p = off; p < off + n; p++) {
      if (mask[p] !== 0) {
        count++;
        sum += volume.hu[p]!;
      }
    }
    voxels += count;
    // a single-slice volume has no spacing: its volume is undefined, report 0
    volumeMm3 += count * area * (g.slices > 1 ? weights[k]! : 0);
  }
  return { voxels, sum, volumeMm3 };
}

/** Volume and mean HU of a mask on the CT grid, from the registry's volume definitions. */
export function maskVolumeStats(volume: HuVolume, mask: Uint8Array, registry: MetricRegistry = DEFAULT_REGISTRY): VolumeStats {
  return computeMetrics(registry.volume, maskVolumeAccumulator(volume, mask)) as VolumeStats;
}
