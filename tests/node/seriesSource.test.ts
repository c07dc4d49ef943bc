/**
 * The services over real DICOM files (the analytic phantom written to a temporary folder): the scan's
 * series list is reused by series:load, folder-wide problems stay out of the series' warnings, no HU
 * volume is kept, masks:import reads only the headers, and export:write writes exactly the
 * bytes it is given, atomically, inside the workspace only.
 */
import { promises as fs, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import type { ScanResult } from '../../src/core/dicom/types';
import { FolderAccess } from '../../src/node/access';
import { createApi, type MaskService } from '../../src/node/api';
import * as dicomFiles from '../../src/node/dicomFiles';
import { FolderSeriesSource, loadFolderSeries, scanFolderSeries, type FolderFiles } from '../../src/node/seriesSource';
import { SettingsStore } from '../../src/node/settings';
import { folderLocator, MAX_EXPORT_BYTES, type LoadedSeriesMeta, type MaskImportResult } from '../../src/shared/contract';
import { tmpDir } from './helpers';

const SLICES = 5;

/** The real dicomFiles functions, counted. */
function countingFiles() {
  const calls = { scanFolder: 0, readFilesHeaders: [] as string[][], loadFiles: [] as string[][], openFiles: [] as string[][] };
  const files: FolderFiles = {
    scanFolder: (f) => {
      calls.scanFolder++;
      return dicomFiles.scanFolder(f);
    },
    readFilesHeaders: (p) => {
      calls.readFilesHeaders.push([...p]);
      return dicomFiles.readFilesHeaders(p);
    },
    loadFiles: (p) => {
      calls.loadFiles.push([...p]);
      return dicomFiles.loadFiles(p);
    },
    openFiles: (p) => {
      calls.openFiles.push([...p]);
      return dicomFiles.openFiles(p);
    },
  };
  return { files, calls };
}

async function setup(masks?: MaskService) {
  const root = tmpDir();
  const ct = path.join(root, 'ct');
  const ws = path.join(root, 'ws');
  mkdirSync(ct);
  mkdirSync(ws);
  const phantom = makePhantomSeries({ slices: SLICES, rows: 20, columns: 24, seriesInstanceUid: '1.2.826.0.1.3680043.8.498.77' });
  for (const f of phantom.files) writeFileSync(path.join(ct, f.name), f.bytes);
  // Files in the folder that belong to no series.
  writeFileSync(path.join(ct, 'notes.txt'), 'scanner notes, not DICOM\n');
  writeFileSync(path.join(ct, 'broken.dcm'), new Uint8Array(200));
  const settings = SettingsStore.inDir(path.join(root, 'userdata'));
  await settings.load();
  const { files, calls } = countingFiles();
  const api = createApi({
    mode: 'web',
    version: '1.0.0',
    settings,
    access: new FolderAccess(),
    sources: { folder: new FolderSeriesSource(files) },
    masks: masks ?? { loadMasks: async () => ({ masks: [], problems: [] }) },
  });
  return { root, ct, ws, api, phantom, calls };
}

describe('series from a folder source', () => {
  it('series:load after series:scan reuses the scan: one walk of the folder, only the series files read', async () => {
    const { api, ct, calls, phantom } = await setup();
    const scan = (await api.dispatch('series:scan', [ct])) as ScanResult;
    expect(calls.scanFolder).toBe(1);
    expect(scan.series).toHaveLength(1);
    const s = scan.series[0]!;
    expect(s.files).toHaveLength(SLICES);
    const meta = (await api.dispatch('series:load', [folderLocator(ct, s.seriesInstanceUid)])) as LoadedSeriesMeta;
    expect(calls.scanFolder).toBe(1); // not walked again
    expect(calls.openFiles).toEqual([[...s.files]]);
    expect(calls.loadFiles).toEqual([]); // headers only
    expect(meta.geometry.slices).toBe(SLICES);
    expect(meta.summary.seriesInstanceUid).toBe('1.2.826.0.1.3680043.8.498.77');
    // HU exactly as the phantom defines them.
    const all = (await api.dispatch('series:slices', [folderLocator(ct, s.seriesInstanceUid), { start: 0, count: SLICES }])) as { bytes: ArrayBuffer };
    const hu = new Int16Array(all.bytes);
    expect(hu.length).toBe(phantom.expected.hu.length);
    let mismatches = 0;
    for (let p = 0; p < hu.length; p++) if (hu[p] !== phantom.expected.hu[p]) mismatches++;
    expect(mismatches).toBe(0);
    expect(calls.scanFolder).toBe(1);
  });

  it("the folder's unusable files are listed by the scan, not in the series' warnings", async () => {
    const { api, ct } = await setup();
    const scan = (await api.dispatch('series:scan', [ct])) as ScanResult;
    expect(scan.problems.map((p) => path.basename(p.path)).sort()).toEqual(['broken.dcm', 'notes.txt']);
    const meta = (await api.dispatch('series:load', [folderLocator(ct, scan.series[0]!.seriesInstanceUid)])) as LoadedSeriesMeta;
    expect(meta.warnings.join(' ')).not.toMatch(/notes\.txt|broken\.dcm/);
    expect(meta.warnings).toEqual([]);
  });

  it('a file of the series that went bad after the scan is still reported in its warnings', async () => {
    const { api, ct } = await setup();
    const scan = (await api.dispatch('series:scan', [ct])) as ScanResult;
    const s = scan.series[0]!;
    await fs.writeFile(s.files[2]!, 'overwritten by something else'); // not DICOM any more
    const meta = (await api.dispatch('series:load', [folderLocator(ct, s.seriesInstanceUid)])) as LoadedSeriesMeta;
    expect(meta.geometry.slices).toBe(SLICES - 1);
    expect(meta.warnings.join(' ')).toContain(path.basename(s.files[2]!));
    expect(meta.warnings.join(' ')).not.toMatch(/notes\.txt/);
  });

  it('a locator of a folder never scanned (a restart) scans it once, then reuses that listing', async () => {
    const { ct, phantom } = await setup();
    const { files, calls } = countingFiles();
    const source = new FolderSeriesSource(files);
    const loc = folderLocator(ct, '1.2.826.0.1.3680043.8.498.77');
    const loaded = await source.load(loc);
    expect(loaded.volume.hu.length).toBe(phantom.expected.hu.length);
    expect(source.remembered(ct)?.series).toHaveLength(1);
    await source.headers(loc);
    await source.load(loc);
    expect(calls.scanFolder).toBe(1);
    await expect(source.load(folderLocator(ct, '9.9.9'))).rejects.toThrow(/series 9\.9\.9 not found/);
  });

  it('the node API keeps no volume: series:load reads headers only, series:slices never loads the whole series', async () => {
    const { api, ct, calls } = await setup();
    const scan = (await api.dispatch('series:scan', [ct])) as ScanResult;
    const loc = folderLocator(ct, scan.series[0]!.seriesInstanceUid);
    await api.dispatch('series:load', [loc]);
    expect(calls.loadFiles).toHaveLength(0);
    const part = (await api.dispatch('series:slices', [loc, { start: 0, count: SLICES }])) as { bytes: ArrayBuffer };
    expect(part.bytes.byteLength).toBe(24 * 20 * SLICES * 2);
    expect(calls.loadFiles).toHaveLength(0);
  });

  it('the CLI reads a folder through a folder source: the one CT series, every file left out named', async () => {
    const { ct, phantom } = await setup();
    const { files, calls } = countingFiles();
    const loaded = await loadFolderSeries(ct, undefined, new FolderSeriesSource(files));
    expect(calls.scanFolder).toBe(1);
    expect(calls.loadFiles).toHaveLength(1);
    expect(loaded.summary.seriesInstanceUid).toBe('1.2.826.0.1.3680043.8.498.77');
    expect(Array.from(loaded.volume.hu)).toEqual(Array.from(phantom.expected.hu));
    // The folder's files in no series (the scan's problems) come with the series' own.
    expect(loaded.problems.map((p) => path.basename(p.path)).sort()).toEqual(['broken.dcm', 'notes.txt']);
    const listed = await scanFolderSeries(ct, '1.2.826.0.1.3680043.8.498.77');
    expect(listed.summary.files).toHaveLength(SLICES);
    expect(listed.scan.problems).toHaveLength(2);
    await expect(loadFolderSeries(ct, '9.9.9')).rejects.toThrow(`series 9.9.9 not found in ${ct};`);
  });

  it('masks:import reads the geometry from the headers, without loading HU', async () => {
    const geometries: unknown[] = [];
    const masks: MaskService = {
      loadMasks: async (_p, g) => {
        geometries.push(g);
        return { masks: [], problems: [] };
      },
    };
    const { api, ct, root, calls, phantom } = await setup(masks);
    const scan = (await api.dispatch('series:scan', [ct])) as ScanResult;
    const seg = path.join(root, 'seg');
    mkdirSync(seg);
    const r = (await api.dispatch('masks:import', [{ series: folderLocator(ct, scan.series[0]!.seriesInstanceUid), masksPath: seg, levels: [] }])) as MaskImportResult;
    expect(calls.loadFiles).toEqual([]); // no HU load, before or during the import
    expect(calls.readFilesHeaders).toHaveLength(1);
    expect(r.rois).toEqual([]);
    expect(geometries.length).toBeGreaterThan(0);
    // The geometry, with each slice file's InstanceNumber (the fixture's: 100 - 7 x file number) in slice order.
    const instanceNumbers = phantom.expected.geometry.slicePositions.map((_, k) => 100 - 7 * phantom.files.findIndex((f) => f.slice === k));
    expect(geometries[0]).toEqual({ ...phantom.expected.geometry, instanceNumbers });
    // Slice indices are checked against that geometry.
    await expect(
      api.dispatch('masks:import', [{ series: folderLocator(ct, scan.series[0]!.seriesInstanceUid), masksPath: seg, levels: [{ level: 'L3', sliceIndex: SLICES }] }]),
    ).rejects.toThrow(new RegExp(`slice ${SLICES} is outside 0\\.\\.${SLICES - 1}`));
  });
});

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('export:write', () => {
  it('writes exactly the given bytes, atomically (no temporary file left), into the exports folder', async () => {
    const { api, ws } = await setup();
    await api.dispatch('workspace:set', [ws]);
    const content = 'level,muscle,areaMm2\r\nL3,"psoas ""left""",711\r\nÄ,ß,✓\n';
    const out = (await api.dispatch('export:write', [{ format: 'csv', seriesUid: '1.2.3', body: utf8(content) }])) as { path: string };
    expect(out.path).toBe(path.join(ws, 'exports', '1.2.3.measurements.csv'));
    expect(await fs.readFile(out.path)).toEqual(Buffer.from(content, 'utf8'));
    // Overwriting replaces the whole file.
    await api.dispatch('export:write', [{ format: 'csv', seriesUid: '1.2.3', body: utf8('x\n') }]);
    expect(await fs.readFile(out.path, 'utf8')).toBe('x\n');
    expect(readdirSync(path.join(ws, 'exports'))).toEqual(['1.2.3.measurements.csv']);
  });

  it('keeps odd series UIDs inside the exports folder and refuses invalid JSON', async () => {
    const { api, ws } = await setup();
    await api.dispatch('workspace:set', [ws]);
    const out = (await api.dispatch('export:write', [{ format: 'json', seriesUid: '../../../etc/passwd', body: utf8('{}') }])) as { path: string };
    expect(path.dirname(out.path)).toBe(path.join(ws, 'exports'));
    await expect(api.dispatch('export:write', [{ format: 'json', seriesUid: '1.2', body: utf8('{"a":') }])).rejects.toThrow(/not valid JSON/);
    // A text format must be UTF-8: a lone 0xFF byte is refused, nothing written.
    await expect(api.dispatch('export:write', [{ format: 'csv', seriesUid: '1.3', body: Uint8Array.of(0x61, 0xff, 0x0a) }])).rejects.toThrow(/CSV export is not UTF-8 text/);
    expect(readdirSync(path.join(ws, 'exports')).some((n) => n.startsWith('1.3.'))).toBe(false);
    // One byte over the limit is refused before anything is written.
    await expect(api.dispatch('export:write', [{ format: 'csv', seriesUid: '1.4', body: new Uint8Array(MAX_EXPORT_BYTES + 1) }])).rejects.toThrow(/argument 0\.body: larger than/);
  });

  it('refuses an exports folder that leads outside the workspace, and works only with a workspace', async () => {
    const { api, ws, root } = await setup();
    await expect(api.dispatch('export:write', [{ format: 'csv', seriesUid: '1.2', body: utf8('a\n') }])).rejects.toThrow(/no workspace folder chosen/);
    await api.dispatch('workspace:set', [ws]);
    const elsewhere = path.join(root, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, path.join(ws, 'exports'));
    await expect(api.dispatch('export:write', [{ format: 'csv', seriesUid: '1.2', body: utf8('a\n') }])).rejects.toThrow(/outside the workspace/);
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});
