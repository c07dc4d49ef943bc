import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutMask, cutOutline, sideOfCut } from '../../src/core/roi/cut';
import { maskToContours } from '../../src/core/roi/maskToContours';
import { rasterizePolygon, type PointIj } from '../../src/core/roi/rasterize';
import { count, differing, maskOf, PH } from './roiPhantom';

const { columns: W, rows: H } = PH;
const blobA = maskOf(W, H, (i, j) => i >= 5 && i <= 14 && j >= 5 && j <= 20);

describe('cutMask', () => {
  it('a vertical line walked downwards: west is on the right (screen), on-line pixels go left', () => {
    const r = cutMask(blobA, W, H, [[10, -5], [10, 50]]);
    expect(differing(r.right, maskOf(W, H, (i, j) => i >= 5 && i <= 9 && j >= 5 && j <= 20))).toBe(0);
    expect(differing(r.left, maskOf(W, H, (i, j) => i >= 10 && i <= 14 && j >= 5 && j <= 20))).toBe(0);
    expect([r.rightPixels, r.leftPixels]).toEqual([80, 80]);
    // Walked upwards the sides swap, except the on-line column 10 which stays left.
    const up = cutMask(blobA, W, H, [[10, 50], [10, -5]]);
    expect([up.rightPixels, up.leftPixels]).toEqual([64, 96]);
  });

  it('a short stroke inside the region is extended: same cut as the full line', () => {
    const short = cutMask(blobA, W, H, [[10.25, 8], [10.25, 9]]);
    expect([short.rightPixels, short.leftPixels]).toEqual([96, 64]); // columns 5..10 | 11..14
  });

  it('an L-shaped cut (down, then east: a left turn) cuts out the north-east quadrant', () => {
    const r = cutMask(blobA, W, H, [[10, -1], [10, 12], [40, 12]]);
    expect(differing(r.left, maskOf(W, H, (i, j) => i >= 10 && i <= 14 && j >= 5 && j <= 12))).toBe(0);
    expect(r.rightPixels).toBe(160 - 40);
  });

  it('beyond the tip of a sharp turn is the outer side (not the side of either segment extended)', () => {
    const line: PointIj[] = [[0, 10], [20.5, 10], [10.5, 20]]; // east, then sharply back south-west (a right turn)
    expect(sideOfCut(line, [22, 11])).toBe(-1); // outer side of a right turn: left
    expect(sideOfCut(line, [15, 12])).toBe(1); // between the arms: right
    expect(sideOfCut(line, [15, 8])).toBe(-1); // north of the first arm
    expect(sideOfCut(line, [5, 10])).toBe(0); // on the line
    expect(() => sideOfCut([[1, 1], [1, 1]], [0, 0])).toThrow(/two distinct/);
  });

  it('property: the two parts partition any mask exactly, for any polyline', () => {
    const pt = fc.tuple(fc.double({ min: -5, max: 25, noNaN: true }), fc.double({ min: -5, max: 25, noNaN: true }));
    const grid = fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 20 * 20, maxLength: 20 * 20 });
    fc.assert(
      fc.property(grid, fc.array(pt, { minLength: 2, maxLength: 6 }), fc.boolean(), (cells, line, integral) => {
        const cut = (integral ? line.map(([x, y]) => [Math.round(x), Math.round(y)]) : line) as PointIj[];
        if (cut.every((p) => p[0] === cut[0]![0] && p[1] === cut[0]![1])) return;
        const mask = Uint8Array.from(cells);
        const r = cutMask(mask, 20, 20, cut);
        for (let p = 0; p < mask.length; p++) expect(r.left[p]! + r.right[p]!).toBe(mask[p]);
        expect(r.leftPixels + r.rightPixels).toBe(count(mask));
        expect([count(r.left), count(r.right)]).toEqual([r.leftPixels, r.rightPixels]);
        // Each pixel's part is its side of the cut (on-line pixels left).
        for (let p = 0; p < mask.length; p++) if (mask[p]) expect(r.right[p]).toBe(sideOfCut(cut, [p % 20, Math.floor(p / 20)]) > 0 ? 1 : 0);
      }),
      { numRuns: 200 },
    );
  });

  it('property: a straight two-point cut agrees with the plain cross-product sign of the infinite line', () => {
    const pt = fc.tuple(fc.double({ min: -5, max: 25, noNaN: true }), fc.double({ min: -5, max: 25, noNaN: true }));
    fc.assert(
      fc.property(pt, pt, (a, b) => {
        if (a[0] === b[0] && a[1] === b[1]) return;
        const mask = new Uint8Array(20 * 20).fill(1);
        const r = cutMask(mask, 20, 20, [a, b]);
        for (let j = 0; j < 20; j++) for (let i = 0; i < 20; i++) {
          const c = (b[0] - a[0]) * (j - a[1]) - (b[1] - a[1]) * (i - a[0]);
          expect(r.right[j * 20 + i]).toBe(c > 0 ? 1 : 0);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('cutOutline', () => {
  it('splits an outline into two outlines that rasterise to exactly the two parts', () => {
    const outline: PointIj[] = [[4.5, 4.5], [14.5, 4.5], [14.5, 20.5], [4.5, 20.5]];
    const r = cutOutline(outline, W, H, [[3, 3], [16, 22]]);
    expect(r.leftPixels + r.rightPixels).toBe(160);
    expect(r.leftOutlines).toHaveLength(1);
    expect(r.rightOutlines).toHaveLength(1);
    expect(differing(rasterizePolygon(r.leftOutlines[0]!.contour, W, H), r.left)).toBe(0);
    expect(differing(rasterizePolygon(r.rightOutlines[0]!.contour, W, H), r.right)).toBe(0);
  });

  it('a cut crossing a U twice leaves one side in two components, largest first', () => {
    // U: two legs (columns 5..8 and 15..18, rows 5..20) joined by a base (rows 17..20).
    const u = maskOf(W, H, (i, j) => j >= 5 && j <= 20 && ((i >= 5 && i <= 8) || (i >= 15 && i <= 18) || (j >= 17 && i >= 5 && i <= 18)));
    const outline = cutOutline(maskToContours(u, W, H)[0]!, W, H, [[0, 10.5], [30, 10.5]]); // walked east: north is left
    expect(outline.leftOutlines.map((c) => c.pixels)).toEqual([24, 24]);
    expect(outline.rightOutlines.map((c) => c.pixels)).toEqual([count(u) - 48]);
  });
});

