/**
 * The last traps, in Chromium with the mouse and keys on the 3 mm CT, each read back from the saved
 * workspace document (and the exported CSV where it applies): a form control clicked before (the
 * cut-bridges select) no longer swallows the shortcuts after a click on the image; "Assign selected"
 * asks the duplicate question; removing a level mark asks what becomes of its outlines (one undo step);
 * a refused outline leaves the screen at once; a polygon closes on a press on (or near) its first point
 * every time; switching tools never moves the image; one slice numbering (position n / N from the feet
 * with the InstanceNumber) in the viewer, levels panel, table and dialogs; table rows go to their outline.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { expect, test, type Page } from '@playwright/test';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, getState, setWorkspace, waitSaved } from './helpers';

const DICOM = path.resolve(REPO_ROOT, '../shared/data/ct-abdomen-3mm/dicom');
const SHOTS = '/tmp/paraspine-traps';
/** L3 of the 3 mm abdominal CT: slice index 73 (README of the data), position 74 of 112 from the feet. */
const L3 = 73;

type Viewer = { ijToClient(i: number, j: number): [number, number]; drawingInProgress(): boolean; contourAnnotationCount(): number };
const hook = (page: Page) => page.evaluateHandle(() => (window as unknown as { __paraspineViewer: Viewer }).__paraspineViewer);
const ijToClient = async (page: Page, i: number, j: number) => (await hook(page)).evaluate((v, [a, b]) => v.ijToClient(a!, b!), [i, j]);
const drawing = async (page: Page) => (await hook(page)).evaluate((v) => v.drawingInProgress());
const contours = async (page: Page) => (await hook(page)).evaluate((v) => v.contourAnnotationCount());

function ellipse(ci: number, cj: number, ri: number, rj: number, n = 8): [number, number][] {
  return Array.from({ length: n }, (_, t) => [ci + ri * Math.cos((2 * Math.PI * t) / n), cj + rj * Math.sin((2 * Math.PI * t) / n)] as [number, number]);
}

/** Click the vertices; then press `closeOffset` CSS px away from the first one (0: on it) to close. */
async function clickPolygon(page: Page, pts: [number, number][], closeOffset: [number, number] = [0, 0]): Promise<boolean> {
  const client: [number, number][] = [];
  for (const [i, j] of pts) client.push(await ijToClient(page, i, j));
  for (const [x, y] of client) {
    await page.mouse.move(x, y, { steps: 3 });
    await page.mouse.click(x, y);
  }
  const [x0, y0] = client[0]!;
  await page.mouse.move(x0 + closeOffset[0], y0 + closeOffset[1], { steps: 3 });
  await page.mouse.click(x0 + closeOffset[0], y0 + closeOffset[1]);
  // Closed by the press itself (read right after it, no wait): Cornerstone alone held it open 400 ms.
  const closedAtOnce = !(await drawing(page));
  await expect.poll(() => drawing(page)).toBe(false);
  return closedAtOnce;
}

/** The InstanceNumber of the slice at index k (slices sorted along the normal), read with dicom-parser: independent of the app's loader. */
function instanceNumberAt(k: number): number {
  const rows = readdirSync(DICOM)
    .filter((f) => f.endsWith('.dcm'))
    .map((f) => {
      const b = readFileSync(path.join(DICOM, f));
      const ds = dicomParser.parseDicom(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), { untilTag: 'x7fe00010' });
      const ipp = ds.string('x00200032')!.split('\\').map(Number);
      return { z: ipp[2]!, n: Number(ds.string('x00200013')) };
    })
    .sort((a, b) => a.z - b.z);
  return rows[k]!.n;
}

function parseCsv(text: string): Record<string, string>[] {
  const lines = text.trim().split('\n');
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
  const head = split(lines[0]!);
  return lines.slice(1).map((l) => Object.fromEntries(split(l).map((v, n) => [head[n]!, v])));
}

async function exportCsv(page: Page): Promise<Record<string, string>[]> {
  const before = (await page.getByTestId('export-path').count()) > 0 ? await page.getByTestId('export-path').textContent() : null;
  if (before && existsSync(before)) rmSync(before);
  await page.getByTestId('export-csv').click();
  await expect(page.getByTestId('export-path')).toHaveText(/\.csv$/);
  const p = (await page.getByTestId('export-path').textContent())!;
  await expect.poll(() => existsSync(p)).toBe(true);
  return parseCsv(readFileSync(p, 'utf8'));
}

/** The document as saved in the workspace once the last change is written. */
async function savedDoc(page: Page): Promise<AnnotationDocument> {
  const want = (await getDoc(page))!.modifiedAt;
  const file = await waitSaved(page);
  await expect.poll(() => (JSON.parse(readFileSync(file, 'utf8')) as AnnotationDocument).modifiedAt).toBe(want);
  return JSON.parse(readFileSync(file, 'utf8')) as AnnotationDocument;
}

