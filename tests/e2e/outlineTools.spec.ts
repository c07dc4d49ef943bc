/**
 * The pixel outline tools in Chromium on the 3 mm CT (browser mode): region grow inside iliopsoas_left
 * at L3 with a narrowed range, brush and eraser, scissors splitting the imported autochthon into two
 * outlines whose pixels sum to the original, all saved in the document. Screenshots of each tool in use
 * go to test-results/screenshots/tool-*.png.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { AnnotationDocument, Roi } from '../../src/core/annotations/document';
import { contourMask } from '../../src/core/roi/contour';
import type { HuVolume } from '../../src/core/volume';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, getState, ijToClient, openSeries, waitSaved } from './helpers';

const DATA = path.resolve(REPO_ROOT, '../shared/data');
const DICOM = path.join(DATA, 'ct-abdomen-3mm/dicom');
const MASKS = path.join(DATA, 'ct-abdomen-3mm/masks');
const L3_SLICE = 73;
const ILIOPSOAS_LEFT_PX = 79; // data README: iliopsoas_left at L3
const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

/** Pixels of an outline (core's pixel-centre rule) and their HU. */
function pixelsOf(volume: HuVolume, roi: Roi): number[] {
  const m = contourMask(volume.geometry, roi.sliceIndex, roi.pointsLps);
  const out: number[] = [];
  m.forEach((v, p) => v && out.push(p));
  return out;
}
const huAt = (volume: HuVolume, k: number, p: number) => volume.hu[k * volume.geometry.rows * volume.geometry.columns + p]!;
const rois = (doc: AnnotationDocument | null, muscle: string, side: string) => (doc?.rois ?? []).filter((r) => r.level === 'L3' && r.muscle === muscle && r.side === side);

/** Drag with the primary button through slice pixels (screenshot mid-drag when asked). */
async function drag(page: Page, pts: [number, number][], shot?: string) {
  const c = await Promise.all(pts.map(([i, j]) => ijToClient(page, i, j)));
  await page.mouse.move(c[0]![0], c[0]![1]);
  await page.mouse.down();
  for (const p of c.slice(1)) await page.mouse.move(p[0], p[1], { steps: 8 });
  if (shot) await page.screenshot({ path: `${SHOTS}/${shot}` });
  await page.mouse.up();
}

