import { describe, expect, it } from 'vitest';
import { sliceSpacingMm, sliceZ } from '../../src/core/geometry/volumeGeometry';
import { loadSeries, loadSeriesFromFolder, scanFolder } from '../../src/node/dicomFiles';
import { shared } from './helpers';

describe('real CT series from ../shared/data', () => {
  it('ct-abdomen-3mm: 112 slices of 101 rows x 122 columns, 3 mm, feet to head, slice 73 at z 313.3018', async () => {
    const scan = await scanFolder(shared('ct-abdomen-3mm', 'dicom'));
    expect(scan.problems).toEqual([]);
    expect(scan.series).toHaveLength(1);
    const s = scan.series[0]!;
    expect(s.slices).toBe(112);
    expect([s.rows, s.columns]).toEqual([101, 122]);
    expect(s.pixelSpacing).toEqual([3, 3]);
    expect(s.sliceSpacingMm).toBeCloseTo(3, 6);
    expect(s.warnings).toEqual([]);
    const v = await loadSeries(s);
    const g = v.geometry;
    expect([g.columns, g.rows, g.slices]).toEqual([122, 101, 112]);
    expect(g.columnSpacingMm).toBe(3);
    expect(g.rowSpacingMm).toBe(3);
    expect(sliceSpacingMm(g)).toBeCloseTo(3, 6);
    expect(sliceZ(g, 73)).toBeCloseTo(313.3018, 3);
    for (let k = 1; k < g.slices; k++) expect(sliceZ(g, k)).toBeGreaterThan(sliceZ(g, k - 1));
    expect(v.hu).toBeInstanceOf(Int16Array);
    // Plausible HU: air outside the body, soft tissue and bone inside.
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < v.hu.length; i++) {
      min = Math.min(min, v.hu[i]!);
      max = Math.max(max, v.hu[i]!);
    }
    expect(min).toBeLessThanOrEqual(-900);
    expect(max).toBeGreaterThan(500);
  });

  it('ct-thorax-j2k: 20 slices 512x512, slice spacing 2 (not the 3 mm thickness), empty SOPInstanceUIDs', async () => {
    const { summary, volume, problems } = await loadSeriesFromFolder(shared('ct-thorax-j2k', 'dicom'));
    expect(problems).toEqual([]);
    expect(summary.slices).toBe(20);
    expect(summary.sliceThickness).toBe(3);
    expect(summary.sliceSpacingMm).toBeCloseTo(2, 6);
    expect(summary.transferSyntaxUids).toEqual(['1.2.840.10008.1.2.4.90']);
    const g = volume.geometry;
    expect([g.columns, g.rows, g.slices]).toEqual([512, 512, 20]);
    expect(g.columnSpacingMm).toBeCloseTo(0.9765625, 9);
    expect(sliceSpacingMm(g)).toBeCloseTo(2, 6);
    for (let k = 1; k < g.slices; k++) expect(sliceZ(g, k) - sliceZ(g, k - 1)).toBeCloseTo(2, 3);
    // Unsigned 12-bit stored, intercept applied: air near -1000 HU, bone well above 300.
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < volume.hu.length; i++) {
      min = Math.min(min, volume.hu[i]!);
      max = Math.max(max, volume.hu[i]!);
    }
    expect(min).toBeLessThan(-900);
    expect(max).toBeGreaterThan(300);
  });

  it('ct-thorax-j2k headers really have empty SOPInstanceUIDs (so nothing keys on them)', async () => {
    const { readDicomHeader } = await import('../../src/node/dicomFiles');
    const scan = await scanFolder(shared('ct-thorax-j2k', 'dicom'));
    const headers = await Promise.all(scan.series[0]!.files.map((f) => readDicomHeader(f)));
    expect(headers.every((h) => h.sopInstanceUid === '')).toBe(true);
  });
});
