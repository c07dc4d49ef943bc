import { promises as fs, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureAnnotations } from '../../src/core/annotations/measureAnnotations';
import { exportMeasurementsCsv } from '../../src/core/export/measurementsExport';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import { measureSliceMask } from '../../src/core/metrics/records';
import type { HuVolume } from '../../src/core/volume';
import { FolderAccess } from '../../src/node/access';
import { createApi, validateArgs, type MaskService } from '../../src/node/api';
import type { SeriesSource } from '../../src/node/seriesSource';
import { folderLocator, type FolderSeriesLocator } from '../../src/shared/contract';
import { SettingsStore } from '../../src/node/settings';
import { phantomDocument, phantomReferences, phantomSummary, phantomVolume, SERIES_UID, tmpDir } from './helpers';

async function setup(mode: 'electron' | 'web', masks?: MaskService) {
  const root = tmpDir();
  const ct = path.join(root, 'ct');
  const ws = path.join(root, 'ws');
  mkdirSync(ct);
  mkdirSync(ws);
  const settings = SettingsStore.inDir(path.join(root, 'userdata'));
  await settings.load();
  const access = new FolderAccess();
  const volume = phantomVolume();
  const loads: string[] = [];
  const opens: string[] = [];
  const headerReads: string[] = [];
  const folder: SeriesSource<FolderSeriesLocator> = {
    kind: 'folder',
    list: async () => ({ series: [phantomSummary(volume)], problems: [{ path: path.join(ct, 'junk.txt'), reason: 'not a DICOM file' }] }),
    headers: async (loc) => {
      headerReads.push(loc.path);
      if (loc.seriesUid !== SERIES_UID) throw new Error(`series ${loc.seriesUid} not found in ${loc.path}`);
      return { summary: phantomSummary(volume), references: phantomReferences(volume.geometry.slices), geometry: volume.geometry, warnings: [] };
    },
    load: async (loc) => {
      loads.push(loc.path);
      if (loc.seriesUid !== SERIES_UID) throw new Error(`series ${loc.seriesUid} not found in ${loc.path}`);
      return { summary: phantomSummary(volume), references: phantomReferences(volume.geometry.slices), volume, problems: [] };
    },
    open: async (loc) => {
      opens.push(loc.path);
      if (loc.seriesUid !== SERIES_UID) throw new Error(`series ${loc.seriesUid} not found in ${loc.path}`);
      const n = volume.geometry.rows * volume.geometry.columns;
      return { summary: phantomSummary(volume), references: phantomReferences(volume.geometry.slices), geometry: volume.geometry, warnings: [], huType: 'int16', readSlices: async (start, count) => volume.hu.slice(start * n, (start + count) * n) };
    },
  };
  const api = createApi({
    mode,
    version: '9.9.9',
    settings,
    access,
    sources: { folder },
    masks: masks ?? { loadMasks: async () => ({ masks: [], problems: [] }) },
    now: () => new Date('2024-03-04T05:06:07.000Z'),
  });
  return { root, ct, ws, settings, access, api, volume, loads, opens, headerReads };
}

