import { describe, expect, it, vi } from 'vitest';
import { newAnnotationDocument, type AnnotationDocument } from '../../src/core/annotations/document';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import type { HuVolume } from '../../src/core/volume';
import type { LoadedSeriesMeta, ParaspineApi } from '../../src/shared/contract';
import { applyMaskImport, setLevel } from '../../src/renderer/state/documentOps';
import { firstOpenTarget, nextTarget } from '../../src/renderer/state/checklist';
import type { Muscle } from '../../src/core/anatomy/anatomy';
import { huVolumeFromBytes } from '../../src/renderer/state/huVolume';
import { attachAutosave, createAppStore } from '../../src/renderer/state/store';
import { leanFatOverlay } from '../../src/renderer/overlay/leanFat';
import { createBridgeClient, findBridgeToken } from '../../src/renderer/api/client';
import type { Vec3 } from '../../src/core/geometry/vec3';
import { slicesFrom } from './sliceApi';

const geometry = makeGeometry({ columns: 8, rows: 6, slices: 3, columnSpacingMm: 2, rowSpacingMm: 2, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[0, 0, 0], [0, 0, 3], [0, 0, 6]] });
const summary = { patientName: 'P', patientId: 'ID', studyInstanceUid: 'st', studyDate: '20200101', studyDescription: '', seriesInstanceUid: 'se', seriesDescription: 'd', seriesNumber: 1, modality: 'CT', slices: 3, rows: 6, columns: 8, pixelSpacing: [2, 2] as const, sliceSpacingMm: 3, sliceThickness: 3, imageOrientation: [1, 0, 0, 0, 1, 0], transferSyntaxUids: [], files: [], warnings: [] };
const meta: LoadedSeriesMeta = { summary, geometry, huType: 'int16', warnings: [] };

function volumeBytes(): ArrayBuffer {
  const hu = new Int16Array(8 * 6 * 3);
  for (let p = 0; p < hu.length; p++) hu[p] = p % 2 === 0 ? 50 : -100; // lean and fat pixels alternate
  return hu.buffer;
}

function fakeApi(saved: unknown[], existing: AnnotationDocument | null = null): ParaspineApi {
  const api = {
    'app:info': async () => ({ version: '9.9.9', workspace: '/ws', recentFolders: [], mode: 'web' as const }),
    'series:scan': async () => ({ series: [summary], problems: [] }),
    'series:load': async () => meta,
    'series:slices': slicesFrom(volumeBytes, meta),
    'annotations:load': async () => ({ document: existing, problem: existing ? null : 'old.json: invalid annotation document' }),
    'annotations:save': async (doc: unknown) => {
      saved.push(structuredClone(doc));
      return { path: '/ws/se.json' };
    },
  };
  return api as unknown as ParaspineApi;
}

function makeStore(saved: unknown[], existing: AnnotationDocument | null = null) {
  let n = 0;
  const api = fakeApi(saved, existing);
  const store = createAppStore({ api: () => api, now: () => `2024-01-01T00:00:${String(n++).padStart(2, '0')}Z`, newId: () => `id${n}`, rater: () => 'tester' });
  return { store, api };
}

const square = (k: number): Vec3[] => [
  [1, 1, 3 * k],
  [7, 1, 3 * k],
  [7, 5, 3 * k],
  [1, 5, 3 * k],
];

