/**
 * Plausibility flags (core/annotations/plausibility.ts, through outlineFlagger and measureAnnotationsChecked)
 * on the real 3 mm abdominal CT: the app's mask import with the autochthon split (the same path as
 * tests/masks/importSplit.test.ts) raises none at L3, L3/L4 and L4/L5, and a quadratus lumborum outlined
 * at L3 (two readings of the image) and propagated onto the L5/S1 slice (core/roi/propagate.ts, what the
 * app's Propagate does) is flagged.
 */
import type { SeriesReferences } from '../../src/core/dicom/references';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANNOTATION_FORMAT, ANNOTATION_VERSION, seriesIdentity, type AnnotationDocument, type Roi } from '../../src/core/annotations/document';
import { measureAnnotationsChecked } from '../../src/core/annotations/measureAnnotations';
import { outlineFlagger } from '../../src/core/annotations/outlineFlags';
import { findVertebra, isPlausibilityFlag, plausibilityKind } from '../../src/core/annotations/plausibility';
import type { SeriesSummary } from '../../src/core/dicom/types';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import { contourMask, sliceIjToLps } from '../../src/core/roi/contour';
import { propagateContour } from '../../src/core/roi/propagate';
import type { PointIj } from '../../src/core/roi/rasterize';
import type { HuVolume } from '../../src/core/volume';
import { FolderAccess } from '../../src/node/access';
import { createApi } from '../../src/node/api';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { loadMasks } from '../../src/node/masks';
import type { SeriesSource } from '../../src/node/seriesSource';
import { SettingsStore } from '../../src/node/settings';
import { folderLocator, type FolderSeriesLocator, type MaskImportResult } from '../../src/shared/contract';
import { flagWord } from '../../src/renderer/state/checklist';

const ABD = join(__dirname, '../../../shared/data/ct-abdomen-3mm');
const DICOM = join(ABD, 'dicom');
const MASKS = join(ABD, 'masks');

let root: string;
let volume: HuVolume;
let summary: SeriesSummary;
let imported: MaskImportResult;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'paraspine-plaus-'));
  const s = await loadSeriesFromFolder(DICOM);
  volume = s.volume;
  summary = s.summary;
  const settings = SettingsStore.inDir(join(root, 'userdata'));
  await settings.load();
  const references = {} as SeriesReferences; // masks:import never reads them
  const folder: SeriesSource<FolderSeriesLocator> = {
    kind: 'folder',
    list: async () => ({ series: [summary], problems: [] }),
    headers: async () => ({ summary, references, geometry: volume.geometry, warnings: [] }),
    load: async () => ({ summary, references, volume, problems: [] }),
    open: async () => {
      throw new Error('masks:import opens no series for slices');
    },
  };
  const api = createApi({ mode: 'web', version: '0.0.0', settings, access: new FolderAccess(), sources: { folder }, masks: { loadMasks } });
  await api.dispatch('series:scan', [DICOM]);
  imported = (await api.dispatch('masks:import', [{ series: folderLocator(DICOM, summary.seriesInstanceUid), masksPath: MASKS, levels: [], splitAutochthon: true }])) as MaskImportResult;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const docOf = (rois: Roi[]): AnnotationDocument => ({
  format: ANNOTATION_FORMAT,
  version: ANNOTATION_VERSION,
  appVersion: '0.0.0',
  rater: 'T',
  createdAt: 'x',
  modifiedAt: 'x',
  series: seriesIdentity(summary),
  ranges: DEFAULT_RANGES,
  levels: imported.proposedLevels,
  rois,
});

/**
 * The left quadratus lumborum at L3 (slice index 73), outlined by eye on the 3 mm image (pixel columns /
 * rows), in the two readings a user may make of it: the soft tissue lateral to the tip of the left
 * transverse process (columns 66..72, rows 60..66), in front of the erector spinae (QL_L3); and the muscle
 * block lateral to the psoas, behind the kidney (columns 87..93, rows 53..61: QL_L3_BLOCK).
 */
const QL_L3_BLOCK: PointIj[] = [
  [86.5, 52.5],
  [93.5, 52.5],
  [93.5, 61.5],
  [86.5, 61.5],
];
const QL_L3: PointIj[] = [
  [72.5, 61.5],
  [80.5, 61.5],
  [88.5, 64.5],
  [92.5, 66.5],
  [90.5, 68.5],
  [80.5, 67.5],
  [72.5, 66.5],
];
const at = (k: number, level: Roi['level'], ij: readonly PointIj[], id: string): Roi => ({
  id,
  level,
  muscle: 'quadratusLumborum',
  side: 'left',
  sliceIndex: k,
  z: volume.geometry.slicePositions[k]![2],
  pointsLps: sliceIjToLps(volume.geometry, k, ij),
  source: 'drawn',
  createdAt: 't',
  modifiedAt: 't',
});

