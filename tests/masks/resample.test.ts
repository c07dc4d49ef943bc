import { describe, expect, it } from 'vitest';
import { makeGeometry, indexToLps, type VolumeGeometry } from '../../src/core/geometry/volumeGeometry';
import { readNifti, type NiftiImage } from '../../src/core/masks/nifti';
import { countVoxels, resampleLabels, resampleMask } from '../../src/core/masks/resample';
import { maskValueSummary } from '../../src/core/masks/maskValues';
import { writeNifti1 } from '../fixtures/writeNifti';

/** CT grid: 6 columns x 5 rows x 4 slices, 2 mm pixels, slices 3 mm apart, first pixel at LPS (-5, -4, 10). */
const G = makeGeometry({
  columns: 6,
  rows: 5,
  slices: 4,
  columnSpacingMm: 2,
  rowSpacingMm: 2,
  rowDirection: [1, 0, 0],
  columnDirection: [0, 1, 0],
  slicePositions: [0, 1, 2, 3].map((k) => [-5, -4, 10 + 3 * k] as const),
});
const ct = (i: number, j: number, k: number, g: VolumeGeometry = G) => k * g.rows * g.columns + j * g.columns + i;

function nifti(dims: [number, number, number], f: (u: number, v: number, w: number) => number, affine: number[], extra = {}): NiftiImage {
  const data: number[] = [];
  for (let w = 0; w < dims[2]; w++) for (let v = 0; v < dims[1]; v++) for (let u = 0; u < dims[0]; u++) data.push(f(u, v, w));
  return readNifti(writeNifti1({ dims, datatype: 4, data, affine, gzip: true, ...extra }));
}

/** Label value found on each CT voxel (0 = none), from resampleLabels. */
function labelGrid(img: NiftiImage, g: VolumeGeometry = G): Int32Array {
  const out = new Int32Array(g.columns * g.rows * g.slices);
  for (const [label, m] of resampleLabels(img, g)) m.forEach((v, o) => v && (out[o] = label));
  return out;
}
const code = (u: number, v: number, w: number) => 1 + u + 10 * v + 100 * w;

