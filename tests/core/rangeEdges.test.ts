import { describe, expect, it } from 'vitest';
import { roiSlice } from '../../src/core/annotations/outlineFlags';
import { sliceStats } from '../../src/core/metrics/measure';
import { DEFAULT_RANGES, type HuRanges } from '../../src/core/metrics/ranges';
import { FAT_RGBA, LEAN_RGBA, leanFatOverlay } from '../../src/renderer/overlay/leanFat';
import { axialGeometry, volumeOf } from './helpers';

// One row of pixels at the edges of the default ranges (muscle -29..150, fat -190..-30, both inclusive).
const VALUES = [150, 151, -29, -30, -190, -191, -31, 100];
// What each pixel is under the default ranges, written by hand: L lean, F fat, '-' neither.
const DEFAULT_CLASS = ['L', '-', 'L', 'F', 'F', '-', 'F', 'L'];

const geometry = axialGeometry(VALUES.length, 1, 1);
const volume = volumeOf(geometry, (i) => VALUES[i]!);
/** A rectangle around every pixel centre of the row (pixel (i, 0) has its centre at x = i, y = 0). */
const roi = {
  id: 'edge',
  level: 'L3' as const,
  muscle: 'psoas' as const,
  side: 'left' as const,
  sliceIndex: 0,
  z: 0,
  pointsLps: [[-0.5, -0.5, 0], [VALUES.length - 0.5, -0.5, 0], [VALUES.length - 0.5, 0.5, 0], [-0.5, 0.5, 0]] as [number, number, number][],
  source: 'drawn' as const,
  createdAt: 't',
  modifiedAt: 't',
};

function overlayClasses(ranges: HuRanges): string[] {
  const { rgba } = leanFatOverlay(volume, [roi], 0, ranges);
  return VALUES.map((_, p) => {
    const px = Array.from(rgba.subarray(p * 4, p * 4 + 4));
    if (px.join() === LEAN_RGBA.join()) return 'L';
    if (px.join() === FAT_RGBA.join()) return 'F';
    expect(px).toEqual([0, 0, 0, 0]);
    return '-';
  });
}

function statsCounts(ranges: HuRanges): { lean: number; fat: number } {
  const s = sliceStats(Float32Array.from(VALUES), new Uint8Array(VALUES.length).fill(1), 1, ranges);
  return { lean: s.nLean, fat: s.nFat };
}

describe('HU range ends are inclusive, in the metrics and in the lean/fat overlay alike', () => {
  it('pixels at exactly 150 and -29 HU are muscle, at -190 and -30 HU fat; 151 and -191 neither', () => {
    expect(statsCounts(DEFAULT_RANGES)).toEqual({ lean: 3, fat: 3 });
    expect(overlayClasses(DEFAULT_RANGES)).toEqual(DEFAULT_CLASS);
    const { counts } = leanFatOverlay(volume, [roi], 0, DEFAULT_RANGES);
    expect(counts).toEqual({ lean: 3, fat: 3, inside: 8 });
  });

  it.each([
    // [muscleHu, fatHu, expected classes by hand]
    [[-29, 149], [-190, -30], ['-', '-', 'L', 'F', 'F', '-', 'F', 'L']],
    [[-28, 150], [-190, -30], ['L', '-', '-', 'F', 'F', '-', 'F', 'L']],
    [[-29, 150], [-190, -31], ['L', '-', 'L', '-', 'F', '-', 'F', 'L']],
    [[-29, 150], [-189, -30], ['L', '-', 'L', 'F', '-', '-', 'F', 'L']],
    [[-29, 151], [-191, -30], ['L', 'L', 'L', 'F', 'F', 'F', 'F', 'L']],
  ] as const)('moving one end (muscle %j, fat %j) moves exactly the pixels at that end', (muscleHu, fatHu, expected) => {
    const ranges: HuRanges = { muscleHu: [muscleHu[0], muscleHu[1]], fatHu: [fatHu[0], fatHu[1]] };
    expect(overlayClasses(ranges)).toEqual(expected);
    expect(statsCounts(ranges)).toEqual({ lean: expected.filter((c) => c === 'L').length, fat: expected.filter((c) => c === 'F').length });
  });
});

describe('an outline is measured on the slice at its stored z, not at a stale slice index', () => {
  it('the stored z wins when the index points at another slice', () => {
    const g = axialGeometry(4, 4, 5, 1, 1, 2); // slices at z = 0, 2, 4, 6, 8
    const v = volumeOf(g, () => 0);
    expect(roiSlice(v, { sliceIndex: 1, z: 6 })).toBe(3);
    expect(roiSlice(v, { sliceIndex: 3, z: 6 })).toBe(3);
    expect(roiSlice(v, { sliceIndex: 4, z: 0 })).toBe(0);
  });
});
