/**
 * The app's mask import proposes the L1 trabecular oval from the vertebrae_L1 mask (issue 16) on the real
 * 3 mm CT: a proposal (source 'proposed') on one slice, every pixel it holds inside the L1 mask of that
 * slice and at least the cortex margin away from the mask's edge; no pixel data is read for it (the
 * proposal needs the mask only). series:load passes the headers' PatientSize / PatientSex when present.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/dicom/types';
import { contourMask } from '../../src/core/roi/contour';
import { FolderAccess } from '../../src/node/access';
import { createApi } from '../../src/node/api';
import { closeDecoderPool } from '../../src/node/decoderPool';
import * as dicomFiles from '../../src/node/dicomFiles';
import { loadMasks } from '../../src/node/masks';
import { FolderSeriesSource, type FolderFiles } from '../../src/node/seriesSource';
import { SettingsStore } from '../../src/node/settings';
import { folderLocator, type LoadedSeriesMeta, type MaskImportResult } from '../../src/shared/contract';
import { shared } from '../dicom/helpers';
import { tmpDir } from './helpers';

const ABDOMEN = shared('ct-abdomen-3mm', 'dicom');
const MASKS = shared('ct-abdomen-3mm', 'masks');

afterAll(() => closeDecoderPool());

describe('masks:import proposes the L1 trabecular oval', () => {
  it('from vertebrae_L1: inside the mask, clear of its edge, no pixel data read', async () => {
    const settings = SettingsStore.inDir(path.join(tmpDir(), 'userdata'));
    await settings.load();
    let pixelReads = 0;
    const files: FolderFiles = {
      scanFolder: (f) => dicomFiles.scanFolder(f),
      readFilesHeaders: (p) => dicomFiles.readFilesHeaders(p),
      loadFiles: (p) => (pixelReads++, dicomFiles.loadFiles(p)),
      // series:load opens the series (headers); a pixel read is a readSlices call
      openFiles: async (p) => {
        const opened = await dicomFiles.openFiles(p);
        return { ...opened, readSlices: (start, count) => (pixelReads++, opened.readSlices(start, count)) };
      },
    };
    const api = createApi({ mode: 'web', version: '0.0.0', settings, access: new FolderAccess(), sources: { folder: new FolderSeriesSource(files) }, masks: { loadMasks } });
    const scan = (await api.dispatch('series:scan', [ABDOMEN])) as ScanResult;
    const locator = folderLocator(ABDOMEN, scan.series[0]!.seriesInstanceUid);
    const meta = (await api.dispatch('series:load', [locator])) as LoadedSeriesMeta;
    const result = (await api.dispatch('masks:import', [{ series: locator, masksPath: MASKS, levels: [{ level: 'L3', sliceIndex: 73 }], splitAutochthon: false }])) as MaskImportResult;
    expect(pixelReads).toBe(0);
    const b = result.boneRoi!;
    expect(b).toBeDefined();
    expect([b.vertebra, b.source]).toEqual(['L1', 'proposed']);
    expect(b.note).toMatch(/proposed from the L1 mask/);
    const g = meta.geometry;
    const roi = contourMask(g, b.sliceIndex, b.pointsLps);
    const l1 = (await loadMasks(MASKS, g, { include: (n) => n === 'vertebrae_L1' })).masks[0]!.data;
    const plane = g.rows * g.columns;
    let n = 0;
    let outside = 0;
    let nearEdge = 0;
    // 3 mm (the cortex and a margin, below core's 3.5 mm so pixel rounding never trips it) in whole pixels
    const reach = Math.floor(3 / Math.max(g.columnSpacingMm, g.rowSpacingMm));
    roi.forEach((v, p) => {
      if (!v) return;
      n++;
      if (!l1[b.sliceIndex * plane + p]) outside++;
      const i = p % g.columns;
      const j = (p - i) / g.columns;
      for (let dj = -reach; dj <= reach; dj++) for (let di = -reach; di <= reach; di++) if (di * di + dj * dj <= reach * reach && !l1[b.sliceIndex * plane + (j + dj) * g.columns + i + di]) return void nearEdge++;
    });
    // a body-sized oval (3 mm pixels here): well over 1.5 cm²
    expect(n * g.columnSpacingMm * g.rowSpacingMm).toBeGreaterThan(150);
    expect(outside).toBe(0);
    expect(nearEdge).toBe(0);
    // L1 is the top vertebra of this CT (data README: L1 to sacrum): the oval lies above L3 (slice 73)
    expect(b.sliceIndex).toBeGreaterThan(73);
  });
});
