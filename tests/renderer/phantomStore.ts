/**
 * An app store opened on a phantom series (the renderer tests' one fake of the services): the series'
 * geometry, summary and HU bytes from `huOf`, and a store that has scanned, opened the series, gone to
 * `slice`, marked `level` there and picked the muscle and side. Expected values in the tests come from
 * the phantom's own definition, never from the store.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { Level, Muscle, Side } from '../../src/core/anatomy/anatomy';
import { makeGeometry, type VolumeGeometry } from '../../src/core/geometry/volumeGeometry';
import type { Vec3 } from '../../src/core/geometry/vec3';
import type { LoadedSeriesMeta, ParaspineApi } from '../../src/shared/contract';
import { createAppStore, type AppState } from '../../src/renderer/state/store';
import { slicesFrom } from './sliceApi';

export interface PhantomSpec {
  columns: number;
  rows: number;
  slices: number;
  /** mm; 1 when not given. Slices are 3 mm apart along +z. */
  columnSpacingMm?: number;
  rowSpacingMm?: number;
  /** HU of pixel (i, j) on slice k. */
  huOf: (i: number, j: number, k: number) => number;
}

export interface PhantomSeries {
  geometry: VolumeGeometry;
  meta: LoadedSeriesMeta;
  volumeBytes: () => ArrayBuffer;
}

export function phantomSeries(p: PhantomSpec): PhantomSeries {
  const { columns: C, rows: R, slices: S } = p;
  const cs = p.columnSpacingMm ?? 1;
  const rs = p.rowSpacingMm ?? 1;
  const geometry = makeGeometry({ columns: C, rows: R, slices: S, columnSpacingMm: cs, rowSpacingMm: rs, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: Array.from({ length: S }, (_, k) => [0, 0, 3 * k] as Vec3) });
  const summary = { patientName: 'P', patientId: 'ID', studyInstanceUid: 'st', studyDate: '20200101', studyDescription: '', seriesInstanceUid: 'se', seriesDescription: 'd', seriesNumber: 1, modality: 'CT', slices: S, rows: R, columns: C, pixelSpacing: [rs, cs] as const, sliceSpacingMm: 3, sliceThickness: 3, imageOrientation: [1, 0, 0, 0, 1, 0], transferSyntaxUids: [], files: [], warnings: [] };
  const meta: LoadedSeriesMeta = { summary, geometry, huType: 'int16', warnings: [] };
  const volumeBytes = (): ArrayBuffer => {
    const hu = new Int16Array(C * R * S);
    for (let k = 0; k < S; k++) for (let j = 0; j < R; j++) for (let i = 0; i < C; i++) hu[k * C * R + j * C + i] = p.huOf(i, j, k);
    return hu.buffer;
  };
  return { geometry, meta, volumeBytes };
}

export interface OpenOptions {
  slice: number;
  level?: Level;
  muscle?: Muscle;
  side?: Side;
}

/** A store with the phantom series open, `level` (default L3) marked on `slice`, the muscle (if given) and side (default left) picked. */
export async function openPhantomStore(series: PhantomSeries, o: OpenOptions): Promise<StoreApi<AppState>> {
  let n = 0;
  const api = {
    'app:info': async () => ({ version: '1', workspace: '/ws', recentFolders: [], mode: 'web' as const }),
    'series:scan': async () => ({ series: [series.meta.summary], problems: [] }),
    'series:load': async () => series.meta,
    'series:slices': slicesFrom(series.volumeBytes, series.meta),
    'annotations:load': async () => ({ document: null, problem: null }),
    'annotations:save': async () => ({ path: '/ws/se.json' }),
  } as unknown as ParaspineApi;
  const store = createAppStore({ api: () => api, now: () => `2024-01-01T00:00:${String(n++).padStart(2, '0')}Z`, newId: () => `id${++n}`, rater: () => 'tester' });
  await store.getState().init();
  await store.getState().openFolder('/data');
  await store.getState().selectSeries('se');
  store.getState().setSlice(o.slice);
  store.getState().markLevel(o.level ?? 'L3');
  if (o.muscle) store.getState().setActiveMuscle(o.muscle);
  store.getState().setActiveSide(o.side ?? 'left');
  return store;
}
