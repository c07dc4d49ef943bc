/**
 * The demo CT through the app's mask import (masks:import with the split on, the app's default), as the
 * README walkthrough does it: the split puts the multifidus / erector spinae boundary on the model's fat
 * plane, so every outline's pixels are the model's muscle (truth.json, counted from the model's label map),
 * and no outline gets a flag (outlineFlagger: shape, side, overlap and the anatomy checks), so a first user
 * sees a clean import.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Roi } from '../../src/core/annotations/document';
import { outlineFlagger, roiSlice } from '../../src/core/annotations/outlineFlags';
import { DEMO_LEVELS, type DemoTruthRecord } from '../../src/core/demo/model';
import { contourMask } from '../../src/core/roi/contour';
import type { HuVolume } from '../../src/core/volume';
import { writeDemo } from '../../src/node/demo/generate';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { createService } from '../../src/node/createService';
import { folderLocator, type MaskImportResult } from '../../src/shared/contract';

let dir: string;
let volume: HuVolume;
let imported: MaskImportResult;
let truth: DemoTruthRecord[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'paraspine-demo-import-'));
  await writeDemo(join(dir, 'demo'));
  truth = (JSON.parse(readFileSync(join(dir, 'demo/truth.json'), 'utf8')) as { measurements: DemoTruthRecord[] }).measurements;
  const dicom = join(dir, 'demo/dicom');
  const s = await loadSeriesFromFolder(dicom);
  volume = s.volume;
  const { service } = await createService({ mode: 'web', version: '0.0.0', userDataDir: join(dir, 'user-data') });
  await service.dispatch('series:scan', [dicom]);
  const req = { series: folderLocator(dicom, s.summary.seriesInstanceUid), masksPath: join(dir, 'demo/masks'), levels: [], splitAutochthon: true };
  imported = (await service.dispatch('masks:import', [req])) as MaskImportResult;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the demo through the app import with the split', () => {
  it('proposes the four levels and imports every muscle on both sides, with no problem', () => {
    expect(imported.problems.filter((p) => !p.reason.startsWith('note:'))).toEqual([]);
    const levels = imported.proposedLevels.filter((l) => (DEMO_LEVELS as readonly string[]).includes(l.level));
    expect(levels.map((l) => l.level).sort()).toEqual([...DEMO_LEVELS].sort());
    for (const t of truth.filter((x) => x.muscle !== 'autochthon')) {
      expect(imported.rois.some((r) => r.level === t.level && r.muscle === t.muscle && r.side === t.side), `${t.level} ${t.muscle} ${t.side}`).toBe(true);
    }
  });

  it('each muscle outline holds exactly the model muscle pixels (the split follows the fat plane)', () => {
    const g = volume.geometry;
    for (const t of truth.filter((x) => x.muscle !== 'autochthon')) {
      const rois = imported.rois.filter((r) => r.level === t.level && r.muscle === t.muscle && r.side === t.side);
      const k = roiSlice(volume, rois[0]!);
      expect(k).toBe(t.sliceIndex);
      const union = new Uint8Array(g.rows * g.columns);
      for (const r of rois) contourMask(g, k, r.pointsLps).forEach((v, p) => v && (union[p] = 1));
      let pixels = 0;
      let sum = 0;
      const off = k * g.rows * g.columns;
      union.forEach((v, p) => {
        if (!v) return;
        pixels++;
        sum += volume.hu[off + p]!;
      });
      expect(pixels, `${t.level} ${t.muscle} ${t.side}`).toBe(t.pixels);
      expect(sum / pixels).toBeCloseTo(t.meanHu, 9);
    }
  });

  it('no outline is flagged: not "mostly fat", not misplaced, not overlapping', () => {
    const flag = outlineFlagger(volume, { levels: imported.proposedLevels, rois: imported.rois });
    const flagged = imported.rois.flatMap((r: Roi) => flag(r, roiSlice(volume, r)).map((f) => `${r.level} ${r.muscle} ${r.side}: ${f}`));
    expect(flagged).toEqual([]);
  });
});
