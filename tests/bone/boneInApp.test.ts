/**
 * The app opens a document holding a bone ROI (document version 2) without crashing or dropping it:
 * editing the outlines keeps the bone ROI in the document the store holds and saves. (Placing and
 * adjusting the oval in the viewer is not part of this round.)
 */
import { describe, expect, it } from 'vitest';
import { seriesIdentity, setBoneRoi, newAnnotationDocument, type AnnotationDocument } from '../../src/core/annotations/document';
import { measureAnnotationsChecked } from '../../src/core/annotations/measureAnnotations';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import type { ParaspineApi } from '../../src/shared/contract';
import { createAppStore } from '../../src/renderer/state/store';
import { phantomSeries } from '../renderer/phantomStore';
import { slicesFrom } from '../renderer/sliceApi';

describe('a document with a bone ROI in the app', () => {
  it('opens, survives an outline edit and a level mark, and is saved with its bone ROI', async () => {
    // 40 x 40 phantom: 150 HU everywhere but a 300 HU border (an exact value to find again).
    const series = phantomSeries({ columns: 40, rows: 40, slices: 3, huOf: (i, j) => (i < 2 || j < 2 || i > 37 || j > 37 ? 300 : 150) });
    const base = newAnnotationDocument(seriesIdentity(series.meta.summary), DEFAULT_RANGES, '1', 'tester', '2024-01-01T00:00:00Z');
    const oval = Array.from({ length: 24 }, (_, t) => [20 + 6 * Math.cos((2 * Math.PI * t) / 24), 20 + 6 * Math.sin((2 * Math.PI * t) / 24), 3] as [number, number, number]);
    const doc: AnnotationDocument = setBoneRoi(base, { id: 'bone-1', vertebra: 'L1', sliceIndex: 1, z: 3, pointsLps: oval, source: 'proposed', createdAt: '2024-01-01T00:00:00Z', modifiedAt: '2024-01-01T00:00:00Z' }, '2024-01-01T00:00:00Z');
    const saved: AnnotationDocument[] = [];
    let n = 0;
    const api = {
      'app:info': async () => ({ version: '1', workspace: '/ws', recentFolders: [], mode: 'web' as const }),
      'series:scan': async () => ({ series: [series.meta.summary], problems: [] }),
      'series:load': async () => series.meta,
      'series:slices': slicesFrom(series.volumeBytes, series.meta),
      'annotations:load': async () => ({ document: JSON.parse(JSON.stringify(doc)), problem: null }),
      'annotations:save': async (d: AnnotationDocument) => (saved.push(d), { path: '/ws/se.json' }),
    } as unknown as ParaspineApi;
    const store = createAppStore({ api: () => api, now: () => `2024-01-02T00:00:${String(n++).padStart(2, '0')}Z`, newId: () => `id${++n}`, rater: () => 'tester' });
    await store.getState().init();
    await store.getState().openFolder('/data');
    await store.getState().selectSeries('se');
    expect(store.getState().error).toBeNull();
    expect(store.getState().doc!.boneRois).toEqual(doc.boneRois);
    store.getState().setSlice(1);
    store.getState().markLevel('L3');
    store.getState().setActiveMuscle('psoas');
    store.getState().setActiveSide('left');
    const psoas = [[5, 5, 3], [12, 5, 3], [12, 12, 3], [5, 12, 3]] as [number, number, number][];
    store.getState().change((d, at) => ({ ...d, rois: [...d.rois, { id: 'p', level: 'L3', muscle: 'psoas', side: 'left', sliceIndex: 1, z: 3, pointsLps: psoas, source: 'drawn', createdAt: at, modifiedAt: at }], modifiedAt: at }));
    store.getState().editOutline('p', psoas.map(([x, y, z]) => [x + 1, y, z]));
    store.getState().setRanges({ muscleHu: [-30, 150], fatHu: [-190, -31] });
    store.getState().toggleAbsent({ level: 'L3', muscle: 'quadratusLumborum', side: 'right' });
    store.getState().undo();
    const now = store.getState().doc!;
    expect(now.rois).toHaveLength(1);
    expect(now.rois[0]!.pointsLps[0]).toEqual([6, 5, 3]);
    expect(now.boneRois).toEqual(doc.boneRois);
    expect(now.version).toBe(2);
    // What the metrics panel measures from the store's document: the bone ROI at exactly 150 HU, the psoas outline beside it.
    const m = measureAnnotationsChecked(store.getState().volume!, now);
    expect(m.records.find((r) => r.muscle === 'trabecularBone')).toMatchObject({ structure: 'L1 trabecular', meanHu: 150 });
    expect(m.records.find((r) => r.muscle === 'psoas')).toBeDefined();
    for (const d of saved) expect(d.boneRois).toEqual(doc.boneRois);
  });
});
