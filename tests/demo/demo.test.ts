/**
 * The demo CT (`paraspine demo`, src/node/demo + src/core/demo): `paraspine measure` on it equals its
 * ground truth (truth.json, counted from the model's label map and HU, never by the app's measuring
 * code) for every level, muscle and side; the levels found are the model's level slices; the bytes
 * depend on the seed only.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GRID, DEMO_LEVEL_SLICES, DEMO_LEVELS, demoHu, demoSlice, fatPlaneLabel, LABEL, type DemoTruthRecord } from '../../src/core/demo/model';
import { cli } from '../cli/run';

type Rec = Record<string, number | string | null | string[]>;

const PIXEL_AREA = DEMO_GRID.pixelMm * DEMO_GRID.pixelMm;

function listFiles(dir: string, base = ''): string[] {
  return readdirSync(join(dir, base), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(dir, join(base, e.name)) : [join(base, e.name)])).sort();
}

async function measure(...argv: string[]) {
  const r = await cli('measure', ...argv);
  expect(r.errors).toEqual([]);
  expect(r.code).toBe(0);
  // Nothing to warn about on the demo (an ORIGINAL axial series; no vertebra touches the end of the scan).
  expect(r.notes.filter((n) => /warning|touches/.test(n))).toEqual([]);
  return JSON.parse(r.stdout) as { measurements: Rec[]; levels: Rec[] };
}

/** The measured record equals the truth: pixels exactly, the rest to floating-point rounding (sums in another order). */
function expectTruth(m: Rec | undefined, t: DemoTruthRecord) {
  expect(m, `${t.level} ${t.muscle} ${t.side}`).toBeDefined();
  expect([m!.level, m!.sliceIndex, m!.z, m!.side]).toEqual([t.level, t.sliceIndex, t.z, t.side]);
  expect(m!.pixels).toBe(t.pixels);
  expect(m!.areaMm2 as number).toBeCloseTo(t.areaMm2, 9);
  expect(m!.leanAreaMm2 as number).toBeCloseTo(t.leanAreaMm2, 9);
  expect(m!.fatAreaMm2 as number).toBeCloseTo(t.fatAreaMm2, 9);
  expect(m!.fatFraction as number).toBeCloseTo(t.fatFraction, 12);
  expect(m!.meanHu as number).toBeCloseTo(t.meanHu, 9);
}

