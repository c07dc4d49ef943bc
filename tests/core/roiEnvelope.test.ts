/**
 * Region grow keeps intramuscular fat (closeEnvelope) and the soft-tissue brush paints it, on the exact
 * fat-marbled phantom (tests/fixtures/fatStreakPhantom.ts): the hand outline is each muscle's box, and
 * its fat % comes from the layout.
 */
import { describe, expect, it } from 'vitest';
import { paintOutline } from '../../src/core/roi/brush';
import { closeEnvelope, regionGrow, regionToContour, SOFT_TISSUE_HU } from '../../src/core/roi/regionGrow';
import { ENVELOPES, envelopeMask, FS, fatStreakSlice, OPEN_STREAKS, TRUTH } from '../fixtures/fatStreakPhantom';
import { count, differing, maskOf, slice } from './roiPhantom';

const { columns: W, rows: H } = FS;
const hu = fatStreakSlice();
/** Fat pixels (-190..-30 HU, the fat range) of a mask, counted here from the phantom's HU. */
const fatIn = (m: Uint8Array) => {
  let f = 0;
  for (let p = 0; p < m.length; p++) if (m[p] && hu[p]! >= -190 && hu[p]! <= -30) f++;
  return f;
};
const centre = (name: 'mf' | 'es') => [(ENVELOPES[name][0] + ENVELOPES[name][1]) >> 1, 18] as const;

describe('closeEnvelope on the fat-marbled phantom', () => {
  for (const name of ['mf', 'es'] as const) {
    it(`${name}: a muscle-range grow leaves the open streaks out; its envelope is exactly the hand outline, so the fat % is the truth`, () => {
      const g = regionGrow(hu, W, H, centre(name), { fillHoles: true });
      expect(g.pixels).toBe(TRUTH[name].grownPixels);
      expect(fatIn(g.mask)).toBe(TRUTH[name].grownFat);
      for (const r of [1, 2, 6]) {
        const e = closeEnvelope(g.mask, W, H, r, { hu });
        expect(differing(e.mask, envelopeMask(name)), `radius ${r}`).toBe(0);
        expect(e.pixels).toBe(TRUTH[name].pixels);
        expect(e.added).toBe(TRUTH[name].pixels - TRUTH[name].grownPixels);
        expect(fatIn(e.mask) / e.pixels).toBe(TRUTH[name].fat / TRUTH[name].pixels);
        // Its outline measures the same pixels.
        expect(regionToContour(e.mask, W, H)!.filledPixels).toBe(TRUTH[name].pixels);
      }
    });
  }

  it('fat beside a straight or convex edge stays out; a notch of bone or air is not taken in; the limit is respected', () => {
    // A 10 x 10 muscle block (50 HU) with a 1-px notch in its top edge, filled with bone (column 14), and one with fat (column 17).
    const s = slice(30, 30, (i, j) => {
      if (i < 10 || i > 19 || j < 10 || j > 19) return undefined; // fat -100 around
      if (j <= 13 && i === 14) return 700;
      if (j <= 13 && i === 17) return -100;
      return 50;
    });
    const g = regionGrow(s, 30, 30, [12, 16]);
    expect(g.pixels).toBe(100 - 8);
    const e = closeEnvelope(g.mask, 30, 30, 2, { hu: s });
    const box = maskOf(30, 30, (i, j) => i >= 10 && i <= 19 && j >= 10 && j <= 19 && !(i === 14 && j <= 13));
    expect(differing(e.mask, box)).toBe(0); // the fat notch is in, the bone notch out, nothing outside the box
    // Without HU the closing takes the bone notch too; a limit over the fat notch keeps it out.
    expect(count(closeEnvelope(g.mask, 30, 30, 2).mask)).toBe(100);
    const barrier = maskOf(30, 30, (i, j) => i === 17 && j <= 13);
    const lim = closeEnvelope(g.mask, 30, 30, 2, { hu: s, barrier });
    expect(count(lim.mask)).toBe(100 - 8);
    // Radius 0: only enclosed pixels are filled; the result always contains the region.
    const z = closeEnvelope(g.mask, 30, 30, 0, { hu: s });
    expect(differing(z.mask, g.mask)).toBe(0);
    expect(() => closeEnvelope(g.mask, 30, 30, 1.5)).toThrow(/whole number/);
  });
});

describe('soft-tissue brush on the fat-marbled phantom', () => {
  it('painting along the open streaks of a muscle-range grow adds exactly their fat (the muscle-range brush adds none)', () => {
    for (const name of ['mf', 'es'] as const) {
      const g = regionGrow(hu, W, H, centre(name), { fillHoles: true });
      // Strokes of radius 0.5 (a row of pixels each) over every row of each open streak, edge to depth.
      let mask = g.mask;
      let muscleOnly = g.mask;
      for (const [i0, i1, j0, j1] of OPEN_STREAKS[name]) {
        for (let j = j0; j <= j1; j++) {
          const stroke = [[i0, j], [i1, j]] as const;
          const soft = paintOutline(regionToContour(mask, W, H)!.contour, W, H, stroke, 0.5, { hu, loHu: SOFT_TISSUE_HU[0], hiHu: SOFT_TISSUE_HU[1] });
          expect(soft.changed).toBe(i1 - i0 + 1);
          mask = soft.mask;
          const musc = paintOutline(regionToContour(muscleOnly, W, H)!.contour, W, H, stroke, 0.5, { hu });
          expect(musc.changed).toBe(0);
          muscleOnly = musc.mask;
        }
      }
      expect(differing(mask, envelopeMask(name))).toBe(0);
      expect(fatIn(mask)).toBe(TRUTH[name].fat);
    }
  });
});
