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

/** These outlines are arbitrary rectangles on the real CT: their anatomy (plausibility) flags, tested in tests/core/plausibility.test.ts, are left out here. */
const notAnatomy = (warnings: readonly string[]) => warnings.filter((w) => !w.startsWith('anatomy check: '));

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
    // flags, origin, roiIds, then the columns added after them (status, accepted, slicePosition, instanceNumber, source, sourceKind)
    expect(cols.slice(-9)).toEqual(['flags', 'origin', 'roiIds', 'status', 'accepted', 'slicePosition', 'instanceNumber', 'source', 'sourceKind']);
    expect(row).toMatch(/outline stray not measured/);
    // where the measured outline came from, and which one it is (the same core as the app's export)
    expect(row!.split(',').slice(-8, -4)).toEqual(['drawn', 'good', 'measured', '']);
    expect(row!.split(',').slice(-2)).toEqual(['outline', 'outline']); // source, sourceKind
    // the slice as the app shows it: position from the feet (sliceIndex + 1)
    expect(row!.split(',').at(-4)).toBe(String(K + 1));
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
    expect(notAnatomy(json.measurements[0]!.warnings)).toEqual(['2 of 4 outline vertices lie outside the image: only the pixels inside are counted']);
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

describe('outlines that rasterise to nothing or cross themselves, duplicate ids, malformed documents', () => {
  // On the patient's right (low columns), labelled right: no side-check flag.
  const right = (id: string, muscle: Roi['muscle'], points: Vec3[]): Roi => ({ ...roi(id, 'right', points), muscle });
  const ij = (pts: [number, number][]) => sliceIjToLps(g, K, pts);

  it('a square traced twice (0 px) and a bow tie (even-odd) are measured and flagged in the JSON and the CSV flags; the rest is measured as before', async () => {
    const twice = rect(40, 50, 44, 53);
    // the bow tie over pixels 25..34 x 50..55, corners 0.4 px outside: rows 50..55 hold 8, 6, 2, 2, 6, 8 pixel centres (even-odd) = 32
    const tie = ij([[24.6, 49.6], [34.4, 49.6], [24.6, 55.4], [34.4, 55.4]]);
    const doc = { ...base, rois: [right('twice', 'psoas', [...twice, ...twice]), right('tie', 'erectorSpinae', tie), right('good', 'multifidus', rect(40, 60, 44, 63))] };
    const file = write('shapes.json', doc);
    const json = (await measureJson(file)) as unknown as { measurements: { muscle: string; pixels: number; warnings: string[] }[] };
    const byMuscle = new Map(json.measurements.map((m) => [m.muscle, m]));
    expect(byMuscle.get('psoas')!.pixels).toBe(0);
    expect(notAnatomy(byMuscle.get('psoas')!.warnings)).toEqual([
      expect.stringMatching(/^the outline runs back over itself near column 39\.6, row 49\.6 \(an edge traced twice\): measured by the even-odd rule/),
      'the outline encloses no pixel centre: measured as 0 px',
    ]);
    expect(byMuscle.get('erectorSpinae')!.pixels).toBe(32);
    expect(notAnatomy(byMuscle.get('erectorSpinae')!.warnings)).toEqual([expect.stringMatching(/^the outline crosses itself near column 29\.5, row 52\.5: measured by the even-odd rule/)]);
    expect(byMuscle.get('multifidus')!.pixels).toBe(20);
    expect(notAnatomy(byMuscle.get('multifidus')!.warnings)).toEqual([]);
    const csv = await cli('measure', ABDOMEN, '--annotations', file, '--format', 'csv');
    const rows = csv.stdout.trimEnd().split('\n').slice(1);
    expect(rows.find((r) => r.includes(',psoas,'))).toMatch(/runs back over itself .* \| the outline encloses no pixel centre: measured as 0 px",drawn,twice,measured,,\d+,\d*,outline,outline$/);
    expect(rows.find((r) => r.includes(',erectorSpinae,'))).toMatch(/the outline crosses itself near column 29\.5, row 52\.5: .*",drawn,tie,measured,,\d+,\d*,outline,outline$/);
  });

  it('two different muscles with the same id: the later gets a fresh id (a note naming the file), both are measured and the overlap is flagged', async () => {
    const doc = { ...base, rois: [right('dup', 'psoas', rect(40, 50, 44, 53)), right('dup', 'multifidus', rect(43, 52, 47, 55))] };
    const file = write('dup-ids.json', doc);
    const r = await cli('measure', ABDOMEN, '--annotations', file, '--format', 'json');
    expect(r.code, r.errors.join('\n')).toBe(0);
    const note = `${file}: outline 2 (L3 multifidus right) had the id "dup" of the L3 psoas right outline: it now has the id "dup-2"`;
    expect(r.notes).toContain(`note ${note}`);
    const json = JSON.parse(r.stdout) as { warnings: string[]; measurements: { muscle: string; pixels: number; roiIds: string[]; warnings: string[] }[] };
    expect(json.warnings).toContain(note);
    // shared: columns 43..44 x rows 52..53 = 4 px
    expect(json.measurements.map((m) => [m.muscle, m.pixels, m.roiIds, notAnatomy(m.warnings)])).toEqual([
      ['psoas', 20, ['dup'], ['overlaps the multifidus right outline by 4 px (those pixels count in both)']],
      ['multifidus', 20, ['dup-2'], ['overlaps the psoas right outline by 4 px (those pixels count in both)']],
    ]);
  });

  it('a malformed document is refused with one line naming the file, the outline and the field, never "undefined"', async () => {
    const noId: Record<string, unknown> = { ...roi('x', 'right', rect(40, 50, 44, 53)) };
    delete noId.id;
    const file = write('no-id.json', { ...base, rois: [roi('good', 'right', rect(40, 60, 44, 63)), noId] });
    const r = await cli('measure', ABDOMEN, '--annotations', file);
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toContain(`${file}: invalid annotation document: rois.1.id (outline 2 of 2 (L3 psoas right)): missing`);
    expect(r.errors[0]).not.toMatch(/undefined/);
    const { format: _f, ...noFormat } = base;
    void _f;
    const r2 = await cli('measure', ABDOMEN, '--annotations', write('no-format.json', noFormat));
    expect(r2.code).toBe(1);
    expect(r2.errors[0]).toMatch(/no-format\.json: not a Paraspine annotation document \(it has no format field\)$/);
  });
});