async function openSeries(page: Page, bridge: RunningBridge) {
  await page.goto(bridge.pageUrl);
  await setWorkspace(page, bridge);
  await page.getByTestId('folder-input').fill(DICOM);
  await page.getByTestId('open-folder').click();
  await page.getByTestId('series-row').first().click();
  await expect(page.getByTestId('slice-input')).toBeVisible();
  await expect(page.getByTestId('axial-viewport')).toHaveAttribute('data-series', 'shown');
}

/** Type the slice position (1-based, from the feet) into the slice field, then click away. */
async function goToPosition(page: Page, n: number) {
  await page.getByTestId('slice-input').fill(String(n));
  await page.locator('body').click({ position: { x: 5, y: 990 } });
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(n - 1);
}

/** Start every test from an empty document (the workspace keeps the series' document between tests): × on each level, deleting its outlines. */
async function clearDocument(page: Page) {
  for (;;) {
    const remove = page.locator('[data-testid^="remove-"]');
    if ((await remove.count()) === 0) break;
    await remove.first().click();
    if ((await page.getByTestId('question').count()) > 0) await page.getByTestId('answer-deleteOutlines').click();
  }
  await expect.poll(async () => JSON.stringify(await getDoc(page).then((d) => [d?.rois.length, d?.levels.length]))).toBe('[0,0]');
}

