import { makeGeometry, type VolumeGeometry } from '../../src/core/geometry/volumeGeometry';
import type { HuVolume } from '../../src/core/volume';

/** An axial geometry with pixel (0,0) of slice k at (x0, y0, z0 + k * dz). */
export function axialGeometry(columns: number, rows: number, slices: number, colSp = 1, rowSp = 1, dz = 1, origin: readonly [number, number, number] = [0, 0, 0]): VolumeGeometry {
  return makeGeometry({
    columns,
    rows,
    slices,
    columnSpacingMm: colSp,
    rowSpacingMm: rowSp,
    rowDirection: [1, 0, 0],
    columnDirection: [0, 1, 0],
    slicePositions: Array.from({ length: slices }, (_, k) => [origin[0], origin[1], origin[2] + k * dz] as const),
  });
}

export function volumeOf(geometry: VolumeGeometry, fill: (i: number, j: number, k: number) => number): HuVolume {
  const hu = new Float32Array(geometry.columns * geometry.rows * geometry.slices);
  let p = 0;
  for (let k = 0; k < geometry.slices; k++)
    for (let j = 0; j < geometry.rows; j++) for (let i = 0; i < geometry.columns; i++) hu[p++] = fill(i, j, k);
  return { geometry, hu, warnings: [] };
}
