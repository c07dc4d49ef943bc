/**
 * The livewire outline tool (`v`, Cornerstone's LivewireContourTool) in Chromium on the muscle phantom:
 * four clicks beside the middle of each side of the 700 HU vertebral body and a click on the first
 * point close an outline whose line followed the body's edges between the clicks, round its corners;
 * a polygon through the same clicks would be a diamond that leaves the corners out. The saved document
 * is read back from disk (Esc cancels a livewire being drawn first) and rasterised with core's pixel-centre rule. Screenshot while drawing:
 * test-results/screenshots/tool-livewire.png. Then on the real CT: eight clicks on the outline of each of
 * TotalSegmentator's iliopsoas and autochthon masks at L3 give outlines that agree with the masks.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { contourMask } from '../../src/core/roi/contour';
import { maskToContours } from '../../src/core/roi/maskToContours';
import { rasterizePolygon, type PointIj } from '../../src/core/roi/rasterize';
import { loadMasks } from '../../src/node/masks';
import { BOXES, MP, writeMusclePhantom } from '../fixtures/musclePhantom';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, getState, ijToClient, openSeries, waitSaved } from './helpers';

const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');

let bridge: RunningBridge;
let dir: string;
test.beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'paraspine-livewire-'));
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('livewire: clicks beside the vertebral body trace its edges; the saved outline covers its corners', async ({ page }) => {
  const errors = collectPageErrors(page);
  const { dicom } = writeMusclePhantom(dir);
  mkdirSync(SHOTS, { recursive: true });
  const volume = await openSeries(page, bridge, dicom);
  const k = (await getState(page)).sliceIndex;

  await page.keyboard.press('v');
  await expect(page.getByTestId('tool-livewire')).toHaveClass(/on/);
  await page.keyboard.press('p');
  await page.keyboard.press('l');

  /**
   * Move to pixel (i, j) and click; then wait until the livewire holds `vertices` anchors (0: no longer
   * drawing). Cornerstone holds a click back for its double-click window; a user's next click comes later.
   */
  const clickAt = async (i: number, j: number, vertices: number, shot?: string) => {
    const [x, y] = await ijToClient(page, i, j);
    await page.mouse.move(x, y, { steps: 6 });
    if (shot) await page.screenshot({ path: shot });
    await page.mouse.click(x, y);
    await expect.poll(() => page.evaluate(() => (window as unknown as { __paraspineViewer: { drawingVertexCount(): number } }).__paraspineViewer.drawingVertexCount())).toBe(vertices);
  };

  // The body: columns 24..31, rows 20..35. One click a pixel outside the middle of each side.
  const [i0, i1, j0, j1] = BOXES.vertebra;
  const mi = (i0 + i1) / 2;
  const mj = (j0 + j1) / 2;
  const clicks: [number, number][] = [
    [mi, j0 - 1],
    [i1 + 1, mj],
    [mi, j1 + 1],
    [i0 - 1, mj],
  ];
  // Esc cancels a livewire being drawn: nothing stays on screen or in the document.
  for (const [n, [i, j]] of clicks.slice(0, 2).entries()) await clickAt(i, j, n + 1);
  const viewerHook = () => page.evaluate(() => {
    const v = (window as unknown as { __paraspineViewer: { drawingInProgress(): boolean; contourAnnotationCount(): number } }).__paraspineViewer;
    return [v.drawingInProgress(), v.contourAnnotationCount()];
  });
  expect(await viewerHook()).toEqual([true, 1]);
  await page.keyboard.press('Escape');
  await expect.poll(viewerHook).toEqual([false, 0]);
  expect((await getDoc(page))?.rois ?? []).toEqual([]);

  for (const [n, [i, j]] of clicks.entries()) await clickAt(i, j, n + 1, n === 3 ? `${SHOTS}/tool-livewire.png` : undefined);
  await clickAt(...clicks[0]!, 0); // on the first point: closed
  await expect.poll(async () => (await getDoc(page))?.rois.length ?? 0).toBe(1);
  await page.screenshot({ path: `${SHOTS}/tool-livewire-closed.png` });

  const saved = JSON.parse(readFileSync(await waitSaved(page), 'utf8')) as AnnotationDocument;
  expect(saved.rois).toHaveLength(1);
  const roi = saved.rois[0]!;
  expect([roi.level, roi.muscle, roi.side, roi.sliceIndex, roi.source]).toEqual(['L3', 'psoas', 'left', k, 'drawn']);
  const mask = contourMask(volume.geometry, roi.sliceIndex, roi.pointsLps);
  const cols = MP.columns;
  const inBox = (p: number, grow: number) => {
    const i = p % cols;
    const j = Math.floor(p / cols);
    return i >= i0 - grow && i <= i1 + grow && j >= j0 - grow && j <= j1 + grow;
  };
  const px: number[] = [];
  mask.forEach((v, p) => v && px.push(p));
  // The line ran along the edge: nothing farther than the pixel beside the body, and every pixel of the
  // body but its outer ring (the line runs through the edge pixels, on the body's side or just outside).
  expect(px.filter((p) => !inBox(p, 1))).toEqual([]);
  const core = mask.filter((v, p) => !v && inBox(p, -1)).length;
  expect(core).toBe(0);
  // The corners: the polygon through the clicks (a diamond) leaves out body pixels the livewire keeps.
  const diamond = rasterizePolygon(clicks as PointIj[], MP.columns, MP.rows);
  const cornersOnlyLivewire = px.filter((p) => inBox(p, 0) && !diamond[p]).length;
  expect(cornersOnlyLivewire).toBeGreaterThan(20);
  expect(errors).toEqual([]);
});