describe('store', () => {
  it('opens a series: HU volume from bytes, new document, load problem shown', async () => {
    const { store } = makeStore([]);
    await store.getState().init();
    await store.getState().openFolder('/data');
    await store.getState().selectSeries('se');
    const s = store.getState();
    expect(s.volume?.hu).toBeInstanceOf(Int16Array);
    expect(s.doc?.series.seriesInstanceUid).toBe('se');
    expect(s.doc?.appVersion).toBe('9.9.9');
    expect(s.loadProblem).toMatch(/invalid/);
    expect(s.sliceIndex).toBe(1);
  });

  it('restores a saved document and goes to its first level', async () => {
    const doc = setLevel(newAnnotationDocument({ ...summary, slices: 3, rows: 6, columns: 8 }, DEFAULT_RANGES, '1', 'r', 't'), 'L3', 2, 6, 't2');
    const { store } = makeStore([], doc);
    await store.getState().init();
    await store.getState().openFolder('/data');
    await store.getState().selectSeries('se');
    expect(store.getState().doc).toEqual(doc);
    expect(store.getState().sliceIndex).toBe(2);
    expect(store.getState().loadProblem).toBeNull();
  });

  it('marks levels, adds outlines, moves the checklist on, undoes and redoes', async () => {
    const { store } = makeStore([]);
    await store.getState().init();
    await store.getState().openFolder('/data');
    await store.getState().selectSeries('se');
    const st = store.getState;
    st().setSlice(2);
    st().markLevel('L3');
    expect(st().doc!.levels).toEqual([{ level: 'L3', sliceIndex: 2, z: 6, source: 'manual' }]);
    st().addOutline('a', square(2));
    expect(st().doc!.rois[0]).toMatchObject({ id: 'a', level: 'L3', muscle: 'psoas', side: 'left', sliceIndex: 2, z: 6, source: 'drawn' });
    expect([st().activeMuscle, st().activeSide]).toEqual(['psoas', 'right']);
    st().editOutline('a', square(2).map((p) => [p[0] + 2, p[1], p[2]] as Vec3), 'g1');
    st().editOutline('a', square(2).map((p) => [p[0] + 4, p[1], p[2]] as Vec3), 'g1'); // same gesture: one undo step
    expect(st().history.past).toHaveLength(3);
    st().undo();
    expect(st().doc!.rois[0]!.pointsLps).toEqual(square(2));
    st().redo();
    expect(st().doc!.rois[0]!.pointsLps[0]![0]).toBe(5);
    st().selectRoi('a');
    st().deleteSelectedRoi();
    expect(st().doc!.rois).toHaveLength(0);
    st().undo();
    expect(st().doc!.rois).toHaveLength(1);
  });

  it('after a reload or a level switch the checklist points at the first outline not done on that level', async () => {
    const roi = (id: string, level: 'L3' | 'L4/L5', muscle: 'psoas' | 'quadratusLumborum', side: 'left' | 'right') => ({ id, level, muscle, side, sliceIndex: 2, z: 6, pointsLps: square(2), source: 'drawn' as const, createdAt: 't', modifiedAt: 't' });
    let doc = setLevel(newAnnotationDocument({ ...summary }, DEFAULT_RANGES, '1', 'r', 't'), 'L3', 2, 6, 't');
    doc = setLevel(doc, 'L4/L5', 1, 3, 't');
    doc = { ...doc, rois: [roi('a', 'L3', 'psoas', 'left'), roi('b', 'L3', 'psoas', 'right'), roi('c', 'L3', 'quadratusLumborum', 'right'), roi('d', 'L4/L5', 'psoas', 'left')] };
    const { store } = makeStore([], doc);
    await store.getState().init();
    await store.getState().openFolder('/data');
    await store.getState().selectSeries('se');
    const st = store.getState;
    expect([st().activeLevel, st().activeMuscle, st().activeSide]).toEqual(['L3', 'quadratusLumborum', 'left']);
    st().setActiveLevel('L4/L5');
    expect([st().activeMuscle, st().activeSide, st().sliceIndex]).toEqual(['psoas', 'right', 1]);
    st().setActiveSide('left'); // the user's own choice stays while the level stays
    st().setActiveLevel('L4/L5');
    expect([st().activeMuscle, st().activeSide]).toEqual(['psoas', 'left']);
    st().setActiveLevel('L5/S1'); // nothing there yet
    expect([st().activeMuscle, st().activeSide]).toEqual(['psoas', 'left']);
    st().setActiveMuscle('multifidus');
    st().markLevel('L3');
    expect([st().activeLevel, st().activeMuscle, st().activeSide]).toEqual(['L3', 'quadratusLumborum', 'left']);
  });

  it('a mask import that fills the current checklist target moves the pointer to the first one still missing', async () => {
    const { store } = makeStore([]);
    await store.getState().init();
    await store.getState().openFolder('/data');
    await store.getState().selectSeries('se');
    const st = store.getState;
    const roi = (id: string, side: 'left' | 'right') => ({ id, level: 'L3' as const, muscle: 'psoas' as const, side, sliceIndex: 2, z: 6, pointsLps: square(2), source: 'imported' as const, createdAt: 't', modifiedAt: 't' });
    st().applyMaskImport({ proposedLevels: [{ level: 'L3', sliceIndex: 2, z: 6, source: 'proposed' }], rois: [roi('a', 'left'), roi('b', 'right')], problems: [] });
    expect(st().doc!.levels[0]).toMatchObject({ level: 'L3', source: 'proposed' });
    expect([st().activeLevel, st().activeMuscle, st().activeSide]).toEqual(['L3', 'quadratusLumborum', 'left']);
    st().undo();
    expect(st().doc!.rois).toHaveLength(0);
  });

  it('rater name: remembered, written into the document (saved), not undone', async () => {
    const saved: AnnotationDocument[] = [];
    const persisted: string[] = [];
    const api = fakeApi(saved as unknown[]);
    const store = createAppStore({ api: () => api, now: () => 't', newId: () => 'id', rater: () => 'first', persistRater: (n) => persisted.push(n) });
    const autosave = attachAutosave(store, () => api, 1);
    const st = store.getState;
    expect(st().rater).toBe('first');
    st().setRater('before open'); // no document yet: only remembered
    expect(persisted).toEqual(['before open']);
    await st().init();
    await st().openFolder('/data');
    await st().selectSeries('se');
    expect(st().doc!.rater).toBe('before open'); // a new document takes the current name
    st().markLevel('L3');
    st().setRater('Dr A');
    expect(st().doc!.rater).toBe('Dr A');
    await autosave.flush();
    expect(saved.at(-1)!.rater).toBe('Dr A');
    st().undo(); // undoes the level, keeps the rater
    expect(st().doc!.levels).toHaveLength(0);
    expect(st().doc!.rater).toBe('Dr A');
    st().redo();
    expect(st().doc!.rater).toBe('Dr A');
    expect(persisted).toEqual(['before open', 'Dr A']);
    autosave.dispose();
  });

  it('autosaves every change (debounced) and flushes on demand', async () => {
    vi.useFakeTimers();
    try {
      const saved: AnnotationDocument[] = [];
      const { store, api } = makeStore(saved as unknown[]);
      const autosave = attachAutosave(store, () => api, 250);
      await store.getState().init();
      await store.getState().openFolder('/data');
      await store.getState().selectSeries('se');
      expect(saved).toHaveLength(0); // opening saves nothing
      store.getState().markLevel('L3');
      store.getState().markLevel('L4/L5');
      expect(store.getState().save.state).toBe('pending');
      await vi.advanceTimersByTimeAsync(300);
      expect(saved).toHaveLength(1);
      expect(saved[0]!.levels.map((l) => l.level)).toEqual(['L3', 'L4/L5']);
      expect(store.getState().save).toMatchObject({ state: 'saved', path: '/ws/se.json' });
      store.getState().addOutline('b', square(1));
      await autosave.flush();
      expect(saved).toHaveLength(2);
      expect(saved[1]!.rois).toHaveLength(1);
      autosave.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('document helpers', () => {
  it('mask import adds proposals without overriding manual levels, and unique ROI ids', () => {
    let doc = newAnnotationDocument({ ...summary }, DEFAULT_RANGES, '1', 'r', 't');
    doc = setLevel(doc, 'L3', 1, 3, 't');
    const roi = { id: 'x', level: 'L3' as const, muscle: 'autochthon' as const, side: 'left' as const, sliceIndex: 1, z: 3, pointsLps: square(1), source: 'imported' as const, createdAt: 't', modifiedAt: 't' };
    const next = applyMaskImport(doc, { proposedLevels: [{ level: 'L3', sliceIndex: 2, z: 6, source: 'proposed' }, { level: 'L4/L5', sliceIndex: 0, z: 0, source: 'proposed' }], rois: [roi, roi], problems: [] }, 't2');
    expect(next.levels.map((l) => [l.level, l.sliceIndex, l.source])).toEqual([['L3', 1, 'manual'], ['L4/L5', 0, 'proposed']]);
    expect(next.rois.map((r) => r.id)).toEqual(['x', 'x-2']);
  });

  it('checklist walks the eight ROIs and skips the done ones', () => {
    const doc = newAnnotationDocument({ ...summary }, DEFAULT_RANGES, '1', 'r', 't');
    expect(nextTarget(doc, 'L3', { muscle: 'psoas', side: 'left' })).toEqual({ muscle: 'psoas', side: 'right' });
    expect(nextTarget(doc, 'L3', { muscle: 'multifidus', side: 'right' })).toEqual({ muscle: 'psoas', side: 'left' });
    expect(firstOpenTarget(doc, 'L3')).toEqual({ muscle: 'psoas', side: 'left' });
    const roi = (muscle: Muscle, side: 'left' | 'right') => ({ id: `${muscle}-${side}`, level: 'L3' as const, muscle, side, sliceIndex: 1, z: 3, pointsLps: square(1), source: 'drawn' as const, createdAt: 't', modifiedAt: 't' });
    expect(firstOpenTarget({ ...doc, rois: [roi('psoas', 'left')] }, 'L3')).toEqual({ muscle: 'psoas', side: 'right' });
    expect(firstOpenTarget({ ...doc, rois: [roi('psoas', 'left')] }, 'L4/L5')).toEqual({ muscle: 'psoas', side: 'left' });
    const all = (['psoas', 'quadratusLumborum', 'erectorSpinae', 'multifidus'] as const).flatMap((m) => [roi(m, 'left'), roi(m, 'right')]);
    expect(firstOpenTarget({ ...doc, rois: all }, 'L3')).toBeNull();
  });

  it('volume bytes are checked against the geometry', () => {
    expect(() => huVolumeFromBytes(new ArrayBuffer(10), meta)).toThrow(/expected 288/);
  });

  it('lean/fat overlay colours exactly the ROI pixels in each HU range', () => {
    const v: HuVolume = huVolumeFromBytes(volumeBytes(), meta);
    const roi = { id: 'x', level: 'L3' as const, muscle: 'psoas' as const, side: 'left' as const, sliceIndex: 1, z: 3, pointsLps: square(1), source: 'drawn' as const, createdAt: 't', modifiedAt: 't' };
    const { counts, rgba } = leanFatOverlay(v, [roi], 1, DEFAULT_RANGES);
    // square (1,1)-(7,5) mm = pixel indices i 0.5..3.5, j 0.5..2.5: pixels i 1..3, j 1..2
    expect(counts.inside).toBe(6);
    expect(counts.lean + counts.fat).toBe(6);
    expect(rgba[(0 * 8 + 0) * 4 + 3]).toBe(0);
  });
});

describe('bridge client', () => {
  it('posts JSON args with the token and returns JSON, bytes, or a one-line error', async () => {
    const calls: { url: string; init: RequestInit }[] = [];
    const client = createBridgeClient({
      baseUrl: 'http://127.0.0.1:9/',
      token: 'tok',
      fetch: async (url, init) => {
        calls.push({ url, init });
        if (url.endsWith('series:slices')) {
          const fields = encodeURIComponent(JSON.stringify({ start: 3, count: 1, huType: 'int16' }));
          return new Response(new Uint8Array([5, 6]), { headers: { 'content-type': 'application/octet-stream', 'x-paraspine-fields': fields } });
        }
        if (url.endsWith('series:scan')) return new Response(JSON.stringify({ error: 'folder not found' }), { status: 400, headers: { 'content-type': 'application/json' } });
        return new Response(JSON.stringify({ version: '1' }), { headers: { 'content-type': 'application/json' } });
      },
    });
    expect(await client['app:info']()).toEqual({ version: '1' });
    expect(calls[0]!.url).toBe('http://127.0.0.1:9/api/app:info');
    expect((calls[0]!.init.headers as Record<string, string>)['x-paraspine-token']).toBe('tok');
    expect(calls[0]!.init.body).toBe('[]');
    await expect(client['series:scan']('/x')).rejects.toThrow('folder not found');
    const part = await client['series:slices']({ kind: 'folder', path: '/f', seriesUid: 'u' }, { start: 3, count: 1 });
    expect({ ...part, bytes: Array.from(new Uint8Array(part.bytes)) }).toEqual({ start: 3, count: 1, huType: 'int16', bytes: [5, 6] });
    expect(calls[2]!.init.body).toBe('[{"kind":"folder","path":"/f","seriesUid":"u"},{"start":3,"count":1}]');
  });

  it('finds the token in the query, then the injected global', () => {
    const doc = { querySelector: () => null } as unknown as Document;
    expect(findBridgeToken({ location: { search: '?token=abc', hash: '' } as Location, document: doc, __PARASPINE_TOKEN__: undefined })).toBe('abc');
    expect(findBridgeToken({ location: { search: '', hash: '' } as Location, document: doc, __PARASPINE_TOKEN__: 'g' })).toBe('g');
  });
});
