import { describe, expect, it } from 'vitest';
import { makeGeometry, type VolumeGeometry } from '../../src/core/geometry/volumeGeometry';
import { levelsFromVertebraMasks } from '../../src/core/masks/levels';

/**
 * 4 x 4 pixel slices of 10 mm pixels 2 mm apart (200 mm³ voxels, so a few voxels pass
 * MIN_VERTEBRA_MASK_MM3), 20 slices; `reversed` the slice order (normal pointing to the feet).
 */
function grid(reversed: boolean): VolumeGeometry {
  return makeGeometry({
    columns: 4,
    rows: 4,
    slices: 20,
    columnSpacingMm: 10,
    rowSpacingMm: 10,
    rowDirection: [1, 0, 0],
    columnDirection: reversed ? [0, -1, 0] : [0, 1, 0],
    slicePositions: Array.from({ length: 20 }, (_, k) => [0, 0, reversed ? 100 - 2 * k : 100 + 2 * k] as const),
  });
}

/** Mask with `n` voxels (first n pixels of the slice) on each slice given as [k, n]. */
function mask(g: VolumeGeometry, perSlice: [number, number][]): Uint8Array {
  const m = new Uint8Array(16 * g.slices);
  for (const [k, n] of perSlice) for (let p = 0; p < n; p++) m[k * 16 + p] = 1;
  return m;
}