test('livewire on the 3 mm CT: eight clicks round each of four muscles at L3 outline them as TotalSegmentator does', async ({ page }) => {
  const errors = collectPageErrors(page);
  const DICOM = path.resolve(REPO_ROOT, '../shared/data/ct-abdomen-3mm/dicom');
  const MASKS = path.resolve(REPO_ROOT, '../shared/data/ct-abdomen-3mm/masks');
  const L3_SLICE = 73; // data README
  const volume = await openSeries(page, bridge, DICOM);
  const g = volume.geometry;
  const N = g.rows * g.columns;
  const { masks } = await loadMasks(MASKS, g, { include: (n) => /^(iliopsoas|autochthon)_/.test(n), slices: [L3_SLICE] });
  await page.getByTestId('slice-input').fill(String(L3_SLICE + 1)); // the field takes the position from the feet (1-based)
  await page.getByTestId('slice-input').blur();
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L3_SLICE);
  await page.keyboard.press('1');
  await page.keyboard.press('v');

  const clickAt = async (i: number, j: number, vertices: number) => {
    const [x, y] = await ijToClient(page, i, j);
    await page.mouse.move(x, y, { steps: 4 });
    await page.mouse.click(x, y);
    await expect.poll(() => page.evaluate(() => (window as unknown as { __paraspineViewer: { drawingVertexCount(): number } }).__paraspineViewer.drawingVertexCount())).toBe(vertices);
  };
  const targets = [
    ['iliopsoas_left', 'p', 'l', 'psoas', 'left'],
    ['iliopsoas_right', 'p', 'r', 'psoas', 'right'],
    ['autochthon_left', 'e', 'l', 'erectorSpinae', 'left'],
    ['autochthon_right', 'e', 'r', 'erectorSpinae', 'right'],
  ] as const;
  const CLICKS = 8;
  for (const [name, mk, sk] of targets) {
    const mask = masks.find((m) => m.name === name)!.data.subarray(L3_SLICE * N, (L3_SLICE + 1) * N);
    // Eight points evenly spaced along the mask's outline (pixel edges): where a user would click.
    const outline = maskToContours(mask, g.columns, g.rows)[0]!;
    await page.keyboard.press(mk);
    await page.keyboard.press(sk);
    for (let n = 0; n < CLICKS; n++) {
      const [i, j] = outline[Math.floor((n * outline.length) / CLICKS)]!;
      await clickAt(i, j, n + 1);
    }
    await clickAt(...outline[0]!, 0);
  }
  await page.screenshot({ path: `${SHOTS}/tool-livewire-ct.png` });
  await page.evaluate(() => (window as unknown as { __paraspine: { flush(): Promise<void> } }).__paraspine.flush());
  const saved = JSON.parse(readFileSync(await waitSaved(page), 'utf8')) as AnnotationDocument;
  expect(saved.rois).toHaveLength(4);
  for (const [name, , , muscle, side] of targets) {
    const roi = saved.rois.find((r) => r.muscle === muscle && r.side === side)!;
    expect([roi.level, roi.sliceIndex, roi.source]).toEqual(['L3', L3_SLICE, 'drawn']);
    const drawn = contourMask(g, L3_SLICE, roi.pointsLps);
    const mask = masks.find((m) => m.name === name)!.data.subarray(L3_SLICE * N, (L3_SLICE + 1) * N);
    let a = 0;
    let b = 0;
    let both = 0;
    for (let p = 0; p < N; p++) {
      a += drawn[p]!;
      b += mask[p]!;
      both += drawn[p]! & mask[p]!;
    }
    // Dice 0.86-0.91 here (a polygon through the same eight points, which lie exactly on the mask's
    // outline, gives 0.90-0.93: at 3 mm the line through edge-pixel centres costs about half a ring).
    expect((2 * both) / (a + b), name).toBeGreaterThanOrEqual(0.8);
  }
  expect(errors).toEqual([]);
});
