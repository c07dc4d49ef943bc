import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cutBridges, regionGrow, regionToContour } from '../../src/core/roi/regionGrow';
import { count, differing, maskOf, phantom, PH, raster, slice } from './roiPhantom';

const { columns: W, rows: H } = PH;

describe('regionGrow on the phantom', () => {
  const hu = phantom();

  it('from a seed in blob A gives exactly blob A (10 x 16 = 160 pixels): the fat plane stops it', () => {
    const r = regionGrow(hu, W, H, [8, 10]);
    expect(r.seedAccepted).toBe(true);
    expect(r.pixels).toBe(160);
    expect(r.hitMaxPixels).toBe(false);
    expect(differing(r.mask, maskOf(W, H, (i, j) => i >= 5 && i <= 14 && j >= 5 && j <= 20))).toBe(0);
  });

  it('from a seed in the disc gives the 81 pixel centres within radius 5', () => {
    const r = regionGrow(hu, W, H, [45.3, 19.8], { connectivity: 4 });
    expect(r.pixels).toBe(81);
    expect(differing(r.mask, maskOf(W, H, (i, j) => (i - 45) ** 2 + (j - 20) ** 2 <= 25))).toBe(0);
  });

  it('a range that includes fat (-100) leaks through the plane into everything', () => {
    const r = regionGrow(hu, W, H, [8, 10], { loHu: -150, hiHu: 150 });
    expect(r.pixels).toBe(W * H);
  });

  it('a barrier column stops it: columns 5..9 only (80 pixels)', () => {
    const barrier = maskOf(W, H, (i) => i === 10);
    const r = regionGrow(hu, W, H, [7, 12], { barrier });
    expect(r.pixels).toBe(80);
    expect(differing(r.mask, maskOf(W, H, (i, j) => i >= 5 && i <= 9 && j >= 5 && j <= 20))).toBe(0);
    // A barrier with a gap lets it through (barrier pixels themselves stay out: 160 - 15).
    barrier[20 * W + 10] = 0;
    expect(regionGrow(hu, W, H, [7, 12], { barrier }).pixels).toBe(145);
  });

  it('seed rounding, rejected seeds (fat, barrier, outside the slice)', () => {
    expect(regionGrow(hu, W, H, [14.49, 5]).pixels).toBe(160);
    const fat = regionGrow(hu, W, H, [14.5, 5]); // pixel 15: the fat plane
    expect([fat.seedAccepted, fat.pixels, count(fat.mask)]).toEqual([false, 0, 0]);
    expect(regionGrow(hu, W, H, [8, 10], { barrier: maskOf(W, H, (i, j) => i === 8 && j === 10) }).seedAccepted).toBe(false);
    expect(regionGrow(hu, W, H, [-0.6, 3]).seedAccepted).toBe(false);
    expect(regionGrow(hu, W, H, [8, H - 0.5]).seedAccepted).toBe(false);
  });

  it('4- vs 8-connectivity across a diagonal contact', () => {
    const d = slice(6, 6, (i, j) => ((i <= 2 && j <= 2) || (i >= 3 && j >= 3) ? 0 : undefined));
    expect(regionGrow(d, 6, 6, [0, 0], { connectivity: 4 }).pixels).toBe(9);
    expect(regionGrow(d, 6, 6, [0, 0], { connectivity: 8 }).pixels).toBe(18);
  });

  it('maxPixels stops the grow breadth-first and says so; exactly the region size is not a hit', () => {
    const r = regionGrow(hu, W, H, [10, 12], { maxPixels: 50, connectivity: 4 });
    expect([r.pixels, r.hitMaxPixels]).toEqual([50, true]);
    // Breadth-first: every pixel within 3 steps (city block) of the seed is in (1+4+8+12 = 25 <= 50).
    for (let j = 0; j < H; j++) for (let i = 0; i < W; i++) if (Math.abs(i - 10) + Math.abs(j - 12) <= 3) expect(r.mask[j * W + i]).toBe(1);
    const exact = regionGrow(hu, W, H, [10, 12], { maxPixels: 160 });
    expect([exact.pixels, exact.hitMaxPixels]).toEqual([160, false]);
    expect(() => regionGrow(hu, W, H, [10, 12], { maxPixels: 2.5 })).toThrow(/maxPixels/);
  });

  it('fillHoles adds an enclosed fat hole (and only with the option)', () => {
    const holed = Float32Array.from(hu);
    for (const [i, j] of [[9, 10], [10, 10], [9, 11], [10, 11]] as const) holed[j * W + i] = -100;
    expect(regionGrow(holed, W, H, [6, 6]).pixels).toBe(156);
    const f = regionGrow(holed, W, H, [6, 6], { fillHoles: true });
    expect([f.grownPixels, f.pixels]).toEqual([156, 160]);
    expect(holed[10 * W + 9]).toBe(-100);
  });

  it('regionToContour: the outline rasterises back to exactly the region (blob A: a rectangle on pixel edges)', () => {
    const r = regionGrow(hu, W, H, [8, 10]);
    const c = regionToContour(r.mask, W, H)!;
    expect(c.contour).toEqual([[4.5, 4.5], [14.5, 4.5], [14.5, 20.5], [4.5, 20.5]]);
    expect(differing(raster(c.contour, W, H), r.mask)).toBe(0);
    expect(regionToContour(new Uint8Array(W * H), W, H)).toBeNull();
  });

  it('regionToContour keeps the largest component', () => {
    const m = maskOf(W, H, (i, j) => (i < 3 && j < 3) || (i > 40 && i < 50 && j > 30));
    expect(regionToContour(m, W, H)!.pixels).toBe(9 * 9);
  });
});

