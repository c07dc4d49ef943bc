import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradientMagnitude, SNAP_CLAMP_HU, snapContour, snapContourChecked, snapToEdge } from '../../src/core/roi/edges';
import { rasterizePolygon } from '../../src/core/roi/rasterize';
import { maskToContours } from '../../src/core/roi/maskToContours';
import { maskOf, phantom, PH, slice } from './roiPhantom';

describe('gradientMagnitude', () => {
  it('a linear ramp of (3, 7) HU per pixel gives sqrt(58) inside, a constant slice 0', () => {
    const hu = slice(10, 8, (i, j) => 3 * i + 7 * j);
    const g = gradientMagnitude(hu, 10, 8);
    for (let j = 1; j < 7; j++) for (let i = 1; i < 9; i++) expect(g[j * 10 + i]).toBeCloseTo(Math.sqrt(58), 5);
    expect(Math.max(...gradientMagnitude(new Float32Array(80).fill(42), 10, 8))).toBe(0);
  });

  it('a 150 HU step between columns 9 and 10 gives 75 on those two columns and 0 elsewhere', () => {
    const hu = slice(20, 6, (i) => (i < 10 ? -100 : 50));
    const g = gradientMagnitude(hu, 20, 6);
    for (let j = 0; j < 6; j++) for (let i = 0; i < 20; i++) expect(g[j * 20 + i]).toBe(i === 9 || i === 10 ? 75 : 0);
  });
});

describe('gradientMagnitude with a HU clamp (the soft-tissue window)', () => {
  // Fat -100 | muscle 50 | bone 1000, 6 columns each: fat/muscle 150 HU, muscle/bone 950 HU.
  const hu = slice(18, 5, (i) => (i < 6 ? -100 : i < 12 ? 50 : 1000));
  it('without the clamp bone beside muscle is the stronger edge; clamped to -160..240 the two edges are 75 and 95', () => {
    const raw = gradientMagnitude(hu, 18, 5);
    expect([raw[2 * 18 + 5], raw[2 * 18 + 11]]).toEqual([75, 475]);
    const c = gradientMagnitude(hu, 18, 5, { clampHu: SNAP_CLAMP_HU });
    expect([c[2 * 18 + 5], c[2 * 18 + 6], c[2 * 18 + 11], c[2 * 18 + 12]]).toEqual([75, 75, 95, 95]);
    expect(() => gradientMagnitude(hu, 18, 5, { clampHu: [10, -10] })).toThrow(/clampHu/);
  });
});

describe('snapContourChecked: no folds', () => {
  it('a vertex whose snap would cross the opposite side of a narrow outline stays in place', () => {
    // A narrow U: two long sides at rows 4 and 6; snapping the middle vertex of the lower side (row 6, col 12)
    // to a strong edge at row 3 would cross the upper side.
    const hu2 = slice(20, 12, (_i, j) => (j <= 3 ? 1000 : 0));
    const g2 = gradientMagnitude(hu2, 20, 12);
    const c = [
      [2, 4],
      [18, 4],
      [18, 6],
      [12, 6],
      [2, 6],
    ] as const;
    expect(snapToEdge(g2, 20, 12, c[3], { radiusPx: 3 })).toEqual([12, 4]); // the free snap lands on the upper side
    const r = snapContourChecked(c, g2, 20, 12, { radiusPx: 3 });
    expect(r.contour[3]).toEqual([12, 6]);
    expect(r.kept).toBeGreaterThanOrEqual(1);
    // The outline still covers pixels (a folded one would count some twice or none).
    expect(rasterizePolygon(r.contour, 20, 12).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});

describe('snapToEdge', () => {
  const hu = slice(20, 12, (i) => (i < 10 ? -100 : 50));
  const g = gradientMagnitude(hu, 20, 12);

  it('goes to the nearest pixel of maximal gradient within the radius', () => {
    expect(snapToEdge(g, 20, 12, [6, 5], { radiusPx: 5 })).toEqual([9, 5]);
    expect(snapToEdge(g, 20, 12, [13.2, 5.4], { radiusPx: 5 })).toEqual([10, 5]);
    expect(snapToEdge(g, 20, 12, [6, 5], { radiusPx: 2 })).toEqual([6, 5]); // no edge within 2: unchanged
    expect(snapToEdge(g, 20, 12, [6, 5], { radiusPx: 5, minGradient: 80 })).toEqual([6, 5]);
  });

  it('sub-pixel: the parabola through 0, 75, 75 puts the edge at 9.5, exactly between the two pixels', () => {
    expect(snapToEdge(g, 20, 12, [6, 5], { radiusPx: 5, subpixel: true })).toEqual([9.5, 5]);
  });

  it('property: every snapped vertex moves by at most the radius (random slices, points, radii)', () => {
    const p = phantom();
    const gp = gradientMagnitude(p, PH.columns, PH.rows);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -3, max: PH.columns + 2, noNaN: true }), fc.double({ min: -3, max: PH.rows + 2, noNaN: true })), { minLength: 3, maxLength: 20 }),
        fc.double({ min: 0, max: 6, noNaN: true }),
        fc.boolean(),
        (pts, r, subpixel) => {
          const s = snapContour(pts, gp, PH.columns, PH.rows, { radiusPx: r, subpixel });
          expect(s).toHaveLength(pts.length);
          s.forEach((q, k) => expect(Math.hypot(q[0] - pts[k]![0], q[1] - pts[k]![1])).toBeLessThanOrEqual(r + 1e-12));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('snapping the outline of blob A (pixel corners) puts every vertex on a boundary pixel of the blob or the fat beside it', () => {
    const p = phantom();
    const gp = gradientMagnitude(p, PH.columns, PH.rows);
    const blob = maskOf(PH.columns, PH.rows, (i, j) => i >= 5 && i <= 14 && j >= 5 && j <= 20);
    const s = snapContour(maskToContours(blob, PH.columns, PH.rows)[0]!, gp, PH.columns, PH.rows, { radiusPx: 1 });
    for (const [i, j] of s) {
      const insideRing = i >= 4 && i <= 15 && j >= 4 && j <= 21;
      const innerCore = i >= 6 && i <= 13 && j >= 6 && j <= 19;
      expect(insideRing && !innerCore).toBe(true);
    }
  });
});