describe('the demo CT and its ground truth', () => {
  let dir: string;
  let truth: { seed: number; levels: { level: string; sliceIndex: number; z: number }[]; measurements: DemoTruthRecord[] };
  const find = (recs: Rec[], t: DemoTruthRecord, muscle: string) => recs.find((r) => r.level === t.level && r.side === t.side && r.muscle === muscle);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paraspine-demo-'));
    const started = process.hrtime.bigint();
    const r = await cli('demo', join(dir, 'a'));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const bytes = listFiles(join(dir, 'a')).reduce((s, f) => s + statSync(join(dir, 'a', f)).size, 0);
    // Reported, not asserted (no timed assertions): the closing note's generation time and size.
    console.log(`demo: ${listFiles(join(dir, 'a')).length} files, ${bytes} bytes, generated in ${seconds.toFixed(1)} s`);
    truth = JSON.parse(readFileSync(join(dir, 'a/truth.json'), 'utf8')) as typeof truth;
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the series, a mask per structure, a multilabel file and the truth; the command says where', () => {
    const files = listFiles(join(dir, 'a'));
    expect(files.filter((f) => f.startsWith('dicom/')).length).toBe(DEMO_GRID.slices);
    expect(files.filter((f) => f.startsWith('masks/'))).toEqual(
      ['autochthon_left', 'autochthon_right', 'iliopsoas_left', 'iliopsoas_right', 'quadratus_lumborum_left', 'quadratus_lumborum_right', 'sacrum', 'vertebrae_L1', 'vertebrae_L2', 'vertebrae_L3', 'vertebrae_L4', 'vertebrae_L5'].map(
        (n) => `masks/${n}.nii.gz`,
      ),
    );
    expect(files).toContain('segmentations.nii.gz');
    expect(files).toContain('truth.json');
    // 4 levels x 2 sides x (4 muscles + the autochthon)
    expect(truth.measurements.length).toBe(40);
  });

  it('the stated fat infiltration differs by side and level, and the drawn one is it to the pixel', () => {
    for (const t of truth.measurements.filter((x) => x.muscle !== 'autochthon')) {
      expect(t.fatPixels + t.leanPixels).toBe(t.pixels);
      expect(t.pixels).toBeGreaterThan(100);
      // the erector spinae's record holds its fat plane (all fat) on top of the muscle
      const labels = demoSlice(t.sliceIndex).labels;
      const plane = t.muscle === 'erectorSpinae' ? labels.filter((l) => l === fatPlaneLabel(t.side)).length : 0;
      if (t.muscle === 'erectorSpinae') expect(plane).toBeGreaterThan(10);
      expect(t.fatPixels - plane).toBe(Math.round(t.statedFatFraction! * (t.pixels - plane)));
    }
    const psoas = (level: string, side: string) => truth.measurements.find((t) => t.muscle === 'psoas' && t.level === level && t.side === side)!.statedFatFraction!;
    expect(psoas('L3', 'left')).not.toBe(psoas('L3', 'right'));
    expect(psoas('L3', 'left')).not.toBe(psoas('L5/S1', 'left'));
  });

  it('the fat is marbling (streaks and patches spread through each muscle), not one cluster and not salt', () => {
    const C = DEMO_GRID.columns;
    for (const level of DEMO_LEVELS) {
      const k = DEMO_LEVEL_SLICES[level];
      const slice = demoSlice(k);
      const { fat } = demoHu(slice, k, truth.seed);
      for (let label = LABEL.psoasLeft; label <= LABEL.multifidusRight; label++) {
        const what = `${level} label ${label}`;
        const px = [...slice.labels.keys()].filter((p) => slice.labels[p] === label);
        const fatPx = px.filter((p) => fat[p] === 1);
        const density = fatPx.length / px.length;
        // spread: split at the muscle's centroid, at least 3 of the 4 quarters hold 5% of its fat or more (one cluster would not)
        const ci = px.reduce((t, p) => t + (p % C), 0) / px.length;
        const cj = px.reduce((t, p) => t + Math.floor(p / C), 0) / px.length;
        const quarters = [0, 0, 0, 0];
        for (const p of fatPx) quarters[(p % C < ci ? 0 : 1) + (Math.floor(p / C) < cj ? 0 : 2)]!++;
        expect(quarters.filter((n) => n >= 0.05 * fatPx.length).length, what).toBeGreaterThanOrEqual(3);
        // not salt: fat pixels touch fat (4-neighbours) clearly more often than independent pixels at this density would
        const touching = fatPx.filter((p) => [p - 1, p + 1, p - C, p + C].some((q) => fat[q] === 1 && slice.labels[q] === label)).length / fatPx.length;
        expect(touching - (1 - (1 - density) ** 4), what).toBeGreaterThan(0.1);
      }
    }
  });

  it('the bowel and mesentery are smooth blobs of fat and soft tissue (no grid)', () => {
    const k = DEMO_LEVEL_SLICES.L3;
    const a = demoSlice(k);
    const C = DEMO_GRID.columns;
    const cavity = [...a.labels.keys()].filter((p) => a.labels[p] === LABEL.visceralFat || a.labels[p] === LABEL.bowel || a.labels[p] === LABEL.bowelContents || a.labels[p] === LABEL.bowelGas);
    const fatShare = cavity.filter((p) => a.labels[p] === LABEL.visceralFat).length / cavity.length;
    expect(fatShare).toBeGreaterThan(0.25);
    expect(fatShare).toBeLessThan(0.75);
    // smooth: most mesenteric fat pixels have only mesenteric fat as 4-neighbours
    const fatPx = cavity.filter((p) => a.labels[p] === LABEL.visceralFat);
    const inner = fatPx.filter((p) => [p - 1, p + 1, p - C, p + C].every((q) => a.labels[q] === LABEL.visceralFat));
    expect(inner.length / fatPx.length).toBeGreaterThan(0.7);
    // no 16-pixel grid: fat/not-fat changes along rows are not bunched on multiples of 16 columns
    const inCavity = new Set(cavity);
    let onGrid = 0;
    let changes = 0;
    for (const p of cavity) {
      if (!inCavity.has(p + 1) || (a.labels[p] === LABEL.visceralFat) === (a.labels[p + 1] === LABEL.visceralFat)) continue;
      changes++;
      if ((p % C) % 16 === 15) onGrid++;
    }
    expect(changes).toBeGreaterThan(20);
    expect(onGrid / changes).toBeLessThan(0.2);
  });

  it('measure --masks --levels auto --no-split finds the model level slices and equals the truth for every level, muscle and side', async () => {
    const out = await measure(join(dir, 'a/dicom'), '--masks', join(dir, 'a/masks'), '--levels', 'auto', '--no-split');
    expect((out as { mapping?: string }).mapping).toBe('raw');
    expect(out.levels.map((l) => [l.level, l.sliceIndex])).toEqual(DEMO_LEVELS.map((l) => [l, DEMO_LEVEL_SLICES[l]]));
    expect(truth.levels.map((l) => [l.level, l.sliceIndex])).toEqual(DEMO_LEVELS.map((l) => [l, DEMO_LEVEL_SLICES[l]]));
    // Without the split the masks are measured raw: iliopsoas -> psoas, autochthon (ES + MF), quadratus lumborum.
    const expected = truth.measurements.filter((t) => t.muscle === 'psoas' || t.muscle === 'quadratusLumborum' || t.muscle === 'autochthon');
    expect(out.measurements.length).toBe(expected.length);
    for (const t of expected) {
      const m = find(out.measurements, t, t.muscle);
      expectTruth(m, t);
      expect(m!.structure).toBe(t.mask);
    }
    // Pixel area from the DICOM spacing: an independent check of the areas' scale.
    expect(out.measurements[0]!.areaMm2 as number).toBeCloseTo((out.measurements[0]!.pixels as number) * PIXEL_AREA, 9);
  });

  it('the default mapping (split, as the app imports): every muscle equals the truth (the fat-plane split finds the model boundary between multifidus and erector spinae)', async () => {
    const out = await measure(join(dir, 'a/dicom'), '--masks', join(dir, 'a/masks'), '--levels', 'auto');
    expect((out as { mapping?: string }).mapping).toBe('split');
    const muscles = truth.measurements.filter((t) => t.muscle !== 'autochthon');
    expect(out.measurements.length).toBe(muscles.length);
    for (const t of muscles) expectTruth(find(out.measurements, t, t.muscle), t);
    for (const t of muscles) {
      const m = find(out.measurements, t, t.muscle)!;
      const expected =
        t.muscle === 'quadratusLumborum'
          ? [`quadratus_lumborum_${t.side}`, 'mask'] // no rule changes it
          : t.muscle === 'psoas'
            ? [`iliopsoas_${t.side}: psoas component nearest the spine`, 'mask-split']
            : [`autochthon_${t.side}: ${t.muscle === 'multifidus' ? 'medial' : 'lateral'} part (fat-plane split)`, 'mask-split'];
      expect([m.source, m.sourceKind], `${t.level} ${t.muscle} ${t.side}`).toEqual(expected);
    }
    for (const t of truth.measurements.filter((x) => x.muscle === 'autochthon')) {
      const part = (m: string) => truth.measurements.find((x) => x.level === t.level && x.side === t.side && x.muscle === m)!;
      expect(part('erectorSpinae').pixels + part('multifidus').pixels).toBe(t.pixels);
    }
  });

  it('the multilabel file with TotalSegmentator labels gives the same psoas and autochthon', async () => {
    const out = await measure(join(dir, 'a/dicom'), '--masks', join(dir, 'a/segmentations.nii.gz'), '--labels', 'totalsegmentator', '--levels', 'auto', '--no-split');
    expect(out.levels.map((l) => l.sliceIndex)).toEqual(DEMO_LEVELS.map((l) => DEMO_LEVEL_SLICES[l]));
    const expected = truth.measurements.filter((t) => t.muscle === 'psoas' || t.muscle === 'autochthon');
    expect(out.measurements.length).toBe(expected.length);
    for (const t of expected) expectTruth(find(out.measurements, t, t.muscle), t);
  });

  it('the bytes depend on the seed only', async () => {
    expect((await cli('demo', join(dir, 'b'))).code).toBe(0);
    const a = listFiles(join(dir, 'a'));
    expect(listFiles(join(dir, 'b'))).toEqual(a);
    for (const f of a) expect(readFileSync(join(dir, 'b', f)).equals(readFileSync(join(dir, 'a', f))), f).toBe(true);
    expect((await cli('demo', join(dir, 'c'), '--seed', '7')).code).toBe(0);
    expect(readFileSync(join(dir, 'c/dicom/IM0030.dcm')).equals(readFileSync(join(dir, 'a/dicom/IM0030.dcm')))).toBe(false);
  }, 120_000);

  it('bad input: a clear one-line reason', async () => {
    const none = await cli('demo');
    expect(none.code).toBe(2);
    expect(none.errors).toEqual(['demo needs a folder to write into (paraspine demo DIR)']);
    const seed = await cli('demo', join(dir, 'd'), '--seed', 'x');
    expect(seed.code).toBe(2);
    expect(seed.errors[0]).toMatch(/^--seed must be a whole number/);
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const r = await cli('demo', file);
    expect(r.code).toBe(1);
    expect(r.errors.length).toBe(1);
    expect(r.errors[0]).toContain(file);
  });
});
