import { describe, expect, it } from 'vitest';
import { makeGeometry, type VolumeGeometry } from '../../src/core/geometry/volumeGeometry';
import { levelsFromProfiles, levelsFromVertebraMasks } from '../../src/core/masks/levels';
import type { NiftiImage } from '../../src/core/masks/nifti';
import { MaskOverlapError } from '../../src/core/masks/resample';
import { labelSliceProfiles, profileCentroid, profileFromMask } from '../../src/core/masks/sliceProfiles';

/** CT grid: `columns` x `rows` pixels of `mm` mm, `slices` slices 2 mm apart from z = 100, rows running posterior. */
function grid(columns: number, rows: number, slices: number, mm: number): VolumeGeometry {
  return makeGeometry({
    columns,
    rows,
    slices,
    columnSpacingMm: mm,
    rowSpacingMm: mm,
    rowDirection: [1, 0, 0],
    columnDirection: [0, 1, 0],
    slicePositions: Array.from({ length: slices }, (_, k) => [0, 0, 100 + 2 * k] as const),
  });
}

/**
 * A uint8 label image on the CT grid of `g`, shifted by `kShift` slices (its voxel (i, j, k) is CT voxel
 * (i, j, k + kShift)), `nz` slices deep. LPS (x, y, z) = (i*mm, j*mm, 100 + 2k) is RAS (-x, -y, z).
 */
function labelImage(g: VolumeGeometry, nz: number, kShift: number, data: Uint8Array): NiftiImage {
  const mm = g.columnSpacingMm;
  return {
    version: 1,
    dim: [3, g.columns, g.rows, nz, 1, 1, 1, 1],
    nx: g.columns,
    ny: g.rows,
    nz,
    pixdim: [1, mm, mm, 2, 1, 1, 1, 1],
    datatype: 2,
    bitpix: 8,
    sclSlope: 1,
    sclInter: 0,
    qformCode: 0,
    sformCode: 1,
    affine: [-mm, 0, 0, 0, 0, -mm, 0, 0, 0, 0, 2, 100 + 2 * kShift, 0, 0, 0, 1],
    affineSource: 'sform',
    data,
    notes: [],
  };
}

