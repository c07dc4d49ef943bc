import { describe, expect, it } from 'vitest';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import { contourMask, lpsToSliceIj, sliceIjToLps } from '../../src/core/roi/contour';
import { annotationToPointsLps, FREEHAND_TOOL, MAX_POLYGON_HANDLES, POLYGON_TOOL, roiToAnnotation, SPLINE_TOOL } from '../../src/renderer/viewer/adapters';
import type { Vec3 } from '../../src/core/geometry/vec3';

const plane = { referencedImageId: 'paraspine:v1/3', frameOfReferenceUid: 'for', viewPlaneNormal: [0, 0, -1] as Vec3, viewUp: [0, -1, 0] as Vec3 };
const square: Vec3[] = [
  [10, 20, 30],
  [14, 20, 30],
  [14, 26, 30],
  [10, 26, 30],
];

describe('adapters', () => {
  it('round-trips a polygon through a Cornerstone polygon annotation exactly (world == LPS)', () => {
    const a = roiToAnnotation({ id: 'r1', pointsLps: square }, plane);
    expect(a.annotationUID).toBe('r1');
    expect(a.metadata.toolName).toBe(POLYGON_TOOL);
    expect(a.metadata.referencedImageId).toBe('paraspine:v1/3');
    expect(a.data.contour?.closed).toBe(true);
    expect(annotationToPointsLps(a)).toEqual(square);
  });

  it('uses a freehand annotation for many vertices, and round-trips it', () => {
    const many: Vec3[] = Array.from({ length: MAX_POLYGON_HANDLES + 1 }, (_, t) => [Math.cos(t / 10) * 20, Math.sin(t / 10) * 20, 5]);
    const a = roiToAnnotation({ id: 'r2', pointsLps: many }, plane);
    expect(a.metadata.toolName).toBe(FREEHAND_TOOL);
    expect(annotationToPointsLps(a)).toEqual(many);
  });

  it('reads spline and freehand polylines, drops a repeated closing vertex and duplicates', () => {
    const poly = [...square, square[0]!];
    expect(annotationToPointsLps({ metadata: { toolName: SPLINE_TOOL }, data: { contour: { polyline: poly, closed: true } } })).toEqual(square);
    expect(annotationToPointsLps({ metadata: { toolName: FREEHAND_TOOL }, data: { contour: { polyline: [square[0]!, square[0]!, ...square.slice(1)], closed: true } } })).toEqual(square);
  });

  it('refuses open, degenerate, non-finite and foreign annotations', () => {
    expect(annotationToPointsLps({ metadata: { toolName: FREEHAND_TOOL }, data: { contour: { polyline: square, closed: false } } })).toBeNull();
    expect(annotationToPointsLps({ metadata: { toolName: POLYGON_TOOL }, data: { handles: { points: square.slice(0, 2) } } })).toBeNull();
    expect(annotationToPointsLps({ metadata: { toolName: POLYGON_TOOL }, data: { handles: { points: [[NaN, 0, 0], ...square] } } })).toBeNull();
    expect(annotationToPointsLps({ metadata: { toolName: 'Length' }, data: { handles: { points: square } } })).toBeNull();
  });

  it('a polygon clicked at pixel centres covers exactly the pixels core counts (no half-pixel shift)', () => {
    const g = makeGeometry({ columns: 20, rows: 20, slices: 1, columnSpacingMm: 0.5, rowSpacingMm: 0.8, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[-5, -8, 12]] });
    // a Cornerstone world point at pixel centre (i, j) is LPS = origin + i*dx + j*dy
    const ijs = [
      [2.5, 3.5],
      [7.5, 3.5],
      [7.5, 9.5],
      [2.5, 9.5],
    ] as const;
    const world = sliceIjToLps(g, 0, ijs);
    const a = roiToAnnotation({ id: 'x', pointsLps: world }, plane);
    const back = annotationToPointsLps(a)!;
    const ij = lpsToSliceIj(g, 0, back);
    ij.forEach((p, n) => {
      expect(p[0]).toBeCloseTo(ijs[n]![0], 12);
      expect(p[1]).toBeCloseTo(ijs[n]![1], 12);
    });
    const mask = contourMask(g, 0, back);
    expect(mask.reduce((s, v) => s + v, 0)).toBe(5 * 6); // i 3..7, j 4..9
  });
});
