/**
 * The whole workflow in Debian's Chromium through the browser mode: open the 3 mm abdominal CT, find
 * and mark L3, draw left and right psoas with the mouse, check the table against values computed
 * independently of the app's code from the saved outlines (helpers.independentTable), edit a vertex, undo, reload, export CSV and compare it with the CLI.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { expectTable, getDoc, getState, ijToClient, independentTable, loadVolume as loadVolumeFrom, setWorkspace, waitSaved } from './helpers';

const DICOM = path.resolve(REPO_ROOT, '../shared/data/ct-abdomen-3mm/dicom');
const SLICE = 73;
const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');

let bridge: RunningBridge;

test.beforeAll(async () => {
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

const loadVolume = (uid: string) => loadVolumeFrom(DICOM, uid);
/** Ten vertices on an ellipse around (ci, cj) in pixel indices. */
function ellipse(ci: number, cj: number, ri: number, rj: number, n = 10): [number, number][] {
  return Array.from({ length: n }, (_, t) => [ci + ri * Math.cos((2 * Math.PI * t) / n), cj + rj * Math.sin((2 * Math.PI * t) / n)] as [number, number]);
}

async function drawPolygon(page: Page, pts: [number, number][]) {
  const client: [number, number][] = [];
  for (const [i, j] of pts) client.push(await ijToClient(page, i, j));
  for (const [x, y] of client) {
    await page.mouse.move(x, y, { steps: 3 });
    await page.mouse.click(x, y);
    await page.waitForTimeout(60);
  }
  await page.mouse.move(client[0]![0], client[0]![1], { steps: 3 });
  await page.mouse.click(client[0]![0], client[0]![1]); // click the first vertex: closes the polygon
  await page.waitForTimeout(200);
}

function roiPoints(doc: AnnotationDocument | null) {
  return (doc?.rois ?? []).map((r) => ({ id: r.id, muscle: r.muscle, side: r.side, level: r.level, sliceIndex: r.sliceIndex, pointsLps: r.pointsLps })).sort((a, b) => a.id.localeCompare(b.id));
}

