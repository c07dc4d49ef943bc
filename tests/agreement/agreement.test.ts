/**
 * Inter-rater agreement (src/core/agreement): Dice and Hausdorff on phantom outlines worked out by
 * hand, ICC(2,1) on a table worked out by hand and on Shrout & Fleiss's published example, the F
 * quantile against closed forms and printed tables, Bland-Altman by hand.
 */
import { describe, expect, it } from 'vitest';
import { agreement } from '../../src/core/agreement/agreement';
import { blandAltman } from '../../src/core/agreement/blandAltman';
import { fCdf, fQuantile } from '../../src/core/agreement/fDistribution';
import { icc21, twoWayAnova } from '../../src/core/agreement/icc';
import { compareOutlines, dice, hausdorffMm } from '../../src/core/agreement/overlap';
import type { Vec3 } from '../../src/core/geometry/vec3';
import type { MeasurementRecord } from '../../src/core/metrics/records';
import { axialGeometry } from '../core/helpers';

/** A rectangle outline through pixel corners: pixel centres i0..i1 x j0..j1 inside (pixel-centre rule), on slice k of g (origin 0, axial). */
function rect(i0: number, i1: number, j0: number, j1: number, colSp: number, rowSp: number, z = 0): Vec3[] {
  const x0 = (i0 - 0.5) * colSp;
  const x1 = (i1 + 0.5) * colSp;
  const y0 = (j0 - 0.5) * rowSp;
  const y1 = (j1 + 0.5) * rowSp;
  return [[x0, y0, z], [x1, y0, z], [x1, y1, z], [x0, y1, z]];
}

describe('Dice and Hausdorff on phantom outlines', () => {
  // 0.7 mm columns, 0.5 mm rows. Rater A: pixel centres 10..19 x 10..19 (100 px); rater B the same square
  // moved by 2 columns and 1 row: 12..21 x 11..20 (100 px). Overlap 8 x 9 = 72 px:
  // Dice = 2 * 72 / 200 = 0.72. Hausdorff: pixel (10,10) of A lies 2 columns and 1 row from B's nearest
  // pixel (12,11), (21,20) of B likewise from A's (19,19); no pixel is farther:
  // sqrt((2 * 0.7)^2 + (1 * 0.5)^2) = sqrt(2.21) mm.
  const g = axialGeometry(40, 40, 3, 0.7, 0.5, 2);
  const a = { sliceIndex: 1, pointsLps: rect(10, 19, 10, 19, 0.7, 0.5, 2) };
  const b = { sliceIndex: 1, pointsLps: rect(12, 21, 11, 20, 0.7, 0.5, 2) };

  it('gives the hand-computed Dice and Hausdorff distance', () => {
    const r = compareOutlines(g, [a], [b]);
    expect(r.pixelsA).toBe(100);
    expect(r.pixelsB).toBe(100);
    expect(r.dice).toBeCloseTo(0.72, 12);
    expect(r.hausdorffMm).toBeCloseTo(Math.sqrt(2.21), 12);
    expect(r.note).toBeUndefined();
  });

  it('identical outlines give Dice 1 and Hausdorff 0', () => {
    const r = compareOutlines(g, [a], [{ ...a }]);
    expect(r.dice).toBe(1);
    expect(r.hausdorffMm).toBe(0);
  });

  it('a rater with two outlines of one ROI is compared as their union', () => {
    // A's square cut in two halves along column 14.5 (10..14 and 15..19) is the same mask as the square.
    const left = { sliceIndex: 1, pointsLps: rect(10, 14, 10, 19, 0.7, 0.5, 2) };
    const right = { sliceIndex: 1, pointsLps: rect(15, 19, 10, 19, 0.7, 0.5, 2) };
    expect(compareOutlines(g, [left, right], [a]).dice).toBe(1);
  });

  it('an outline inside another: the distance of the far side (a point set, not the boundary alone)', () => {
    // A: 10..19 x 10..19; B: the single column 10, rows 10..19 (10 px). Dice = 2*10/110; Hausdorff from A's
    // column 19 to B's column 10: 9 columns * 0.7 mm = 6.3 mm.
    const thin = { sliceIndex: 1, pointsLps: rect(10, 10, 10, 19, 0.7, 0.5, 2) };
    const r = compareOutlines(g, [a], [thin]);
    expect(r.dice).toBeCloseTo(20 / 110, 12);
    expect(r.hausdorffMm).toBeCloseTo(6.3, 12);
  });

  it('outlines on different slices are compared in the image plane, with a note', () => {
    const r = compareOutlines(g, [a], [{ ...a, sliceIndex: 2, pointsLps: rect(10, 19, 10, 19, 0.7, 0.5, 4) }]);
    expect(r.dice).toBe(1);
    expect(r.note).toMatch(/different slices \(1 vs 2\)/);
  });

  it('empty masks: Dice and Hausdorff undefined (null), never a number', () => {
    const empty = new Uint8Array(16);
    const one = new Uint8Array(16);
    one[5] = 1;
    expect(dice(empty, empty)).toBeNull();
    expect(dice(empty, one)).toBe(0);
    expect(hausdorffMm(empty, one, 4, 4, 1, 1)).toBeNull();
  });
});

