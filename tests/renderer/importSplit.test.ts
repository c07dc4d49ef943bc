/**
 * Mask import with the autochthon split, in the store: the request asks for it by default (a
 * remembered setting), proposals are confirmed per level (button and the `c` key, one undo step),
 * a re-split along a cut keeps the two parts an exact partition of the autochthon, and the records
 * say which outlines they measured and where those came from.
 */
import { describe, expect, it } from 'vitest';
import type { Roi } from '../../src/core/annotations/document';
import { measureAnnotationsChecked } from '../../src/core/annotations/measureAnnotations';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import type { Vec3 } from '../../src/core/geometry/vec3';
import { exportMeasurementsCsv, exportMeasurementsJson } from '../../src/core/export/measurementsExport';
import type { LoadedSeriesMeta, MaskImportResult, ParaspineApi } from '../../src/shared/contract';
import { runShortcutAction } from '../../src/renderer/keyboard';
import { boundaryIj, dragCut, resplitAutochthon, simplifyIndices, simplifyPolyline, splitPairs } from '../../src/renderer/state/autochthonSplit';
import { createAppStore } from '../../src/renderer/state/store';
import { slicesFrom } from './sliceApi';

// 10 columns x 6 rows x 4 slices, 2 mm pixels, 3 mm slices; x = 2 i, y = 2 j, z = 3 k.
const geometry = makeGeometry({ columns: 10, rows: 6, slices: 4, columnSpacingMm: 2, rowSpacingMm: 2, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[0, 0, 0], [0, 0, 3], [0, 0, 6], [0, 0, 9]] });
const summary = { patientName: 'P', patientId: 'ID', studyInstanceUid: 'st', studyDate: '20200101', studyDescription: '', seriesInstanceUid: 'se', seriesDescription: 'd', seriesNumber: 1, modality: 'CT', slices: 4, rows: 6, columns: 10, pixelSpacing: [2, 2] as const, sliceSpacingMm: 3, sliceThickness: 3, imageOrientation: [1, 0, 0, 0, 1, 0], transferSyntaxUids: [], files: [], warnings: [] };
const meta: LoadedSeriesMeta = { summary, geometry, huType: 'int16', warnings: [] };
const K = 2;
const T0 = '2023-12-31T00:00:00Z';

/** A rectangle of pixels i0..i1 x j0..j1 on slice K, outlined on the pixel edges (LPS mm). */
const rect = (i0: number, i1: number, j0: number, j1: number): Vec3[] => [
  [2 * (i0 - 0.5), 2 * (j0 - 0.5), 3 * K],
  [2 * (i1 + 0.5), 2 * (j0 - 0.5), 3 * K],
  [2 * (i1 + 0.5), 2 * (j1 + 0.5), 3 * K],
  [2 * (i0 - 0.5), 2 * (j1 + 0.5), 3 * K],
];
const roi = (id: string, muscle: Roi['muscle'], pointsLps: Vec3[], source: Roi['source']): Roi => ({ id, level: 'L3', muscle, side: 'left', sliceIndex: K, z: 3 * K, pointsLps, source, createdAt: T0, modifiedAt: T0 });

// The autochthon: pixels 2..7 x 1..4 (24 pixels); multifidus the medial 2 columns, erector spinae the other 4.
const IMPORT: MaskImportResult = {
  proposedLevels: [{ level: 'L3', sliceIndex: K, z: 3 * K, source: 'proposed' }],
  rois: [roi('ps', 'psoas', rect(0, 1, 0, 1), 'imported'), roi('mf', 'multifidus', rect(2, 3, 1, 4), 'proposed'), roi('es', 'erectorSpinae', rect(4, 7, 1, 4), 'proposed')],
  problems: [],
  splits: [],
  vertebrae: [{ name: 'L3', sliceIndex: K, row: 3, column: 5 }],
};

async function open() {
  let n = 0;
  const requests: unknown[] = [];
  const api = {
    'app:info': async () => ({ version: '1', workspace: '/ws', recentFolders: [], mode: 'web' as const }),
    'series:scan': async () => ({ series: [summary], problems: [] }),
    'series:load': async () => meta,
    'series:slices': slicesFrom(() => new Int16Array(10 * 6 * 4).fill(40).buffer, meta),
    'annotations:load': async () => ({ document: null, problem: null }),
    'annotations:save': async () => ({ path: '/ws/se.json' }),
    'masks:import': async (req: unknown) => {
      requests.push(req);
      return structuredClone(IMPORT);
    },
  } as unknown as ParaspineApi;
  const store = createAppStore({ api: () => api, now: () => `2024-01-01T00:00:${String(n++).padStart(2, '0')}Z`, newId: () => `new${n}`, rater: () => 'r' });
  await store.getState().init();
  await store.getState().openFolder('/data');
  await store.getState().selectSeries('se');
  return { store, requests };
}

const pixelsOf = (recs: ReturnType<typeof measureAnnotationsChecked>['records'], muscle: string) => recs.find((r) => r.muscle === muscle)?.pixels;