test('open, mark L3, outline both psoas, check numbers, edit, undo, reload, export', async ({ page }) => {
  page.on('pageerror', (e) => console.log('page error:', e.message));
  await page.goto(bridge.pageUrl);
  // The token is read, then dropped from the address bar (reloads use sessionStorage and the cookie).
  await expect.poll(() => new URL(page.url()).searchParams.has('token')).toBe(false);
  await setWorkspace(page, bridge);

  // Open the folder by typing its path; pick the series.
  await page.getByTestId('folder-input').fill(DICOM);
  await page.getByTestId('open-folder').click();
  await expect(page.getByTestId('series-row')).toHaveCount(1);
  await page.screenshot({ path: `${SHOTS}/01-series.png` });
  await page.getByTestId('series-row').first().click();
  await expect(page.getByTestId('slice-input')).toBeVisible();
  const uid = (await getState(page)).seriesUid;
  const volume = await loadVolume(uid);

  // Go to slice 73: type near it, then step with the keyboard and the wheel.
  await page.getByTestId('slice-input').fill(String(SLICE - 1)); // position SLICE - 1 = index SLICE - 2
  await page.locator('body').click({ position: { x: 5, y: 990 } });
  await page.keyboard.press('ArrowUp');
  const vp = page.getByTestId('axial-viewport');
  const box = (await vp.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 40);
  await page.mouse.wheel(0, -100);
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(SLICE);
  await expect(page.getByTestId('slice-number')).toHaveText(String(SLICE + 1));
  // Cornerstone shows views on the store's HU array: the window holds one copy of the volume.
  expect(await page.evaluate(() => (window as unknown as { __paraspineViewer: { imageSharesVolume(): boolean | null } }).__paraspineViewer.imageSharesVolume())).toBe(true);

  // Mark L3 with the key.
  await page.keyboard.press('1');
  await expect(page.getByTestId('level-L3')).toHaveAttribute('data-slice', String(SLICE));
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.getByTestId('cursor-hu')).toHaveText(/-?\d+ HU/);
  await page.screenshot({ path: `${SHOTS}/02-L3-marked.png` });

  // Left psoas (patient left = image right), then right psoas; the checklist moves on by itself.
  expect((await getState(page)).activeMuscle).toBe('psoas');
  expect((await getState(page)).activeSide).toBe('left');
  await drawPolygon(page, ellipse(75.5, 58, 3.8, 5.5));
  await expect.poll(async () => (await getDoc(page))?.rois.length).toBe(1);
  await expect(page.getByTestId('check-psoas-left')).toHaveAttribute('data-done', 'yes');
  expect((await getState(page)).activeSide).toBe('right');
  await drawPolygon(page, ellipse(50.5, 57.5, 3.8, 5.5));
  await expect.poll(async () => (await getDoc(page))?.rois.length).toBe(2);
  await page.mouse.move(box.x + 20, box.y + box.height - 60);
  await page.screenshot({ path: `${SHOTS}/03-psoas-drawn.png` });

  const doc1 = (await getDoc(page))!;
  expect(doc1.rois.map((r) => `${r.level} ${r.muscle} ${r.side} ${r.sliceIndex}`).sort()).toEqual(['L3 psoas left 73', 'L3 psoas right 73']);
  for (const r of doc1.rois) expect(r.pointsLps).toHaveLength(10);

  // Saved document == the app's document; the table == the independently computed values.
  const savedPath = await waitSaved(page);
  const saved1 = JSON.parse(readFileSync(savedPath, 'utf8')) as AnnotationDocument;
  expect(roiPoints(saved1)).toEqual(roiPoints(doc1));
  // The table == an independent computation on the saved outlines (the mouse lands within a screen pixel
  // of each vertex, so which 3 mm pixel centres fall inside is only known from the saved outline).
  const drawn = independentTable(volume, saved1, 'L3');
  // Ten-vertex ellipses of 3.8 x 5.5 pixels hold about 60 pixel centres (60 exactly at the nominal vertices).
  for (const side of ['left', 'right']) {
    expect(drawn.pixels[`psoas ${side}`]).toBeGreaterThanOrEqual(55);
    expect(drawn.pixels[`psoas ${side}`]).toBeLessThanOrEqual(66);
  }
  await expectTable(page, 'L3', drawn.rows, drawn.asymmetry);

  // Edit: drag one vertex of the left psoas outward by two pixels.
  const left = doc1.rois.find((r) => r.side === 'left')!;
  const v0 = left.pointsLps[0]!;
  const ij0 = await page.evaluate(
    ([x, y]) => {
      const w = window as unknown as { __paraspineViewer: { ijToClient(i: number, j: number): [number, number] } };
      return w.__paraspineViewer ? [x, y] : null;
    },
    [0, 0],
  );
  void ij0;
  const g = volume.geometry;
  const vi = (v0[0] - g.slicePositions[SLICE]![0]) / g.columnSpacingMm;
  const vj = (v0[1] - g.slicePositions[SLICE]![1]) / g.rowSpacingMm;
  const [hx, hy] = await ijToClient(page, vi, vj);
  const [tx, ty] = await ijToClient(page, vi + 2, vj);
  await page.mouse.move(hx - 6, hy, { steps: 4 });
  await page.mouse.move(hx, hy, { steps: 4 });
  await page.mouse.down();
  await page.mouse.move((hx + tx) / 2, (hy + ty) / 2, { steps: 5 });
  await page.mouse.move(tx, ty, { steps: 5 });
  await page.mouse.up();
  await expect.poll(async () => JSON.stringify((await getDoc(page))!.rois.find((r) => r.id === left.id)!.pointsLps)).not.toBe(JSON.stringify(left.pointsLps));
  const doc2 = (await getDoc(page))!;
  const edited = doc2.rois.find((r) => r.id === left.id)!;
  expect(edited.pointsLps[0]![0]).toBeGreaterThan(v0[0] + g.columnSpacingMm); // moved about two pixels along +i
  await waitSaved(page);
  const saved2 = JSON.parse(readFileSync(savedPath, 'utf8')) as AnnotationDocument;
  expect(roiPoints(saved2)).toEqual(roiPoints(doc2));
  const edited2 = independentTable(volume, saved2, 'L3');
  expect(edited2.pixels['psoas left']).toBeGreaterThan(drawn.pixels['psoas left']!); // the outline grew
  await expectTable(page, 'L3', edited2.rows, edited2.asymmetry);
  await page.screenshot({ path: `${SHOTS}/04-edited.png` });

  // Undo brings the drawn outline back (and saves it).
  await page.keyboard.press('Control+z');
  await expect.poll(async () => roiPoints(await getDoc(page))).toEqual(roiPoints(doc1));
  await waitSaved(page);
  const saved3 = JSON.parse(readFileSync(savedPath, 'utf8')) as AnnotationDocument;
  expect(roiPoints(saved3)).toEqual(roiPoints(doc1));
  await expectTable(page, 'L3', drawn.rows, drawn.asymmetry);

  // Reload: the series reopens and everything comes back from the workspace.
  await page.reload();
  await expect.poll(async () => roiPoints(await getDoc(page)), { timeout: 60_000 }).toEqual(roiPoints(doc1));
  const restored = (await getDoc(page))!;
  expect(restored.levels.map((l) => [l.level, l.sliceIndex, l.source])).toEqual([['L3', SLICE, 'manual']]);
  await expect(page.getByTestId('level-L3')).toHaveAttribute('data-slice', String(SLICE));
  await expect(page.getByTestId('slice-number')).toHaveText(String(SLICE + 1));
  // The checklist points at the first outline not done at L3 (both psoas are done), not at psoas left.
  expect((await getState(page)).activeMuscle).toBe('quadratusLumborum');
  expect((await getState(page)).activeSide).toBe('left');
  await expect(page.getByTestId('now-drawing')).toContainText('Quadratus lumborum left');
  await expect(page.getByTestId('sagittal')).toBeVisible();
  await expect(page.getByTestId('coronal')).toBeVisible();
  await expectTable(page, 'L3', drawn.rows, drawn.asymmetry);
  await page.screenshot({ path: `${SHOTS}/05-reloaded.png` });

  // Export CSV and compare it with `paraspine measure --annotations` on the saved document.
  await page.getByTestId('export-csv').click();
  await expect(page.getByTestId('export-path')).toHaveText(/\.csv$/);
  const csvPath = (await page.getByTestId('export-path').textContent())!;
  const appCsv = readFileSync(csvPath, 'utf8');
  const cliCsv = execFileSync(process.execPath, ['bin/paraspine.mjs', 'measure', DICOM, '--annotations', savedPath, '--format', 'csv'], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(appCsv).toBe(cliCsv);
  await expect(page.getByTestId('export-download')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/06-exported.png` });

  // Help overlay.
  await page.keyboard.press('?');
  await expect(page.getByTestId('help')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/07-help.png` });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help')).toBeHidden();

  // Tool keys (from the shortcuts table) switch the toolbar's tool; its tooltips show the same keys.
  await page.keyboard.press('s');
  await expect(page.getByTestId('tool-spline')).toHaveClass(/\bon\b/);
  await expect(page.getByTestId('tool-spline')).toHaveAttribute('title', 'Spline (s)');
  await expect(page.getByTestId('tool-window')).toHaveAttribute('title', 'W/L drag');
  await page.keyboard.press('g');
  await expect(page.getByTestId('tool-polygon')).toHaveClass(/\bon\b/);
  await expect(page.getByTestId('tool-spline')).not.toHaveClass(/\bon\b/);
});
