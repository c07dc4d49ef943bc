/**
 * The guard rails of "annotation you can trust", in Chromium as a user meets them, each trap
 * reproduced and shown closed, with the saved workspace document and the exported CSV read back:
 * an outline drawn off its level's slice is refused; moving a level asks (move / keep flagged); an
 * unfinished polygon does not survive a slice, tool or level change or Esc, and clicks near another
 * outline's vertex while drawing do not hijack the drawing; Delete only acts on the shown slice; a
 * second outline of one muscle and side asks (replace / union); a mislabelled side is flagged; the
 * W/L readout follows a mouse drag; Shift+wheel moves 10 slices; the overlay has a legend; a
 * mistyped folder keeps the series; a failed load leaves no stale image; importing masks twice does
 * not duplicate outlines.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, getState, loadVolume, setWorkspace, waitSaved } from './helpers';

const DICOM = path.resolve(REPO_ROOT, '../shared/data/ct-abdomen-3mm/dicom');
const MASKS = path.resolve(REPO_ROOT, '../shared/data/ct-abdomen-3mm/masks');
const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');
/** L3 of the 3 mm abdominal CT (README reference values; app.spec draws there too). */
const L3 = 73;

type Viewer = {
  ijToClient(i: number, j: number): [number, number];
  drawingInProgress(): boolean;
  drawingVertexCount(): number;
  contourAnnotationCount(): number;
};
const hook = (page: Page) => page.evaluateHandle(() => (window as unknown as { __paraspineViewer: Viewer }).__paraspineViewer);
const ijToClient = async (page: Page, i: number, j: number) => (await hook(page)).evaluate((v, [a, b]) => v.ijToClient(a!, b!), [i, j]);
const drawing = async (page: Page) => (await hook(page)).evaluate((v) => v.drawingInProgress());
const drawnVertices = async (page: Page) => (await hook(page)).evaluate((v) => v.drawingVertexCount());
const contours = async (page: Page) => (await hook(page)).evaluate((v) => v.contourAnnotationCount());

function ellipse(ci: number, cj: number, ri: number, rj: number, n = 10): [number, number][] {
  return Array.from({ length: n }, (_, t) => [ci + ri * Math.cos((2 * Math.PI * t) / n), cj + rj * Math.sin((2 * Math.PI * t) / n)] as [number, number]);
}

/** Click the vertices (pixel indices) one by one; close on the first one unless `close` is false. */
async function clickVertices(page: Page, pts: [number, number][], close = true) {
  const client: [number, number][] = [];
  for (const [i, j] of pts) client.push(await ijToClient(page, i, j));
  for (const [x, y] of client) {
    await page.mouse.move(x, y, { steps: 3 });
    await page.mouse.click(x, y);
    await page.waitForTimeout(60);
  }
  if (!close) return;
  await page.mouse.move(client[0]![0], client[0]![1], { steps: 3 });
  await page.mouse.click(client[0]![0], client[0]![1]);
  await page.waitForTimeout(200);
}

/** RFC 4180 CSV into objects keyed by the header. */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let n = 0; n < text.length; n++) {
    const c = text[n]!;
    if (q) {
      if (c === '"' && text[n + 1] === '"') (cell += '"', n++);
      else if (c === '"') q = false;
      else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') (row.push(cell), (cell = ''));
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[n + 1] === '\n') n++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell || row.length) (row.push(cell), rows.push(row));
  const [head, ...body] = rows.filter((r) => r.length > 1);
  return body.map((r) => Object.fromEntries(head!.map((h, n) => [h, r[n] ?? ''])));
}

let lastCsv: string | null = null;
/** Export CSV with the button and read the file written into the workspace (the previous one removed first, so it is this export's). */
async function exportCsv(page: Page): Promise<Record<string, string>[]> {
  if (lastCsv) rmSync(lastCsv, { force: true });
  await page.getByTestId('export-csv').click();
  await expect(page.getByTestId('export-path')).toHaveText(/\.csv$/);
  const csvPath = (await page.getByTestId('export-path').textContent())!;
  lastCsv = csvPath;
  await expect.poll(() => existsSync(csvPath)).toBe(true);
  return parseCsv(readFileSync(csvPath, 'utf8'));
}

