import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paintDisk, paintOutline, paintStroke } from '../../src/core/roi/brush';
import { rasterizePolygon, type PointIj } from '../../src/core/roi/rasterize';
import { count, differing, maskOf, phantom, PH } from './roiPhantom';

const { columns: W, rows: H } = PH;

describe('paintDisk', () => {
  it('covers the pixel centres within the radius: Gauss circle counts 5, 9, 29, 81', () => {
    for (const [r, n] of [[1, 5], [Math.SQRT2, 9], [3, 29], [5, 81]] as const) {
      const m = new Uint8Array(W * H);
      expect(paintDisk(m, W, H, [30, 20], r)).toBe(n);
      expect(count(m)).toBe(n);
    }
    // Off-centre: radius 0.5 around a pixel corner reaches no centre (distance 0.707), radius 0.75 reaches four.
    expect(paintDisk(new Uint8Array(W * H), W, H, [10.5, 10.5], 0.5)).toBe(0);
    expect(paintDisk(new Uint8Array(W * H), W, H, [10.5, 10.5], 0.75)).toBe(4);
  });

  it('clips at the slice border', () => {
    const m = new Uint8Array(W * H);
    expect(paintDisk(m, W, H, [0, 0], 1)).toBe(3);
  });

  it('add with the HU range sets only in-range pixels: the fat plane column 15 stays out (29 - 7 = 22)', () => {
    const hu = phantom();
    const m = new Uint8Array(W * H);
    expect(paintDisk(m, W, H, [15, 12], 3, { hu })).toBe(22);
    for (let j = 0; j < H; j++) expect(m[j * W + 15]).toBe(0);
    expect(differing(m, maskOf(W, H, (i, j) => i !== 15 && (i - 15) ** 2 + (j - 12) ** 2 <= 9))).toBe(0);
  });

  it('erase clears the disk; with a range it clears only pixels in range', () => {
    const hu = phantom();
    const full = new Uint8Array(W * H).fill(1);
    expect(paintDisk(full, W, H, [45, 20], 5, { mode: 'erase' })).toBe(81);
    expect(count(full)).toBe(W * H - 81);
    const m = new Uint8Array(W * H).fill(1);
    expect(paintDisk(m, W, H, [15, 12], 3, { mode: 'erase', hu, loHu: -190, hiHu: -30 })).toBe(7); // only the fat column
    expect(() => paintDisk(m, W, H, [15, 12], 3, { loHu: 0 })).toThrow(/needs the slice HU/);
    expect(() => paintDisk(m, W, H, [15, 12], -1)).toThrow(/radius/);
  });
});

describe('paintStroke', () => {
  it('a horizontal stroke: a 26 x 5 band plus two 4-pixel caps (138)', () => {
    const m = new Uint8Array(W * H);
    expect(paintStroke(m, W, H, [[5, 5], [30, 5]], 2)).toBe(138);
  });

  it('leaves no gap between centres far apart (fast mouse move), unlike stamping disks at the centres', () => {
    const m = new Uint8Array(W * H);
    paintStroke(m, W, H, [[2, 2], [50, 35]], 1);
    // every pixel the segment passes through is set
    for (let s = 0; s <= 1000; s++) {
      const x = 2 + (48 * s) / 1000;
      const y = 2 + (33 * s) / 1000;
      expect(m[Math.floor(y + 0.5) * W + Math.floor(x + 0.5)]).toBe(1);
    }
  });

  it('property: the stroke contains every disk slid densely along it, and lies within the slightly larger ones', () => {
    const pt = fc.tuple(fc.double({ min: -2, max: 22, noNaN: true }), fc.double({ min: -2, max: 18, noNaN: true }));
    fc.assert(
      fc.property(fc.array(pt, { minLength: 1, maxLength: 4 }), fc.double({ min: 0.3, max: 4, noNaN: true }), (cs, r) => {
        const w = 20;
        const h = 16;
        const m = new Uint8Array(w * h);
        paintStroke(m, w, h, cs as PointIj[], r);
        const inner = new Uint8Array(w * h);
        const outer = new Uint8Array(w * h);
        const samples: PointIj[] = [cs[0]!];
        for (let k = 1; k < cs.length; k++) for (let s = 1; s <= 200; s++) samples.push([cs[k - 1]![0] + ((cs[k]![0] - cs[k - 1]![0]) * s) / 200, cs[k - 1]![1] + ((cs[k]![1] - cs[k - 1]![1]) * s) / 200]);
        for (const c of samples) {
          paintDisk(inner, w, h, c, r * 0.999);
          paintDisk(outer, w, h, c, r + 0.2);
        }
        for (let p = 0; p < m.length; p++) {
          if (inner[p]) expect(m[p]).toBe(1);
          if (m[p]) expect(outer[p]).toBe(1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a single centre is exactly paintDisk', () => {
    const a = new Uint8Array(W * H);
    const b = new Uint8Array(W * H);
    paintStroke(a, W, H, [[17.3, 9.9]], 4.2);
    paintDisk(b, W, H, [17.3, 9.9], 4.2);
    expect(differing(a, b)).toBe(0);
  });
});

describe('paintOutline', () => {
  const square: PointIj[] = [[4.5, 4.5], [24.5, 4.5], [24.5, 24.5], [4.5, 24.5]]; // 20 x 20 pixels

  it('erasing a band across an outline splits it: two outlines, largest first, exactly the painted mask', () => {
    const { components, mask, changed } = paintOutline(square, W, H, [[0, 10], [40, 10]], 1.5, { mode: 'erase' });
    expect(changed).toBe(20 * 3);
    expect(components.map((c) => c.pixels)).toEqual([20 * 13, 20 * 4]); // rows 12..24 and 5..8 (rows 9..11 erased)
    const union = new Uint8Array(W * H);
    for (const c of components) rasterizePolygon(c.contour, W, H, union);
    expect(differing(union, mask)).toBe(0);
  });

  it('adding a stroke from inside outward grows the outline; only in-range pixels with hu', () => {
    const hu = phantom();
    const grown = paintOutline(square, W, H, [[20, 12], [30, 12]], 0.5, { hu });
    // Row 12, columns 25..30: column 25 is blob B (60 HU) and 26..30 are fat: only column 25 is added.
    expect(grown.changed).toBe(1);
    expect(grown.components).toHaveLength(1);
    expect(grown.components[0]!.pixels).toBe(401);
  });
});
