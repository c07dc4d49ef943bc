/**
 * Store actions that talk to the services: export computed in the renderer from the one volume it
 * holds (the services only write the bytes), mask import by series locator, folder picking and the
 * Electron menu's actions.
 */
import { describe, expect, it } from 'vitest';
import { exportMeasurementsCsv, exportMeasurementsJson } from '../../src/core/export/measurementsExport';
import { makeGeometry, type VolumeGeometry } from '../../src/core/geometry/volumeGeometry';
import type { Vec3 } from '../../src/core/geometry/vec3';
import { applyMenuAction } from '../../src/renderer/state/menu';
import { createAppStore } from '../../src/renderer/state/store';
import type { LoadedSeriesMeta, MaskImportResult, ParaspineApi } from '../../src/shared/contract';
import { slicesFrom } from './sliceApi';

const geometry: VolumeGeometry = makeGeometry({ columns: 8, rows: 6, slices: 3, columnSpacingMm: 2, rowSpacingMm: 2, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[0, 0, 0], [0, 0, 3], [0, 0, 6]] });
const summary = { patientName: 'P', patientId: 'ID', studyInstanceUid: 'st', studyDate: '20200101', studyDescription: '', seriesInstanceUid: 'se', seriesDescription: 'd', seriesNumber: 1, modality: 'CT', slices: 3, rows: 6, columns: 8, pixelSpacing: [2, 2] as const, sliceSpacingMm: 3, sliceThickness: 3, imageOrientation: [1, 0, 0, 0, 1, 0], transferSyntaxUids: [], files: [], warnings: [] };
const meta: LoadedSeriesMeta = { summary, geometry, huType: 'int16', warnings: [] };

/** Voxel p holds 50 HU (lean) when p is even, -100 HU (fat) when odd. */
function volumeBytes(): ArrayBuffer {
  const hu = new Int16Array(8 * 6 * 3);
  for (let p = 0; p < hu.length; p++) hu[p] = p % 2 === 0 ? 50 : -100;
  return hu.buffer;
}

/** Outline (1,1)-(7,5) mm on slice k: pixel centres i = 1..3, j = 1..2 (2 mm pixels from 0). */
const square = (k: number): Vec3[] => [
  [1, 1, 3 * k],
  [7, 1, 3 * k],
  [7, 5, 3 * k],
  [1, 5, 3 * k],
];

function setup(opts: { exportFails?: boolean; picked?: string | null } = {}) {
  const calls: { channel: string; args: unknown[] }[] = [];
  const log = (channel: string) => async (...args: unknown[]) => {
    calls.push({ channel, args: structuredClone(args) });
    switch (channel) {
      case 'app:info':
        return { version: '9.9.9', workspace: '/ws', recentFolders: [], mode: 'electron' };
      case 'folder:pick':
        return opts.picked ?? null;
      case 'series:scan':
        return { series: [summary], problems: [] };
      case 'series:load':
        return meta;
      case 'series:slices':
        return slicesFrom(volumeBytes, meta)(args[0], args[1] as { start: number; count: number });
      case 'annotations:load':
        return { document: null, problem: null };
      case 'annotations:save':
        return { path: '/ws/se.json' };
      case 'export:write': {
        if (opts.exportFails) throw new Error('disk full');
        const a = args[0] as { format: string; seriesUid: string };
        return { path: `/ws/exports/${a.seriesUid}.measurements.${a.format}` };
      }
      case 'masks:import': {
        const r: MaskImportResult = {
          proposedLevels: [{ level: 'L4/L5', sliceIndex: 0, z: 0, source: 'proposed' }],
          rois: [{ id: 'm1', level: 'L3', muscle: 'psoas', side: 'right', sliceIndex: 1, z: 3, pointsLps: square(1), source: 'imported', createdAt: 't', modifiedAt: 't' }],
          problems: [{ path: '/seg/vertebrae_L5.nii.gz', reason: 'empty' }],
        };
        return r;
      }
      default:
        throw new Error(`unexpected ${channel}`);
    }
  };
  const api = new Proxy({}, { get: (_t, ch: string) => log(ch) }) as unknown as ParaspineApi;
  let n = 0;
  const store = createAppStore({ api: () => api, now: () => `2024-01-01T00:00:${String(n++).padStart(2, '0')}Z`, newId: () => `id${n}`, rater: () => 'R' });
  return { store, calls, of: (ch: string) => calls.filter((c) => c.channel === ch) };
}

async function openWithOutline(s: ReturnType<typeof setup>) {
  const st = s.store.getState;
  await st().init();
  await st().openFolder('/data');
  await st().selectSeries('se');
  st().setSlice(1);
  st().markLevel('L3');
  st().addOutline('a', square(1));
}

