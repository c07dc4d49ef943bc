import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cross, normalize, type Vec3 } from '../../src/core/geometry/vec3';
import { indexToLps, lpsToIndex, makeGeometry, sliceSpacingMm, sliceWeightsMm } from '../../src/core/geometry/volumeGeometry';
import { lpsToSliceIj, sliceIjToLps } from '../../src/core/roi/contour';
import { fitSliceLine, offLineMm, tiltDeg } from '../../src/core/geometry/sliceLine';

/** An oblique geometry: orthonormal row/column directions from two angles, slices along the normal. */
function oblique(a: number, b: number, gaps: number[]) {
  const row = normalize([Math.cos(a), Math.sin(a) * Math.cos(b), Math.sin(a) * Math.sin(b)]);
  const helper: Vec3 = Math.abs(row[2]) < 0.9 ? [0, 0, 1] : [1, 0, 0];
  const col = normalize(cross(helper, row));
  const normal = cross(row, col);
  const origin: Vec3 = [-120.5, 33.25, 400];
  let off = 0;
  const positions = [origin, ...gaps.map((gap) => ((off += gap), [origin[0] + normal[0] * off, origin[1] + normal[1] * off, origin[2] + normal[2] * off] as Vec3))];
  return makeGeometry({ columns: 64, rows: 48, slices: positions.length, columnSpacingMm: 0.7, rowSpacingMm: 0.9, rowDirection: row, columnDirection: col, slicePositions: positions });
}

describe('geometry: pixel <-> patient (LPS) mapping', () => {
  it('maps any pixel to LPS and back, oblique and irregular stacks included', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: Math.PI, noNaN: true }),
        fc.double({ min: 0, max: Math.PI, noNaN: true }),
        fc.array(fc.double({ min: 0.5, max: 5, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.double({ min: -10, max: 70, noNaN: true }),
        fc.double({ min: -10, max: 60, noNaN: true }),
        fc.nat(),
        (a, b, gaps, i, j, kk) => {
          const g = oblique(a, b, gaps);
          const k = kk % g.slices;
          const p = indexToLps(g, i, j, k);
          const [i2, j2, k2] = lpsToIndex(g, p);
          expect(i2).toBeCloseTo(i, 9);
          expect(j2).toBeCloseTo(j, 9);
          expect(k2).toBeCloseTo(k, 9);
          const [[si, sj]] = lpsToSliceIj(g, k, [p]) as [[number, number]];
          expect(si).toBeCloseTo(i, 9);
          expect(sj).toBeCloseTo(j, 9);
          const [q] = sliceIjToLps(g, k, [[i, j]]);
          for (let d = 0; d < 3; d++) expect(q![d]).toBeCloseTo(p[d]!, 9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('uses the DICOM conventions: PixelSpacing[1] steps columns, positions give the slice spacing', () => {
    const g = makeGeometry({
      columns: 4,
      rows: 3,
      slices: 3,
      columnSpacingMm: 0.5,
      rowSpacingMm: 2,
      rowDirection: [1, 0, 0],
      columnDirection: [0, 1, 0],
      slicePositions: [[10, 20, 30], [10, 20, 33], [10, 20, 39]],
    });
    expect(indexToLps(g, 2, 1, 1)).toEqual([11, 22, 33]);
    expect(g.normal).toEqual([0, 0, 1]);
    expect(sliceSpacingMm(g)).toBe(6); // median of the gaps 3 and 6 (upper median of two)
    expect(sliceWeightsMm(g)).toEqual([3, 4.5, 6]);
    expect(lpsToIndex(g, [11, 22, 36])).toEqual([2, 1, 1.5]);
    expect(() => makeGeometry({ ...g, columnSpacingMm: 0 })).toThrow(/spacing must be > 0/);
  });
});

describe('the line slice positions follow (sliceLine)', () => {
  it('recovers any shear and intercept exactly, whatever a minority of slices that jump do (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 400 }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.array(fc.tuple(fc.nat(), fc.double({ min: 1, max: 500, noNaN: true })), { maxLength: 3 }),
        (n, du, dv, jumps) => {
          // Slices 1.25 mm apart with a missing one at a third of the way; a few (fewer than a quarter) jump.
          const s = Array.from({ length: n }, (_, k) => 1.25 * (k + (k > n / 3 ? 1 : 0)) - 80);
          const jumped = new Map(jumps.filter(() => n >= 16).map(([k, mm]) => [k % n, mm]));
          const points = s.map((sk, k) => ({ u: 12.5 + du * sk + (jumped.get(k) ?? 0), v: -7 + dv * sk, s: sk }));
          const line = fitSliceLine(points);
          expect(line.du).toBeCloseTo(du, 9);
          expect(line.dv).toBeCloseTo(dv, 9);
          points.forEach((p, k) => expect(offLineMm(line, p)).toBeCloseTo(jumped.get(k) ?? 0, 6));
          expect(tiltDeg(line)).toBeCloseTo((Math.atan(Math.hypot(du, dv)) * 180) / Math.PI, 6);
        },
      ),
      { numRuns: 100 },
    );
  });
});
