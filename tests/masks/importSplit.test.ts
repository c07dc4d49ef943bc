/**
 * The app's mask import (src/node/api.ts 'masks:import') with splitAutochthon on the real 3 mm abdominal
 * CT: the same core functions as `measure --split-autochthon` (src/core/muscles).
 */
import type { SeriesReferences } from '../../src/core/dicom/references';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contourMask } from '../../src/core/roi/contour';
import { maskToContours } from '../../src/core/roi/maskToContours';
import { rasterizePolygon } from '../../src/core/roi/rasterize';
import type { HuVolume } from '../../src/core/volume';
import { FolderAccess } from '../../src/node/access';
import { createApi } from '../../src/node/api';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { loadMasks } from '../../src/node/masks';
import type { SeriesSource } from '../../src/node/seriesSource';
import { SettingsStore } from '../../src/node/settings';
import { folderLocator, type FolderSeriesLocator, type MaskImportResult } from '../../src/shared/contract';
import type { SeriesSummary } from '../../src/core/dicom/types';
import { ANNOTATION_FORMAT, ANNOTATION_VERSION, parseAnnotationDocument, seriesIdentity, type AnnotationDocument } from '../../src/core/annotations/document';
import { measureAnnotationsChecked } from '../../src/core/annotations/measureAnnotations';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';

const ABD = join(__dirname, '../../../shared/data/ct-abdomen-3mm');
const DICOM = join(ABD, 'dicom');
const MASKS = join(ABD, 'masks');

let root: string;
let volume: HuVolume;
let summary: SeriesSummary;
let loads = 0;

