/**
 * Snap without spikes (snapContourSafe, the app's `n`): staircase outlines are smoothed first; no vertex
 * moves more than the set distance, no turn gets sharper than the set angle (or than it was), the outline
 * does not fold, and no pixel of a neighbouring outline changes sides. Exact phantoms and random slices.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gradientMagnitude, isStaircase, maxTurnDeg, SNAP_MAX_TURN_DEG, snapContour, snapContourSafe, turnDeg } from '../../src/core/roi/edges';
import { maskToContours } from '../../src/core/roi/maskToContours';
import { polygonArea, rasterizePolygon, type PointIj } from '../../src/core/roi/rasterize';
import { findSelfCrossing } from '../../src/core/roi/selfCrossing';
import { circle, maskOf, slice } from './roiPhantom';

const overlap = (c: readonly PointIj[], other: Uint8Array, w: number, h: number) => {
  const m = rasterizePolygon(c, w, h);
  let n = 0;
  for (let p = 0; p < m.length; p++) if (m[p] && other[p]) n++;
  return n;
};
const maxMove = (a: readonly PointIj[], b: readonly PointIj[]) => Math.max(0, ...a.map((p, k) => Math.hypot(p[0] - b[k]![0], p[1] - b[k]![1])));
/** Distance from a point to a closed polyline. */
function distToOutline(p: PointIj, c: readonly PointIj[]): number {
  let best = Infinity;
  for (let k = 0; k < c.length; k++) {
    const a = c[k]!;
    const b = c[(k + 1) % c.length]!;
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy || 1)));
    best = Math.min(best, Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy));
  }
  return best;
}

describe('turn angles and staircases', () => {
  it('turnDeg: straight 0, square corner 90, needle 180; a pixel-edge outline is a staircase, a drawn circle is not', () => {
    const sq: PointIj[] = [[0, 0], [2, 0], [2, 2], [0, 2]];
    expect(turnDeg(sq, 1)).toBeCloseTo(90, 9);
    expect(turnDeg([[0, 0], [1, 0], [2, 0], [1, 1]], 1)).toBe(0);
    expect(turnDeg([[0, 0], [3, 0], [0, 0.001], [-1, -1]], 1)).toBeGreaterThan(179.9);
    expect(maxTurnDeg(sq)).toBeCloseTo(90, 9);
    const stair = maskToContours(maskOf(20, 20, (i, j) => (i - 10) ** 2 + (j - 10) ** 2 <= 20), 20, 20)[0]!;
    expect(isStaircase(stair)).toBe(true);
    expect(isStaircase(stair.map(([i, j]) => [i + 0.3, j] as const))).toBe(false);
    expect(isStaircase(circle(10, 10, 5, 24))).toBe(false);
  });
});