/** Set a range input the way a user's drag does (React listens to the input event). */
async function setSlider(page: Page, testId: string, value: number) {
  await page.getByTestId(testId).evaluate((el, v) => {
    const input = el as HTMLInputElement;
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, String(v));
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

test('region grow, brush, eraser and scissors on the 3 mm CT; the saved document holds their outlines', async ({ page }) => {
  const errors = collectPageErrors(page);
  const volume = await openSeries(page, bridge, DICOM);
  const cols = volume.geometry.columns;

  await page.getByTestId('masks-path').fill(MASKS);
  // The scissors below split the raw autochthon by hand: import it unsplit.
  await page.getByTestId('split-autochthon').uncheck();
  await page.getByTestId('import-masks').click();
  await expect(page.getByTestId('import-result')).toHaveText(/outline\(s\)/, { timeout: 60_000 });
  const l3 = page.getByTestId('level-L3');
  await l3.getByRole('button', { name: 'L3', exact: true }).click();
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L3_SLICE);
  await l3.getByRole('button', { name: 'Confirm' }).click();

  // --- Region grow inside iliopsoas_left with 0..150 HU: a seed near the mask's centre, in range.
  const imported = rois(await getDoc(page), 'psoas', 'left')[0]!;
  const maskPx = pixelsOf(volume, imported);
  expect(maskPx).toHaveLength(ILIOPSOAS_LEFT_PX);
  const ci = maskPx.reduce((s, p) => s + (p % cols), 0) / maskPx.length;
  const cj = maskPx.reduce((s, p) => s + Math.floor(p / cols), 0) / maskPx.length;
  const seed = maskPx.filter((p) => huAt(volume, L3_SLICE, p) >= 0 && huAt(volume, L3_SLICE, p) <= 150).sort((a, b) => Math.hypot((a % cols) - ci, Math.floor(a / cols) - cj) - Math.hypot((b % cols) - ci, Math.floor(b / cols) - cj))[0]!;
  await page.keyboard.press('t');
  await expect(page.getByTestId('tool-grow')).toHaveClass(/on/);
  await setSlider(page, 'tool-range-lo', 0);
  await expect(page.getByTestId('tool-range')).toHaveText('0..150 HU');
  // At 3 mm the psoas touches its neighbours through one-pixel partial-volume gaps: grow 4-connected.
  await page.getByTestId('grow-4conn').check();
  await page.keyboard.press('p');
  await page.keyboard.press('l');
  const [sx, sy] = await ijToClient(page, seed % cols, Math.floor(seed / cols));
  await page.mouse.click(sx, sy);
  // psoas left already has the imported outline: the guard rail asks; replace it.
  await expect(page.getByTestId('question')).toHaveAttribute('data-kind', 'duplicate');
  await page.getByTestId('answer-replace').click();
  await expect.poll(async () => rois(await getDoc(page), 'psoas', 'left').map((r) => r.source)).toEqual(['drawn']);
  const grown = rois(await getDoc(page), 'psoas', 'left')[0]!;
  const grownPx = pixelsOf(volume, grown);
  // About the mask's size (82 px against 79), and mostly the mask's pixels.
  expect(grownPx.length).toBeGreaterThanOrEqual(Math.round(0.8 * ILIOPSOAS_LEFT_PX));
  expect(grownPx.length).toBeLessThanOrEqual(Math.round(1.3 * ILIOPSOAS_LEFT_PX));
  const inMask = new Set(maskPx);
  expect(grownPx.filter((p) => inMask.has(p)).length).toBeGreaterThanOrEqual(0.8 * ILIOPSOAS_LEFT_PX);
  await expect(page.getByTestId('tool-hint')).toContainText(`Grown: ${grownPx.length} px in 0..150 HU (4-connected)`);
  await page.screenshot({ path: `${SHOTS}/tool-grow.png` });

  // --- Brush (radius 2) with the document's muscle range -29..150 (the grow took every 4-connected
  // pixel in 0..150): strokes from the centre across the edge add pixels, each added one in range.
  await page.keyboard.press('b');
  // The brush paints soft tissue by default; this checks the muscle-range mode.
  await page.getByTestId('brush-muscle-only').check();
  await page.getByTestId('tool-options').getByRole('button', { name: 'reset' }).click();
  await expect(page.getByTestId('tool-range')).toHaveText('-29..150 HU');
  await page.keyboard.press('[');
  await page.keyboard.press('[');
  await expect(page.getByTestId('brush-radius-value')).toHaveText('2 px');
  const gi = grownPx.reduce((s, p) => s + (p % cols), 0) / grownPx.length;
  const gj = grownPx.reduce((s, p) => s + Math.floor(p / cols), 0) / grownPx.length;
  await drag(page, [[gi, gj], [gi, gj - 8]]);
  await drag(page, [[gi, gj], [gi + 5, gj + 1], [gi + 1, gj + 8], [gi - 4, gj + 3]], 'tool-brush.png');
  const brushed = rois(await getDoc(page), 'psoas', 'left')[0]!;
  const brushedPx = pixelsOf(volume, brushed);
  expect(brushedPx.length).toBeGreaterThan(grownPx.length);
  const before = new Set(grownPx);
  // The brush paints only pixels in range; an out-of-range pixel it encloses joins as a filled hole (an
  // outline has no holes), so every added pixel is in range or has its four neighbours inside.
  const after = new Set(brushedPx);
  for (const p of brushedPx.filter((q) => !before.has(q))) {
    const hu = huAt(volume, L3_SLICE, p);
    if (hu >= -29 && hu <= 150) continue;
    expect([p - 1, p + 1, p - cols, p + cols].every((q) => after.has(q)), `pixel ${p} (${hu} HU) is enclosed`).toBe(true);
  }
  // Each stroke is one undo step: undo the second, redo it.
  await page.keyboard.press('Control+z');
  await expect.poll(async () => pixelsOf(volume, rois(await getDoc(page), 'psoas', 'left')[0]!).length).toBeLessThan(brushedPx.length);
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(async () => pixelsOf(volume, rois(await getDoc(page), 'psoas', 'left')[0]!).length).toBe(brushedPx.length);

  // --- Eraser across the outline: fewer pixels.
  await page.keyboard.press('x');
  await drag(page, [[gi - 1, gj - 6], [gi - 1, gj + 6]], 'tool-eraser.png');
  const erasedPx = pixelsOf(volume, rois(await getDoc(page), 'psoas', 'left')[0]!);
  expect(erasedPx.length).toBeLessThan(brushedPx.length);

  // --- Scissors: the imported autochthon left, cut by a vertical line through its middle; the cut-off part becomes multifidus left.
  const auto = rois(await getDoc(page), 'autochthon', 'left')[0]!;
  const autoPx = pixelsOf(volume, auto);
  const ai = autoPx.reduce((s, p) => s + (p % cols), 0) / autoPx.length;
  const js = autoPx.map((p) => Math.floor(p / cols));
  await page.getByRole('button', { name: /Autochthon L/ }).click();
  await expect.poll(async () => (await getState(page) as unknown as { selectedRoiId: string }).selectedRoiId).toBe(auto.id);
  await page.keyboard.press('m');
  await page.keyboard.press('l');
  await page.keyboard.press('k');
  await drag(page, [[ai, Math.min(...js) - 2], [ai + 0.3, Math.max(...js) + 2]], 'tool-scissors.png');
  await expect.poll(async () => rois(await getDoc(page), 'multifidus', 'left').length).toBe(1);
  const doc = (await getDoc(page))!;
  const kept = pixelsOf(volume, doc.rois.find((r) => r.id === auto.id)!);
  const cut = pixelsOf(volume, rois(doc, 'multifidus', 'left')[0]!);
  expect(kept.length).toBeGreaterThan(0);
  expect(cut.length).toBeGreaterThan(0);
  expect(new Set([...kept, ...cut]).size).toBe(kept.length + cut.length); // disjoint
  expect(kept.length + cut.length).toBe(autoPx.length);
  await page.screenshot({ path: `${SHOTS}/tool-scissors-done.png` });

  // --- Leak hint: a range that takes in fat leaks out of the muscle.
  await page.keyboard.press('t');
  await setSlider(page, 'tool-range-lo', -200);
  await page.keyboard.press('q');
  await page.mouse.click(sx, sy);
  await expect(page.getByTestId('tool-hint')).toContainText('Leaked');
  await page.screenshot({ path: `${SHOTS}/tool-grow-leaked.png` });

  // The saved document holds the tools' outlines.
  await page.evaluate(() => (window as unknown as { __paraspine: { flush(): Promise<void> } }).__paraspine.flush());
  const saved = JSON.parse(readFileSync(await waitSaved(page), 'utf8')) as AnnotationDocument;
  const label = (r: Roi) => `${r.muscle} ${r.side} ${r.source}`;
  expect(saved.rois.filter((r) => r.level === 'L3').map(label).sort()).toEqual(['autochthon left imported', 'autochthon right imported', 'multifidus left drawn', 'psoas left drawn', 'psoas right imported']);
  expect(pixelsOf(volume, rois(saved, 'psoas', 'left')[0]!)).toEqual(erasedPx);
  expect(pixelsOf(volume, rois(saved, 'multifidus', 'left')[0]!)).toEqual(cut);
  expect(errors).toEqual([]);
});
