import { describe, expect, it } from 'vitest';
import { asymmetryPct, measureSlice } from '../../src/core/metrics/measure';
import { DEFAULT_RANGES, validateRanges } from '../../src/core/metrics/ranges';
import { maskVolumeStats } from '../../src/core/metrics/volumeStats';
import { measureSliceMask } from '../../src/core/metrics/records';
import { createDefaultRegistry, SLICE_METRICS } from '../../src/core/metrics/definitions';
import { contourMask } from '../../src/core/roi/contour';
import { axialGeometry, volumeOf } from './helpers';

/**
 * Phantom: a 40 x 30 slice, background -1000 HU (air). A 20 x 10 "muscle" block of 50 HU at
 * columns 5..24, rows 8..17, with a 3 x 3 fat inclusion of -100 HU at columns 10..12, rows 10..12
 * and a 2 x 1 strand of exactly -30 HU (fat range edge) at columns 20..21, row 15, and one pixel of
 * exactly -29 HU (muscle range edge) at column 22, row 15.
 */
function phantom(colSp = 0.75, rowSp = 0.8) {
  const g = axialGeometry(40, 30, 1, colSp, rowSp, 1);
  const v = volumeOf(g, (i, j) => {
    if (i < 5 || i > 24 || j < 8 || j > 17) return -1000;
    if (i >= 10 && i <= 12 && j >= 10 && j <= 12) return -100;
    if ((i === 20 || i === 21) && j === 15) return -30;
    if (i === 22 && j === 15) return -29;
    return 50;
  });
  return { g, v };
}

describe('measureSlice on an exact phantom', () => {
  it('counts CSA, lean and fat pixels with inclusive ranges', () => {
    const { g, v } = phantom();
    // Outline exactly around the block: pixel centres 5..24 x 8..17 are inside a polygon on the half-pixel edges.
    const mask = contourMask(g, 0, [
      [4.5 * 0.75, 7.5 * 0.8, 0],
      [24.5 * 0.75, 7.5 * 0.8, 0],
      [24.5 * 0.75, 17.5 * 0.8, 0],
      [4.5 * 0.75, 17.5 * 0.8, 0],
    ]);
    const r = measureSliceMask(v, 0, mask, { structure: 'block', muscle: null, side: null }, null, DEFAULT_RANGES);
    const px = 0.75 * 0.8;
    expect(r.pixels).toBe(200);
    expect(r.areaMm2).toBeCloseTo(200 * px, 10);
    // fat: 9 (-100) + 2 (-30) ; lean: 200 - 9 - 2 = 189 (the -29 pixel is lean)
    expect(r.fatAreaMm2).toBeCloseTo(11 * px, 10);
    expect(r.leanAreaMm2).toBeCloseTo(189 * px, 10);
    expect(r.fatFraction).toBeCloseTo(11 / 200, 12);
    const sum = 188 * 50 + 9 * -100 + 2 * -30 + -29;
    expect(r.meanHu).toBeCloseTo(sum / 200, 10);
    expect(r.leanMeanHu).toBeCloseTo((188 * 50 - 29) / 189, 10);
    const mean = sum / 200;
    const ss = 188 * (50 - mean) ** 2 + 9 * (-100 - mean) ** 2 + 2 * (-30 - mean) ** 2 + (-29 - mean) ** 2;
    expect(r.sdHu).toBeCloseTo(Math.sqrt(ss / 200), 10);
    expect(r.z).toBe(0);
    expect(r.sliceIndex).toBe(0);
  });

  it('changing the ranges moves the edge pixels', () => {
    const { g, v } = phantom();
    const mask = new Uint8Array(g.rows * g.columns).fill(0);
    mask[15 * 40 + 20] = 1; // -30
    mask[15 * 40 + 22] = 1; // -29
    const r = measureSlice(v.hu, mask, 1, validateRanges({ muscleHu: [-30, 150], fatHu: [-190, -31] }));
    expect(r.leanAreaMm2).toBe(2);
    expect(r.fatAreaMm2).toBe(0);
    expect(r.fatFraction).toBe(0);
  });

  it('gives null, never NaN, for an empty ROI and SD 0 for a constant image', () => {
    const empty = measureSlice(new Float32Array(4), new Uint8Array(4), 1, DEFAULT_RANGES);
    expect(empty).toEqual({ pixels: 0, areaMm2: 0, leanAreaMm2: 0, fatAreaMm2: 0, fatFraction: null, meanHu: null, sdHu: null, leanMeanHu: null });
    const constant = measureSlice(new Float32Array(9).fill(-500), new Uint8Array(9).fill(1), 2, DEFAULT_RANGES);
    expect(constant.sdHu).toBe(0);
    expect(constant.leanMeanHu).toBeNull();
    expect(constant.areaMm2).toBe(18);
  });

  it('rejects broken contracts', () => {
    expect(() => measureSlice(new Float32Array(4), new Uint8Array(3), 1, DEFAULT_RANGES)).toThrow(/mask has 3 pixels/);
    expect(() => measureSlice(new Float32Array(4), new Uint8Array(4), 0, DEFAULT_RANGES)).toThrow(/pixel area/);
    expect(() => validateRanges({ muscleHu: [10, -10], fatHu: [-190, -30] })).toThrow(/LO <= HI/);
  });
});

