import { describe, expect, it } from 'vitest';
import { spreadLabels } from '../../src/renderer/viewer/roiLabels';

describe('outline labels on the axial view', () => {
  it('two labels on one line that overlap are pushed apart, symmetrically about their midpoint', () => {
    // MF R and MF L: each 30 px wide, centred 10 px apart (the multifidus lie a spinous process apart).
    const xs = spreadLabels([
      { x: 100, y: 50, w: 30, h: 12 },
      { x: 110, y: 52, w: 30, h: 12 },
    ], 4);
    expect(xs[1]! - xs[0]!).toBeCloseTo(34, 9); // half widths 15 + 15, and the 4 px gap
    expect((xs[0]! + xs[1]!) / 2).toBeCloseTo(105, 9);
  });

  it('labels apart already, or on different lines, stay where they are', () => {
    const boxes = [
      { x: 100, y: 50, w: 30, h: 12 },
      { x: 140, y: 50, w: 30, h: 12 }, // 40 apart: clear (needs 34)
      { x: 105, y: 80, w: 30, h: 12 }, // another line (30 px lower)
    ];
    expect(spreadLabels(boxes, 4)).toEqual([100, 140, 105]);
  });

  it('a row of three overlapping labels ends with no two overlapping, in their order', () => {
    const boxes = [
      { x: 100, y: 50, w: 30, h: 12 },
      { x: 105, y: 50, w: 30, h: 12 },
      { x: 110, y: 50, w: 30, h: 12 },
    ];
    const xs = spreadLabels(boxes, 4);
    expect(xs[0]!).toBeLessThan(xs[1]!);
    expect(xs[1]!).toBeLessThan(xs[2]!);
    for (const [i, j] of [[0, 1], [1, 2], [0, 2]] as const) expect(xs[j]! - xs[i]!).toBeGreaterThanOrEqual(34 - 0.05);
  });
});
