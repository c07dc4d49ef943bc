/**
 * Esc during a pixel-tool drag, in Chromium on the 3 mm CT (browser mode): a brush stroke that has
 * already changed the imported psoas outline is taken back when Escape is pressed with the button held,
 * the release does nothing, no undo step is left, and the saved workspace document holds the outline as
 * it was before the stroke. A scissors line dragged and cancelled the same way cuts nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { contourMask } from '../../src/core/roi/contour';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, getState, ijToClient, loadVolume, setWorkspace, waitSaved } from './helpers';

const DATA = path.resolve(REPO_ROOT, '../shared/data');
const DICOM = path.join(DATA, 'ct-abdomen-3mm/dicom');
const MASKS = path.join(DATA, 'ct-abdomen-3mm/masks');
const L3_SLICE = 73;

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

const historyOf = async (page: Page) => ((await getState(page)) as unknown as { history: { past: number; future: number } }).history;
const outline = (doc: AnnotationDocument | null, muscle: string, side: string) => doc?.rois.find((r) => r.level === 'L3' && r.muscle === muscle && r.side === side);
async function savedDoc(page: Page): Promise<AnnotationDocument> {
  await page.evaluate(() => (window as unknown as { __paraspine: { flush(): Promise<void> } }).__paraspine.flush());
  return JSON.parse(readFileSync(await waitSaved(page), 'utf8')) as AnnotationDocument;
}

test('Esc during a brush stroke reverts it (saved document unchanged, no undo step); Esc during a scissors drag cuts nothing', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto(bridge.pageUrl);
  await setWorkspace(page, bridge);
  await page.getByTestId('folder-input').fill(DICOM);
  await page.getByTestId('open-folder').click();
  await page.getByTestId('series-row').first().click();
  await expect(page.getByTestId('slice-input')).toBeVisible();
  await page.getByTestId('masks-path').fill(MASKS);
  await page.getByTestId('split-autochthon').uncheck();
  await page.getByTestId('import-masks').click();
  await expect(page.getByTestId('import-result')).toHaveText(/outline\(s\)/, { timeout: 60_000 });
  const l3 = page.getByTestId('level-L3');
  await l3.getByRole('button', { name: 'L3', exact: true }).click();
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L3_SLICE);

  const before = await savedDoc(page);
  const psoas = outline(before, 'psoas', 'left')!;
  expect(psoas).toBeDefined();
  const history0 = await historyOf(page);

  // Brush (radius 4, muscle range) from the psoas' centre outwards: it adds pixels while the button is held.
  const volume = await loadVolume(DICOM, (await getState(page)).seriesUid);
  const cols = volume.geometry.columns;
  const px: number[] = [];
  contourMask(volume.geometry, L3_SLICE, psoas.pointsLps).forEach((v, p) => v && px.push(p));
  const ci = px.reduce((s, p) => s + (p % cols), 0) / px.length;
  const cj = px.reduce((s, p) => s + Math.floor(p / cols), 0) / px.length;
  await page.keyboard.press('p');
  await page.keyboard.press('l');
  await page.keyboard.press('b');
  await expect(page.getByTestId('tool-brush')).toHaveClass(/on/);
  await expect(page.getByTestId('brush-radius-value')).toHaveText('4 px');
  const path = await Promise.all(([[ci, cj], [ci + 7, cj], [ci + 7, cj + 7], [ci - 7, cj + 7], [ci - 7, cj - 7], [ci + 7, cj - 7]] as const).map(([i, j]) => ijToClient(page, i, j)));
  await page.mouse.move(path[0]![0], path[0]![1]);
  await page.mouse.down();
  for (const p of path.slice(1)) await page.mouse.move(p[0], p[1], { steps: 6 });
  // Live: the outline has changed, under one new undo step.
  await expect.poll(async () => JSON.stringify(outline(await getDoc(page), 'psoas', 'left')?.pointsLps)).not.toBe(JSON.stringify(psoas.pointsLps));
  expect((await historyOf(page)).past).toBe(history0.past + 1);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('tool-hint')).toHaveText('Stroke cancelled');
  await page.mouse.move(path[0]![0], path[0]![1], { steps: 4 }); // moving on with the button held paints nothing
  await page.mouse.up();
  expect(outline(await getDoc(page), 'psoas', 'left')!.pointsLps).toEqual(psoas.pointsLps);
  expect(await historyOf(page)).toEqual(history0);
  const afterBrush = await savedDoc(page);
  expect(afterBrush.rois).toEqual(before.rois);
  expect(outline(afterBrush, 'psoas', 'left')!.pointsLps).toEqual(psoas.pointsLps);

  // Scissors on the selected autochthon, cut-off part multifidus left: drag across it, Esc, release: no cut.
  const auto = outline(afterBrush, 'autochthon', 'left')!;
  await page.getByRole('button', { name: /Autochthon L/ }).click();
  await expect.poll(async () => ((await getState(page)) as unknown as { selectedRoiId: string }).selectedRoiId).toBe(auto.id);
  await page.keyboard.press('m');
  await page.keyboard.press('l');
  await page.keyboard.press('k');
  const apx: number[] = [];
  contourMask(volume.geometry, L3_SLICE, auto.pointsLps).forEach((v, p) => v && apx.push(p));
  const ai = apx.reduce((s, p) => s + (p % cols), 0) / apx.length;
  const js = apx.map((p) => Math.floor(p / cols));
  const [a, b] = await Promise.all([ijToClient(page, ai, Math.min(...js) - 2), ijToClient(page, ai + 0.3, Math.max(...js) + 2)]);
  await page.mouse.move(a[0], a[1]);
  await page.mouse.down();
  await page.mouse.move(b[0], b[1], { steps: 8 });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('tool-hint')).toHaveText('Cut line cancelled');
  await page.mouse.up();
  const afterCut = await savedDoc(page);
  expect(afterCut.rois).toEqual(before.rois);
  expect(await historyOf(page)).toEqual(history0);
  expect(errors).toEqual([]);
});
