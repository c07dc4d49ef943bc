import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskToContours } from '../../src/core/roi/maskToContours';
import { midlineColumn, mirrorContour, propagateContour } from '../../src/core/roi/propagate';
import { polygonArea, rasterizePolygon, type PointIj } from '../../src/core/roi/rasterize';
import { simplifyContour, smoothContour } from '../../src/core/roi/smooth';
import { circle, count, differing, maskOf, slice } from './roiPhantom';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('simplifyContour', () => {
  it('drops collinear vertices of a rectangle at no area change', () => {
    const r: PointIj[] = [[0, 0], [5, 0], [10, 0], [10, 4], [10, 8], [0, 8], [0, 3]];
    const s = simplifyContour(r, 0);
    expect(s.contour).toEqual([[0, 0], [10, 0], [10, 8], [0, 8]]);
    expect(s.areaChange).toBe(0);
  });

  it('a 256-gon circle: fewer vertices, area within 2% (and the per-step/total rule is the binding one)', () => {
    const c = circle(50, 50, 30, 256);
    const s = simplifyContour(c, 0.02);
    expect(s.removed).toBeGreaterThan(200);
    expect(Math.abs(s.areaChange)).toBeLessThanOrEqual(0.02 * polygonArea(c));
    // One more removal would have exceeded the budget: a tighter tolerance keeps more vertices.
    expect(simplifyContour(c, 0.002).contour.length).toBeGreaterThan(s.contour.length);
  });

  it('a pixel staircase straightens to its diagonal at no net area', () => {
    // The outline of a right triangle of pixels (i <= j), 12 rows: a staircase hypotenuse.
    const m = maskOf(14, 14, (i, j) => i >= 1 && j <= 12 && i <= j);
    const c = maskToContours(m, 14, 14)[0]!;
    const s = simplifyContour(c, 0.02);
    expect(s.contour.length).toBeLessThan(c.length / 3);
    expect(Math.abs(s.areaChange)).toBeLessThanOrEqual(0.02 * polygonArea(c));
  });

  it('property: random star polygons keep their area within the tolerance and at least 3 vertices', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 20, noNaN: true }), { minLength: 3, maxLength: 60 }), fc.double({ min: 0, max: 0.2, noNaN: true }), (radii, tol) => {
        const c = radii.map((r, k) => [r * Math.cos((2 * Math.PI * k) / radii.length), r * Math.sin((2 * Math.PI * k) / radii.length)] as PointIj);
        const a = polygonArea(c);
        const s = simplifyContour(c, tol);
        expect(s.contour.length).toBeGreaterThanOrEqual(3);
        expect(Math.abs(polygonArea(s.contour) - a)).toBeLessThanOrEqual(tol * Math.abs(a) * (1 + 1e-9) + 1e-9);
      }),
      { numRuns: 300 },
    );
  });
});

describe('smoothContour', () => {
  it('a 64-gon circle: three Chaikin iterations lose a little area (convex), well within 2 %', () => {
    const c = circle(40, 40, 20, 64);
    const s = smoothContour(c, 3);
    expect(s.iterations).toBe(3);
    expect(s.contour).toHaveLength(64 * 8);
    expect(rel(polygonArea(s.contour), polygonArea(c))).toBeLessThan(0.02);
    expect(polygonArea(s.contour)).toBeLessThan(polygonArea(c)); // convex: corner cutting loses area
  });

  it('a 10 x 10 square loses 12.5 % in one iteration: stopped before it at 2 %, done at 20 %', () => {
    const sq: PointIj[] = [[0, 0], [10, 0], [10, 10], [0, 10]];
    const stopped = smoothContour(sq, 2);
    expect(stopped.iterations).toBe(0);
    expect(stopped.contour).toEqual(sq);
    const one = smoothContour(sq, 1, { maxAreaChangeFraction: 0.2 });
    expect(one.iterations).toBe(1);
    expect(polygonArea(one.contour)).toBeCloseTo(87.5, 12); // four corner triangles of legs 2.5
  });

  it('property: random star polygons keep their area within the tolerance', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 20, noNaN: true }), { minLength: 3, maxLength: 40 }), fc.integer({ min: 0, max: 4 }), fc.double({ min: 0, max: 0.2, noNaN: true }), (radii, it, tol) => {
        const c = radii.map((r, k) => [r * Math.cos((2 * Math.PI * k) / radii.length), r * Math.sin((2 * Math.PI * k) / radii.length)] as PointIj);
        const s = smoothContour(c, it, { maxAreaChangeFraction: tol });
        expect(s.iterations).toBeLessThanOrEqual(it);
        expect(Math.abs(polygonArea(s.contour) - polygonArea(c))).toBeLessThanOrEqual(tol * Math.abs(polygonArea(c)) + 1e-9);
      }),
      { numRuns: 300 },
    );
  });
});

