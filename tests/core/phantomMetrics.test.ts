import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureRoi } from '../../src/core/annotations/measureAnnotations';
import type { Roi } from '../../src/core/annotations/document';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import { makePhantomSeries, phantomHu, type PhantomStorage } from '../fixtures/phantomSeries';
import type { PhantomEncoding } from '../fixtures/dicomWriter';
import { sliceIjToLps } from '../../src/core/roi/contour';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';

/**
 * End to end on our own phantom: written as DICOM in every encoding we write, loaded back, and an ROI
 * measured. The expectations are computed from the phantom's analytic HU function (phantomHu), not from
 * the loaded pixels: the rectangle covers part of a muscle disc (40 + 3k HU), the bone disc (700 HU)
 * and the fat background (-100 + 2j HU: fat for rows j <= 35, lean from j >= 36), so CSA, lean area,
 * fat area and the means are exact.
 */
const ROWS = 64;
const COLS = 56;
const RECT = { i0: 10, i1: 40, j0: 20, j1: 50 }; // inclusive pixel ranges

function expected(k: number) {
  let n = 0;
  let sum = 0;
  let ss = 0;
  let lean = 0;
  let leanSum = 0;
  let fat = 0;
  const values: number[] = [];
  for (let j = RECT.j0; j <= RECT.j1; j++)
    for (let i = RECT.i0; i <= RECT.i1; i++) {
      const v = phantomHu(i, j, k, ROWS, COLS);
      values.push(v);
      n++;
      sum += v;
      if (v >= -29 && v <= 150) {
        lean++;
        leanSum += v;
      }
      if (v >= -190 && v <= -30) fat++;
    }
  const mean = sum / n;
  for (const v of values) ss += (v - mean) ** 2;
  return { n, mean, sd: Math.sqrt(ss / n), lean, leanMean: leanSum / lean, fat };
}

const CASES: [PhantomEncoding, PhantomStorage][] = [
  ['explicitLE', 'int16'],
  ['implicitLE', 'uint12'],
  ['explicitBE', 'int12'],
  ['rle', 'int16'],
  ['explicitLE', 'slopeHalf'],
];

describe('metrics on the DICOM phantom, every encoding we write', () => {
  it.each(CASES)('%s / %s', async (encoding, storage) => {
    const phantom = makePhantomSeries({ encoding, storage });
    const dir = mkdtempSync(join(tmpdir(), `paraspine-phantom-${encoding}-`));
    for (const f of phantom.files) writeFileSync(join(dir, f.name), f.bytes);
    const { volume } = await loadSeriesFromFolder(dir);
    const truth = phantom.expected.geometry;
    expect(volume.geometry.rows).toBe(ROWS);
    expect(volume.geometry.columns).toBe(COLS);
    const pixelArea = truth.columnSpacingMm * truth.rowSpacingMm;
    for (const k of [0, 3, 5]) {
      // an outline on the pixel edges around the rectangle, in patient coordinates from the true geometry
      const pointsLps = sliceIjToLps(truth, k, [
        [RECT.i0 - 0.5, RECT.j0 - 0.5],
        [RECT.i1 + 0.5, RECT.j0 - 0.5],
        [RECT.i1 + 0.5, RECT.j1 + 0.5],
        [RECT.i0 - 0.5, RECT.j1 + 0.5],
      ]).map((p) => [p[0], p[1], p[2]] as [number, number, number]);
      const roi: Roi = { id: 'r', level: 'L3', muscle: 'psoas', side: 'left', sliceIndex: k, z: truth.slicePositions[k]![2], pointsLps, source: 'drawn', createdAt: '', modifiedAt: '' };
      const m = measureRoi(volume, roi, DEFAULT_RANGES);
      const e = expected(k);
      expect(e.fat).toBeGreaterThan(0);
      expect(e.lean).toBeGreaterThan(0);
      expect(e.n - e.lean - e.fat).toBeGreaterThan(0); // bone: neither lean nor fat
      expect(m.sliceIndex).toBe(k);
      expect(m.pixels).toBe(e.n);
      expect(m.areaMm2).toBeCloseTo(e.n * pixelArea, 9);
      expect(m.leanAreaMm2).toBeCloseTo(e.lean * pixelArea, 9);
      expect(m.fatAreaMm2).toBeCloseTo(e.fat * pixelArea, 9);
      expect(m.fatFraction).toBeCloseTo(e.fat / e.n, 12);
      expect(m.meanHu).toBeCloseTo(e.mean, 9);
      expect(m.sdHu).toBeCloseTo(e.sd, 9);
      expect(m.leanMeanHu).toBeCloseTo(e.leanMean, 9);
    }
  });
});