describe('resample onto the CT grid', () => {
  it('maps an LPS-aligned NIfTI (RAS affine with x, y negated) voxel for voxel', () => {
    // RAS x = -(LPS x) = 5 - 2u, RAS y = 4 - 2v, z = 10 + 3w: voxel (u, v, w) is CT voxel (u, v, w).
    const img = nifti([6, 5, 4], code, [-2, 0, 0, 5, 0, -2, 0, 4, 0, 0, 3, 10, 0, 0, 0, 1]);
    const grid = labelGrid(img);
    for (let k = 0; k < 4; k++) for (let j = 0; j < 5; j++) for (let i = 0; i < 6; i++) expect(grid[ct(i, j, k)]).toBe(code(i, j, k));
  });

  it('maps a RAS-ordered NIfTI (both in-plane axes flipped) mirror-wise', () => {
    // RAS x = -5 + 2u  -> LPS x = 5 - 2u = -5 + 2i  => u = 5 - i; likewise v = 4 - j.
    const img = nifti([6, 5, 4], code, [2, 0, 0, -5, 0, 2, 0, -4, 0, 0, 3, 10, 0, 0, 0, 1]);
    const grid = labelGrid(img);
    for (let k = 0; k < 4; k++) for (let j = 0; j < 5; j++) for (let i = 0; i < 6; i++) expect(grid[ct(i, j, k)]).toBe(code(5 - i, 4 - j, k));
  });

  it('maps a NIfTI with permuted axes (first NIfTI axis runs head-feet)', () => {
    // u -> z, v -> LPS x (RAS x = 5 - 2v), w -> LPS y (RAS y = 4 - 2w): CT (i, j, k) = NIfTI (k, i, j).
    const img = nifti([4, 6, 5], code, [0, -2, 0, 5, 0, 0, -2, 4, 3, 0, 0, 10, 0, 0, 0, 1]);
    const grid = labelGrid(img);
    for (let k = 0; k < 4; k++) for (let j = 0; j < 5; j++) for (let i = 0; i < 6; i++) expect(grid[ct(i, j, k)]).toBe(code(k, i, j));
  });

  it('resamples a coarser, offset grid by nearest voxel centre', () => {
    // 4 x 4 x 6 mm voxels; first centre at LPS (-4.6, -3.6, 10.5). CT i -> u = (2i - 0.4)/4 -> round = floor(i/2);
    // j likewise; CT k (z = 10 + 3k) -> w = (3k - 0.5)/6 -> 0, 0, 1, 1.
    const img = nifti([3, 3, 2], code, [-4, 0, 0, 4.6, 0, -4, 0, 3.6, 0, 0, 6, 10.5, 0, 0, 0, 1]);
    const grid = labelGrid(img);
    const wOf = [0, 0, 1, 1];
    for (let k = 0; k < 4; k++)
      for (let j = 0; j < 5; j++)
        for (let i = 0; i < 6; i++) expect(grid[ct(i, j, k)]).toBe(code(Math.floor(i / 2), Math.floor(j / 2), wOf[k]!));
  });

  it('resamples a finer grid (1 mm) taking the voxel at each CT centre', () => {
    // RAS x = 5 - u -> u = 2i; RAS y = 4 - v -> v = 2j; z = 10 + 1.5w -> w = 2k.
    const img = nifti([11, 9, 7], code, [-1, 0, 0, 5, 0, -1, 0, 4, 0, 0, 1.5, 10, 0, 0, 0, 1]);
    const grid = labelGrid(img);
    for (let k = 0; k < 4; k++) for (let j = 0; j < 5; j++) for (let i = 0; i < 6; i++) expect(grid[ct(i, j, k)]).toBe(code(2 * i, 2 * j, 2 * k));
  });

  it('fills only the CT voxels inside a partially overlapping mask', () => {
    // 3 x 3 x 2 block of ones whose voxel (0,0,0) is CT voxel (2, 1, 1): it covers i 2..4, j 1..3, k 1..2.
    const img = nifti([3, 3, 2], () => 1, [-2, 0, 0, 1, 0, -2, 0, 2, 0, 0, 3, 13, 0, 0, 0, 1]);
    const m = resampleMask(img, G, { name: 'block' });
    for (let k = 0; k < 4; k++)
      for (let j = 0; j < 5; j++)
        for (let i = 0; i < 6; i++) expect(m[ct(i, j, k)]).toBe(i >= 2 && i <= 4 && j >= 1 && j <= 3 && k >= 1 && k <= 2 ? 1 : 0);
    expect(countVoxels(m, G)).toBe(18);
  });

  it('selects one label, applies scl_slope, and fills only the requested slices', () => {
    // Stored 0/1 with scl_slope 86: the real value 86 is autochthon_left in TotalSegmentator.
    const img = nifti([6, 5, 4], (u, v) => (u === v ? 1 : 0), [-2, 0, 0, 5, 0, -2, 0, 4, 0, 0, 3, 10, 0, 0, 0, 1], { sclSlope: 86 });
    expect(countVoxels(resampleMask(img, G, { label: 1 }), G)).toBe(0);
    const all = resampleMask(img, G, { label: 86 });
    expect(countVoxels(all, G)).toBe(20);
    const some = resampleMask(img, G, { label: 86, slices: [2] });
    expect(countVoxels(some, G)).toBe(5);
    expect(countVoxels(some, G, 2)).toBe(5);
    expect(some[ct(3, 3, 2)]).toBe(1);
    expect(some[ct(3, 3, 1)]).toBe(0);
    expect(() => resampleMask(img, G, { slices: [4] })).toThrow(/slice 4 is outside 0..3/);
  });

  it('applies scl_inter (with slope 1 and with another slope) to labels, binary masks and thresholds', () => {
    const AFF = [-2, 0, 0, 5, 0, -2, 0, 4, 0, 0, 3, 10, 0, 0, 0, 1];
    const diagonal = (u: number, v: number) => (u === v ? 1 : 0); // 20 of the 120 voxels (5 per slice)
    // Stored 0/1, slope 1, scl_inter 85: real values 85 (off the diagonal) and 86 (on it).
    const labelled = nifti([6, 5, 4], diagonal, AFF, { sclSlope: 1, sclInter: 85 });
    expect(countVoxels(resampleMask(labelled, G, { label: 86 }), G)).toBe(20);
    expect(countVoxels(resampleMask(labelled, G, { label: 85 }), G)).toBe(100);
    expect(countVoxels(resampleMask(labelled, G, { label: 1 }), G)).toBe(0);
    expect([...resampleLabels(labelled, G).keys()].sort((a, b) => a - b)).toEqual([85, 86]);
    // Stored 0/1, slope 1, scl_inter -1: real values -1 (off the diagonal) and 0 (on it): a binary mask is the off-diagonal.
    const shifted = nifti([6, 5, 4], diagonal, AFF, { sclSlope: 1, sclInter: -1 });
    const off = resampleMask(shifted, G);
    expect(countVoxels(off, G)).toBe(100);
    expect(off[ct(3, 3, 2)]).toBe(0);
    expect(off[ct(3, 2, 2)]).toBe(1);
    // A probability map stored 0/50, slope 0.01, scl_inter 0.3: real 0.3 and 0.8; threshold 0.5 keeps the diagonal.
    const prob = nifti([6, 5, 4], (u, v) => 50 * diagonal(u, v), AFF, { sclSlope: 0.01, sclInter: 0.3 });
    expect(countVoxels(resampleMask(prob, G, { threshold: 0.5 }), G)).toBe(20);
    expect(countVoxels(resampleMask(prob, G, { threshold: 0.25 }), G)).toBe(120);
    // The value summary (probability map or not) reads the same scaled values: 0.3 and 0.8 are fractions.
    const summary = maskValueSummary(prob); // scl_slope is float32 in NIfTI-1: 0.01 is not exact
    expect(summary).toMatchObject({ anySet: true, fractional: true });
    expect([summary.example!, summary.min, summary.max].map((x) => Math.round(x * 1e6) / 1e6)).toEqual([0.8, 0.3, 0.8]); // example: the first voxel, (0, 0, 0), is on the diagonal
    // Whole stored numbers shifted by a fraction (scl_inter 0.5, slope 1) are fractions too; unshifted they are not.
    expect(maskValueSummary(nifti([6, 5, 4], diagonal, AFF, { sclSlope: 1, sclInter: 0.5 }))).toMatchObject({ fractional: true, min: 0.5, max: 1.5 });
    expect(maskValueSummary(nifti([6, 5, 4], diagonal, AFF))).toEqual({ anySet: true, fractional: false, min: NaN, max: NaN });
  });

  it('throws for a mask that does not overlap the CT, but returns an overlapping empty mask', () => {
    const far = nifti([3, 3, 2], () => 1, [-2, 0, 0, 500, 0, -2, 0, 2, 0, 0, 3, 13, 0, 0, 0, 1]);
    expect(() => resampleMask(far, G, { name: 'far' })).toThrow('mask far does not overlap the CT');
    // Just past the last slice: centres at z 19.6 and more (CT slice 3 is z 19, nifti box starts 19.6 - 1.5).
    const above = nifti([3, 3, 2], () => 1, [-2, 0, 0, 5, 0, -2, 0, 4, 0, 0, 3, 22.6, 0, 0, 0, 1]);
    expect(() => resampleLabels(above, G, { name: 'above' })).toThrow('mask above does not overlap the CT');
    const empty = nifti([6, 5, 4], () => 0, [-2, 0, 0, 5, 0, -2, 0, 4, 0, 0, 3, 10, 0, 0, 0, 1]);
    expect(countVoxels(resampleMask(empty, G, { name: 'empty' }), G)).toBe(0);
  });

  it('agrees with a direct per-voxel computation for oblique grids', () => {
    // Oblique CT (rotated 30 degrees in-plane, tilted) and an oblique NIfTI; reference maps each voxel
    // centre on its own with indexToLps and a Cramer's-rule solve.
    const c = Math.cos(Math.PI / 6);
    const s = Math.sin(Math.PI / 6);
    const g = makeGeometry({
      columns: 9,
      rows: 8,
      slices: 5,
      columnSpacingMm: 1.7,
      rowSpacingMm: 1.3,
      rowDirection: [c, s, 0],
      columnDirection: [-s * 0.98, c * 0.98, Math.sqrt(1 - 0.98 * 0.98)],
      slicePositions: [0, 1, 2, 3, 4].map((k) => [-3 + 0.1 * k, -2, 5 + 2.2 * k] as const),
    });
    const A = [1.1, 0.3, -0.2, 4, -0.25, -1.2, 0.1, -3, 0.05, 0.2, 1.9, 7, 0, 0, 0, 1];
    const dims: [number, number, number] = [12, 11, 9];
    const img = nifti(dims, code, A);
    const grid = labelGrid(img, g);
    const det3 = (m: number[]) =>
      m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) - m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) + m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!);
    const M = [A[0]!, A[1]!, A[2]!, A[4]!, A[5]!, A[6]!, A[8]!, A[9]!, A[10]!];
    const D = det3(M);
    let inside = 0;
    for (let k = 0; k < g.slices; k++)
      for (let j = 0; j < g.rows; j++)
        for (let i = 0; i < g.columns; i++) {
          const p = indexToLps(g, i, j, k);
          const r = [-p[0] - A[3]!, -p[1] - A[7]!, p[2] - A[11]!];
          const sol = [0, 1, 2].map((col) => {
            const mm = [...M];
            for (let row = 0; row < 3; row++) mm[row * 3 + col] = r[row]!;
            return Math.round(det3(mm) / D);
          });
          const ok = sol.every((x, a) => x >= 0 && x < dims[a]!);
          if (ok) inside++;
          expect(grid[ct(i, j, k, g)]).toBe(ok ? code(sol[0]!, sol[1]!, sol[2]!) : 0);
        }
    expect(inside).toBeGreaterThan(20); // the test exercises both inside and outside voxels
    expect(inside).toBeLessThan(g.columns * g.rows * g.slices);
  });
});