describe('the F distribution', () => {
  it('matches the closed form for 2 numerator degrees of freedom: P(F <= f) = 1 - (1 + 2f/d2)^(-d2/2)', () => {
    for (const d2 of [1, 3, 7.5, 40]) {
      for (const f of [0.1, 1, 3.3, 12]) expect(fCdf(f, 2, d2)).toBeCloseTo(1 - (1 + (2 * f) / d2) ** (-d2 / 2), 12);
      for (const p of [0.025, 0.5, 0.975]) expect(fQuantile(p, 2, d2)).toBeCloseTo((d2 / 2) * ((1 - p) ** (-2 / d2) - 1), 8);
    }
  });

  it('matches printed tables: F(.975; 5, 15) = 3.576, F(.95; 1, 10) = t(.975; 10)^2 = 2.2281^2', () => {
    expect(fQuantile(0.975, 5, 15)).toBeCloseTo(3.5764, 3);
    expect(fQuantile(0.95, 1, 10)).toBeCloseTo(2.228139 ** 2, 4);
  });
});

describe('ICC(2,1)', () => {
  it('on a table worked out by hand', () => {
    // Rater 2 reads every target 1 higher: [1,2,3] vs [2,3,4]. Grand mean 2.5; SS targets = 2 * (1 + 0 + 1) = 4,
    // MSR = 4/2 = 2; SS raters = 3 * (0.25 + 0.25) = 1.5, MSC = 1.5; SS total = 5.5, SSE = 0.
    // ICC(2,1) = (MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n) = 2 / (2 + 0 + 2 * 1.5 / 3) = 2/3.
    const r = icc21([[1, 2], [2, 3], [3, 4]]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.anova.msr).toBeCloseTo(2, 12);
    expect(r.anova.msc).toBeCloseTo(1.5, 12);
    expect(r.anova.mse).toBeCloseTo(0, 12);
    expect(r.icc).toBeCloseTo(2 / 3, 12);
    expect(r.lower!).toBeLessThan(r.icc);
    expect(r.upper!).toBeGreaterThan(r.icc);
  });

  it("on Shrout & Fleiss's example: 6 targets x 4 judges, ICC(2,1) = .29", () => {
    // Shrout PE, Fleiss JL. Intraclass correlations: uses in assessing rater reliability. Psychological
    // Bulletin 1979;86(2):420-428, doi:10.1037/0033-2909.86.2.420. Table 2 (the ratings, targets in rows,
    // judges 1-4 in columns); Table 3 (its ANOVA: BMS 11.24, JMS 32.49, EMS 1.02) and Table 4
    // (ICC(2,1) = .29). The 95% interval [0.019, 0.761]: the McGraw & Wong (1996) case 2A formula evaluated
    // for this test independently, with scipy.stats.f.ppf (v = 4.785, F_L = 7.4986, F_U = 7.1907).
    const table = [
      [9, 2, 5, 8],
      [6, 1, 3, 2],
      [8, 4, 6, 8],
      [7, 1, 2, 6],
      [10, 5, 6, 9],
      [6, 2, 4, 7],
    ];
    const a = twoWayAnova(table);
    expect(a.msr).toBeCloseTo(11.24, 2);
    expect(a.msc).toBeCloseTo(32.49, 2);
    expect(a.mse).toBeCloseTo(1.02, 2);
    const r = icc21(table);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Math.round(r.icc * 100) / 100).toBe(0.29);
    expect(r.lower!).toBeCloseTo(0.0188, 3);
    expect(r.upper!).toBeCloseTo(0.7611, 3);
  });

  it('identical ratings give ICC 1 (interval [1, 1]); no variation at all is undefined', () => {
    const r = icc21([[3, 3], [5, 5], [8, 8]]);
    expect(r).toMatchObject({ ok: true, icc: 1, lower: 1, upper: 1 });
    expect(icc21([[4, 4], [4, 4]]).ok).toBe(false);
    expect(icc21([[4, 5]]).ok).toBe(false);
  });
});

