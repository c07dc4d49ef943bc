/**
 * The last traps in the store: removing a level mark with outlines asks (delete them / keep them
 * flagged / cancel; one undo step); "Assign selected" onto a label that has an outline asks the
 * duplicate question; the slice numbering of messages and flags (position from the feet, with the
 * InstanceNumber when the geometry has them).
 */
import { describe, expect, it } from 'vitest';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { measureAnnotationsChecked } from '../../src/core/annotations/measureAnnotations';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import type { Vec3 } from '../../src/core/geometry/vec3';
import type { LoadedSeriesMeta, ParaspineApi } from '../../src/shared/contract';
import { createAppStore } from '../../src/renderer/state/store';
import { slicesFrom } from './sliceApi';

// 10 columns x 6 rows x 4 slices, 2 mm pixels, 3 mm slices; x = 2 i, y = 2 j, z = 3 k.
const geometry = makeGeometry({ columns: 10, rows: 6, slices: 4, columnSpacingMm: 2, rowSpacingMm: 2, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[0, 0, 0], [0, 0, 3], [0, 0, 6], [0, 0, 9]] });
const summary = { patientName: 'P', patientId: 'ID', studyInstanceUid: 'st', studyDate: '20200101', studyDescription: '', seriesInstanceUid: 'se', seriesDescription: 'd', seriesNumber: 1, modality: 'CT', slices: 4, rows: 6, columns: 10, pixelSpacing: [2, 2] as const, sliceSpacingMm: 3, sliceThickness: 3, imageOrientation: [1, 0, 0, 0, 1, 0], transferSyntaxUids: [], files: [], warnings: [] };
const meta: LoadedSeriesMeta = { summary, geometry, huType: 'int16', warnings: [] };

async function open(existing: AnnotationDocument | null = null) {
  let n = 0;
  const api = {
    'app:info': async () => ({ version: '1', workspace: '/ws', recentFolders: [], mode: 'web' as const }),
    'series:scan': async (p: string) => {
      if (p === '/typo') throw new Error('/typo: no such folder');
      return { series: p === '/empty' ? [] : [summary], problems: [] };
    },
    'series:load': async () => meta,
    'series:slices': slicesFrom(() => new Int16Array(10 * 6 * 4).fill(40).buffer, meta),
    'annotations:load': async () => ({ document: existing, problem: null }),
    'annotations:save': async () => ({ path: '/ws/se.json' }),
  } as unknown as ParaspineApi;
  const store = createAppStore({ api: () => api, now: () => `2024-01-01T00:00:${String(n++).padStart(2, '0')}Z`, newId: () => `id${n}`, rater: () => 'r' });
  await store.getState().init();
  await store.getState().openFolder('/data');
  await store.getState().selectSeries('se');
  return store;
}

/** A square outline on slice k, columns i0..i0+2 (x = 2 i mm). */
const square = (k: number, i0 = 6): Vec3[] => [
  [2 * i0, 2, 3 * k],
  [2 * i0 + 4, 2, 3 * k],
  [2 * i0 + 4, 6, 3 * k],
  [2 * i0, 6, 3 * k],
];

describe('the last traps in the store', () => {
  it('× on a level with outlines asks; delete them with the mark, or keep them flagged; each one undo step; cancel changes nothing', async () => {
    const store = await open();
    const st = store.getState;
    st().setSlice(2);
    st().markLevel('L3');
    st().setSlice(0);
    st().markLevel('L4/L5');
    st().setSlice(2);
    st().setActiveLevel('L3');
    expect(st().addOutline('a', square(2))).toBe('added');
    st().setActiveSide('right');
    expect(st().addOutline('b', square(2, 1))).toBe('added');
    const before = st().doc!;
    st().removeLevel('L3');
    expect(st().question).toMatchObject({ kind: 'removeLevel', level: 'L3', roiIds: ['a', 'b'], roiSlices: [2] });
    expect(st().doc).toBe(before); // nothing changes before the answer
    st().answerQuestion('cancel');
    expect(st().doc).toBe(before);
    st().removeLevel('L3');
    st().answerQuestion('keep');
    expect(st().doc!.levels.map((l) => l.level)).toEqual(['L4/L5']);
    expect(st().doc!.rois.map((r) => r.id)).toEqual(['a', 'b']);
    const rec = measureAnnotationsChecked(st().volume!, st().doc!).records;
    expect(rec.map((r) => r.warnings)).toEqual([
      ['L3 is not marked (its mark was removed); this outline is on slice 3 / 4'],
      ['L3 is not marked (its mark was removed); this outline is on slice 3 / 4'],
    ]);
    st().undo();
    expect(st().doc!.levels.map((l) => l.level)).toEqual(['L3', 'L4/L5']);
    st().removeLevel('L3');
    st().answerQuestion('deleteOutlines');
    expect(st().doc!.levels.map((l) => l.level)).toEqual(['L4/L5']);
    expect(st().doc!.rois).toEqual([]);
    st().undo();
    expect(st().doc!.levels.map((l) => l.level)).toEqual(['L3', 'L4/L5']);
    expect(st().doc!.rois.map((r) => r.id)).toEqual(['a', 'b']);
    // A level without outlines goes at once.
    st().removeLevel('L4/L5');
    expect(st().question).toBeNull();
    expect(st().doc!.levels.map((l) => l.level)).toEqual(['L3']);
  });

  it('"Assign selected" onto a label that has an outline asks: replace (one undo step), keep both, or cancel', async () => {
    const store = await open();
    const st = store.getState;
    st().setSlice(2);
    st().markLevel('L3');
    st().setActiveMuscle('psoas');
    st().setActiveSide('left');
    expect(st().addOutline('ps', square(2))).toBe('added');
    st().setActiveMuscle('quadratusLumborum');
    st().setActiveSide('left');
    expect(st().addOutline('ql', square(2, 1))).toBe('added');
    expect(st().selectedRoiId).toBe('ql');
    st().assignSelectedRoi('psoas', 'left');
    expect(st().question).toMatchObject({ kind: 'duplicate', muscle: 'psoas', side: 'left', existingIds: ['ps'], outline: { id: 'ql' }, assign: { from: { muscle: 'quadratusLumborum', side: 'left' } } });
    st().answerQuestion('cancel');
    expect(st().doc!.rois.map((r) => `${r.id}:${r.muscle}`)).toEqual(['ps:psoas', 'ql:quadratusLumborum']);
    st().assignSelectedRoi('psoas', 'left');
    st().answerQuestion('keepBoth');
    expect(st().doc!.rois.map((r) => `${r.id}:${r.muscle}`)).toEqual(['ps:psoas', 'ql:psoas']);
    st().undo();
    st().assignSelectedRoi('psoas', 'left');
    st().answerQuestion('replace');
    expect(st().doc!.rois.map((r) => `${r.id}:${r.muscle}:${r.side}`)).toEqual(['ql:psoas:left']);
    st().undo(); // one step: both outlines back as they were
    expect(st().doc!.rois.map((r) => `${r.id}:${r.muscle}`)).toEqual(['ps:psoas', 'ql:quadratusLumborum']);
    // A free label: assigned at once.
    st().assignSelectedRoi('erectorSpinae', 'left');
    expect(st().question).toBeNull();
    expect(st().doc!.rois.find((r) => r.id === 'ql')!.muscle).toBe('erectorSpinae');
  });
});