async function importMasks(splitAutochthon?: boolean): Promise<MaskImportResult> {
  const settings = SettingsStore.inDir(join(root, 'userdata'));
  await settings.load();
  const references = {} as SeriesReferences; // masks:import never reads them
  const folder: SeriesSource<FolderSeriesLocator> = {
    kind: 'folder',
    list: async () => ({ series: [summary], problems: [] }),
    headers: async () => ({ summary, references, geometry: volume.geometry, warnings: [] }),
    load: async () => {
      loads++;
      return { summary, references, volume, problems: [] };
    },
    open: async () => {
      throw new Error('masks:import opens no series for slices');
    },
  };
  const api = createApi({ mode: 'web', version: '0.0.0', settings, access: new FolderAccess(), sources: { folder }, masks: { loadMasks } });
  await api.dispatch('series:scan', [DICOM]);
  const req = { series: folderLocator(DICOM, summary.seriesInstanceUid), masksPath: MASKS, levels: [], ...(splitAutochthon === undefined ? {} : { splitAutochthon }) };
  return (await api.dispatch('masks:import', [req])) as MaskImportResult;
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'paraspine-import-'));
  const s = await loadSeriesFromFolder(DICOM);
  volume = s.volume;
  summary = s.summary;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('masks:import with splitAutochthon', () => {
  it('without it: as before (iliopsoas -> psoas outlines, autochthon -> autochthon outlines, no HU read, no splits)', async () => {
    loads = 0;
    const res = await importMasks();
    expect(loads).toBe(0);
    expect(res.splits).toBeUndefined();
    expect(new Set(res.rois.map((r) => r.muscle))).toEqual(new Set(['psoas', 'autochthon']));
    expect(res.rois.every((r) => r.source === 'imported')).toBe(true);
  });

  it('psoas = the component nearest the spine; multifidus + erector spinae (proposed) partition each autochthon side; cuts returned', async () => {
    loads = 0;
    const res = await importMasks(true);
    expect(loads).toBe(1);
    const g = volume.geometry;
    const levels = res.proposedLevels.map((l) => [l.level, l.sliceIndex]);
    expect(levels).toEqual([['L3', 73], ['L3/L4', 67], ['L4/L5', 55], ['L5/S1', 44]]);
    expect(new Set(res.rois.map((r) => r.muscle))).toEqual(new Set(['psoas', 'multifidus', 'erectorSpinae']));
    const ks = levels.map((l) => l[1] as number);
    const masks = Object.fromEntries((await loadMasks(MASKS, g, { slices: ks })).masks.map((m) => [m.name, m]));
    const plane = g.rows * g.columns;
    const onSlice = (name: string, k: number) => {
      const m = masks[name]!;
      const at = m.slices ? m.slices.indexOf(k) : k;
      return m.data.subarray(at * plane, (at + 1) * plane);
    };
    const raster = (level: string, muscle: string, side: string) => {
      const rois = res.rois.filter((r) => r.level === level && r.muscle === muscle && r.side === side);
      const out = new Uint8Array(plane);
      for (const r of rois) contourMask(g, r.sliceIndex, r.pointsLps).forEach((v, p) => v && (out[p] = (out[p] ?? 0) + 1));
      return { rois, out };
    };
    for (const [level, k] of levels as [string, number][]) {
      for (const side of ['left', 'right']) {
        // Psoas: one outline, imported, no larger than the iliopsoas on the slice.
        const psoas = raster(level, 'psoas', side);
        expect(psoas.rois).toHaveLength(1);
        expect(psoas.rois[0]!.source).toBe('imported');
        const ilio = onSlice(`iliopsoas_${side}`, k);
        const count = (m: Uint8Array) => m.reduce((s, v) => s + (v ? 1 : 0), 0);
        expect(count(psoas.out)).toBeLessThanOrEqual(count(ilio) + 2); // + filled holes, if any
        // Multifidus and erector spinae: proposed, no pixel in both, together exactly the autochthon outline(s).
        const mf = raster(level, 'multifidus', side);
        const es = raster(level, 'erectorSpinae', side);
        expect([...mf.rois, ...es.rois].every((r) => r.source === 'proposed' && r.sliceIndex === k)).toBe(true);
        const auto = onSlice(`autochthon_${side}`, k);
        const autoFilled = new Uint8Array(plane);
        for (const c of maskToContours(auto, g.columns, g.rows)) rasterizePolygon(c, g.columns, g.rows).forEach((v, p) => v && (autoFilled[p] = 1));
        let both = 0;
        let differ = 0;
        for (let p = 0; p < plane; p++) {
          const m = (mf.out[p] ?? 0) + (es.out[p] ?? 0);
          if (m > 1) both++;
          if ((m > 0 ? 1 : 0) !== autoFilled[p]) differ++;
        }
        expect(both).toBe(0);
        expect(differ).toBe(0);
        // The cut: one polyline per level and side, on the slice.
        const cuts = res.splits!.filter((s) => s.level === level && s.side === side);
        expect(cuts).toHaveLength(1);
        expect(cuts[0]!.sliceIndex).toBe(k);
        expect(cuts[0]!.cutLps.length).toBeGreaterThanOrEqual(2);
        for (const p of cuts[0]!.cutLps) expect(p[2]).toBeCloseTo(g.slicePositions[k]![2], 6);
      }
    }
    // An annotation document holding the proposed outlines is valid (and one with only drawn/imported ones still is).
    const doc = (rois: typeof res.rois) => ({
      format: ANNOTATION_FORMAT,
      version: ANNOTATION_VERSION,
      appVersion: '0.0.0',
      rater: 'T',
      createdAt: 'x',
      modifiedAt: 'x',
      series: seriesIdentity(summary),
      ranges: DEFAULT_RANGES,
      levels: res.proposedLevels,
      rois,
    });
    expect(parseAnnotationDocument(JSON.parse(JSON.stringify(doc(res.rois)))).ok).toBe(true);
    expect(parseAnnotationDocument(JSON.parse(JSON.stringify(doc(res.rois.map((r) => ({ ...r, source: 'imported' as const })))))).ok).toBe(true);
    expect(parseAnnotationDocument(JSON.parse(JSON.stringify(doc(res.rois.map((r) => ({ ...r, source: 'guessed' as never })))))).ok).toBe(false);
    // Outlines traced from masks touch themselves at most at a pixel corner: no shape flag (crossing, no pixel) on any of them.
    const measured = measureAnnotationsChecked(volume, doc(res.rois) as AnnotationDocument).records;
    expect(measured.length).toBeGreaterThanOrEqual(16);
    expect(measured.flatMap((r) => (r.warnings ?? []).filter((w) => w.startsWith('the outline ')))).toEqual([]);
    // L5/S1: the iliacus is left out of the psoas (the iliopsoas_left mask there is 18.1 cm²).
    const psoasL = raster('L5/S1', 'psoas', 'left').out.reduce((s, v) => s + (v ? 1 : 0), 0);
    expect(psoasL * 9).toBeLessThan(1000);
  });

  it('the multifidus share of each autochthon follows the level: within the published bands at L3, L3/L4, L4/L5, L5/S1 (the bulk at L5/S1)', async () => {
    // Published multifidus / (multifidus + erector spinae) CSA, mean ± 1 SD combined (sources in
    // src/core/muscles/mfShareByLevel.ts): L3 MF 4.7 ± 1.4 cm² (CT, Danneels) with ES 20.0 ± 4.4 (MRI, Fortin,
    // L3-L4) -> 0.12 .. (L3/L4's upper end) 0.34; L3/L4 MF 6.5 ± 1.4, ES 20.0 ± 4.4 -> 0.17 .. 0.34;
    // L4/L5 MF 9.6 ± 2.1, ES 16.3 ± 4.1 -> 0.27 .. 0.49; L5/S1 (Niemeläinen, means) 0.51 / 0.54, the
    // multifidus the bulk -> 0.50 .. 0.66.
    const bands: Record<string, [number, number]> = { L3: [0.12, 0.34], 'L3/L4': [0.17, 0.34], 'L4/L5': [0.27, 0.49], 'L5/S1': [0.5, 0.66] };
    const res = await importMasks(true);
    const g = volume.geometry;
    const px = (level: string, muscle: string, side: string) => {
      const m = new Uint8Array(g.rows * g.columns);
      for (const r of res.rois.filter((x) => x.level === level && x.muscle === muscle && x.side === side)) contourMask(g, r.sliceIndex, r.pointsLps).forEach((v, p) => v && (m[p] = 1));
      return m.reduce((a, v) => a + v, 0);
    };
    const shares: string[] = [];
    for (const [level, [lo, hi]] of Object.entries(bands)) {
      for (const side of ['left', 'right']) {
        const mf = px(level, 'multifidus', side);
        const es = px(level, 'erectorSpinae', side);
        const share = mf / (mf + es);
        shares.push(`${level} ${side} ${share.toFixed(3)}`);
        expect(share, `${level} ${side}`).toBeGreaterThanOrEqual(lo);
        expect(share, `${level} ${side}`).toBeLessThanOrEqual(hi);
      }
    }
    console.log(`multifidus share of the autochthon: ${shares.join(', ')}`);
  });
});