describe('Bland-Altman', () => {
  it('gives the hand-computed bias and limits of agreement', () => {
    // Differences (second - first): 1, 3, 2, 2 -> bias 2; SD = sqrt((1 + 1 + 0 + 0) / 3) = sqrt(2/3).
    const r = blandAltman([10, 20, 30, 40], [11, 23, 32, 42]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.bias).toBe(2);
    expect(r.sd).toBeCloseTo(Math.sqrt(2 / 3), 12);
    expect(r.lower).toBeCloseTo(2 - 1.96 * Math.sqrt(2 / 3), 12);
    expect(r.upper).toBeCloseTo(2 + 1.96 * Math.sqrt(2 / 3), 12);
    expect(r.points[1]).toEqual({ mean: 21.5, difference: 3 });
  });
});

describe('agreement of two reads', () => {
  const g = axialGeometry(40, 40, 3, 0.7, 0.5, 2);
  const rec = (muscle: string, side: string, areaMm2: number, meanHu: number): MeasurementRecord =>
    ({ structure: `${muscle}_${side}`, muscle, side, level: 'L3', sliceIndex: 1, z: 2, warnings: [], status: 'measured', areaMm2, leanAreaMm2: areaMm2, fatFraction: 0, meanHu }) as unknown as MeasurementRecord;
  const roi = (muscle: 'psoas' | 'multifidus', side: 'left' | 'right', pts: Vec3[], sliceIndex = 1) => ({ level: 'L3' as const, muscle, side, sliceIndex, z: 2, pointsLps: pts });

  it('pairs outlines by level, muscle and side, and names an ROI one rater has not outlined', () => {
    const sq = rect(10, 19, 10, 19, 0.7, 0.5, 2);
    const moved = rect(12, 21, 11, 20, 0.7, 0.5, 2);
    const report = agreement(g, [
      { rater: 'AB', rois: [roi('psoas', 'left', sq), roi('psoas', 'right', sq), roi('multifidus', 'left', sq)], records: [rec('psoas', 'left', 1, 10), rec('psoas', 'right', 2, 20), rec('multifidus', 'left', 3, 30)] },
      { rater: 'CD', rois: [roi('psoas', 'right', moved), roi('psoas', 'left', sq)], records: [rec('psoas', 'left', 2, 10), rec('psoas', 'right', 3, 20)] },
    ]);
    expect(report.raters).toEqual(['AB', 'CD']);
    const byKey = Object.fromEntries(report.rois.map((r) => [`${r.muscle} ${r.side}`, r]));
    expect(byKey['psoas left']!.pairs[0]).toMatchObject({ raterA: 'AB', raterB: 'CD', dice: 1, hausdorffMm: 0 });
    expect(byKey['psoas right']!.pairs[0]!.dice).toBeCloseTo(0.72, 12);
    expect(byKey['multifidus left']).toMatchObject({ raters: ['AB'], missing: ['CD'], pairs: [] });
    // CSA: two targets both raters measured, [1,2] vs [2,3]: every difference 1 -> bias 1, SD 0.
    const csa = report.metrics.find((m) => m.key === 'areaMm2')!;
    expect(csa.targets).toBe(2);
    expect(csa.blandAltman[0]).toMatchObject({ ok: true, n: 2, bias: 1, sd: 0 });
    // Mean HU identical: ICC 1.
    expect(report.metrics.find((m) => m.key === 'meanHu')!.icc).toMatchObject({ ok: true, icc: 1 });
  });

  it('finds an outline on the slice at its z, as the measurement does, when its slice index is off the grid', () => {
    const sq = rect(10, 19, 10, 19, 0.7, 0.5, 2);
    const report = agreement(g, [
      { rater: 'AB', rois: [roi('psoas', 'left', sq)], records: [] },
      { rater: 'CD', rois: [roi('psoas', 'left', sq, 99)], records: [] },
    ]);
    expect(report.rois[0]!.pairs[0]).toMatchObject({ dice: 1, hausdorffMm: 0 });
    expect(report.rois[0]!.pairs[0]!.note).toBeUndefined();
  });
});