describe('snapContourSafe on a phantom disk', () => {
  // A muscle disk of radius 8 (50 HU) in fat; the outline to snap is the staircase of a radius-6 disk.
  const W = 40;
  const hu = slice(W, W, (i, j) => ((i - 20) ** 2 + (j - 20) ** 2 <= 64 ? 50 : undefined));
  const grad = gradientMagnitude(hu, W, W);
  const stair = maskToContours(maskOf(W, W, (i, j) => (i - 20) ** 2 + (j - 20) ** 2 <= 36), W, W)[0]!;

  it('the plain vertex snap of a staircase makes needles; the safe snap smooths first and keeps every turn within the limit', () => {
    const plain = snapContour(stair, grad, W, W, { radiusPx: 2 });
    const safe = snapContourSafe(stair, grad, W, W, { radiusPx: 2 });
    expect(maxTurnDeg(plain)).toBeGreaterThanOrEqual(135);
    expect(safe.staircase).toBe(true);
    expect(safe.smoothing).toBe('smoothed');
    expect(maxTurnDeg(safe.prepared)).toBeLessThan(90); // the staircase's square corners are rounded
    expect(maxTurnDeg(safe.contour)).toBeLessThanOrEqual(Math.max(SNAP_MAX_TURN_DEG, maxTurnDeg(safe.prepared)));
    expect(maxTurnDeg(safe.contour)).toBeLessThan(90);
    expect(maxMove(safe.contour, safe.prepared)).toBeLessThanOrEqual(2 + 1e-9);
    for (const p of safe.prepared) expect(distToOutline(p, stair)).toBeLessThanOrEqual(1);
    expect(findSelfCrossing(safe.contour)).toBeNull();
    expect(safe.moved).toBeGreaterThan(0);
    // It moved toward the disk's edge: the area grew from the radius-6 staircase toward the radius-8 disk.
    expect(Math.abs(polygonArea(safe.contour))).toBeGreaterThan(Math.abs(polygonArea(stair)));
    // A smaller move limit is kept.
    const short = snapContourSafe(stair, grad, W, W, { radiusPx: 2, maxMovePx: 0.75 });
    expect(maxMove(short.contour, short.prepared)).toBeLessThanOrEqual(0.75 + 1e-9);
  });

  it('a neighbouring outline over the disk edge: none of its pixels changes sides', () => {
    const neighbour = maskOf(W, W, (i, j) => i >= 24 && (i - 20) ** 2 + (j - 20) ** 2 > 36); // touches the staircase on its right
    expect(overlap(stair, neighbour, W, W)).toBe(0);
    expect(overlap(snapContour(stair, grad, W, W, { radiusPx: 2 }), neighbour, W, W)).toBeGreaterThan(0);
    const safe = snapContourSafe(stair, grad, W, W, { radiusPx: 2, forbidden: neighbour });
    expect(overlap(safe.contour, neighbour, W, W)).toBe(0);
    expect(safe.keptNeighbour).toBeGreaterThan(0);
  });

  it('checks its arguments', () => {
    expect(() => snapContourSafe(stair, grad, W, W, { radiusPx: 2, maxTurnDeg: 200 })).toThrow(/turn limit/);
    expect(() => snapContourSafe(stair, grad, W, W, { radiusPx: 2, forbidden: new Uint8Array(3) })).toThrow(/neighbour mask/);
  });
});

describe('snapContourSafe properties on random slices', () => {
  it('moves <= the limit, turns within max(limit, before), no new overlap with a neighbour, no fold of a simple outline', () => {
    const W = 32;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -150, max: 200 }), { minLength: 64, maxLength: 64 }), fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0.5, max: 3, noNaN: true }), (cells, s, radius) => {
        // A blocky random slice (8 x 8 blocks of 4 x 4 pixels) and a grown-like region: the blocks above 0 HU connected to a fixed one.
        const hu = slice(W, W, (i, j) => cells[(j >> 2) * 8 + (i >> 2)]!);
        const region = maskOf(W, W, (i, j) => hu[j * W + i]! > 0 && i >= 4 && i < 28 && j >= 4 && j < 28);
        const comps = maskToContours(region, W, W);
        if (comps.length === 0) return;
        const c = comps[0]!;
        const neighbour = maskOf(W, W, (i, j) => !region[j * W + i] && (i * 7 + j * 13 + s) % 3 === 0);
        const grad = gradientMagnitude(hu, W, W);
        const r = snapContourSafe(c, grad, W, W, { radiusPx: radius, forbidden: neighbour });
        expect(r.contour).toHaveLength(r.prepared.length);
        expect(maxMove(r.contour, r.prepared)).toBeLessThanOrEqual(radius + 1e-9);
        for (let k = 0; k < r.contour.length; k++) expect(turnDeg(r.contour, k)).toBeLessThanOrEqual(Math.max(SNAP_MAX_TURN_DEG, maxTurnDeg(r.prepared)) + 1e-6);
        expect(overlap(r.contour, neighbour, W, W)).toBeLessThanOrEqual(overlap(c, neighbour, W, W));
        if (findSelfCrossing(r.prepared) === null) expect(findSelfCrossing(r.contour)).toBeNull();
      }),
      { numRuns: 25, seed: 14 },
    );
  });
});
