/** The outline tools on the real 3 mm abdominal CT and its TotalSegmentator masks (../shared/data), L3 = slice 73. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sliceView } from '../../src/core/volume';
import { gradientMagnitude, snapContour } from '../../src/core/roi/edges';
import { maskToContours } from '../../src/core/roi/maskToContours';
import { midlineColumn, mirrorContour, propagateContour } from '../../src/core/roi/propagate';
import { polygonArea, rasterizePolygon, type PointIj } from '../../src/core/roi/rasterize';
import { cutBridges, regionGrow, regionToContour } from '../../src/core/roi/regionGrow';
import { simplifyContour, smoothContour } from '../../src/core/roi/smooth';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { loadMasks } from '../../src/node/masks';
import { count, differing } from './roiPhantom';

const ABD = join(__dirname, '../../../shared/data/ct-abdomen-3mm');
const L3 = 73;
const NUMBERS: Record<string, unknown> = {};

let W = 0;
let H = 0;
let hu: Int16Array | Float32Array;
let huBelow: Int16Array | Float32Array;
let masks: Record<string, Uint8Array>;
let below: Record<string, Uint8Array>;

const dice = (a: Uint8Array, b: Uint8Array) => {
  let both = 0;
  for (let p = 0; p < a.length; p++) if (a[p] && b[p]) both++;
  return (2 * both) / (count(a) + count(b));
};

/** The mask pixel in the HU range nearest the mask's centroid (a seed a user would click). */
function seedIn(mask: Uint8Array, lo: number, hi: number): PointIj {
  let si = 0;
  let sj = 0;
  let n = 0;
  for (let p = 0; p < mask.length; p++) if (mask[p]) (si += p % W, sj += Math.floor(p / W), n++);
  si /= n;
  sj /= n;
  let best = -1;
  let bd = Infinity;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p] || hu[p]! < lo || hu[p]! > hi) continue;
    const d = (p % W - si) ** 2 + (Math.floor(p / W) - sj) ** 2;
    if (d < bd) (bd = d, best = p);
  }
  return [best % W, Math.floor(best / W)];
}

beforeAll(async () => {
  const { volume } = await loadSeriesFromFolder(join(ABD, 'dicom'));
  const g = volume.geometry;
  W = g.columns;
  H = g.rows;
  const n = W * H;
  const r = await loadMasks(join(ABD, 'masks'), g, { slices: [L3, L3 - 1] });
  expect(r.problems).toEqual([]);
  masks = Object.fromEntries(r.masks.map((m) => [m.name, m.data.subarray(L3 * n, (L3 + 1) * n)]));
  below = Object.fromEntries(r.masks.map((m) => [m.name, m.data.subarray((L3 - 1) * n, L3 * n)]));
  hu = sliceView(volume, L3);
  huBelow = sliceView(volume, L3 - 1);
});