describe('levelsFromVertebraMasks', () => {
  it('puts vertebral levels at the centroid slice and the disc at the gap between the bodies', () => {
    const g = grid(false);
    // L4 body on slices 2..7, L3 on 10..15, gap 8..9.
    const L4 = mask(g, [[2, 4], [3, 8], [4, 8], [5, 8], [6, 8], [7, 8]]);
    const L3 = mask(g, [[10, 8], [11, 8], [12, 8], [13, 8], [14, 8], [15, 6]]);
    const r = levelsFromVertebraMasks({ vertebrae_L3: L3, vertebrae_L4: L4 }, g, ['L3', 'L3/L4', 'L4', 'L4/L5']);
    const byLevel = Object.fromEntries(r.levels.map((l) => [l.level, l]));
    expect(byLevel['L3']!.sliceIndex).toBe(12); // (8*(10+11+12+13+14) + 6*15) / 46 = 12.39
    expect(byLevel['L4']!.sliceIndex).toBe(5); // (2*4 + 8*(3+4+5+6+7)) / 44 = 4.727
    // Strictly between 5 and 12, cost 0 on 8 and 9; tie -> nearest the centroid midpoint (4.727+12.39)/2 = 8.56 -> 9.
    expect(byLevel['L3/L4']!.sliceIndex).toBe(9);
    expect(byLevel['L3/L4']!.z).toBe(118);
    expect(r.missing).toEqual([{ level: 'L4/L5', reason: 'no vertebrae_L5 mask' }]);
  });

  it('follows the cross-over when two vertebrae interleave, not the emptiest slice', () => {
    const g = grid(false);
    // Upper reaches down to 6 thinly; lower reaches up to 10 thinly. Emptiest combined slice is 4 (1 voxel,
    // inside the lower body's range); the best cut is at the cross-over, 8.
    const lower = mask(g, [[1, 16], [2, 16], [3, 16], [4, 1], [5, 12], [6, 10], [7, 6], [8, 2], [9, 1], [10, 1]]);
    const upper = mask(g, [[6, 1], [7, 1], [8, 2], [9, 6], [10, 10], [11, 16], [12, 16], [13, 16], [14, 16]]);
    const r = levelsFromVertebraMasks({ vertebrae_L5: lower, vertebrae_L4: upper }, g, ['L4/L5']);
    expect(r.levels[0]!.sliceIndex).toBe(8);
  });

  it('works when slices run head to feet', () => {
    const g = grid(true); // k = 0 is the highest slice
    const L5 = mask(g, [[12, 8], [13, 8], [14, 8], [15, 4]]); // centroid 13.29
    const L4 = mask(g, [[4, 6], [5, 8], [6, 8], [7, 8]]); // centroid 5.6
    const r = levelsFromVertebraMasks({ vertebrae_L4: L4, vertebrae_L5: L5 }, g, ['L4', 'L4/L5', 'L5']);
    // Disc: cost 0 on 8..11, tie -> nearest the midpoint 9.44 -> 9.
    expect(r.levels.map((l) => l.sliceIndex)).toEqual([6, 9, 13]);
    expect(r.levels[1]!.z).toBe(82); // slice 9 is z = 100 - 18
  });

  it('uses vertebrae_S1, else sacrum, for L5/S1 and reports missing or empty masks', () => {
    const g = grid(false);
    const L5 = mask(g, [[10, 8], [11, 8], [12, 8]]);
    const sacrum = mask(g, [[1, 8], [2, 8], [3, 8]]);
    const S1 = mask(g, [[5, 8], [6, 8]]);
    const withSacrum = levelsFromVertebraMasks({ vertebrae_L5: L5, sacrum }, g, ['L5/S1']);
    expect(withSacrum.levels[0]!.method).toMatch(/sacrum/);
    const withS1 = levelsFromVertebraMasks({ vertebrae_L5: L5, sacrum, vertebrae_S1: S1 }, g, ['L5/S1']);
    expect(withS1.levels[0]!.sliceIndex).toBe(8); // between 6 and 11, cost 0 on 7..9 -> nearest midpoint 8.5 -> 8
    expect(withS1.levels[0]!.method).toMatch(/vertebrae_S1/);
    const none = levelsFromVertebraMasks({ vertebrae_L5: L5, vertebrae_L2: new Uint8Array(16 * 20) }, g, ['L2', 'L5/S1']);
    expect(none.levels).toEqual([]);
    expect(none.missing).toEqual([
      { level: 'L2', reason: 'vertebrae_L2 mask is empty on the CT grid' },
      { level: 'L5/S1', reason: 'no vertebrae_S1 or sacrum mask' },
    ]);
  });

  it('never uses a mask under MIN_VERTEBRA_MASK_MM3, nor a stand-in above the upper vertebra', () => {
    const g = grid(false); // 200 mm³ voxels: 500 mm³ needs 3 voxels
    const L5 = mask(g, [[10, 8], [11, 8], [12, 8]]);
    const sacrum = mask(g, [[1, 8], [2, 8], [3, 8]]);
    const tinyS1 = mask(g, [[16, 2]]); // 2 voxels = 400 mm³, above L5
    const r = levelsFromVertebraMasks({ vertebrae_L5: L5, sacrum, vertebrae_S1: tinyS1 }, g, ['L5/S1']);
    expect(r.levels[0]!.method).toMatch(/vertebrae_L5 and sacrum/);
    const noSacrum = levelsFromVertebraMasks({ vertebrae_L5: L5, vertebrae_S1: tinyS1 }, g, ['L5/S1']);
    expect(noSacrum.missing).toEqual([
      { level: 'L5/S1', reason: 'vertebrae_S1 mask is too small to place a level (2 voxels, 400 mm³ < 500 mm³); no sacrum mask' },
    ]);
    const highS1 = mask(g, [[16, 8], [17, 8]]); // centroid 16.5: the tie goes to the first slice, 16
    const misplaced = levelsFromVertebraMasks({ vertebrae_L5: L5, vertebrae_S1: highS1 }, g, ['L5', 'L5/S1']);
    expect(misplaced.levels.map((l) => l.level)).toEqual(['L5']);
    expect(misplaced.missing[0]!.reason).toBe('vertebrae_S1 (centroid at slice 16) is not below vertebrae_L5 (centroid at slice 11); no sacrum mask');
  });

  it('reports a level that would break the head-foot order instead of returning it out of order', () => {
    const g = grid(false);
    // L4's centroid (slice 10) lies above L3's (slice 5): L3/L4 is not placed from these masks, and L4 (below L3
    // in the anatomical order) would lie above L3.
    const L3 = mask(g, [[4, 8], [5, 8], [6, 8]]);
    const L4 = mask(g, [[9, 8], [10, 8], [11, 8]]);
    const r = levelsFromVertebraMasks({ vertebrae_L3: L3, vertebrae_L4: L4 }, g, ['L3', 'L3/L4', 'L4']);
    expect(r.levels.map((l) => l.level)).toEqual(['L3']);
    expect(r.missing.map((m) => m.level).sort()).toEqual(['L3/L4', 'L4']);
    expect(r.missing.find((m) => m.level === 'L4')!.reason).toBe(
      'would lie at slice 10, not below L3 (slice 5): the vertebra masks are out of anatomical order',
    );
  });

  it('places a disc level midway between the endplates at the bodies\' centre, not where the rims meet', () => {
    // 30 x 40 pixels of 2 mm, 2 mm slices, rows run posterior. Each vertebra is a body, a disc of radius
    // 10 pixels around (15, 12), and a posterior element (rows 23..38, columns 13..17) on the body's
    // central slices. The body's central part (within 6 pixels) ends at the endplate, its rim reaches
    // further towards the disc (a concave endplate). Upper: centre down to slice 16, rim down to 11.
    // Lower: centre up to 6, rim up to 9. The window around the body's centre (10 mm around the centroid
    // of the anterior 40 % of rows 2..38, i.e. of the body) is more than half centre, so the endplates
    // are 16 and 6: the disc is at 11. The old best-cut rule would give 10 (the only slice without bone).
    const n = 30;
    const nr = 40;
    const g = makeGeometry({
      columns: n,
      rows: nr,
      slices: 30,
      columnSpacingMm: 2,
      rowSpacingMm: 2,
      rowDirection: [1, 0, 0],
      columnDirection: [0, 1, 0],
      slicePositions: Array.from({ length: 30 }, (_, k) => [0, 0, 2 * k] as const),
    });
    const body = (centreFrom: number, centreTo: number, rimFrom: number, rimTo: number) => {
      const m = new Uint8Array(n * nr * 30);
      for (let k = 0; k < 30; k++) {
        for (let j = 0; j < nr; j++) {
          for (let i = 0; i < n; i++) {
            const r = Math.hypot(i - 15, j - 12);
            const posterior = j >= 23 && j <= 38 && i >= 13 && i <= 17 && k >= centreFrom + 2 && k <= centreTo - 2;
            const inCentre = r <= 6;
            if (posterior || (r <= 10 && ((inCentre && k >= centreFrom && k <= centreTo) || (!inCentre && k >= rimFrom && k <= rimTo)))) {
              m[k * n * nr + j * n + i] = 1;
            }
          }
        }
      }
      return m;
    };
    const L4 = body(16, 27, 11, 27);
    const L5 = body(-4, 6, -4, 9);
    const r = levelsFromVertebraMasks({ vertebrae_L4: L4, vertebrae_L5: L5 }, g, ['L4/L5']);
    expect(r.missing).toEqual([]);
    expect(r.levels[0]!.sliceIndex).toBe(11);
    expect(r.levels[0]!.method).toMatch(/^middle of the disc at the centre of the bodies of vertebrae_L4 and vertebrae_L5: endplates at slices 16 and 6(;|$)/);
  });

  it('falls back to the best cut when the series is not axial (no anterior-posterior row axis)', () => {
    const g = makeGeometry({
      columns: 4,
      rows: 4,
      slices: 20,
      columnSpacingMm: 10,
      rowSpacingMm: 10,
      rowDirection: [1, 0, 0],
      columnDirection: [0, 0.3, 0.95], // rows run mostly head-foot: no anterior-posterior row axis
      slicePositions: Array.from({ length: 20 }, (_, k) => [0, -1.9 * k, 0.6 * k] as const),
    });
    const L4 = mask(g, [[2, 4], [3, 8], [4, 8], [5, 8], [6, 8], [7, 8]]);
    const L3 = mask(g, [[10, 8], [11, 8], [12, 8], [13, 8], [14, 8], [15, 6]]);
    const r = levelsFromVertebraMasks({ vertebrae_L3: L3, vertebrae_L4: L4 }, g, ['L3/L4']);
    expect(r.levels[0]!.method).toMatch(/^best cut between vertebrae_L3 and vertebrae_L4/);
  });
});