describe('regionGrow properties on random slices', () => {
  const arb = fc
    .record({ cols: fc.integer({ min: 1, max: 16 }), rows: fc.integer({ min: 1, max: 16 }), conn: fc.constantFrom(4 as const, 8 as const), si: fc.double({ min: -0.5, max: 1, noNaN: true }), sj: fc.double({ min: -0.5, max: 1, noNaN: true }) })
    .chain((r) =>
      fc.array(fc.constantFrom(-100, 0, 50, 300), { minLength: r.cols * r.rows, maxLength: r.cols * r.rows }).map((v) => ({ ...r, hu: Float32Array.from(v) })),
    );

  it('equals a reference flood (fixed-point iteration) and the outline of the filled region rasterises to exactly it', () => {
    fc.assert(
      fc.property(arb, ({ cols, rows, conn, si, sj, hu }) => {
        const seed = [Math.min(cols - 0.51, si * cols), Math.min(rows - 0.51, sj * rows)] as const;
        const r = regionGrow(hu, cols, rows, seed, { connectivity: conn });
        // Reference: iterate "in range and next to an accepted pixel" to a fixed point.
        const ok = (i: number, j: number) => hu[j * cols + i]! >= -29 && hu[j * cols + i]! <= 150;
        const ref = new Uint8Array(cols * rows);
        const pi = Math.floor(seed[0] + 0.5);
        const pj = Math.floor(seed[1] + 0.5);
        if (pi >= 0 && pj >= 0 && ok(pi, pj)) ref[pj * cols + pi] = 1;
        for (let changed = true; changed; ) {
          changed = false;
          for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) {
            if (ref[j * cols + i] || !ok(i, j)) continue;
            for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) {
              if ((di === 0 && dj === 0) || (conn === 4 && di !== 0 && dj !== 0)) continue;
              const ni = i + di;
              const nj = j + dj;
              if (ni >= 0 && nj >= 0 && ni < cols && nj < rows && ref[nj * cols + ni] && !ref[j * cols + i]) {
                ref[j * cols + i] = 1;
                changed = true;
              }
            }
          }
        }
        expect(differing(r.mask, ref)).toBe(0);
        expect(r.pixels).toBe(count(ref));
        const f = regionGrow(hu, cols, rows, seed, { connectivity: conn, fillHoles: true });
        const c = regionToContour(f.mask, cols, rows, conn);
        if (f.pixels === 0) {
          expect(c).toBeNull();
        } else {
          // The proof asked for: the outline is exactly the region with its holes filled.
          expect(differing(raster(c!.contour, cols, rows), f.mask)).toBe(0);
          expect(c!.filledPixels).toBe(f.pixels);
          expect(c!.pixels).toBe(f.pixels); // one component: the filled region itself
          expect(f.grownPixels).toBe(r.pixels);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('cutBridges', () => {
  // Two 8 x 8 blocks (columns 2..9 and 14..21, rows 3..10) joined by a bridge at columns 10..13 of width w rows.
  const C = 24;
  const R = 14;
  const blocks = (w: number) => maskOf(C, R, (i, j) => (j >= 3 && j <= 10 && ((i >= 2 && i <= 9) || (i >= 14 && i <= 21))) || (i >= 10 && i <= 13 && j >= 6 && j < 6 + w));
  const left = maskOf(C, R, (i, j) => j >= 3 && j <= 10 && i >= 2 && i <= 9);

  it('a 1- or 2-pixel bridge is cut at radius 1: the seed block alone, exactly', () => {
    for (const w of [1, 2]) {
      const r = cutBridges(blocks(w), C, R, [4, 5], 1);
      expect(r.pixels, `bridge ${w}`).toBe(64);
      expect(differing(r.mask, left)).toBe(0);
    }
  });

  it('a 3-pixel bridge survives radius 1 and goes at radius 2; a seed in the other block keeps that block', () => {
    const three = blocks(3);
    expect(cutBridges(three, C, R, [4, 5], 1).pixels).toBe(64 + 64 + 4 * 3);
    expect(cutBridges(three, C, R, [4, 5], 2).pixels).toBe(64);
    const right = cutBridges(three, C, R, [18, 8], 2);
    expect(differing(right.mask, maskOf(C, R, (i, j) => j >= 3 && j <= 10 && i >= 14 && i <= 21))).toBe(0);
  });

  it('a region without bridges comes back as itself; a seed in a spur thinner than the opening leaves nothing', () => {
    expect(differing(cutBridges(left, C, R, [5, 5], 2).mask, left)).toBe(0);
    const spur = maskOf(C, R, (i, j) => (j >= 3 && j <= 10 && i >= 2 && i <= 9) || (j === 6 && i >= 10 && i <= 20));
    expect(cutBridges(spur, C, R, [19, 6], 1).pixels).toBe(0);
    expect(() => cutBridges(left, C, R, [5, 5], 0)).toThrow(/bridge cut/);
  });

  it('property: the result is a subset of the region, and pixels counts it', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: C * R, maxLength: C * R }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: C * R - 1 }), (bits, radius, seed) => {
        const region = Uint8Array.from(bits, (b) => (b ? 1 : 0));
        const r = cutBridges(region, C, R, [seed % C, Math.floor(seed / C)], radius);
        expect(r.pixels).toBe(count(r.mask));
        r.mask.forEach((v, p) => {
          if (v) expect(region[p]).toBe(1);
        });
      }),
      { numRuns: 200 },
    );
  });
});
