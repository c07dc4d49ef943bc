/**
 * What the app's mask import reads of the series (src/node/importMasks.ts) on the real 3 mm abdominal
 * CT, counted at the folder source's files: the split reads the HU of the level slices only (one
 * opened series, one slice per level), never the whole volume; without the split no pixel is read.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/dicom/types';
import { FolderAccess } from '../../src/node/access';
import { createApi } from '../../src/node/api';
import { closeDecoderPool } from '../../src/node/decoderPool';
import { loadMasks } from '../../src/node/masks';
import { FolderSeriesSource } from '../../src/node/seriesSource';
import { SettingsStore } from '../../src/node/settings';
import { folderLocator, type MaskImportResult } from '../../src/shared/contract';
import { shared } from '../dicom/helpers';
import { tmpDir, countingFiles } from './helpers';

const ABDOMEN = shared('ct-abdomen-3mm', 'dicom');
const MASKS = shared('ct-abdomen-3mm', 'masks');

afterAll(() => closeDecoderPool());

/** The import of the shared masks at L3 (slice 73) and L5/S1 (slice 44), through a counting folder source. */
async function importAt(splitAutochthon: boolean, masksPath = MASKS) {
  const settings = SettingsStore.inDir(path.join(tmpDir(), 'userdata'));
  await settings.load();
  const { files, calls } = countingFiles();
  const api = createApi({ mode: 'web', version: '0.0.0', settings, access: new FolderAccess(), sources: { folder: new FolderSeriesSource(files) }, masks: { loadMasks } });
  const scan = (await api.dispatch('series:scan', [ABDOMEN])) as ScanResult;
  const req = {
    series: folderLocator(ABDOMEN, scan.series[0]!.seriesInstanceUid),
    masksPath,
    levels: [
      { level: 'L3', sliceIndex: 73 },
      { level: 'L5/S1', sliceIndex: 44 },
    ],
    splitAutochthon,
  };
  const result = (await api.dispatch('masks:import', [req])) as MaskImportResult;
  return { result, calls };
}

describe('masks:import reads only the level slices it needs', () => {
  it('with splitAutochthon: one opened series, the two level slices read once each, no whole volume', async () => {
    const { result, calls } = await importAt(true);
    expect(calls.loadFiles).toBe(0);
    expect(calls.openFiles).toBe(1);
    expect(calls.readSlices).toEqual([
      [73, 1],
      [44, 1],
    ]);
    // the split did happen on both slices (it needs the HU read): multifidus + erector spinae per side
    for (const sliceIndex of [73, 44]) {
      const on = result.rois.filter((r) => r.sliceIndex === sliceIndex);
      expect(new Set(on.map((r) => `${r.muscle} ${r.side}`))).toEqual(
        new Set(['psoas left', 'psoas right', 'multifidus left', 'multifidus right', 'erectorSpinae left', 'erectorSpinae right']),
      );
    }
    expect(result.splits?.map((s) => [s.sliceIndex, s.side]).sort()).toEqual([
      [44, 'left'],
      [44, 'right'],
      [73, 'left'],
      [73, 'right'],
    ]);
  });

  it('without it: no pixel data read at all', async () => {
    const { result, calls } = await importAt(false);
    expect(calls).toEqual({ loadFiles: 0, openFiles: 0, readSlices: [] });
    expect(new Set(result.rois.map((r) => r.muscle))).toEqual(new Set(['psoas', 'autochthon']));
  });
});

describe('masks:import outlines a muscle on one side only', () => {
  it('a muscle mask without a side (psoas.nii.gz) gives no outline, with or without the split; the sided one beside it does', async () => {
    const dir = tmpDir('paraspine-sideless-');
    copyFileSync(path.join(MASKS, 'iliopsoas_left.nii.gz'), path.join(dir, 'psoas.nii.gz'));
    copyFileSync(path.join(MASKS, 'iliopsoas_right.nii.gz'), path.join(dir, 'iliopsoas_right.nii.gz'));
    for (const split of [false, true]) {
      const { result } = await importAt(split, dir);
      expect(result.rois.length).toBeGreaterThan(0);
      expect(new Set(result.rois.map((r) => `${r.muscle} ${r.side}`))).toEqual(new Set(['psoas right']));
    }
  });
});