describe('labelSliceProfiles: every label per slice and row in one walk', () => {
  // 6 x 5 pixels, 8 CT slices; the label image covers CT slices 2..7 only (6 slices, shifted by 2).
  const g = grid(6, 5, 8, 1);
  const nx = 6;
  const plane = 30;
  const data = new Uint8Array(plane * 6);
  const put = (label: number, i: number, j: number, kCt: number) => (data[(kCt - 2) * plane + j * nx + i] = label);
  // Label 7: a box i 1..3, j 0..2 on CT slices 3..5 (9 voxels a slice, rows of 3 with columns 1+2+3 = 6).
  for (let k = 3; k <= 5; k++) for (let j = 0; j <= 2; j++) for (let i = 1; i <= 3; i++) put(7, i, j, k);
  // Label 9: the pixel (5, 4) on every slice the image has (CT 2..7): one voxel a slice.
  for (let k = 2; k <= 7; k++) put(9, 5, 4, k);
  // Label 3: 4 voxels on slice 6, never selected.
  for (let i = 0; i < 4; i++) put(3, i, 3, 6);
  const img = labelImage(g, 6, 2, data);
  const profiles = labelSliceProfiles(img, g, { select: (v) => v !== 3 });

  it('gives the selected labels that occur, in label order, with the counts the phantom was made with', () => {
    expect([...profiles.keys()]).toEqual([7, 9]);
    const p7 = profiles.get(7)!;
    expect(Array.from(p7.perSlice)).toEqual([0, 0, 0, 9, 9, 9, 0, 0]);
    for (let k = 0; k < 8; k++) {
      for (let j = 0; j < 5; j++) {
        const inBox = k >= 3 && k <= 5 && j <= 2;
        expect(p7.rowCounts[k * 5 + j]).toBe(inBox ? 3 : 0);
        expect(p7.rowSumI[k * 5 + j]).toBe(inBox ? 6 : 0);
      }
    }
    const fp = Array.from(p7.footprint.keys()).filter((q) => p7.footprint[q] === 1);
    expect(fp).toEqual([1, 2, 3, 7, 8, 9, 13, 14, 15]);
    const p9 = profiles.get(9)!;
    // CT slices 0 and 1 lie outside the label image: nothing is counted there.
    expect(Array.from(p9.perSlice)).toEqual([0, 0, 1, 1, 1, 1, 1, 1]);
    expect(p9.rowCounts[7 * 5 + 4]).toBe(1);
    expect(p9.rowSumI[7 * 5 + 4]).toBe(5);
  });

  it('looks up single voxels as the walk counted them', () => {
    const p7 = profiles.get(7)!;
    expect(p7.isSet(3, 1)).toBe(true); // (1, 0) on slice 3
    expect(p7.isSet(5, 3 + 2 * 6)).toBe(true); // (3, 2) on slice 5
    expect(p7.isSet(2, 1)).toBe(false); // below the box
    expect(p7.isSet(3, 4)).toBe(false); // column 4 is outside the box
    expect(profiles.get(9)!.isSet(1, 5 + 4 * 6)).toBe(false); // slice 1: outside the label image
    expect(profiles.get(9)!.isSet(7, 5 + 4 * 6)).toBe(true);
  });

  it('gives the centroid of the phantom box and matches the profile of the same mask given whole', () => {
    expect(profileCentroid(profiles.get(7)!, g)).toEqual({ sliceIndex: 4, row: 1, column: 2, voxels: 27 });
    const whole = new Uint8Array(plane * 8);
    for (let k = 3; k <= 5; k++) for (let j = 0; j <= 2; j++) for (let i = 1; i <= 3; i++) whole[k * plane + j * nx + i] = 1;
    const fromMask = profileFromMask('box', whole, g);
    expect(Array.from(fromMask.perSlice)).toEqual([0, 0, 0, 9, 9, 9, 0, 0]);
    expect(profileCentroid(fromMask, g)).toEqual({ sliceIndex: 4, row: 1, column: 2, voxels: 27 });
  });

  it('maps a label image of coarser columns by nearest voxel centre (voxel by voxel, not by runs)', () => {
    // CT 8 x 4 pixels of 1 mm, 3 slices; the label image has 2 mm columns (4 x 4 x 3): CT column i reads
    // label column floor(i / 2 + 0.5), so label column 1 covers CT columns 1 and 2 (sum 3) on each row.
    const ct = grid(8, 4, 3, 1);
    const data = new Uint8Array(16 * 3);
    for (let v = 0; v < 4; v++) data[16 + v * 4 + 1] = 5; // slice 1, column 1, every row
    const img: NiftiImage = { ...labelImage(ct, 3, 0, data), dim: [3, 4, 4, 3, 1, 1, 1, 1], nx: 4, ny: 4, nz: 3, affine: [-2, 0, 0, 0, 0, -1, 0, 0, 0, 0, 2, 100, 0, 0, 0, 1] };
    const p = labelSliceProfiles(img, ct).get(5)!;
    expect(Array.from(p.perSlice)).toEqual([0, 8, 0]);
    expect(Array.from(p.rowCounts.subarray(4, 8))).toEqual([2, 2, 2, 2]);
    expect(Array.from(p.rowSumI.subarray(4, 8))).toEqual([3, 3, 3, 3]);
    expect(p.isSet(1, 2 + 3 * 8)).toBe(true);
    expect(p.isSet(1, 3 + 3 * 8)).toBe(false);
  });

  it('refuses a label image that does not overlap the CT', () => {
    expect(() => labelSliceProfiles(labelImage(g, 6, 40, data), g, { name: 'far.nii.gz' })).toThrow(MaskOverlapError);
  });
});

