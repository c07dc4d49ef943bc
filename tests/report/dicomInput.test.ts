/** buildDicomReportInput: outlines and masks of mask records and of annotation outlines, on a hand-made grid. */
import { describe, expect, it } from 'vitest';
import type { SeriesReferences } from '../../src/core/dicom/references';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import type { MeasurementRecord } from '../../src/core/metrics/records';
import { buildDicomReportInput } from '../../src/core/report/dicomInput';

const g = makeGeometry({
  columns: 8,
  rows: 7,
  slices: 3,
  columnSpacingMm: 2,
  rowSpacingMm: 1.5,
  rowDirection: [1, 0, 0],
  columnDirection: [0, 1, 0],
  slicePositions: [0, 1, 2].map((k) => [10, 20, 30 + 3 * k] as [number, number, number]),
});
const refs = { slices: [] } as unknown as SeriesReferences;
const rec = (r: Partial<MeasurementRecord>) => ({ structure: 'x', muscle: 'psoas', side: 'left', level: 'L3', sliceIndex: 1, z: 33, pixels: 1, warnings: [], ...r }) as MeasurementRecord;
const setPixels = (mask: Uint8Array) => [...mask].flatMap((v, p) => (v ? [`${p % g.columns},${Math.floor(p / g.columns)}`] : []));
const area = (pts: readonly (readonly [number, number])[]) => Math.abs(pts.reduce((s, [x, y], n) => { const [x2, y2] = pts[(n + 1) % pts.length]!; return s + x * y2 - x2 * y; }, 0)) / 2;

describe('buildDicomReportInput', () => {
  it('an annotation record: its outline projected on its slice (pixel centres at integers), the mask of the pixel centres inside', () => {
    // Pixel corners (1.5, 2.5) .. (4.5, 5.5) on slice 1: LPS = origin + i*2 mm x + j*1.5 mm y.
    const pointsLps = [[13, 23.75, 33], [19, 23.75, 33], [19, 28.25, 33], [13, 28.25, 33]] as [number, number, number][];
    const record = rec({ roiIds: ['a'], pixels: 9 });
    const input = buildDicomReportInput({ references: refs, geometry: g, records: [record], outlines: [{ id: 'a', pointsLps }, { id: 'b', pointsLps: [] }] });
    expect(input.rois.length).toBe(1);
    const roi = input.rois[0]!;
    expect(roi.sliceIndex).toBe(1);
    expect(roi.outlines.map((o) => o.map(([i, j]) => [+i.toFixed(9), +j.toFixed(9)]))).toEqual([[[1.5, 2.5], [4.5, 2.5], [4.5, 5.5], [1.5, 5.5]]]);
    expect(setPixels(roi.mask)).toEqual(['2,3', '3,3', '4,3', '2,4', '3,4', '4,4', '2,5', '3,5', '4,5']);
  });

  it('a mask record: the outer outline of its mask along pixel edges; absent, empty and mask-less records are left out', () => {
    const mask = new Uint8Array(g.rows * g.columns);
    for (const [i, j] of [[1, 1], [2, 1], [1, 2]]) mask[j! * g.columns + i!] = 1;
    const withMask = rec({ pixels: 3 });
    const input = buildDicomReportInput({
      references: refs,
      geometry: g,
      records: [withMask, rec({ status: 'absent', pixels: 5 }), rec({ pixels: 0 }), rec({ pixels: 5 })],
      recordMasks: new Map([[withMask, mask]]),
    });
    expect(input.rois.map((r) => r.record)).toEqual([withMask]);
    const outline = input.rois[0]!.outlines[0]!;
    expect(outline.map(([i, j]) => `${i},${j}`).sort()).toEqual(['0.5,0.5', '0.5,2.5', '1.5,1.5', '1.5,2.5', '2.5,0.5', '2.5,1.5']);
    expect(area(outline)).toBe(3);
    expect(input.rois[0]!.mask).toBe(mask);
  });
});