describe('argument validation', () => {
  it('rejects bad arguments with a one-line reason naming the argument', () => {
    const cases: [Parameters<typeof validateArgs>[0], unknown, RegExp][] = [
      ['series:scan', [], /series:scan: expects 1 argument\(s\), got 0/],
      ['series:scan', [42], /series:scan: argument 0: .*string/i],
      ['series:scan', ['/a', '/b'], /series:scan: expects 1 argument\(s\), got 2/],
      ['series:scan', '/a', /arguments must be an array/],
      ['series:scan', [{ kind: 'pacs', path: '/a' }], /series:scan: argument 0: expected a folder path \(string\) or a series root/],
      ['series:scan', [{ kind: 'folder' }], /series:scan: argument 0: expected a folder path \(string\) or a series root/],
      ['series:load', ['/a', '1.2'], /series:load: expects 1 argument/],
      ['series:load', [{ kind: 'pacs', path: '/a', seriesUid: '1.2' }], /series:load: argument 0\.kind/],
      ['series:slices', [{ kind: 'folder', path: '/a' }, { start: 0, count: 1 }], /series:slices: argument 0\.seriesUid/],
      ['export:write', [{ format: 'xlsx', seriesUid: '1.2', body: new Uint8Array(0) }], /export:write: argument 0\.format/],
      ['export:write', [{ format: 'csv', seriesUid: '1.2' }], /export:write: argument 0\.body/],
      // Text is not bytes: the body must be a Uint8Array (the old `content` string is refused).
      ['export:write', [{ format: 'csv', seriesUid: '1.2', body: 'a,b\n' }], /export:write: argument 0\.body: expected bytes/],
      ['masks:import', [{ series: folderLocator('/a', 'x'), masksPath: '/m', levels: [{ level: 'L3', sliceIndex: -1 }] }], /argument 0\.levels\.0\.sliceIndex/],
      ['app:info', [1], /app:info: expects 0 argument\(s\), got 1/],
    ];
    for (const [ch, args, re] of cases) {
      let msg = '';
      try {
        validateArgs(ch, args);
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg, JSON.stringify(args)).toMatch(re);
      expect(msg).not.toContain('\n');
    }
    expect(validateArgs('series:load', [folderLocator('/a', '1.2')])).toEqual([{ kind: 'folder', path: '/a', seriesUid: '1.2' }]);
  });

  it('dispatch refuses unknown channels and invalid args before calling any service', async () => {
    const { api, loads, ct } = await setup('web');
    await expect(api.dispatch('fs:readFile', ['/etc/passwd'])).rejects.toThrow(/unknown channel 'fs:readFile'/);
    // The whole-volume channel the tests once used is not part of the API.
    await expect(api.dispatch('series:volume', [folderLocator(ct, SERIES_UID)])).rejects.toThrow(/unknown channel 'series:volume'/);
    await expect(api.dispatch('series:load', [ct])).rejects.toThrow(/series:load: argument 0/);
    expect(loads).toEqual([]);
  });
});