describe('levels where the series has a gap (a slice missing or left out)', () => {
  /** The 2 mm grid of `grid(false)` without slice `gap` (positions 100 + 2k, k != gap). */
  function gapped(gap: number): VolumeGeometry {
    const z = Array.from({ length: 20 }, (_, k) => 100 + 2 * k).filter((_, k) => k !== gap);
    return makeGeometry({
      columns: 4,
      rows: 4,
      slices: 19,
      columnSpacingMm: 10,
      rowSpacingMm: 10,
      rowDirection: [1, 0, 0],
      columnDirection: [0, 1, 0],
      slicePositions: z.map((v) => [0, 0, v] as const),
    });
  }

  it('a vertebra whose centroid falls in the gap places no level (never the neighbour in its stead); elsewhere it does', () => {
    // L3: 8 voxels on each of z 120, 122, 124 (slices 10, 11, 12 of the full grid): centroid z 122.
    const at = (g: VolumeGeometry, zs: number[]) => mask(g, zs.map((z) => [g.slicePositions.findIndex((p) => p[2] === z), 8] as [number, number]));
    const withGap = gapped(11); // z 122 left out: the remaining L3 voxels (z 120, 124) still centre on 122
    const r = levelsFromVertebraMasks({ vertebrae_L3: at(withGap, [120, 124]) }, withGap, ['L3']);
    expect(r.levels).toEqual([]);
    expect(r.missing).toEqual([
      {
        level: 'L3',
        reason: 'the series has no slice at the centroid of vertebrae_L3: the nearest, slice 10, lies 2 mm from it where slices are 2 mm apart (a slice missing or left out there)',
      },
    ]);
    const elsewhere = gapped(3);
    const ok = levelsFromVertebraMasks({ vertebrae_L3: at(elsewhere, [120, 122, 124]) }, elsewhere, ['L3']);
    expect(ok.levels.map((l) => [l.sliceIndex, l.z])).toEqual([[10, 122]]);
  });
});