describe('mirrorContour and midlineColumn', () => {
  it('mirror twice is the identity (exactly for half-integers), and orientation is kept', () => {
    const c: PointIj[] = [[4.5, 4.5], [14.5, 4.5], [14.5, 20.5], [4.5, 20.5]];
    expect(mirrorContour(mirrorContour(c, 30.5), 30.5)).toEqual(c);
    expect(mirrorContour(c, 30)).toEqual([[55.5, 4.5], [55.5, 20.5], [45.5, 20.5], [45.5, 4.5]]);
    expect(polygonArea(mirrorContour(c, 30))).toBe(polygonArea(c));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -500, max: 500, noNaN: true }), fc.double({ min: -500, max: 500, noNaN: true })), { minLength: 3, maxLength: 12 }), fc.double({ min: -300, max: 300, noNaN: true }), (pts, m) => {
        const back = mirrorContour(mirrorContour(pts, m), m);
        back.forEach((p, k) => {
          expect(p[0]).toBeCloseTo(pts[k]![0], 9);
          expect(p[1]).toBe(pts[k]![1]);
        });
      }),
    );
  });

  it('a mirrored pixel-edge outline rasterises to exactly the mirrored mask', () => {
    const m = maskOf(40, 20, (i, j) => (i - 8) ** 2 / 16 + (j - 9) ** 2 / 36 <= 1 || (i >= 10 && i <= 14 && j === 3));
    for (const mid of [20, 19.5]) {
      const mirrored = mirrorContour(maskToContours(m, 40, 20)[0]!, mid);
      const expected = maskOf(40, 20, (i, j) => m[j * 40 + (2 * mid - i)] === 1);
      expect(differing(rasterizePolygon(mirrored, 40, 20), expected)).toBe(0);
    }
  });

  it('midline from a vertebra mask (its mean column) or from bone in the central third', () => {
    const hu = slice(60, 40, (i, j) => ((i - 31) ** 2 + (j - 20) ** 2 <= 16 ? 400 : i < 5 && j < 5 ? 1000 : undefined));
    const bone = midlineColumn(hu, 60, 40)!;
    expect(bone.source).toBe('bone');
    expect(bone.column).toBe(31); // symmetric disc at column 31; the bright corner is outside the central third
    expect(bone.pixels).toBe(49);
    const vm = maskOf(60, 40, (i, j) => i >= 28 && i <= 31 && j < 3);
    expect(midlineColumn(hu, 60, 40, { vertebraMask: vm })).toEqual({ column: 29.5, pixels: 12, source: 'vertebra-mask' });
    expect(midlineColumn(new Float32Array(60 * 40), 60, 40)).toBeNull();
  });
});

describe('propagateContour', () => {
  it('adapts a disc outline to the same disc moved by 2 pixels on the target slice (better overlap than a plain copy)', () => {
    const W = 60;
    const H = 40;
    const disc = (cx: number) => maskOf(W, H, (i, j) => (i - cx) ** 2 + (j - 20) ** 2 <= 64);
    const target = slice(W, H, (i, j) => (disc(32)[j * W + i] ? 50 : undefined));
    const source = circle(30, 20, 8.5, 32); // an outline drawn around the disc at column 30
    const dice = (a: Uint8Array, b: Uint8Array) => {
      let both = 0;
      for (let p = 0; p < a.length; p++) if (a[p] && b[p]) both++;
      return (2 * both) / (count(a) + count(b));
    };
    const copy = dice(rasterizePolygon(source, W, H), disc(32));
    const adapted = propagateContour(source, target, W, H, { snapRadiusPx: 3 });
    const got = dice(rasterizePolygon(adapted.contour, W, H), disc(32));
    expect(got).toBeGreaterThan(copy);
    expect(got).toBeGreaterThan(0.9);
    adapted.snapped.forEach((q, k) => expect(Math.hypot(q[0] - source[k]![0], q[1] - source[k]![1])).toBeLessThanOrEqual(3));
  });
});

describe('smoothContour with restoreArea', () => {
  it('a 10 x 4 rectangle: plain Chaikin loses more than 2 % and is refused; restoring the area rounds its corners at the same area', () => {
    const rect = [
      [0, 0],
      [10, 0],
      [10, 4],
      [0, 4],
    ] as const;
    // Plain: each corner cut takes (2.5 x 1) / 2 = 1.25 px², 5 px² of 40 in all (12.5 %).
    expect(smoothContour(rect, 1).iterations).toBe(0);
    const r = smoothContour(rect, 2, { restoreArea: true });
    expect(r.iterations).toBe(2);
    expect(r.contour).toHaveLength(16);
    expect(Math.abs(r.areaChange)).toBeLessThan(1e-9);
    // Scaled about the centre (5, 2): still centred there, and symmetric.
    const cx = r.contour.reduce((a, p) => a + p[0], 0) / r.contour.length;
    const cy = r.contour.reduce((a, p) => a + p[1], 0) / r.contour.length;
    expect(cx).toBeCloseTo(5, 9);
    expect(cy).toBeCloseTo(2, 9);
  });
});
