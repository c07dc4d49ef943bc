import { pixelAreaMm2, sliceWeightsMm } from '../geometry/volumeGeometry';
import type { HuVolume } from '../volume';

export interface VolumeStats {
  voxels: number;
  /** Sum over slices of voxels x pixel area x slice weight (half the gaps to each neighbour), mm³. */
  volumeMm3: number;
  meanHu: number | null;
}

/** Volume and mean HU of a mask on the CT grid (same layout as volume.hu). */
export function maskVolumeStats(volume: HuVolume, mask: Uint8Array): VolumeStats {
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
  return { voxels, volumeMm3, meanHu: voxels > 0 ? sum / voxels : null };
}