const savedDoc = async (page: Page) => JSON.parse(readFileSync(await waitSaved(page), 'utf8')) as AnnotationDocument;
const rowOf = (csv: Record<string, string>[], muscle: string, side: string) => csv.filter((r) => r.muscle === muscle && r.side === side);

async function openSeries(page: Page, bridge: RunningBridge, folder = DICOM) {
  await page.goto(bridge.pageUrl);
  await setWorkspace(page, bridge);
  await page.getByTestId('folder-input').fill(folder);
  await page.getByTestId('open-folder').click();
  await expect(page.getByTestId('series-row')).toHaveCount(1);
  await page.getByTestId('series-row').first().click();
  await expect(page.getByTestId('slice-input')).toBeVisible();
}

async function goToSlice(page: Page, k: number) {
  await page.getByTestId('slice-input').fill(String(k + 1)); // the field takes the position from the feet (1-based)
  await page.locator('body').click({ position: { x: 5, y: 990 } });
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(k);
}

test.describe('guard rails', () => {
  let bridge: RunningBridge;
  test.beforeAll(async () => {
    bridge = await startWebBridge();
  });
  test.afterAll(async () => {
    await bridge?.stop();
  });

  test('outlines stay on their level, one per muscle and side, side check, no stray polygons, Delete, moving a level, W/L, failed loads', async ({ page }) => {
    const errors = collectPageErrors(page);
    // A copy of the series in a folder this test deletes later (a load that fails).
    const copy = mkdtempSync(path.join(os.tmpdir(), 'paraspine-guards-'));
    cpSync(DICOM, copy, { recursive: true });
    await openSeries(page, bridge, copy);
    const vp = page.getByTestId('axial-viewport');
    const box = (await vp.boundingBox())!;

    // --- Shift+wheel moves 10 slices, the wheel one.
    await goToSlice(page, L3);
    await page.keyboard.press('1');
    await expect(page.getByTestId('level-L3')).toHaveAttribute('data-slice', String(L3));
    await page.mouse.move(box.x + box.width / 2, box.y + 40);
    await page.keyboard.down('Shift');
    await page.mouse.wheel(0, 100);
    await page.keyboard.up('Shift');
    await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L3 - 10);
    await page.mouse.wheel(0, 100);
    await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L3 - 11);

    // --- Trap 1: drawing at L3 while slice 62 is shown. Refused, visibly; nothing stored or left on screen.
    expect((await getState(page)).activeLevel).toBe('L3');
    await clickVertices(page, ellipse(75.5, 58, 3.8, 5.5));
    // slices as the viewer shows them: position from the feet, with the file's InstanceNumber
    await expect(page.getByTestId('toast')).toHaveText(new RegExp(`^L3 is marked on slice ${L3 + 1} \\(IN \\d+\\); this is slice ${L3 - 11 + 1} \\(IN \\d+\\) — outline not saved: go to L3 \\(Shift\\+1\\) or re-mark L3 here \\(1\\)$`));
    await page.screenshot({ path: `${SHOTS}/20-off-level-refused.png` });
    expect((await getDoc(page))!.rois).toEqual([]);
    expect(await contours(page)).toBe(0);
    expect((await savedDoc(page)).rois).toEqual([]);

    // Go to L3 (Shift+1) and draw psoas left there, then a deliberately mislabelled "psoas right" on the
    // patient's left (image right), next to the left psoas.
    await page.keyboard.press('Shift+1');
    await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L3);
    await clickVertices(page, ellipse(75.5, 58, 3.8, 5.5));
    await expect.poll(async () => (await getDoc(page))?.rois.length).toBe(1);
    expect((await getState(page)).activeSide).toBe('right');
    await clickVertices(page, ellipse(84, 64, 2.5, 3));
    await expect.poll(async () => (await getDoc(page))?.rois.length).toBe(2);
    // --- Trap 6: side check flags it in the checklist and the table, and the CSV carries the flag.
    await expect(page.getByTestId('check-psoas-right')).toHaveAttribute('data-flags', 'yes');
    await expect(page.getByTestId('check-psoas-left')).toHaveAttribute('data-flags', 'no');
    await expect(page.getByTestId('flag-L3-psoas-right')).toBeVisible();
    await expect(page.getByTestId('flag-L3-psoas-left')).toHaveCount(0);
    await expect(page.getByTestId('caption-slices-L3')).toHaveText(new RegExp(`^· measured on slice ${L3 + 1} / 112 \\(IN \\d+\\)$`));
    await page.screenshot({ path: `${SHOTS}/21-side-flag.png` });
    let csv = await exportCsv(page);
    expect(rowOf(csv, 'psoas', 'right').map((r) => [r.sliceIndex, /side check: labelled right/.test(r.flags!)])).toEqual([[String(L3), true]]);
    expect(rowOf(csv, 'psoas', 'left').map((r) => [r.sliceIndex, r.flags])).toEqual([[String(L3), '']]);

    // --- Trap 5: a second psoas right asks; the keyboard answers "Replace" (focus starts there).
    const wrong = (await getDoc(page))!.rois.find((r) => r.side === 'right')!;
    await page.keyboard.press('p');
    await page.keyboard.press('r');
    await clickVertices(page, ellipse(50.5, 57.5, 3.8, 5.5));
    await expect(page.getByTestId('question')).toHaveAttribute('data-kind', 'duplicate');
    await page.screenshot({ path: `${SHOTS}/22-duplicate-question.png` });
    await expect(page.getByTestId('answer-replace')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('question')).toHaveCount(0);
    await expect.poll(async () => (await getDoc(page))!.rois.filter((r) => r.side === 'right').map((r) => r.id === wrong.id)).toEqual([false]);
    await expect(page.getByTestId('check-psoas-right')).toHaveAttribute('data-flags', 'no');
    const saved = await savedDoc(page);
    expect(saved.rois.map((r) => `${r.level} ${r.muscle} ${r.side} ${r.sliceIndex} ${r.source}`).sort()).toEqual([`L3 psoas left ${L3} drawn`, `L3 psoas right ${L3} drawn`]);
    expect(saved.rois.some((r) => r.id === wrong.id)).toBe(false);
    expect(await contours(page)).toBe(2);

    // A third outline, psoas left again: Tab to "Keep both": the table says it measures their union.
    await page.keyboard.press('p');
    await page.keyboard.press('l');
    await clickVertices(page, ellipse(76, 68, 2, 2.5, 6));
    await expect(page.getByTestId('question')).toBeVisible();
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('answer-keepBoth')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('union-L3-psoas-left')).toHaveText(/∪2/);
    await expect(page.getByTestId('check-psoas-left')).toContainText('2 outlines (union)');
    expect((await savedDoc(page)).rois.filter((r) => r.muscle === 'psoas' && r.side === 'left')).toHaveLength(2);

    // --- Trap 3: an unfinished polygon is cancelled by a slice change, a tool switch, a level switch and Esc.
    const rois = JSON.stringify((await getDoc(page))!.rois);
    await page.keyboard.press('q');
    for (const [how, act, undo] of [
      ['slice change', () => page.keyboard.press('ArrowUp'), () => page.keyboard.press('ArrowDown')],
      ['tool switch', () => page.keyboard.press('s'), () => page.keyboard.press('g')],
      ['level switch', () => page.keyboard.press('Shift+2'), () => page.keyboard.press('Shift+1')],
      ['Esc', () => page.keyboard.press('Escape'), async () => undefined],
    ] as const) {
      await clickVertices(page, [[30, 60], [36, 58], [38, 66]], false);
      // Cornerstone takes a click once it is sure it is not a double click: wait until it has all three.
      await expect.poll(() => drawnVertices(page), { message: `three vertices before the ${how}` }).toBe(3);
      expect(await drawing(page), `drawing before the ${how}`).toBe(true);
      await act();
      await expect.poll(() => drawing(page), { message: `the ${how} cancels the drawing` }).toBe(false);
      await undo();
      await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L3);
      expect(await contours(page), `nothing left over after the ${how}`).toBe(3);
      expect(JSON.stringify((await getDoc(page))!.rois)).toBe(rois);
    }
    expect((await getState(page)).activeLevel).toBe('L3');
    // A click on another outline's vertex while drawing adds a vertex there; it does not start editing that outline.
    const psoasRight = (await getDoc(page))!.rois.find((r) => r.muscle === 'psoas' && r.side === 'right')!;
    const g = (await loadVolume(copy, (await getState(page)).seriesUid)).geometry;
    const [x0, y0] = g.slicePositions[L3]!;
    const v = psoasRight.pointsLps[5]!; // its leftmost vertex
    const vij: [number, number] = [(v[0] - x0!) / g.columnSpacingMm, (v[1] - y0!) / g.rowSpacingMm];
    await clickVertices(page, [[vij[0] - 8, vij[1] - 4], vij, [vij[0] - 6, vij[1] + 6]]);
    await expect.poll(async () => (await getDoc(page))!.rois.length).toBe(4);
    const after = (await getDoc(page))!;
    expect(after.rois.find((r) => r.id === psoasRight.id)!.pointsLps).toEqual(psoasRight.pointsLps);
    const ql = after.rois.find((r) => r.muscle === 'quadratusLumborum')!;
    expect(ql.pointsLps).toHaveLength(3);
    expect(Math.abs(ql.pointsLps[1]![0] - v[0])).toBeLessThan(g.columnSpacingMm);

    // --- Trap 4: Delete with the selection on another slice deletes nothing.
    await page.getByTestId('check-psoas-right').locator('button').click(); // selects it, shows its slice
    await expect.poll(async () => ((await getState(page)) as unknown as { selectedRoiId: string | null }).selectedRoiId).toBe(psoasRight.id);
    await page.locator('body').click({ position: { x: 5, y: 990 } });
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Delete');
    await expect(page.getByTestId('toast')).toHaveText(new RegExp(`is on slice ${L3 + 1} \\(IN \\d+\\), not on this slice: nothing deleted`));
    expect((await getDoc(page))!.rois.some((r) => r.id === psoasRight.id)).toBe(true);
    expect((await savedDoc(page)).rois.some((r) => r.id === psoasRight.id)).toBe(true);

    // --- Trap 2: re-marking L3 two slices up asks; "Move" takes its outlines along (z of that slice).
    await page.keyboard.press('ArrowUp'); // L3 + 2
    await page.keyboard.press('1');
    await expect(page.getByTestId('question')).toHaveAttribute('data-kind', 'moveLevel');
    await page.screenshot({ path: `${SHOTS}/23-move-level-question.png` });
    await page.keyboard.press('1'); // shortcuts wait while the question is open
    await expect(page.getByTestId('answer-move')).toBeFocused();
    await page.keyboard.press('Enter');
    let doc = await savedDoc(page);
    const zAt = (k: number) => g.slicePositions[k]![2]!;
    expect(doc.levels.map((l) => [l.level, l.sliceIndex])).toEqual([['L3', L3 + 2]]);
    expect(doc.rois.map((r) => [r.sliceIndex, r.z])).toEqual(doc.rois.map(() => [L3 + 2, zAt(L3 + 2)]));
    for (const r of doc.rois) for (const p of r.pointsLps) expect(p[2]).toBeCloseTo(zAt(L3 + 2), 6);
    csv = await exportCsv(page);
    expect([...new Set(csv.filter((r) => r.level === 'L3').map((r) => r.sliceIndex))]).toEqual([String(L3 + 2)]);
    await expect(page.getByTestId('caption-slices-L3')).toHaveText(new RegExp(`^· measured on slice ${L3 + 3} / 112 \\(IN \\d+\\)$`));
    await expect(page.getByTestId('level-L3')).toHaveAttribute('data-inconsistent', 'no');

    // Back at 73, re-mark and "Keep": the level and the table say the outlines are elsewhere; so does the CSV.
    await goToSlice(page, L3);
    await page.keyboard.press('1');
    await expect(page.getByTestId('question')).toBeVisible();
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('answer-keep')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('level-L3')).toHaveAttribute('data-inconsistent', 'yes');
    await expect(page.getByTestId('caption-inconsistent-L3')).toContainText(`L3 is marked on slice ${L3 + 1} / 112`);
    await page.screenshot({ path: `${SHOTS}/24-level-kept-inconsistent.png` });
    doc = await savedDoc(page);
    expect(doc.levels.map((l) => [l.level, l.sliceIndex])).toEqual([['L3', L3]]);
    expect([...new Set(doc.rois.map((r) => r.sliceIndex))]).toEqual([L3 + 2]);
    csv = await exportCsv(page);
    for (const r of csv.filter((x) => x.level === 'L3')) {
      expect(r.sliceIndex).toBe(String(L3 + 2));
      // slices as the app shows them: position from the feet (index + 1) of 112, with the InstanceNumber
      expect(r.flags).toMatch(new RegExp(`L3 is marked on slice ${L3 + 1} / 112 \\(IN \\d+\\); this outline is on slice ${L3 + 3} / 112 \\(IN \\d+\\)`));
    }
    // Undo the "keep" (one step: the mark goes back with it).
    await page.keyboard.press('Control+z');
    await expect(page.getByTestId('level-L3')).toHaveAttribute('data-slice', String(L3 + 2));

    // --- Trap 7: a mouse W/L drag: the readout and the preset buttons follow; a preset brings them back.
    await expect(page.getByTestId('window-readout')).toHaveAttribute('data-width', '400');
    await expect(page.getByTestId('preset-soft')).toHaveClass(/\bon\b/);
    await expect(page.getByTestId('overlay-legend')).toContainText('lean -29..150 HU');
    await expect(page.getByTestId('overlay-legend')).toContainText('fat -190..-30 HU');
    await page.getByTestId('tool-window').click();
    await page.mouse.move(box.x + 60, box.y + box.height - 80);
    await page.mouse.down();
    await page.mouse.move(box.x + 160, box.y + box.height - 40, { steps: 8 });
    await page.mouse.up();
    await expect(page.getByTestId('window-readout')).not.toHaveAttribute('data-width', '400');
    await expect(page.getByTestId('window-readout')).toContainText('Custom');
    await expect(page.getByTestId('preset-soft')).not.toHaveClass(/\bon\b/);
    await page.screenshot({ path: `${SHOTS}/25-window-dragged.png` });
    await page.getByTestId('preset-bone').click();
    await expect(page.getByTestId('window-readout')).toHaveAttribute('data-width', '1800');
    await expect(page.getByTestId('window-readout')).toHaveAttribute('data-center', '400');
    await expect(page.getByTestId('preset-bone')).toHaveClass(/\bon\b/);
    await page.getByTestId('preset-soft').click();

    // --- Trap 8: a mistyped folder keeps the series and its document; the error is shown.
    const kept = JSON.stringify((await getDoc(page))!);
    await page.getByTestId('folder-input').fill(path.join(copy, 'no-such-folder'));
    await page.getByTestId('open-folder').click();
    await expect(page.getByTestId('error')).toContainText('the open series stays open');
    await expect(page.getByTestId('slice-input')).toBeVisible();
    expect(JSON.stringify((await getDoc(page))!)).toBe(kept);
    await expect(vp).toHaveAttribute('data-series', 'shown');
    await page.screenshot({ path: `${SHOTS}/26-typo-keeps-series.png` });
    // The series' files disappear, then it is opened again: the load fails, no stale image stays under the placeholder.
    rmSync(copy, { recursive: true, force: true });
    await page.getByTestId('series-row').first().click();
    await expect(page.getByTestId('error')).toBeVisible();
    await expect(page.getByTestId('slice-input')).toHaveCount(0);
    await expect(vp).toHaveAttribute('data-series', 'none');
    await expect(vp).toBeHidden();
    await expect(page.getByTestId('empty-state')).toContainText('The series could not be opened');
    expect(await contours(page)).toBe(0);
    await page.screenshot({ path: `${SHOTS}/27-load-failed.png` });
    expect(errors).toEqual([]);
  });

  test('importing the masks twice does not duplicate outlines; drawn and edited outlines are kept', async ({ page }) => {
    const own = await startWebBridge();
    try {
      await openSeries(page, own);
      const importMasks = async () => {
        await page.getByTestId('masks-path').fill(MASKS);
        await page.getByTestId('import-masks').click();
        await expect(page.getByTestId('import-masks')).toBeEnabled({ timeout: 60_000 });
        await expect(page.getByTestId('import-result')).toHaveText(/outline\(s\)/);
      };
      await importMasks();
      const first = await savedDoc(page);
      const imported = first.rois.map((r) => `${r.level} ${r.muscle} ${r.side} ${r.source}`).sort();
      expect(imported).toEqual(expect.arrayContaining(['L3 erectorSpinae left proposed', 'L3 erectorSpinae right proposed', 'L3 multifidus left proposed', 'L3 multifidus right proposed', 'L3 psoas left imported', 'L3 psoas right imported']));
      await expect(page.getByTestId('check-psoas-left')).toHaveAttribute('data-origin', 'imported');
      await importMasks();
      await expect(page.getByTestId('import-result')).toContainText(`${imported.length} earlier imported outline(s) replaced`);
      const second = await savedDoc(page);
      expect(second.rois.map((r) => `${r.level} ${r.muscle} ${r.side} ${r.source}`).sort()).toEqual(imported);
      expect(second.rois.filter((r) => first.rois.some((f) => f.id === r.id))).toHaveLength(0); // all replaced, none left from the first
      await expect(page.getByTestId('metrics-L3').locator('[data-testid^="union-"]')).toHaveCount(0);
      // An outline the user edited (here: re-assigned) is kept by a third import, and that one is not added again.
      await page.getByTestId('check-psoas-left').locator('button').click();
      await page.getByTestId('side-right').click();
      await page.getByTestId('muscle-quadratusLumborum').click();
      await page.getByRole('button', { name: /Assign selected/ }).click();
      await expect(page.getByTestId('check-quadratusLumborum-right')).toHaveAttribute('data-origin', 'edited');
      const editedBefore = (await savedDoc(page)).rois.find((r) => r.muscle === 'quadratusLumborum')!;
      await importMasks();
      const third = await savedDoc(page);
      // The edited outline is kept as it was; psoas left, now without an outline, is imported again (once).
      expect(third.rois.filter((r) => r.muscle === 'quadratusLumborum')).toEqual([editedBefore]);
      expect(editedBefore.modifiedAt > editedBefore.createdAt).toBe(true);
      expect(third.rois.filter((r) => r.level === 'L3' && r.muscle === 'psoas' && r.side === 'left').map((r) => r.source)).toEqual(['imported']);
      expect(third.rois).toHaveLength(second.rois.length + 1);
      await page.screenshot({ path: `${SHOTS}/28-masks-imported-twice.png` });
      // Side check on TotalSegmentator's outlines at every level: only the one moved to the wrong label is flagged.
      const csv = await exportCsv(page);
      expect(csv.length).toBeGreaterThanOrEqual(16);
      expect(csv.filter((r) => /side check/.test(r.flags!)).map((r) => `${r.level} ${r.muscle} ${r.side}`)).toEqual(['L3 quadratusLumborum right']);
    } finally {
      await own.stop();
    }
  });
});