/** Minimal CSV reader for the unquoted rows of this test. */
function csvRows(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split('\n');
  const cols = head!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

/** Every slice index asked for with series:slices so far, sorted (a slice asked twice shows twice). */
function slicesAsked(s: ReturnType<typeof setup>): number[] {
  return s
    .of('series:slices')
    .flatMap((c) => {
      const r = c.args[1] as { start: number; count: number };
      return Array.from({ length: r.count }, (_, i) => r.start + i);
    })
    .sort((a, b) => a - b);
}

describe('store: series by locator', () => {
  it('loads the series by its locator (kind, folder, uid), not by a bare folder', async () => {
    const s = setup();
    await s.store.getState().init();
    await s.store.getState().openFolder('/data');
    await s.store.getState().selectSeries('se');
    const loc = { kind: 'folder', path: '/data', seriesUid: 'se' };
    expect(s.of('series:load').map((c) => c.args)).toEqual([[loc]]);
    // The slice shown first (the middle one: no level marked yet) alone, then the others; each slice once.
    expect(s.of('series:slices').map((c) => c.args[0])).toEqual([loc, loc, loc]);
    expect(s.of('series:slices')[0]!.args[1]).toEqual({ start: 1, count: 1 });
    expect(slicesAsked(s)).toEqual([0, 1, 2]);
    expect(s.store.getState().series).toEqual(loc);
  });
});

describe('store: export computed in the renderer', () => {
  it('CSV bytes are core\'s export of the open document on the volume the store holds; the services get only bytes', async () => {
    const s = setup();
    await openWithOutline(s);
    const { doc, volume } = s.store.getState();
    await s.store.getState().exportMeasurements('csv');
    const writes = s.of('export:write');
    expect(writes).toHaveLength(1);
    const arg = writes[0]!.args[0] as { format: string; seriesUid: string; body: Uint8Array };
    expect(Object.keys(arg).sort()).toEqual(['body', 'format', 'seriesUid']);
    expect(arg.format).toBe('csv');
    expect(arg.seriesUid).toBe('se');
    // Bytes, not text: the UTF-8 of core's export, byte for byte.
    expect(arg.body).toBeInstanceOf(Uint8Array);
    const content = new TextDecoder('utf-8', { fatal: true }).decode(arg.body);
    expect(content).toBe(exportMeasurementsCsv(volume!, doc!));
    expect(Buffer.from(arg.body).equals(Buffer.from(content, 'utf8'))).toBe(true);
    // Reference values of the phantom: 6 pixels of 4 mm², columns i = 1, 3 at -100 HU and i = 2 at 50 HU.
    const rows = csvRows(content);
    expect(rows).toHaveLength(1);
    const r = rows[0]!;
    expect([r.level, r.muscle, r.side, r.sliceIndex]).toEqual(['L3', 'psoas', 'left', '1']);
    expect(Number(r.pixels)).toBe(6);
    expect(Number(r.areaMm2)).toBe(24);
    expect(Number(r.leanAreaMm2)).toBe(8);
    expect(Number(r.fatAreaMm2)).toBe(16);
    expect(Number(r.meanHu)).toBeCloseTo(-50, 10);
    expect(Number(r.leanMeanHu)).toBeCloseTo(50, 10);
    expect(r.rater).toBe('R');
    // Only the export was asked of the services: no second volume, no services-side measuring.
    expect(slicesAsked(s)).toEqual([0, 1, 2]);
    expect(s.store.getState().lastExport).toEqual({ path: '/ws/exports/se.measurements.csv', format: 'csv', content });
  });

  it('JSON export likewise; a failed write shows a toast and keeps the previous export', async () => {
    const s = setup();
    await openWithOutline(s);
    const { doc, volume } = s.store.getState();
    await s.store.getState().exportMeasurements('json');
    const content = new TextDecoder('utf-8', { fatal: true }).decode((s.of('export:write')[0]!.args[0] as { body: Uint8Array }).body);
    expect(content).toBe(exportMeasurementsJson(volume!, doc!));
    const json = JSON.parse(content) as { measurements: { pixels: number; areaMm2: number }[] };
    expect(json.measurements.map((m) => [m.pixels, m.areaMm2])).toEqual([[6, 24]]);

    const f = setup({ exportFails: true });
    await openWithOutline(f);
    await f.store.getState().exportMeasurements('csv');
    expect(f.store.getState().lastExport).toBeNull();
    expect(f.store.getState().toast).toEqual({ text: 'Export failed: disk full', kind: 'error' });
  });

  it('the menu\'s Export runs the same store action (no DOM click)', async () => {
    const s = setup();
    await openWithOutline(s);
    applyMenuAction(s.store, { type: 'export', format: 'csv' });
    await expect.poll(() => s.store.getState().lastExport?.format).toBe('csv');
    applyMenuAction(s.store, { type: 'undo' });
    expect(s.store.getState().doc!.rois).toHaveLength(0);
    applyMenuAction(s.store, { type: 'preset', preset: 'bone' });
    expect(s.store.getState().preset).toBe('bone');
  });
});

describe('store: mask import and folder picking', () => {
  it('imports masks by series locator with the levels already marked, in one undo step', async () => {
    const s = setup();
    await openWithOutline(s);
    await s.store.getState().importMasks({ masksPath: ' /seg ', labels: 'totalsegmentator' });
    expect(s.of('masks:import').map((c) => c.args[0])).toEqual([
      { series: { kind: 'folder', path: '/data', seriesUid: 'se' }, masksPath: '/seg', labels: 'totalsegmentator', splitAutochthon: true, levels: [{ level: 'L3', sliceIndex: 1 }] },
    ]); // the four muscles (autochthon split) are asked for by default
    const st = s.store.getState();
    expect(st.doc!.rois.map((r) => r.id).sort()).toEqual(['a', 'm1']);
    expect(st.doc!.levels.map((l) => l.level)).toEqual(['L3', 'L4/L5']);
    expect(st.maskImport).toEqual({ busy: false, message: 'Imported 1 outline(s) and 1 proposed level(s); problems: /seg/vertebrae_L5.nii.gz: empty' });
    expect(slicesAsked(s)).toEqual([0, 1, 2]); // the import needs no HU
    st.undo();
    expect(s.store.getState().doc!.rois.map((r) => r.id)).toEqual(['a']);
  });

  it('Browse picks a folder through the services and opens it; cancelling does nothing', async () => {
    const s = setup({ picked: '/picked' });
    await s.store.getState().pickFolder();
    expect(s.store.getState().folder).toBe('/picked');
    expect(s.of('series:scan').map((c) => c.args)).toEqual([['/picked']]);
    const c = setup({ picked: null });
    await c.store.getState().pickFolder();
    expect(c.store.getState().folder).toBeNull();
    expect(c.of('series:scan')).toHaveLength(0);
  });
});
