/**
 * Tools that keep intramuscular fat, in Chromium on the fat-marbled phantom (tests/fixtures/fatStreakPhantom.ts):
 * a click with region grow (its "keep enclosed fat" on, the default) outlines the multifidus to its
 * fascia, fat lake, marbling and the streaks that open onto its edge included; the erector spinae grown
 * with the option off leaves its open streaks out, and the brush in its default soft-tissue mode paints
 * them in. The saved document and the exported CSV are read back: pixels and fat % equal the phantom's
 * truth. Screenshots (lean/fat overlay on): test-results/screenshots/fat-grow-envelope.png,
 * fat-grow-muscle-range.png, fat-brush-soft.png.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { AnnotationDocument, Roi } from '../../src/core/annotations/document';
import { contourMask } from '../../src/core/roi/contour';
import type { HuVolume } from '../../src/core/volume';
import { ENVELOPES, FS, fatStreakHu, OPEN_STREAKS, TRUTH, writeFatStreakPhantom } from '../fixtures/fatStreakPhantom';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, getState, ijToClient, openSeries, waitSaved } from './helpers';

const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');

let bridge: RunningBridge;
let dir: string;
test.beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'paraspine-fat-'));
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Pixels and fat pixels (-190..-30 HU, from the phantom's layout) of an outline, by core's pixel-centre rule. */
function pixelsAndFat(volume: HuVolume, roi: Roi): { pixels: number; fat: number; outside: number } {
  const m = contourMask(volume.geometry, roi.sliceIndex, roi.pointsLps);
  let pixels = 0;
  let fat = 0;
  let outside = 0;
  m.forEach((v, p) => {
    if (!v) return;
    const i = p % FS.columns;
    const j = Math.floor(p / FS.columns);
    const hu = fatStreakHu(i, j);
    pixels++;
    if (hu >= -190 && hu <= -30) fat++;
    const box = roi.muscle === 'multifidus' ? ENVELOPES.mf : ENVELOPES.es;
    if (i < box[0] || i > box[1] || j < box[2] || j > box[3]) outside++;
  });
  return { pixels, fat, outside };
}

function parseCsv(text: string): Record<string, string>[] {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const split = (l: string) => {
    const out: string[] = [];
    let cell = '';
    let q = false;
    for (let n = 0; n < l.length; n++) {
      const c = l[n]!;
      if (q) {
        if (c === '"' && l[n + 1] === '"') (cell += '"', n++);
        else if (c === '"') q = false;
        else cell += c;
      } else if (c === '"') q = true;
      else if (c === ',') (out.push(cell), (cell = ''));
      else cell += c;
    }
    out.push(cell);
    return out;
  };
  const [head, ...body] = lines.map(split);
  return body.map((r) => Object.fromEntries(head!.map((h, n) => [h, r[n] ?? ''])));
}