describe('levels from one walk over a multilabel image', () => {
  // The phantoms of tests/masks/levels.test.ts (4 x 4 pixels of 10 mm, 20 slices 2 mm apart), written as
  // TotalSegmentator labels 29 (vertebrae_L3), 28 (L4), 27 (L5): each slice's first n pixels.
  const g = grid(4, 4, 20, 10);
  const image = (bodies: [label: number, perSlice: [number, number][]][]) => {
    const data = new Uint8Array(16 * 20);
    for (const [label, perSlice] of bodies) for (const [k, n] of perSlice) for (let p = 0; p < n; p++) data[k * 16 + p] = label;
    return labelImage(g, 20, 0, data);
  };
  const names: Record<number, string> = { 27: 'vertebrae_L5', 28: 'vertebrae_L4', 29: 'vertebrae_L3' };
  const levels = (img: NiftiImage, asked: Parameters<typeof levelsFromProfiles>[2]) => {
    const byName = new Map([...labelSliceProfiles(img, g)].map(([v, p]) => [names[v]!, p]));
    return levelsFromProfiles((n) => byName.get(n), g, asked);
  };

  it('puts vertebral levels at the centroid slice and the disc at the gap between the bodies', () => {
    const L4: [number, number][] = [[2, 4], [3, 8], [4, 8], [5, 8], [6, 8], [7, 8]];
    const L3: [number, number][] = [[10, 8], [11, 8], [12, 8], [13, 8], [14, 8], [15, 6]];
    const r = levels(image([[29, L3], [28, L4]]), ['L3', 'L3/L4', 'L4', 'L4/L5']);
    const at = Object.fromEntries(r.levels.map((l) => [l.level, l.sliceIndex]));
    // L3: (8*(10+..+14) + 6*15) / 46 = 12.39; L4: (2*4 + 8*(3+..+7)) / 44 = 4.727; the disc: cost 0 on
    // slices 8 and 9, the tie to the one nearest the centroids' midpoint 8.56.
    expect(at).toEqual({ L3: 12, 'L3/L4': 9, L4: 5 });
    expect(r.missing).toEqual([{ level: 'L4/L5', reason: 'no vertebrae_L5 mask' }]);
  });

  it('places interleaved vertebrae as the whole-mask finder does (voxels looked up, not held)', () => {
    // Upper reaches down to slice 6 thinly, lower up to 10 thinly; in one label image they cannot share a
    // voxel, so the lower fills each slice from its first pixel and the upper from its last.
    const lower: [number, number][] = [[1, 16], [2, 16], [3, 16], [4, 1], [5, 12], [6, 10], [7, 6], [8, 2], [9, 1], [10, 1]];
    const upper: [number, number][] = [[6, 1], [7, 1], [8, 2], [9, 6], [10, 10], [11, 16], [12, 16], [13, 16], [14, 16]];
    const data = new Uint8Array(16 * 20);
    const L5 = new Uint8Array(16 * 20);
    const L4 = new Uint8Array(16 * 20);
    for (const [k, n] of upper) for (let p = 0; p < n; p++) (data[k * 16 + 15 - p] = 28), (L4[k * 16 + 15 - p] = 1);
    for (const [k, n] of lower) for (let p = 0; p < n; p++) (data[k * 16 + p] = 27), (L5[k * 16 + p] = 1);
    const r = levels(labelImage(g, 20, 0, data), ['L4', 'L4/L5', 'L5']);
    expect(r).toEqual(levelsFromVertebraMasks({ vertebrae_L4: L4, vertebrae_L5: L5 }, g, ['L4', 'L4/L5', 'L5']));
    // L4: (6 + 7 + 2*8 + 6*9 + 10*10 + 16*(11+..+14)) / 84 = 11.7; L5: 297 / 81 = 3.67; the disc between.
    expect(r.levels.map((l) => l.sliceIndex)).toEqual([12, 9, 4]);
  });
});