describe('mask import with the autochthon split', () => {
  it('asks for the split by default (the setting is remembered per store) and keeps the vertebrae for the sagittal labels', async () => {
    const { store, requests } = await open();
    expect(store.getState().splitAutochthon).toBe(true);
    await store.getState().importMasks({ masksPath: '/m' });
    expect(requests[0]).toMatchObject({ masksPath: '/m', splitAutochthon: true });
    expect(store.getState().vertebrae).toEqual({ seriesUid: 'se', list: IMPORT.vertebrae });
    expect(store.getState().maskImport.message).toMatch(/Imported 3 outline\(s\) \(2 proposed multifidus \/ erector spinae\)/);
    store.getState().setSplitAutochthon(false);
    await store.getState().importMasks({ masksPath: '/m' });
    expect(requests[1]).toMatchObject({ splitAutochthon: false });
  });

  it('confirming a level’s proposals makes them confirmed (one undo step); the records say proposed, then confirmed', async () => {
    const { store } = await open();
    await store.getState().importMasks({ masksPath: '/m' });
    const st = store.getState;
    const origins = () => measureAnnotationsChecked(st().volume!, st().doc!).records.map((r) => [r.muscle, r.origin, r.roiIds]);
    expect(origins()).toEqual([
      ['psoas', 'imported', ['ps']],
      ['erectorSpinae', 'proposed', ['es']],
      ['multifidus', 'proposed', ['mf']],
    ]);
    const past = st().history.past.length;
    st().confirmProposals('L3');
    expect(st().history.past.length).toBe(past + 1);
    expect(st().doc!.rois.map((r) => [r.id, r.source])).toEqual([['ps', 'imported'], ['mf', 'confirmed'], ['es', 'confirmed']]);
    expect(st().doc!.levels.find((l) => l.level === 'L3')!.source).toBe('confirmed'); // the slice they lie on too
    expect(origins().map((o) => o[1])).toEqual(['imported', 'confirmed', 'confirmed']);
    // the export says so too: JSON records and the CSV's last two columns
    const json = JSON.parse(exportMeasurementsJson(st().volume!, st().doc!)) as { measurements: { muscle: string; origin: string; roiIds: string[] }[] };
    expect(json.measurements.map((m) => [m.muscle, m.origin, m.roiIds])).toEqual(origins());
    const csv = exportMeasurementsCsv(st().volume!, st().doc!).trim().split('\n');
    expect(csv[0]!.split(',').slice(-8)).toEqual(['origin', 'roiIds', 'status', 'accepted', 'slicePosition', 'instanceNumber', 'source', 'sourceKind']);
    const head = csv[0]!.split(',');
    expect(csv.slice(1).map((l) => { const c = l.split(','); return [c[head.indexOf('origin')], c[head.indexOf('roiIds')]]; })).toEqual([['imported', 'ps'], ['confirmed', 'es'], ['confirmed', 'mf']]);
    st().undo();
    expect(st().doc!.rois.filter((r) => r.source === 'proposed').map((r) => r.id)).toEqual(['mf', 'es']);
  });

  it('the c key confirms the active level’s proposed mark and proposed outlines in one undo step', async () => {
    const { store } = await open();
    await store.getState().importMasks({ masksPath: '/m' });
    const st = store.getState;
    st().setActiveLevel('L3');
    const past = st().history.past.length;
    expect(runShortcutAction(store, { type: 'confirmLevel' })).toBe(true);
    expect(st().history.past.length).toBe(past + 1);
    expect(st().doc!.levels.find((l) => l.level === 'L3')!.source).toBe('confirmed');
    expect(st().doc!.rois.some((r) => r.source === 'proposed')).toBe(false);
  });

  it('the cut is found from the outlines, and a re-split along a new cut partitions the autochthon exactly (one undo step, still proposed)', async () => {
    const { store } = await open();
    await store.getState().importMasks({ masksPath: '/m' });
    const st = store.getState;
    const [pair] = splitPairs(st().doc!, st().volume!);
    expect(pair).toMatchObject({ level: 'L3', side: 'left', sliceIndex: K, proposed: true });
    // multifidus columns 2..3, erector spinae 4..7: they meet on the pixel edge x = 3.5 on rows 1..4
    expect(pair!.cutIj).toEqual([[3.5, 1], [3.5, 2], [3.5, 3], [3.5, 4]]);
    expect(simplifyPolyline(pair!.cutIj, 1)).toEqual([[3.5, 1], [3.5, 4]]);

    const past = st().history.past.length;
    // a slanted cut: x = 4.5 at row 1 to x = 5.5 at row 4 (extended past its ends)
    expect(st().resplit('L3', 'left', [[4.5, 1], [5.5, 4]])).toBe(true);
    expect(st().history.past.length).toBe(past + 1);
    const recs = measureAnnotationsChecked(st().volume!, st().doc!).records;
    const mf = pixelsOf(recs, 'multifidus')!;
    const es = pixelsOf(recs, 'erectorSpinae')!;
    expect(mf + es).toBe(24);
    // by hand: the line passes x = 4.5 + (j - 1) / 3; pixel centres left of it per row: row 1: 2,3,4; row 2: 2..4; row 3: 2..5 (5 < 5.17); row 4: 2..5
    expect(mf).toBe(3 + 3 + 4 + 4);
    const left = st().doc!.rois.filter((r) => r.muscle === 'multifidus' || r.muscle === 'erectorSpinae');
    expect(left.every((r) => r.source === 'proposed' && r.createdAt === T0 && r.modifiedAt > r.createdAt)).toBe(true);
    expect(left.map((r) => r.id).sort()).toEqual(['es', 'mf']);
    // the records still say proposed (not edited) until confirmed; then edited (it was re-split)
    expect(recs.filter((r) => r.muscle !== 'psoas').map((r) => r.origin)).toEqual(['proposed', 'proposed']);
    st().confirmProposals('L3');
    expect(measureAnnotationsChecked(st().volume!, st().doc!).records.map((r) => r.origin)).toEqual(['imported', 'edited', 'edited']);
    st().undo();
    st().undo();
    expect(pixelsOf(measureAnnotationsChecked(st().volume!, st().doc!).records, 'multifidus')).toBe(8);
  });

  it('a cut that misses the autochthon changes nothing and says why', async () => {
    const { store } = await open();
    await store.getState().importMasks({ masksPath: '/m' });
    const st = store.getState;
    const before = st().doc;
    expect(st().resplit('L3', 'left', [[9.5, 0], [9.5, 5]])).toBe(false);
    expect(st().doc).toBe(before);
    expect(st().toast).toMatchObject({ kind: 'error', text: expect.stringMatching(/does not cross the autochthon/) });
  });

  it('importing again replaces unconfirmed, unedited proposals; re-split or confirmed ones are kept', async () => {
    const { store } = await open();
    const st = store.getState;
    await st().importMasks({ masksPath: '/m' });
    await st().importMasks({ masksPath: '/m' });
    expect(st().maskImport.message).toMatch(/3 earlier imported outline\(s\) replaced/);
    expect(st().doc!.rois.map((r) => r.muscle).sort()).toEqual(['erectorSpinae', 'multifidus', 'psoas']);
    expect(st().resplit('L3', 'left', [[4.5, 0], [4.5, 5]])).toBe(true);
    await st().importMasks({ masksPath: '/m' });
    expect(st().maskImport.message).toMatch(/1 earlier imported outline\(s\) replaced, 2 not added where you drew or edited an outline/);
    expect(st().doc!.rois.map((r) => r.muscle).sort()).toEqual(['erectorSpinae', 'multifidus', 'psoas']);
  });

  it('re-splitting along the cut found from the outlines gives the same parts; a dragged handle bends the cut only up to its neighbours', async () => {
    const { store } = await open();
    await store.getState().importMasks({ masksPath: '/m' });
    const st = store.getState;
    const [pair] = splitPairs(st().doc!, st().volume!);
    const same = resplitAutochthon(st().doc!, st().volume!, 'L3', 'left', pair!.cutIj, 'now', () => 'x');
    expect(same).toMatchObject({ ok: true, multifidusPixels: 8, erectorSpinaePixels: 16 });
    const pts = [[0, 0], [0, 1], [0, 2], [0, 3], [0, 4]] as const;
    expect(simplifyIndices([[0, 0], [1, 1], [2, 2], [2, 3]], 0.1)).toEqual([0, 2, 3]);
    // handles at vertices 0, 2, 4: moving vertex 2 by (2, 0) moves 1 and 3 by half of it, 0 and 4 not at all
    expect(dragCut(pts, [0, 2, 4], 2, [2, 0])).toEqual([[0, 0], [1, 1], [2, 2], [1, 3], [0, 4]]);
    // an end handle: the vertices beyond it (none) and up to the next handle follow
    expect(dragCut(pts, [0, 2, 4], 0, [2, 0])).toEqual([[2, 0], [1, 1], [0, 2], [0, 3], [0, 4]]);
  });

  it('an import with the split replaces an unedited autochthon outline of an earlier import without it, and the other way round', async () => {
    const { store } = await open();
    const st = store.getState;
    // the earlier import: one autochthon outline (imported, unedited) where the split will go
    st().applyMaskImport({ proposedLevels: [], rois: [{ ...roi('au', 'autochthon', rect(2, 7, 1, 4), 'imported') }], problems: [] });
    await st().importMasks({ masksPath: '/m' });
    expect(st().doc!.rois.map((r) => r.muscle).sort()).toEqual(['erectorSpinae', 'multifidus', 'psoas']);
    st().applyMaskImport({ proposedLevels: [], rois: [{ ...roi('au2', 'autochthon', rect(2, 7, 1, 4), 'imported') }], problems: [] });
    expect(st().doc!.rois.map((r) => r.muscle).sort()).toEqual(['autochthon', 'psoas']);
  });

  it('boundaryIj finds where two masks meet on each row', () => {
    const a = new Uint8Array([1, 1, 0, 0, 1, 0, 0, 0]);
    const b = new Uint8Array([0, 0, 1, 1, 0, 1, 1, 0]);
    expect(boundaryIj(a, b, 4, 2)).toEqual([[1.5, 0], [0.5, 1]]);
  });
});