test('grow keeps the fat the multifidus encloses; the soft-tissue brush paints the erector spinae streaks in; the saved fat % is the truth', async ({ page }) => {
  const errors = collectPageErrors(page);
  mkdirSync(SHOTS, { recursive: true });
  const { dicom } = writeFatStreakPhantom(dir);
  const volume = await openSeries(page, bridge, dicom);
  const k = (await getState(page)).sliceIndex;
  const roiOf = async (muscle: string) => ((await getDoc(page))?.rois ?? []).find((r) => r.muscle === muscle && r.side === 'left' && r.sliceIndex === k);

  // --- Multifidus left: one click with region grow (the default range -29..150 HU and "keep enclosed fat").
  await page.keyboard.press('t');
  await expect(page.getByTestId('tool-grow')).toHaveClass(/on/);
  await expect(page.getByTestId('tool-range')).toHaveText('-29..150 HU');
  await expect(page.getByTestId('grow-envelope')).toBeChecked();
  await page.keyboard.press('m');
  await page.keyboard.press('l');
  const [mx, my] = await ijToClient(page, 17, 18);
  await page.mouse.click(mx, my);
  await expect.poll(async () => (await roiOf('multifidus')) !== undefined).toBe(true);
  const mf = pixelsAndFat(volume, (await roiOf('multifidus'))!);
  expect(mf).toEqual({ pixels: TRUTH.mf.pixels, fat: TRUTH.mf.fat, outside: 0 });
  await expect(page.getByTestId('tool-hint')).toContainText(`Grown: ${TRUTH.mf.pixels} px in -29..150 HU (8-connected); ${TRUTH.mf.pixels - TRUTH.mf.grownPixels} px the muscle encloses`);
  await page.screenshot({ path: `${SHOTS}/fat-grow-envelope.png` });

  // --- Erector spinae left, grown with the option off: the streaks that open onto its edge stay out.
  await page.getByTestId('grow-envelope').uncheck();
  await page.keyboard.press('e');
  await page.keyboard.press('l');
  const [ex, ey] = await ijToClient(page, 33, 18);
  await page.mouse.click(ex, ey);
  await expect.poll(async () => (await roiOf('erectorSpinae')) !== undefined).toBe(true);
  expect(pixelsAndFat(volume, (await roiOf('erectorSpinae'))!)).toEqual({ pixels: TRUTH.es.grownPixels, fat: TRUTH.es.grownFat, outside: 0 });
  await page.screenshot({ path: `${SHOTS}/fat-grow-muscle-range.png` });

  // --- The brush (soft tissue, the default), radius 1, along each open streak from its deep end to 0.4 px
  // short of its mouth pixel's centre: the disk takes the mouth pixel (0.4 away) and nothing beyond the
  // fascia (the pixel past the mouth is 1.4 away, its side neighbours 1.08).
  await page.keyboard.press('b');
  await expect(page.getByTestId('tool-brush')).toHaveClass(/on/);
  await expect(page.getByTestId('brush-muscle-only')).not.toBeChecked();
  await expect(page.getByTestId('brush-range')).toHaveText('-190..150 HU');
  for (let n = 0; n < 3; n++) await page.keyboard.press('[');
  await expect(page.getByTestId('brush-radius-value')).toHaveText('1 px');
  const [c, d] = OPEN_STREAKS.es; // c: column 36, rows 38..45 (posterior edge row 45); d: row 25, columns 41..46 (lateral edge column 46)
  const strokes: [number, number][][] = [
    [[c[0], c[2]], [c[0], c[3] - 0.4]],
    [[d[0], d[2]], [d[1] - 0.4, d[2]]],
  ];
  for (const s of strokes) {
    const pts = await Promise.all(s.map(([i, j]) => ijToClient(page, i, j)));
    await page.mouse.move(pts[0]![0], pts[0]![1]);
    await page.mouse.down();
    await page.mouse.move(pts[1]![0], pts[1]![1], { steps: 10 });
    await page.mouse.up();
  }
  await expect.poll(async () => pixelsAndFat(volume, (await roiOf('erectorSpinae'))!).pixels).toBe(TRUTH.es.pixels);
  await page.screenshot({ path: `${SHOTS}/fat-brush-soft.png` });

  // --- Read back what was saved: the document in the workspace and the exported CSV.
  await page.evaluate(() => (window as unknown as { __paraspine: { flush(): Promise<void> } }).__paraspine.flush());
  const saved = JSON.parse(readFileSync(await waitSaved(page), 'utf8')) as AnnotationDocument;
  const savedMf = saved.rois.find((r) => r.muscle === 'multifidus' && r.side === 'left')!;
  const savedEs = saved.rois.find((r) => r.muscle === 'erectorSpinae' && r.side === 'left')!;
  expect(pixelsAndFat(volume, savedMf)).toEqual({ pixels: TRUTH.mf.pixels, fat: TRUTH.mf.fat, outside: 0 });
  expect(pixelsAndFat(volume, savedEs)).toEqual({ pixels: TRUTH.es.pixels, fat: TRUTH.es.fat, outside: 0 });

  await page.getByTestId('export-csv').click();
  await expect(page.getByTestId('export-path')).toHaveText(/\.csv$/);
  const csvPath = (await page.getByTestId('export-path').textContent())!;
  await expect.poll(() => existsSync(csvPath)).toBe(true);
  const csv = parseCsv(readFileSync(csvPath, 'utf8'));
  const row = (muscle: string) => csv.find((r) => r.muscle === muscle && r.side === 'left')!;
  expect(Number(row('multifidus').pixels)).toBe(TRUTH.mf.pixels);
  expect(Number(row('multifidus').fatFraction)).toBeCloseTo(TRUTH.mf.fat / TRUTH.mf.pixels, 4);
  expect(Number(row('erectorSpinae').pixels)).toBe(TRUTH.es.pixels);
  expect(Number(row('erectorSpinae').fatFraction)).toBeCloseTo(TRUTH.es.fat / TRUTH.es.pixels, 4);
  expect(errors).toEqual([]);
});