describe('api over the services', () => {
  it('electron mode: series:scan needs a picked folder; web mode: the typed path is the pick', async () => {
    const e = await setup('electron');
    await expect(e.api.dispatch('series:scan', [e.ct])).rejects.toThrow(/outside the folders you opened/);
    // A root of the folder kind is the same folder: checked the same way.
    await expect(e.api.dispatch('series:scan', [{ kind: 'folder', path: e.ct }])).rejects.toThrow(/outside the folders you opened/);
    await expect(e.api.dispatch('folder:pick', [])).rejects.toThrow(/not available in the browser/);
    await e.access.grant(e.ct);
    const scan = (await e.api.dispatch('series:scan', [e.ct])) as { series: unknown[] };
    expect(scan.series).toHaveLength(1);
    expect(await e.api.dispatch('series:scan', [{ kind: 'folder', path: e.ct }])).toEqual(scan);
    expect(e.settings.get().recentFolders).toEqual([e.ct]);

    const w = await setup('web');
    await expect(w.api.dispatch('series:load', [folderLocator(w.ct, SERIES_UID)])).rejects.toThrow(/outside the folders/);
    await w.api.dispatch('series:scan', [w.ct]);
    const info = (await w.api.dispatch('app:info', [])) as { mode: string; version: string; recentFolders: string[] };
    expect(info).toMatchObject({ mode: 'web', version: '9.9.9', recentFolders: [w.ct] });
    // a folder beside the scanned one stays refused
    await expect(w.api.dispatch('series:load', [folderLocator(w.ws, SERIES_UID)])).rejects.toThrow(/outside the folders/);
  });

  it('series:load returns metadata (no pixels); series:slices the HU bytes of a range, of all slices', async () => {
    const { api, ct, volume, loads, opens } = await setup('web');
    await api.dispatch('series:scan', [ct]);
    const meta = (await api.dispatch('series:load', [folderLocator(ct, SERIES_UID)])) as { huType: string; geometry: HuVolume['geometry']; summary: { seriesInstanceUid: string } };
    expect(meta.huType).toBe('int16');
    expect(meta.geometry.columns).toBe(32);
    expect(meta.summary.seriesInstanceUid).toBe(SERIES_UID);
    expect(loads).toHaveLength(0); // headers only
    expect(opens).toHaveLength(1);
    const all = (await api.dispatch('series:slices', [folderLocator(ct, SERIES_UID), { start: 0, count: volume.geometry.slices }])) as { bytes: ArrayBuffer };
    expect(all.bytes).toBeInstanceOf(ArrayBuffer);
    expect(new Int16Array(all.bytes)).toEqual(volume.hu);
    expect(loads).toHaveLength(0); // never a whole-volume load
    const part = (await api.dispatch('series:slices', [folderLocator(ct, SERIES_UID), { start: 1, count: 2 }])) as { start: number; count: number; huType: string; bytes: ArrayBuffer };
    expect([part.start, part.count, part.huType]).toEqual([1, 2, 'int16']);
    expect(new Int16Array(part.bytes)).toEqual(volume.hu.subarray(32 * 24, 3 * 32 * 24));
    expect(opens).toHaveLength(1); // the series series:load opened
    await expect(api.dispatch('series:load', [folderLocator(ct, '9.9')])).rejects.toThrow(/series 9\.9 not found/);
  });

  it('annotations save/load through the workspace; export:write writes the CSV into it', async () => {
    const { api, ws, volume } = await setup('web');
    await expect(api.dispatch('annotations:load', [SERIES_UID])).rejects.toThrow(/no workspace folder chosen/);
    const info = (await api.dispatch('workspace:set', [ws])) as { workspace: string };
    expect(info.workspace).toBe(ws);
    expect(await api.dispatch('annotations:load', [SERIES_UID])).toEqual({ document: null, problem: null, revision: null });
    const doc = phantomDocument(volume);
    const saved = (await api.dispatch('annotations:save', [doc])) as { path: string };
    expect(saved.path).toBe(path.join(ws, `${SERIES_UID}.json`));
    expect(await api.dispatch('annotations:load', [SERIES_UID])).toEqual({ document: doc, problem: null, revision: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    await expect(api.dispatch('annotations:save', [{ nope: 1 }])).rejects.toThrow(/not saved: not a Paraspine annotation document/);

    // The renderer computes the bytes (core's export on its volume); export:write writes exactly them.
    const content = exportMeasurementsCsv(volume, doc);
    const out = (await api.dispatch('export:write', [{ format: 'csv', seriesUid: SERIES_UID, body: new TextEncoder().encode(content) }])) as { path: string };
    expect(await fs.readFile(out.path, 'utf8')).toBe(content);
    expect(out.path).toBe(path.join(ws, 'exports', `${SERIES_UID}.measurements.csv`));
    const jsonText = JSON.stringify({ measurements: [1, 2] });
    const j = (await api.dispatch('export:write', [{ format: 'json', seriesUid: SERIES_UID, body: new TextEncoder().encode(jsonText) }])) as { path: string };
    expect(j.path.endsWith('.measurements.json')).toBe(true);
    expect(JSON.parse(await fs.readFile(j.path, 'utf8')).measurements).toHaveLength(2);
  });

  it('masks:import traces muscle masks on the level slices into ROIs that measure exactly like the masks', async () => {
    const volume = phantomVolume();
    const g = volume.geometry;
    const plane = g.rows * g.columns;
    const full = () => new Uint8Array(plane * g.slices);
    // iliopsoas_left: a ring with a hole on slice 1 (hole gets filled), plus a separate blob
    const psoas = full();
    for (let j = 3; j <= 9; j++) for (let i = 2; i <= 8; i++) if (!(j >= 5 && j <= 7 && i >= 4 && i <= 6)) psoas[plane + j * g.columns + i] = 1;
    psoas[plane + 15 * g.columns + 3] = 1;
    psoas[plane + 16 * g.columns + 4] = 1; // diagonal neighbour: same 8-connected component
    const auto = full();
    for (let j = 12; j <= 20; j++) for (let i = 20 - (j - 12); i <= 26; i++) auto[plane + j * g.columns + i] = 1; // a staircase
    const l3 = full();
    // a whole slice (768 voxels, 1290 mm³): the level finder ignores vertebra masks under MIN_VERTEBRA_MASK_MM3
    for (let k = 0; k < g.slices; k++) for (let p = 0; p < plane; p++) l3[k * plane + p] = k === 1 ? 1 : 0;
    const masks: MaskService = {
      loadMasks: async () => ({
        masks: [
          { name: 'iliopsoas_left', data: psoas },
          { name: 'autochthon_right', data: auto },
          { name: 'vertebrae_L3', data: l3 },
          { name: 'liver', data: full() },
        ],
        problems: [],
      }),
    };
    const { api, ct, root } = await setup('web', masks);
    await api.dispatch('series:scan', [ct]);
    const masksDir = path.join(root, 'seg');
    mkdirSync(masksDir);
    const res = (await api.dispatch('masks:import', [{ series: folderLocator(ct, SERIES_UID), masksPath: masksDir, levels: [] }])) as Awaited<
      ReturnType<typeof api['masks:import']>
    >;
    expect(res.proposedLevels).toEqual([expect.objectContaining({ level: 'L3', sliceIndex: 1, source: 'proposed' })]);
    const byMuscle = (m: string) => res.rois.filter((r) => r.muscle === m);
    expect(byMuscle('psoas')).toHaveLength(2);
    expect(byMuscle('autochthon')).toHaveLength(1);
    expect(res.rois.every((r) => r.source === 'imported' && r.level === 'L3' && r.sliceIndex === 1 && r.z === g.slicePositions[1]![2])).toBe(true);
    expect(byMuscle('psoas').every((r) => r.side === 'left')).toBe(true);
    expect(res.problems.map((p) => p.reason).join(' ')).toMatch(/L3\/L4|L4/); // other levels have no vertebra masks

    // Measured through the annotation path, the imported outlines give the mask's numbers (hole filled).
    const doc = { ...phantomDocument(volume), rois: res.rois };
    const recs = measureAnnotations(volume, doc);
    const psoasFilled = psoas.slice(plane, 2 * plane);
    for (let j = 5; j <= 7; j++) for (let i = 4; i <= 6; i++) psoasFilled[j * g.columns + i] = 1;
    const expectPsoas = measureSliceMask(volume, 1, psoasFilled, { structure: 'psoas_left', muscle: 'psoas', side: 'left' }, 'L3', DEFAULT_RANGES);
    const expectAuto = measureSliceMask(volume, 1, auto.slice(plane, 2 * plane), { structure: 'autochthon_right', muscle: 'autochthon', side: 'right' }, 'L3', DEFAULT_RANGES);
    // (the records also say which outlines they measured and where those came from)
    expect(recs.map(({ roiIds: _ids, origin: _origin, status: _status, ...r }) => r)).toEqual([expectPsoas, expectAuto]);
    expect(recs.map((r) => [r.origin, r.roiIds, r.status])).toEqual([
      ['imported', byMuscle('psoas').map((r) => r.id), 'measured'],
      ['imported', byMuscle('autochthon').map((r) => r.id), 'measured'],
    ]);
    expect(expectPsoas.pixels).toBe(49 + 2);
    // The vertebra masks found, with their centroids (for the sagittal labels): L3 fills slice 1.
    expect(res.vertebrae).toEqual([{ name: 'L3', sliceIndex: 1, row: Math.round((g.rows - 1) / 2), column: Math.round((g.columns - 1) / 2) }]);
  });

  it('masks:import refuses a masks path outside the picked folders in electron mode', async () => {
    const { api, ct, access, root } = await setup('electron');
    await access.grant(ct);
    await expect(api.dispatch('masks:import', [{ series: folderLocator(ct, SERIES_UID), masksPath: root, levels: [] }])).rejects.toThrow(/outside the folders/);
    await expect(
      api.dispatch('masks:import', [{ series: folderLocator(ct, SERIES_UID), masksPath: ct, levels: [{ level: 'T12', sliceIndex: 0 }] }]),
    ).rejects.toThrow(/unknown level 'T12'/);
  });
});
