import { mkdtempSync, openSync, closeSync, ftruncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_BYTES, newAnnotationDocument, seriesIdentity, type AnnotationDocument, type Roi } from '../../src/core/annotations/document';
import type { Vec3 } from '../../src/core/geometry/vec3';
import type { VolumeGeometry } from '../../src/core/geometry/volumeGeometry';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import { sliceIjToLps } from '../../src/core/roi/contour';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { cli } from './run';

/**
 * Hostile or stale annotation documents given to `paraspine measure --annotations`: every outline is
 * either measured or refused with a reason, never measured on the wrong slice in silence, and the JSON
 * `warnings` and the CSV `flags` column say so. Rectangles on the shared 3 mm CT (3 mm slice spacing)
 * with corners 0.4 px outside whole pixels: a w x h rectangle holds exactly w*h pixel centres.
 */
const DATA = resolve(__dirname, '../../../shared/data');
const ABDOMEN = join(DATA, 'ct-abdomen-3mm/dicom');
const K = 73;

let g: VolumeGeometry;
let base: AnnotationDocument;
const dir = mkdtempSync(join(tmpdir(), 'paraspine-hostile-doc-'));

function rect(i0: number, j0: number, i1: number, j1: number): Vec3[] {
  return sliceIjToLps(g, K, [
    [i0 - 0.4, j0 - 0.4],
    [i1 + 0.4, j0 - 0.4],
    [i1 + 0.4, j1 + 0.4],
    [i0 - 0.4, j1 + 0.4],
  ]);
}

function roi(id: string, side: 'left' | 'right', points: Vec3[], extra: Partial<Roi> = {}): Roi {
  return { id, level: 'L3', muscle: 'psoas', side, sliceIndex: K, z: g.slicePositions[K]![2], pointsLps: points, source: 'drawn', createdAt: 't', modifiedAt: 't', ...extra };
}

function write(name: string, doc: unknown, prefix = ''): string {
  const file = join(dir, name);
  writeFileSync(file, prefix + JSON.stringify(doc));
  return file;
}

async function measureJson(file: string) {
  const r = await cli('measure', ABDOMEN, '--annotations', file, '--format', 'json');
  expect(r.code, r.errors.join('\n')).toBe(0);
  return JSON.parse(r.stdout) as { warnings: string[]; measurements: { side: string; pixels: number; warnings: string[] }[] };
}

beforeAll(async () => {
  const { summary, volume } = await loadSeriesFromFolder(ABDOMEN);
  g = volume.geometry;
  base = newAnnotationDocument(seriesIdentity(summary), DEFAULT_RANGES, 'test', 'rater', 't');
  base.levels.push({ level: 'L3', sliceIndex: K, z: g.slicePositions[K]![2], source: 'manual' });
});