test.describe('the last traps', () => {
  let bridge: RunningBridge;
  test.beforeAll(async () => {
    bridge = await startWebBridge();
  });
  test.afterAll(async () => {
    await bridge?.stop();
  });

  test('one slice numbering (position n / N from the feet, InstanceNumber beside it); table rows go to their outline; removing a level asks (one undo step)', async ({ page }) => {
    const errors = collectPageErrors(page);
    await openSeries(page, bridge);
    await clearDocument(page);
    const inL3 = instanceNumberAt(L3);
    await goToPosition(page, L3 + 1);
    await page.keyboard.press('1');
    // Viewer, levels panel: position 74 of 112, with the file's InstanceNumber.
    await expect(page.getByTestId('slice-number')).toHaveText('74');
    await expect(page.getByTestId('slice-readout')).toContainText('Slice 74 / 112');
    await expect(page.getByTestId('slice-instance')).toHaveText(`(IN ${inL3})`);
    await expect(page.getByTestId('level-slice-L3')).toHaveText(`slice 74 (IN ${inL3})`);
    // Two outlines at L3; L4/L5 marked lower.
    await page.keyboard.press('g');
    await page.keyboard.press('p');
    await page.keyboard.press('l');
    await clickPolygon(page, ellipse(75.5, 58, 3.8, 5.5));
    await page.keyboard.press('p');
    await page.keyboard.press('r');
    await clickPolygon(page, ellipse(50.5, 57.5, 3.8, 5.5));
    await expect.poll(async () => (await getDoc(page))?.rois.length).toBe(2);
    await goToPosition(page, 62);
    await page.keyboard.press('3');
    // The table's caption: the same numbering.
    await expect(page.getByTestId('caption-slices-L3')).toHaveText(`· measured on slice 74 / 112 (IN ${inL3})`);
    await page.screenshot({ path: `${SHOTS}/slice-numbering.png` });
    // A table row goes to its slice and selects its outline.
    const doc = (await getDoc(page))!;
    const right = doc.rois.find((r) => r.muscle === 'psoas' && r.side === 'right')!;
    await page.getByTestId('row-L3-psoas-right').click();
    await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L3);
    await expect.poll(async () => (await page.evaluate(() => (window as unknown as { __paraspine: { getState(): { selectedRoiId: string | null } } }).__paraspine.getState().selectedRoiId))).toBe(right.id);
    await expect(page.getByTestId('row-L3-psoas-right')).toHaveClass(/selected-row/);
    await page.screenshot({ path: `${SHOTS}/table-row-selected.png` });
    // The CSV keeps sliceIndex 0-based, and adds the position and the InstanceNumber.
    const csv = await exportCsv(page);
    expect(csv.filter((r) => r.level === 'L3').map((r) => `${r.sliceIndex} ${r.slicePosition} ${r.instanceNumber}`)).toEqual([`73 74 ${inL3}`, `73 74 ${inL3}`]);

    // × on L3 asks; the dialog names the slice the same way.
    await page.getByTestId('remove-L3').click();
    const q = page.getByTestId('question');
    await expect(q).toHaveAttribute('data-kind', 'removeLevel');
    await expect(q).toContainText(`2 outline(s) on slice 74 (IN ${inL3})`);
    await page.screenshot({ path: `${SHOTS}/remove-level-question.png` });
    // Keep them: the mark goes, the outlines stay, flagged in the panel and the CSV.
    await page.getByTestId('answer-keep').click();
    let saved = await savedDoc(page);
    expect(saved.levels.map((l) => l.level)).toEqual(['L4/L5']);
    expect(saved.rois.filter((r) => r.level === 'L3')).toHaveLength(2);
    await expect(page.getByTestId('level-unmarked-L3')).toBeVisible();
    await expect(page.getByTestId('check-flag-psoas-left')).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/level-removed-outlines-kept.png` });
    const flagged = await exportCsv(page);
    expect(flagged.filter((r) => r.level === 'L3').every((r) => (r.flags ?? '').includes('L3 is not marked'))).toBe(true);
    // One undo step brings the mark back.
    await page.keyboard.press('Control+z');
    saved = await savedDoc(page);
    expect(saved.levels.map((l) => l.level)).toEqual(['L3', 'L4/L5']);
    // Delete them with the mark; undo brings both back.
    await page.getByTestId('remove-L3').click();
    await page.getByTestId('answer-deleteOutlines').click();
    saved = await savedDoc(page);
    expect(saved.levels.map((l) => l.level)).toEqual(['L4/L5']);
    expect(saved.rois).toHaveLength(0);
    await page.keyboard.press('Control+z');
    saved = await savedDoc(page);
    expect(saved.levels.map((l) => l.level)).toEqual(['L3', 'L4/L5']);
    expect(saved.rois).toHaveLength(2);
    // Cancel leaves everything.
    await page.getByTestId('remove-L3').click();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('question')).toHaveCount(0);
    expect((await getDoc(page))!.levels.map((l) => l.level)).toEqual(['L3', 'L4/L5']);
    expect(errors).toEqual([]);
  });

  test('"Assign selected" onto a label that has an outline asks: replace / keep both / cancel', async ({ page }) => {
    await openSeries(page, bridge);
    await clearDocument(page);
    await goToPosition(page, L3 + 1);
    await page.keyboard.press('1');
    await page.keyboard.press('g');
    await page.keyboard.press('p');
    await page.keyboard.press('l');
    await clickPolygon(page, ellipse(75.5, 58, 3.8, 5.5));
    await page.keyboard.press('q');
    await page.keyboard.press('l');
    await clickPolygon(page, ellipse(84, 64, 2.5, 3));
    await expect.poll(async () => (await getDoc(page))?.rois.length).toBe(2);
    const ql = (await getDoc(page))!.rois.find((r) => r.muscle === 'quadratusLumborum')!;
    const ps = (await getDoc(page))!.rois.find((r) => r.muscle === 'psoas')!;
    // The QL outline is selected (just drawn); assign it to psoas left.
    await page.keyboard.press('p');
    await page.keyboard.press('l');
    await page.getByRole('button', { name: /Assign selected/ }).click();
    await expect(page.getByTestId('question')).toHaveAttribute('data-kind', 'duplicate');
    // Cancel: nothing changes.
    await page.getByTestId('answer-cancel').click();
    expect((await savedDoc(page)).rois.map((r) => `${r.id}:${r.muscle}`).sort()).toEqual([`${ps.id}:psoas`, `${ql.id}:quadratusLumborum`].sort());
    // Keep both: two psoas left outlines (a union in the table).
    await page.getByRole('button', { name: /Assign selected/ }).click();
    await page.getByTestId('answer-keepBoth').click();
    let saved = await savedDoc(page);
    expect(saved.rois.filter((r) => r.muscle === 'psoas' && r.side === 'left').map((r) => r.id).sort()).toEqual([ps.id, ql.id].sort());
    await expect(page.getByTestId('union-L3-psoas-left')).toBeVisible();
    // Undo, then replace: the assigned outline is the only psoas left, in one undo step.
    await page.keyboard.press('Control+z');
    await expect.poll(async () => (await getDoc(page))!.rois.find((r) => r.id === ql.id)?.muscle).toBe('quadratusLumborum');
    await page.getByRole('button', { name: /Assign selected/ }).click();
    await page.getByTestId('answer-replace').click();
    saved = await savedDoc(page);
    expect(saved.rois.map((r) => `${r.id}:${r.muscle}:${r.side}`)).toEqual([`${ql.id}:psoas:left`]);
    const csv = await exportCsv(page);
    expect(csv.map((r) => `${r.muscle}:${r.side}:${r.roiIds}`)).toEqual([`psoas:left:${ql.id}`]);
  });

  test('a select clicked before does not swallow the shortcuts once the image is clicked; a refused outline leaves the screen at once', async ({ page }) => {
    await openSeries(page, bridge);
    await clearDocument(page);
    await goToPosition(page, L3 + 1);
    await page.keyboard.press('1');
    // Region grow's cut-bridges select takes the focus.
    await page.keyboard.press('t');
    await page.getByTestId('grow-bridge-cut').focus();
    await page.getByTestId('grow-bridge-cut').selectOption('2');
    await expect(page.getByTestId('grow-bridge-cut')).toBeFocused();
    // A click in the psoas grows it (the tool takes the press: the browser would leave the focus on the
    // select) and gives the keyboard back to the viewer.
    const [gx, gy] = await ijToClient(page, 84, 64);
    await page.mouse.click(gx, gy);
    await expect(page.getByTestId('grow-bridge-cut')).not.toBeFocused();
    await page.keyboard.press('g'); // polygon
    await expect(page.getByTestId('grow-bridge-cut')).toHaveCount(0);
    await page.keyboard.press('m');
    await page.keyboard.press('r');
    await clickPolygon(page, ellipse(58, 70, 3, 3.5));
    let saved = await savedDoc(page);
    expect(saved.rois.filter((r) => r.muscle === 'multifidus').map((r) => `${r.side}:${r.sliceIndex}:${r.pointsLps.length}`)).toEqual([`right:${L3}:8`]);
    const kept = saved.rois.length;

    // Off L3's slice: the outline is refused and gone from the screen at once.
    await goToPosition(page, 60);
    await page.keyboard.press('Shift+1');
    await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L3);
    await goToPosition(page, 60);
    const before = await contours(page);
    const svgShapes = page.locator('[data-testid="axial-viewport"] svg polyline, [data-testid="axial-viewport"] svg path');
    const shapesBefore = await svgShapes.count();
    await page.keyboard.press('e');
    await clickPolygon(page, ellipse(70, 60, 3, 3));
    await expect(page.getByTestId('toast')).toContainText('outline not saved');
    expect(await drawing(page)).toBe(false);
    expect(await contours(page)).toBe(before);
    // Off the screen too, with no further input (the mouse stays where the last click was).
    await expect(svgShapes).toHaveCount(shapesBefore);
    await page.screenshot({ path: `${SHOTS}/refused-gone.png` });
    saved = await savedDoc(page);
    expect(saved.rois).toHaveLength(kept);
  });

  test('a polygon closes on a press on or near its first point, every time (8 of 8); tools never move the image', async ({ page }) => {
    await openSeries(page, bridge);
    await clearDocument(page);
    await goToPosition(page, L3 + 1);
    await page.keyboard.press('1');
    await page.keyboard.press('g');
    // Eight outlines, each closed by one press: on the first point, on the rim of its handle (6 px), or 9 px off.
    const labels: [string, string, [number, number], [number, number]][] = [
      ['p', 'l', [75.5, 58], [0, 0]],
      ['p', 'r', [50.5, 57.5], [6, 0]],
      ['q', 'l', [86, 62], [0, -6]],
      ['q', 'r', [38, 62], [-9, 0]],
      ['e', 'l', [72, 80], [6, 6]],
      ['e', 'r', [50, 80], [0, 9]],
      ['m', 'l', [65, 75], [-7, 5]],
      ['m', 'r', [57, 75], [4, -8]],
    ];
    const closedAtOnce: boolean[] = [];
    for (const [m, s, [ci, cj], off] of labels) {
      await page.keyboard.press(m);
      await page.keyboard.press(s);
      closedAtOnce.push(await clickPolygon(page, ellipse(ci, cj, 3, 3.5, 6), off));
    }
    expect(closedAtOnce).toEqual([true, true, true, true, true, true, true, true]);
    const saved = await savedDoc(page);
    expect(saved.rois).toHaveLength(8);
    // Six vertices each: the closing press added none.
    expect(saved.rois.map((r) => r.pointsLps.length)).toEqual([6, 6, 6, 6, 6, 6, 6, 6]);
    // Each with the label chosen before it was drawn.
    const names: Record<string, string> = { p: 'psoas', q: 'quadratusLumborum', e: 'erectorSpinae', m: 'multifidus', l: 'left', r: 'right' };
    expect(saved.rois.map((r) => `${r.muscle} ${r.side}`)).toEqual(labels.map(([m, s]) => `${names[m]} ${names[s]}`));
    await page.screenshot({ path: `${SHOTS}/eight-closed.png` });

    // Every tool: the image keeps its place and size.
    const box = async () => JSON.stringify(await page.getByTestId('axial-viewport').boundingBox());
    const first = await box();
    for (const key of ['s', 'f', 'v', 't', 'b', 'x', 'k', 'a', 'z', 'g']) {
      await page.keyboard.press(key);
      expect(await box(), `after ${key}`).toBe(first);
    }
  });
});