describe('asymmetry and volumes', () => {
  it('asymmetry is signed, relative to the mean, null when undefined', () => {
    expect(asymmetryPct(110, 90)).toBeCloseTo(20, 12);
    expect(asymmetryPct(90, 110)).toBeCloseTo(-20, 12);
    expect(asymmetryPct(0, 0)).toBeNull();
    expect(asymmetryPct(null, 5)).toBeNull();
  });

  it('volume uses the spacing between slice positions, irregular gaps included', () => {
    // 3 slices at z = 0, 2, 6 (gaps 2 and 4): weights 2, 3, 4 mm
    const g0 = axialGeometry(4, 4, 3, 0.5, 0.5, 1);
    const g = { ...g0, slicePositions: [[0, 0, 0], [0, 0, 2], [0, 0, 6]] as const };
    const v = volumeOf(g, (_i, _j, k) => k * 10);
    const mask = new Uint8Array(48);
    mask[0] = 1; // slice 0
    mask[16] = 1; // slice 1
    mask[17] = 1; // slice 1
    mask[32] = 1; // slice 2
    const s = maskVolumeStats(v, mask);
    expect(s.voxels).toBe(4);
    expect(s.volumeMm3).toBeCloseTo(0.25 * (1 * 2 + 2 * 3 + 1 * 4), 12);
    expect(s.meanHu).toBeCloseTo((0 + 10 + 10 + 20) / 4, 12);
  });
});

describe('metric registry', () => {
  it('declares every released metric once, with units, display and description, in the released order', () => {
    const reg = createDefaultRegistry();
    expect(reg.keys('slice')).toEqual(['pixels', 'areaMm2', 'leanAreaMm2', 'fatAreaMm2', 'fatFraction', 'meanHu', 'sdHu', 'leanMeanHu']);
    expect(reg.keys('asymmetry')).toEqual(['asymmetryPct']);
    expect(reg.keys('volume')).toEqual(['voxels', 'volumeMm3', 'meanHu']);
    for (const d of [...reg.slice, ...reg.asymmetry, ...reg.volume]) {
      expect(['{count}', 'mm2', 'mm3', '1', '%', "[hnsf'U]"]).toContain(d.unit);
      expect(d.displayUnit).toBeTruthy();
      expect(d.description.length).toBeGreaterThan(10);
    }
    expect(() => reg.extend({ slice: [SLICE_METRICS[0]!] })).toThrow(/registered twice/);
    expect(() => reg.extend({ asymmetry: [{ ...SLICE_METRICS[1], compute: () => 0 }] })).toThrow(/registered twice/);
    const r = measureSlice(new Float32Array(1), new Uint8Array([1]), 1, DEFAULT_RANGES);
    expect(Object.keys(r)).toEqual(SLICE_METRICS.map((d) => d.key));
  });
});