describe('annotation documents that do not fit the series', () => {
  it('an outline whose z lies off every slice is refused and named; the other side is measured', async () => {
    const top = Math.max(...g.slicePositions.map((p) => p[2]));
    const off = top + 4; // beyond the last slice by more than half the 3 mm spacing
    const lifted = rect(40, 50, 44, 53).map((p) => [p[0], p[1], off] as Vec3);
    const doc = { ...base, rois: [roi('good', 'right', rect(40, 50, 44, 53)), roi('stray', 'left', lifted, { z: off })] };
    const json = await measureJson(write('off-slice.json', doc));
    expect(json.measurements.map((m) => [m.side, m.pixels])).toEqual([['right', 20]]);
    expect(json.warnings.join('\n')).toMatch(/L3 psoas left outline stray not measured: z .* lies off every slice \(nearest: slice 111/);
    const csv = await cli('measure', ABDOMEN, '--annotations', write('off-slice.json', doc), '--format', 'csv');
    const [header, row] = csv.stdout.trimEnd().split('\n');
    const cols = header!.split(',');
    expect(cols.slice(-3)).toEqual(['flags', 'origin', 'roiIds']);
    expect(row).toMatch(/outline stray not measured/);
    // where the measured outline came from, and which one it is (the same core as the app's export)
    expect(row!.split(',').slice(-2)).toEqual(['drawn', 'good']);
  });

  it('an outline stored under one slice but lying on the next is measured where it lies, and flagged', async () => {
    const z74 = g.slicePositions[K + 1]![2];
    const moved = sliceIjToLps(g, K + 1, [[39.6, 49.6], [44.4, 49.6], [44.4, 53.4], [39.6, 53.4]]);
    const json = await measureJson(write('moved.json', { ...base, rois: [roi('moved', 'left', moved, { z: z74 - 1.4 })] }));
    expect(json.measurements).toHaveLength(1);
    expect(json.measurements[0]!.pixels).toBe(20);
    expect(json.measurements[0]!.warnings.join()).toMatch(/stored slice 73 is not the slice at its z .*: measured on slice 74/);
  });

  it('an outline that leaves the slice plane is refused', async () => {
    const tilted = rect(40, 50, 44, 53);
    tilted[2] = [tilted[2]![0], tilted[2]![1], tilted[2]![2] + 6];
    const json = await measureJson(write('tilted.json', { ...base, rois: [roi('tilted', 'left', tilted)] }));
    expect(json.measurements).toEqual([]);
    expect(json.warnings.join('\n')).toMatch(/outline tilted not measured: the outline leaves the plane of slice 73 \(a vertex lies 6 mm off it/);
  });

  it('an outline partly outside the image is measured and flagged', async () => {
    const json = await measureJson(write('outside.json', { ...base, rois: [roi('edge', 'left', rect(g.columns - 3, 50, g.columns + 10, 53))] }));
    expect(json.measurements).toHaveLength(1);
    expect(json.measurements[0]!.pixels).toBe(3 * 4); // only the 3 columns inside the image
    expect(json.measurements[0]!.warnings).toEqual(['2 of 4 outline vertices lie outside the image: only the pixels inside are counted']);
  });

  it('overflowing coordinates are refused at once (no hang, no Infinity)', async () => {
    const huge = rect(40, 50, 44, 53);
    huge[1] = [1e300, huge[1]![1], huge[1]![2]];
    const json = await measureJson(write('huge.json', { ...base, rois: [roi('huge', 'left', huge)] }));
    expect(json.measurements).toEqual([]);
    expect(json.warnings.join('\n')).toMatch(/outline huge not measured: a vertex .* is beyond any scanner/);
  });

  it('a level whose z lies off every slice is named', async () => {
    const doc = { ...base, levels: [{ ...base.levels[0]!, z: 1e4 }], rois: [roi('good', 'right', rect(40, 50, 44, 53))] };
    const json = await measureJson(write('level-off.json', doc));
    expect(json.warnings.join('\n')).toMatch(/level L3: z 10000 mm lies off every slice/);
  });

  it('a document made for another grid is refused with the reason', async () => {
    const doc = { ...base, series: { ...base.series, rows: base.series.rows + 1 }, rois: [roi('good', 'right', rect(40, 50, 44, 53))] };
    const r = await cli('measure', ABDOMEN, '--annotations', write('grid.json', doc), '--format', 'json');
    expect(r.code).toBe(1);
    expect(r.errors[0]).toMatch(new RegExp(`annotation document is for a ${g.columns}x${g.rows + 1} series but the loaded series is ${g.columns}x${g.rows}`));
  });

  it('a UTF-8 byte order mark is accepted; a document over the size limit is refused before parsing', async () => {
    const json = await measureJson(write('bom.json', { ...base, rois: [roi('good', 'right', rect(40, 50, 44, 53))] }, '\ufeff'));
    expect(json.measurements.map((m) => m.pixels)).toEqual([20]);
    const big = join(dir, 'big.json');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, MAX_DOCUMENT_BYTES + 1); // sparse
    closeSync(fd);
    const r = await cli('measure', ABDOMEN, '--annotations', big);
    expect(r.code).toBe(1);
    expect(r.errors[0]).toMatch(/larger than an annotation document can be/);
  });
});