describe('outline tools on the real CT at L3 (slice 73)', () => {
  it('region grow from a seed inside iliopsoas_left: the muscle range leaks at 3 mm (maxPixels catches it); a raised lower bound finds the psoas', () => {
    const m = masks.iliopsoas_left!;
    expect(count(m)).toBe(79);
    const seed = seedIn(m, -29, 150);
    // The full muscle range -29..150: the psoas touches other soft tissue with no fat plane resolved at
    // 3 mm, so the region runs on (about 1,400 pixels). The maxPixels guard says so.
    const leak = regionGrow(hu, W, H, seed, { fillHoles: true });
    const guarded = regionGrow(hu, W, H, seed, { maxPixels: 4 * 79 });
    expect(leak.pixels).toBeGreaterThan(4 * 79);
    expect(guarded.hitMaxPixels).toBe(true);
    // 0..150 HU with 4-connectivity (the partial-volume fat between psoas and its neighbours drops out).
    const r = regionGrow(hu, W, H, seed, { loHu: 0, hiHu: 150, connectivity: 4, fillHoles: true });
    const d = dice(r.mask, m);
    NUMBERS.regionGrow = { seed, fullRangePixels: leak.pixels, narrowPixels: r.pixels, maskPixels: 79, dice: +d.toFixed(3) };
    expect(r.pixels).toBeGreaterThanOrEqual(0.7 * 79);
    expect(r.pixels).toBeLessThanOrEqual(1.3 * 79);
    expect(d).toBeGreaterThan(0.75);
    // Its outline rasterises back to exactly the region.
    const c = regionToContour(r.mask, W, H, 4)!;
    expect(differing(rasterizePolygon(c.contour, W, H), r.mask)).toBe(0);
  });

  it('region grow with the default range leaks from both psoas; cutting bridges up to 4 px wide leaves each psoas', () => {
    const rows: Record<string, unknown> = {};
    for (const name of ['iliopsoas_left', 'iliopsoas_right']) {
      const m = masks[name]!;
      const seed = seedIn(m, -29, 150);
      const r = regionGrow(hu, W, H, seed, { fillHoles: true }); // -29..150, 8-connected: the app's defaults
      expect(r.pixels, name).toBeGreaterThan(4 * count(m));
      const c = cutBridges(r.mask, W, H, seed, 2);
      const d = dice(c.mask, m);
      rows[name] = { grown: r.pixels, afterCut: c.pixels, mask: count(m), dice: +d.toFixed(3) };
      expect(d, name).toBeGreaterThanOrEqual(0.85);
    }
    NUMBERS.cutBridges = rows;
  });

  it('snapping the mask outlines to edges moves every vertex by at most the radius', () => {
    const grad = gradientMagnitude(hu, W, H);
    const moves: number[] = [];
    for (const name of ['iliopsoas_left', 'iliopsoas_right', 'autochthon_left', 'autochthon_right']) {
      const c = maskToContours(masks[name]!, W, H)[0]!;
      for (const radius of [1, 2, 3]) {
        const s = snapContour(c, grad, W, H, { radiusPx: radius, subpixel: radius === 2 });
        s.forEach((q, k) => {
          const d = Math.hypot(q[0] - c[k]![0], q[1] - c[k]![1]);
          expect(d).toBeLessThanOrEqual(radius);
          if (radius === 2) moves.push(d);
        });
      }
    }
    NUMBERS.snapRadius2MeanMovePx = +(moves.reduce((a, b) => a + b, 0) / moves.length).toFixed(3);
  });

  it('simplify and smooth the real mask outlines keep the area within 2 %', () => {
    const rows: unknown[] = [];
    for (const name of ['iliopsoas_left', 'iliopsoas_right', 'autochthon_left', 'autochthon_right']) {
      const c = maskToContours(masks[name]!, W, H)[0]!;
      const a = polygonArea(c);
      expect(a).toBe(count(masks[name]!)); // no holes in these masks at L3
      const s = simplifyContour(c, 0.02);
      expect(Math.abs(polygonArea(s.contour) - a)).toBeLessThanOrEqual(0.02 * a + 1e-9);
      expect(s.contour.length).toBeLessThan(c.length);
      const sm = smoothContour(s.contour, 3);
      expect(Math.abs(polygonArea(sm.contour) - polygonArea(s.contour))).toBeLessThanOrEqual(0.02 * polygonArea(s.contour) + 1e-9);
      // Smoothing the pixel-edge outline itself: corner cuts on the staircase mostly cancel, so it runs.
      const direct = smoothContour(c, 3);
      expect(direct.iterations).toBeGreaterThanOrEqual(1);
      expect(Math.abs(direct.areaChange)).toBeLessThanOrEqual(0.02 * a + 1e-9);
      // The smoothed outline still covers nearly the same pixels.
      const d = dice(rasterizePolygon(direct.contour, W, H), masks[name]!);
      expect(d).toBeGreaterThan(0.85);
      rows.push({ name, vertices: c.length, simplified: s.contour.length, simplifyAreaPct: +((100 * s.areaChange) / a).toFixed(2), smoothIterations: sm.iterations, directSmoothIterations: direct.iterations, smoothAreaPct: +((100 * direct.areaChange) / a).toFixed(2), pixelDice: +d.toFixed(3) });
    }
    NUMBERS.simplifySmooth = rows;
  });

  it('mirroring iliopsoas_left across the midline lands on iliopsoas_right', () => {
    const mid = midlineColumn(hu, W, H, { vertebraMask: masks.vertebrae_L3 })!;
    const bone = midlineColumn(hu, W, H)!;
    expect(mid.source).toBe('vertebra-mask');
    expect(Math.abs(mid.column - bone.column)).toBeLessThan(2); // the two estimates agree within 2 pixels (6 mm)
    const mirrored = mirrorContour(maskToContours(masks.iliopsoas_left!, W, H)[0]!, mid.column);
    const d = dice(rasterizePolygon(mirrored, W, H), masks.iliopsoas_right!);
    NUMBERS.mirror = { midlineMask: +mid.column.toFixed(3), midlineBone: +bone.column.toFixed(3), dice: +d.toFixed(3) };
    expect(d).toBeGreaterThan(0.5);
  });

  it('propagating the L3 outlines to slice 72 keeps them on the muscles there', () => {
    const grad = gradientMagnitude(huBelow, W, H);
    const rows: unknown[] = [];
    for (const name of ['iliopsoas_left', 'autochthon_left']) {
      const c = maskToContours(masks[name]!, W, H)[0]!;
      const p = propagateContour(c, huBelow, W, H, { grad, snapRadiusPx: 1 });
      p.snapped.forEach((q, k) => expect(Math.hypot(q[0] - c[k]![0], q[1] - c[k]![1])).toBeLessThanOrEqual(1));
      const copy = dice(rasterizePolygon(c, W, H), below[name]!);
      const adapted = dice(rasterizePolygon(p.contour, W, H), below[name]!);
      rows.push({ name, copyDice: +copy.toFixed(3), adaptedDice: +adapted.toFixed(3), smoothIterations: p.smoothIterations });
      // Adjacent 3 mm slices barely differ, so the plain copy is already good (Dice about 0.94-0.97);
      // the vertex snap must not ruin it.
      expect(adapted).toBeGreaterThan(0.7);
      expect(adapted).toBeGreaterThan(copy - 0.1);
    }
    NUMBERS.propagate = rows;
    if (process.env.ROI_NUMBERS) console.log(JSON.stringify(NUMBERS));
  });
});
