/**
 * One muscle mapping (issue 19): `paraspine measure --masks` maps TotalSegmentator classes to Paraspine
 * muscles by default exactly as the app's mask import does (src/node/importMasks.ts; both through
 * core/muscles/maskParts.ts), `--no-split` keeps the raw classes, every record says where its muscle came
 * from: `source` as documented before (the mask's name and the rule, as `--split-autochthon` wrote it; the
 * mask's name for a raw mask; `outline` for outlines), `sourceKind` (the records' new last key and CSV
 * column: outline, mask, mask-split, label, label-split, ...), and the JSON which mapping was used (`mapping`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANNOTATION_FORMAT, ANNOTATION_VERSION, seriesIdentity } from '../../src/core/annotations/document';
import type { ScanResult } from '../../src/core/dicom/types';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import { contourMask, sliceIjToLps } from '../../src/core/roi/contour';
import { FolderAccess } from '../../src/node/access';
import { createApi } from '../../src/node/api';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { loadMasks, maskSource } from '../../src/node/masks';
import { FolderSeriesSource } from '../../src/node/seriesSource';
import { SettingsStore } from '../../src/node/settings';
import { folderLocator, type MaskImportResult } from '../../src/shared/contract';
import { cli } from './run';

const DATA = resolve(__dirname, '../../../shared/data');
const ABDOMEN = join(DATA, 'ct-abdomen-3mm/dicom');
const MASKS = join(DATA, 'ct-abdomen-3mm/masks');
const THORAX = join(DATA, 'ct-thorax-j2k/dicom');
const MULTILABEL = join(DATA, 'ct-thorax-j2k/masks/totalsegmentator_multilabel.nii.gz');

type Rec = { structure: string; muscle: string; side: string; level: string | null; sliceIndex: number; pixels: number; source: string; sourceKind: string };
type Out = { mapping?: string; measurements: Rec[]; levels: { level: string; sliceIndex: number }[] };

async function measureJson(...argv: string[]): Promise<Out> {
  const r = await cli('measure', ...argv);
  expect(r.errors).toEqual([]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Out;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'paraspine-mapping-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('measure --masks: the default mapping is the split, --no-split the raw classes', () => {
  it('default: psoas (iliacus left out), multifidus and erector spinae from the autochthon, sourceKind mask-split, source the mask and rule, mapping split', async () => {
    const out = await measureJson(ABDOMEN, '--masks', MASKS);
    expect(out.mapping).toBe('split');
    // 4 levels x 2 sides x psoas, multifidus, erector spinae; nothing raw is left
    expect(out.measurements).toHaveLength(24);
    expect(new Set(out.measurements.map((m) => m.muscle))).toEqual(new Set(['psoas', 'multifidus', 'erectorSpinae']));
    expect(out.measurements.every((m) => m.sourceKind === 'mask-split')).toBe(true);
    // `source` holds what --split-autochthon wrote before: the mask and the rule (README, Command line)
    const rule = (m: Rec) => (m.muscle === 'psoas' ? 'psoas component nearest the spine' : m.muscle === 'multifidus' ? 'medial part (fat-plane split)' : 'lateral part (fat-plane split)');
    for (const m of out.measurements) expect(m.source).toBe(`${m.structure}: ${rule(m)}`);
    // sourceKind is each record's last key, source comes before it
    for (const m of out.measurements) expect(Object.keys(m).slice(-4)).toEqual(['source', 'slicePosition', 'instanceNumber', 'sourceKind']);
    // `structure` stays the mask's name
    for (const m of out.measurements) expect(m.structure).toBe(`${m.muscle === 'psoas' ? 'iliopsoas' : 'autochthon'}_${m.side}`);
    // --split-autochthon (accepted, the default) gives the same bytes
    const given = await cli('measure', ABDOMEN, '--masks', MASKS, '--split-autochthon');
    expect(JSON.parse(given.stdout)).toEqual(out);
  });

  it("--no-split: iliopsoas as psoas with the iliacus, autochthon as one record, source the mask's name, sourceKind mask, mapping raw", async () => {
    const raw = await measureJson(ABDOMEN, '--masks', MASKS, '--no-split');
    const split = await measureJson(ABDOMEN, '--masks', MASKS);
    expect(raw.mapping).toBe('raw');
    expect(raw.measurements).toHaveLength(16);
    expect(new Set(raw.measurements.map((m) => m.muscle))).toEqual(new Set(['psoas', 'autochthon']));
    expect(raw.measurements.every((m) => m.sourceKind === 'mask' && m.source === m.structure)).toBe(true);
    // README reference pixels at L3 (slice 73): the raw masks
    const at = (o: Out, level: string, muscle: string, side: string) => o.measurements.find((m) => m.level === level && m.muscle === muscle && m.side === side)!;
    expect(at(raw, 'L3', 'psoas', 'left').pixels).toBe(79);
    expect(at(raw, 'L3', 'autochthon', 'right').pixels).toBe(263);
    for (const level of ['L3', 'L3/L4', 'L4/L5', 'L5/S1']) {
      for (const side of ['left', 'right']) {
        // the split partitions the autochthon; the psoas is part of the iliopsoas
        expect(at(split, level, 'multifidus', side).pixels + at(split, level, 'erectorSpinae', side).pixels).toBe(at(raw, level, 'autochthon', side).pixels);
        expect(at(split, level, 'psoas', side).pixels).toBeLessThanOrEqual(at(raw, level, 'psoas', side).pixels);
      }
    }
    // L5/S1: the raw iliopsoas_left holds the iliacus (18.1 cm², README); the split's psoas is under 10 cm²
    expect(at(raw, 'L5/S1', 'psoas', 'left').pixels * 9).toBeGreaterThan(1800);
    expect(at(split, 'L5/S1', 'psoas', 'left').pixels * 9).toBeLessThan(1000);
  });

  it('the CSV ends with the source and sourceKind columns; a multilabel file says label / label-split; masks named in --structures stay raw', async () => {
    const csv = await cli('measure', ABDOMEN, '--masks', MASKS, '--levels', 'L3', '--format', 'csv');
    const lines = csv.stdout.trimEnd().split('\n');
    const header = lines[0]!.split(',');
    expect(header.slice(-4)).toEqual(['slicePosition', 'instanceNumber', 'source', 'sourceKind']);
    expect(lines.slice(1).map((l) => l.split(',').at(-1))).toEqual(Array(6).fill('mask-split'));
    expect(lines.slice(1).map((l) => l.split(',').at(-2)).sort()).toEqual(
      ['autochthon_left: lateral part (fat-plane split)', 'autochthon_left: medial part (fat-plane split)', 'autochthon_right: lateral part (fat-plane split)', 'autochthon_right: medial part (fat-plane split)', 'iliopsoas_left: psoas component nearest the spine', 'iliopsoas_right: psoas component nearest the spine'],
    );

    const split = await measureJson(THORAX, '--masks', MULTILABEL, '--labels', 'totalsegmentator', '--z', '-790');
    expect(split.mapping).toBe('split');
    expect(split.measurements.map((m) => `${m.muscle} ${m.sourceKind} ${m.source}`).sort()).toEqual([
      'erectorSpinae label-split autochthon_left: lateral part (fat-plane split)',
      'erectorSpinae label-split autochthon_right: lateral part (fat-plane split)',
      'multifidus label-split autochthon_left: medial part (fat-plane split)',
      'multifidus label-split autochthon_right: medial part (fat-plane split)',
    ]);
    const raw = await measureJson(THORAX, '--masks', MULTILABEL, '--labels', 'totalsegmentator', '--z', '-790', '--no-split');
    expect(raw.mapping).toBe('raw');
    expect(raw.measurements.map((m) => `${m.muscle} ${m.sourceKind} ${m.source}`)).toEqual(['autochthon label autochthon_left', 'autochthon label autochthon_right']);

    const named = await measureJson(ABDOMEN, '--masks', MASKS, '--levels', 'L3', '--structures', 'autochthon_left');
    expect(named.mapping).toBe('raw');
    expect(named.measurements.map((m) => [m.structure, m.muscle, m.source, m.sourceKind])).toEqual([['autochthon_left', 'autochthon', 'autochthon_left', 'mask']]);
  });

  it('outlines of an annotation document say outline (no mapping key without masks); bad combinations are usage errors', async () => {
    const { summary, volume } = await loadSeriesFromFolder(ABDOMEN);
    const g = volume.geometry;
    const k = 73;
    const z = g.slicePositions[k]![2];
    // a 5 x 5 pixel square (corners on pixel edges: half-integer indices), 25 pixels by the pixel-centre rule
    const lps = sliceIjToLps(g, k, [[79.5, 39.5], [84.5, 39.5], [84.5, 44.5], [79.5, 44.5]]).map((p) => [p[0], p[1], p[2]]);
    const doc = {
      format: ANNOTATION_FORMAT,
      version: ANNOTATION_VERSION,
      appVersion: '0.0.0',
      rater: 'T',
      createdAt: '2026-01-01T00:00:00.000Z',
      modifiedAt: '2026-01-01T00:00:00.000Z',
      series: seriesIdentity(summary),
      ranges: DEFAULT_RANGES,
      levels: [{ level: 'L3', sliceIndex: k, z, source: 'manual' }],
      rois: [{ id: 'a', level: 'L3', muscle: 'psoas', side: 'left', sliceIndex: k, z, pointsLps: lps, source: 'drawn', createdAt: '2026-01-01T00:00:00.000Z', modifiedAt: '2026-01-01T00:00:00.000Z' }],
    };
    const file = join(dir, 'doc.json');
    writeFileSync(file, JSON.stringify(doc));
    const out = await measureJson(ABDOMEN, '--annotations', file);
    expect(out.mapping).toBeUndefined();
    expect(out.measurements.map((m) => [m.muscle, m.pixels, m.source, m.sourceKind])).toEqual([['psoas', 25, 'outline', 'outline']]);
    const csv = await cli('measure', ABDOMEN, '--annotations', file, '--format', 'csv');
    expect(csv.stdout.trimEnd().split('\n')[1]!.split(',').slice(-2)).toEqual(['outline', 'outline']); // source, sourceKind

    const both = await cli('measure', ABDOMEN, '--masks', MASKS, '--split-autochthon', '--no-split');
    expect([both.code, both.errors]).toEqual([2, ['use either --split-autochthon or --no-split, not both']]);
    const noMasks = await cli('measure', ABDOMEN, '--annotations', file, '--no-split');
    expect([noMasks.code, noMasks.errors]).toEqual([2, ['--no-split needs --masks']]);
  });
});

describe('--bone: the trabecular ROI says which vertebra mask it came from', () => {
  it("source: the vertebra's mask name; sourceKind: vertebra-mask", async () => {
    const out = await measureJson(ABDOMEN, '--masks', MASKS, '--levels', 'L3', '--bone', 'L1');
    const bone = out.measurements.filter((m) => m.structure === 'L1 trabecular');
    expect(bone.map((m) => [m.source, m.sourceKind])).toEqual([['vertebrae_L1', 'vertebra-mask']]);
  });
});

describe('the PDF report says which mapping made the muscles', () => {
  it('default: mapped as the app imports; --no-split: every mask as it is', async () => {
    const text = async (...extra: string[]) => {
      const file = join(dir, `report${extra.join('')}.pdf`);
      const r = await cli('measure', ABDOMEN, '--masks', MASKS, '--levels', 'L3', '--format', 'pdf', '--out', file, '--date', '2026-01-01', ...extra);
      expect(r.errors).toEqual([]);
      return execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    };
    const split = await text();
    expect(split).toContain('Muscles from masks: TotalSegmentator classes mapped as the app imports them');
    expect(split).not.toContain('every mask measured as it is');
    const raw = await text('--no-split');
    expect(raw).toContain('Muscles from masks: every mask measured as it is');
  }, 60_000);
});

describe("the default mapping equals the app's mask import on the 3 mm CT", () => {
  it('per level, muscle and side: the pixels of the imported outlines = the pixels measure counts', async () => {
    const cliOut = await measureJson(ABDOMEN, '--masks', MASKS);
    // The app's import (masks:import, src/node/importMasks.ts) with the split, through the API as the app calls it.
    const settings = SettingsStore.inDir(join(dir, 'userdata'));
    await settings.load();
    const api = createApi({ mode: 'web', version: '0.0.0', settings, access: new FolderAccess(), sources: { folder: new FolderSeriesSource() }, masks: { loadMasks, maskSource } });
    const scan = (await api.dispatch('series:scan', [ABDOMEN])) as ScanResult;
    const uid = scan.series[0]!.seriesInstanceUid;
    const res = (await api.dispatch('masks:import', [{ series: folderLocator(ABDOMEN, uid), masksPath: MASKS, levels: [], splitAutochthon: true }])) as MaskImportResult;
    // the same levels on the same slices
    expect(res.proposedLevels.map((l) => [l.level, l.sliceIndex])).toEqual(cliOut.levels.map((l) => [l.level, l.sliceIndex]));
    const { volume } = await loadSeriesFromFolder(ABDOMEN);
    const g = volume.geometry;
    const appPixels = new Map<string, number>();
    for (const key of new Set(res.rois.map((r) => `${r.level} ${r.muscle} ${r.side}`))) {
      const rois = res.rois.filter((r) => `${r.level} ${r.muscle} ${r.side}` === key);
      const union = new Uint8Array(g.rows * g.columns);
      for (const r of rois) contourMask(g, r.sliceIndex, r.pointsLps).forEach((v, p) => v && (union[p] = 1));
      appPixels.set(key, union.reduce((s, v) => s + v, 0));
    }
    const cliPixels = new Map(cliOut.measurements.map((m) => [`${m.level} ${m.muscle} ${m.side}`, m.pixels]));
    expect(cliPixels.size).toBe(24);
    expect(Object.fromEntries(appPixels)).toEqual(Object.fromEntries(cliPixels));
  }, 120_000);
});