describe('plausibility on the real 3 mm CT', () => {
  it('a vertebra is found on each level slice (bone near the midline), on the spine', () => {
    const g = volume.geometry;
    for (const { sliceIndex } of imported.proposedLevels) {
      const v = findVertebra(volume, sliceIndex)!;
      expect(v).not.toBeNull();
      // The spine's midline lies within 5 pixels (15 mm) of the image's centre column here (the patient lies centred; the spinous process is at column 62 of 122), its back behind its front.
      expect(Math.abs((v.midX - g.slicePositions[sliceIndex]![0]) / g.columnSpacingMm - (g.columns - 1) / 2)).toBeLessThan(5);
      expect(v.backY).toBeGreaterThan(v.frontY);
    }
  });

  it('the imported proposals (psoas, multifidus and erector spinae split) raise no plausibility flag at L3, L3/L4, L4/L5', () => {
    const doc = docOf(imported.rois);
    const flag = outlineFlagger(volume, doc);
    const levels = ['L3', 'L3/L4', 'L4/L5'];
    const checked = imported.rois.filter((r) => levels.includes(r.level));
    expect(checked.length).toBe(18); // 3 levels x (psoas, multifidus, erector spinae) x 2 sides
    expect(checked.flatMap((r) => flag(r, r.sliceIndex).filter(isPlausibilityFlag))).toEqual([]);
    const records = measureAnnotationsChecked(volume, doc).records.filter((r) => r.level !== null && levels.includes(r.level));
    expect(records).toHaveLength(18);
    expect(records.flatMap((r) => (r.warnings ?? []).filter(isPlausibilityFlag))).toEqual([]);
  });

  it('a QL outlined at L3 is plausible there; propagated onto the L5/S1 slice (sacral ala, iliac wing) it is flagged for bone', () => {
    const l3 = imported.proposedLevels.find((l) => l.level === 'L3')!.sliceIndex;
    const l5s1 = imported.proposedLevels.find((l) => l.level === 'L5/S1')!.sliceIndex;
    const g = volume.geometry;
    const plane = g.rows * g.columns;
    const ql = at(l3, 'L3', QL_L3, 'ql-l3');
    // At L3, among the imported outlines: no plausibility flag.
    const withL3 = [...imported.rois, ql];
    expect(outlineFlagger(volume, docOf(withL3))(ql, l3).filter(isPlausibilityFlag)).toEqual([]);
    // Propagated onto L5/S1.
    const moved = propagateContour(QL_L3, volume.hu.subarray(l5s1 * plane, (l5s1 + 1) * plane), g.columns, g.rows).contour;
    const prop = { ...at(l5s1, 'L5/S1', moved, 'ql-l5s1') };
    const doc = docOf([...imported.rois, prop]);
    const flags = outlineFlagger(volume, doc)(prop, l5s1).filter(isPlausibilityFlag);
    expect(flags.map(plausibilityKind)).toContain('bone');
    // The share it names, counted here from the HU pixels inside the outline.
    const mask = contourMask(g, l5s1, prop.pointsLps);
    let n = 0;
    let bone = 0;
    mask.forEach((v, p) => {
      if (!v) return;
      n++;
      if (volume.hu[l5s1 * plane + p]! >= 200) bone++;
    });
    expect(bone).toBeGreaterThan(0.05 * n);
    expect(flags.find((f) => plausibilityKind(f) === 'bone')).toBe(
      `anatomy check: QL left at L5/S1: ${Math.round((100 * bone) / n)}% of its pixels are bone (>= 200 HU, more than 5%): is it on the iliac crest or sacral ala?`,
    );
    // It reaches the record (CSV flags, JSON warnings) and the checklist's word.
    const rec = measureAnnotationsChecked(volume, doc).records.find((r) => r.level === 'L5/S1' && r.muscle === 'quadratusLumborum')!;
    expect(rec.warnings).toEqual(expect.arrayContaining(flags));
    expect(flagWord(rec.warnings!)).toBe('anatomy?');
  });

  it('the other reading of the QL at L3 is plausible there; propagated onto L5/S1 (into the pelvic fat, no bone) it is flagged for its area', () => {
    const l3 = imported.proposedLevels.find((l) => l.level === 'L3')!.sliceIndex;
    const l5s1 = imported.proposedLevels.find((l) => l.level === 'L5/S1')!.sliceIndex;
    const g = volume.geometry;
    const plane = g.rows * g.columns;
    const ql = at(l3, 'L3', QL_L3_BLOCK, 'ql-l3');
    expect(outlineFlagger(volume, docOf([...imported.rois, ql]))(ql, l3).filter(isPlausibilityFlag)).toEqual([]);
    const moved = propagateContour(QL_L3_BLOCK, volume.hu.subarray(l5s1 * plane, (l5s1 + 1) * plane), g.columns, g.rows).contour;
    const prop = at(l5s1, 'L5/S1', moved, 'ql-l5s1');
    const flags = outlineFlagger(volume, docOf([...imported.rois, prop]))(prop, l5s1).filter(isPlausibilityFlag);
    // Its area, counted here from the pixels inside it (9 mm² each), above the QL's band at L5/S1 (usually absent there).
    const px = contourMask(g, l5s1, prop.pointsLps).reduce((t, v) => t + (v ? 1 : 0), 0);
    expect(px * 9).toBeGreaterThan(300);
    expect(flags).toEqual([
      `anatomy check: QL left at L5/S1: area ${px * 9} mm² (${((px * 9) / 100).toFixed(2)} cm²) is above 300 mm², the largest expected there (0..300 mm², source kamaz2007): does it take in a neighbouring muscle?`,
    ]);
  });
});
