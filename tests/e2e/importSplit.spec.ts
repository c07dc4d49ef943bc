/**
 * Browser mode in Debian's Chromium: the TotalSegmentator masks of the 3 mm abdominal CT imported
 * with the four-muscle mapping (the default). The autochthon becomes multifidus + erector spinae
 * proposals (dashed, badged, marked in the table) that partition it (README reference: 282 / 263
 * pixels at L3); the cut between them is dragged (one undo step, still proposals, still a partition);
 * proposals are confirmed with the button and with the `c` key; the sagittal view names the
 * vertebrae; the saved document and the CSV / JSON exports say where each outline came from.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { measureAnnotations } from '../../src/core/annotations/measureAnnotations';
import type { HuVolume } from '../../src/core/volume';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, getState, openSeries, waitSaved } from './helpers';

const DATA = path.resolve(REPO_ROOT, '../shared/data');
const DICOM = path.join(DATA, 'ct-abdomen-3mm/dicom');
const MASKS = path.join(DATA, 'ct-abdomen-3mm/masks');
const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');
// README (shared data): L3 on slice index 73, L3/L4 67, L4/L5 55; autochthon at L3: 282 (left) / 263 (right) pixels.
const L3_SLICE = 73;
const AUTOCHTHON_L3 = { left: 282, right: 263 };

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

type Viewer = { ijToClient(i: number, j: number): [number, number] | null; clientToIj(x: number, y: number): [number, number] | null };
const clientToIj = (page: Page, p: readonly [number, number]) =>
  page.evaluate(([x, y]) => (window as unknown as { __paraspineViewer: Viewer }).__paraspineViewer.clientToIj(x, y), p);
const ijToClient = (page: Page, p: readonly [number, number]) =>
  page.evaluate(([i, j]) => (window as unknown as { __paraspineViewer: Viewer }).__paraspineViewer.ijToClient(i, j), p);

/** Pixels of multifidus and erector spinae per side at a level, measured by core on a document. */
function parts(volume: HuVolume, doc: AnnotationDocument, level: string) {
  const recs = measureAnnotations(volume, doc).filter((r) => r.level === level);
  const px = (muscle: string, side: string) => recs.find((r) => r.muscle === muscle && r.side === side)?.pixels ?? 0;
  return {
    left: { mf: px('multifidus', 'left'), es: px('erectorSpinae', 'left') },
    right: { mf: px('multifidus', 'right'), es: px('erectorSpinae', 'right') },
  };
}

test('import splits the autochthon into proposals; the cut is dragged; confirmed proposals and origins reach the document and the exports', async ({ page }) => {
  const errors = collectPageErrors(page);
  const volume = await openSeries(page, bridge, DICOM);

  // The four-muscle mapping is on by default.
  await expect(page.getByTestId('split-autochthon')).toBeChecked();
  await page.getByTestId('masks-path').fill(MASKS);
  await page.getByTestId('import-masks').click();
  await expect(page.getByTestId('import-result')).toHaveText(/outline\(s\) \(\d+ proposed multifidus \/ erector spinae\)/, { timeout: 60_000 });
  await expect(page.getByTestId('import-left')).toHaveText(/^Still to check and confirm: \d+ outline\(s\)/);
  await expect(page.getByTestId('import-result')).not.toContainText('failed');

  // The sagittal view names the vertebrae found (at their mask's centroid slice): L1..L5 and the sacrum.
  for (const name of ['L1', 'L2', 'L3', 'L4', 'L5', 'sacrum']) await expect(page.getByTestId(`vertebra-${name}`)).toBeVisible();
  // The L3 label sits on the L3 body's centroid slice (the README's L3 level, slice 73).
  await expect(page.getByTestId('vertebra-L3')).toHaveAttribute('data-slice', String(L3_SLICE));
  const sliceOf = async (n: string) => Number(await page.getByTestId(`vertebra-${n}`).getAttribute('data-slice'));
  expect(await sliceOf('L1')).toBeGreaterThan(await sliceOf('L2'));
  expect(await sliceOf('L5')).toBeGreaterThan(await sliceOf('sacrum'));
  await page.getByTestId('sagittal-view').screenshot({ path: `${SHOTS}/40-sagittal-vertebra-labels.png` });

  // Go to L3: proposals in the document, the checklist, the table; they partition the autochthon.
  await page.getByTestId('level-L3').getByRole('button', { name: 'L3', exact: true }).click();
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L3_SLICE);
  const doc0 = (await getDoc(page))!;
  const atL3 = doc0.rois.filter((r) => r.level === 'L3');
  expect([...new Set(atL3.map((r) => `${r.muscle} ${r.side} ${r.sliceIndex} ${r.source}`))].sort()).toEqual([
    `erectorSpinae left ${L3_SLICE} proposed`,
    `erectorSpinae right ${L3_SLICE} proposed`,
    `multifidus left ${L3_SLICE} proposed`,
    `multifidus right ${L3_SLICE} proposed`,
    `psoas left ${L3_SLICE} imported`,
    `psoas right ${L3_SLICE} imported`,
  ]);
  for (const id of ['multifidus-left', 'multifidus-right', 'erectorSpinae-left', 'erectorSpinae-right']) {
    await expect(page.getByTestId(`check-proposed-${id}`)).toBeVisible();
    await expect(page.getByTestId(`proposed-L3-${id}`)).toBeVisible();
    await expect(page.getByTestId(`row-L3-${id}`)).toHaveAttribute('data-origin', 'proposed');
  }
  await expect(page.getByTestId('row-L3-psoas-left')).toHaveAttribute('data-origin', 'imported');
  await expect(page.getByTestId('check-proposed-psoas-left')).toHaveCount(0);
  const p0 = parts(volume, doc0, 'L3');
  expect(p0.left.mf + p0.left.es).toBe(AUTOCHTHON_L3.left);
  expect(p0.right.mf + p0.right.es).toBe(AUTOCHTHON_L3.right);
  expect(Math.min(p0.left.mf, p0.left.es, p0.right.mf, p0.right.es)).toBeGreaterThan(0);
  // The table shows the same CSA (pixels x 9 mm² / 100).
  await expect(page.getByTestId('row-L3-multifidus-left').locator('[data-col="areaMm2"]')).toHaveText(((p0.left.mf * 9) / 100).toFixed(2));

  // The cut is drawn on both sides with handles; drag the left side's first handle 2 pixels laterally
  // (the patient's left is the image's right: +i).
  await expect(page.getByTestId('cut-left')).toBeVisible();
  await expect(page.getByTestId('cut-right')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/41-L3-proposals-and-cut.png` });
  const handle = page.getByTestId('cut-handle-left-0');
  const box = (await handle.boundingBox())!;
  const from: [number, number] = [box.x + box.width / 2, box.y + box.height / 2];
  const ij = (await clientToIj(page, from))!;
  const to = (await ijToClient(page, [ij[0] + 2, ij[1]]))!;
  const undoBefore = await page.getByTestId('undo').isEnabled();
  expect(undoBefore).toBe(true); // the import itself is an undo step
  const savedBefore = JSON.stringify((await getDoc(page))!.rois);
  await page.mouse.move(from[0], from[1]);
  await page.mouse.down();
  for (let s = 1; s <= 5; s++) await page.mouse.move(from[0] + ((to[0] - from[0]) * s) / 5, from[1] + ((to[1] - from[1]) * s) / 5);
  await page.mouse.up();
  await expect.poll(async () => JSON.stringify((await getDoc(page))!.rois)).not.toBe(savedBefore);
  const doc1 = (await getDoc(page))!;
  const p1 = parts(volume, doc1, 'L3');
  // Still an exact partition of the autochthon, the multifidus larger (the cut moved laterally), the right side untouched.
  expect(p1.left.mf + p1.left.es).toBe(AUTOCHTHON_L3.left);
  expect(p1.left.mf).toBeGreaterThan(p0.left.mf);
  expect(p1.right).toEqual(p0.right);
  const leftSplit = doc1.rois.filter((r) => r.level === 'L3' && r.side === 'left' && (r.muscle === 'multifidus' || r.muscle === 'erectorSpinae'));
  expect(leftSplit.every((r) => r.source === 'proposed' && r.modifiedAt > r.createdAt)).toBe(true);
  await expect(page.getByTestId('row-L3-multifidus-left')).toHaveAttribute('data-origin', 'proposed');
  await page.screenshot({ path: `${SHOTS}/42-L3-cut-dragged.png` });

  // One undo step per drag: Ctrl+Z puts the split back as imported, Ctrl+Shift+Z redoes it.
  await page.locator('body').click({ position: { x: 5, y: 500 } }); // focus off any input
  await page.keyboard.press('Control+z');
  await expect.poll(async () => parts(volume, (await getDoc(page))!, 'L3').left.mf).toBe(p0.left.mf);
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(async () => parts(volume, (await getDoc(page))!, 'L3').left.mf).toBe(p1.left.mf);

  // Confirm L3's outlines with the button: no proposal left at L3, the cut handles go.
  await expect(page.getByTestId('proposal-bar')).toHaveAttribute('data-proposed', '4');
  await page.getByTestId('confirm-proposals').click();
  await expect(page.getByTestId('proposal-bar')).toHaveAttribute('data-proposed', '0');
  await expect(page.getByTestId('check-proposed-multifidus-left')).toHaveCount(0);
  await expect(page.getByTestId('level-L3')).toHaveAttribute('data-source', 'confirmed'); // the slice they lie on too
  await expect(page.getByTestId('cut-left')).toHaveCount(0);
  await expect(page.getByTestId('row-L3-multifidus-left')).toHaveAttribute('data-origin', 'edited'); // re-split, then confirmed
  await expect(page.getByTestId('row-L3-multifidus-right')).toHaveAttribute('data-origin', 'confirmed');
  await page.screenshot({ path: `${SHOTS}/43-L3-confirmed.png` });

  // L3/L4 with the `c` key: its proposed level and proposed outlines in one step.
  await page.keyboard.press('Shift+2');
  await expect.poll(async () => (await getState(page)).activeLevel).toBe('L3/L4');
  await expect(page.getByTestId('level-L3/L4')).toHaveAttribute('data-source', 'proposed');
  await page.keyboard.press('c');
  await expect(page.getByTestId('level-L3/L4')).toHaveAttribute('data-source', 'confirmed');
  await expect(page.getByTestId('proposal-bar')).toHaveAttribute('data-proposed', '0');

  // The saved document records it: L3 and L3/L4 confirmed, L4/L5 still proposed.
  const saved = JSON.parse(readFileSync(await waitSaved(page), 'utf8')) as AnnotationDocument;
  const sources = (level: string) => [...new Set(saved.rois.filter((r) => r.level === level && r.muscle !== 'psoas').map((r) => r.source))];
  expect(sources('L3')).toEqual(['confirmed']);
  expect(sources('L3/L4')).toEqual(['confirmed']);
  expect(sources('L4/L5')).toEqual(['proposed']);
  expect(saved.rois.filter((r) => r.muscle === 'psoas').every((r) => r.source === 'imported')).toBe(true);
  // At L5/S1 the psoas is the iliopsoas component nearest the spine, one outline per side: 95 / 88 pixels
  // (core run once: `paraspine measure --levels L5/S1 --split-autochthon`), where the whole iliopsoas
  // mask, iliacus included, has 201 / 173 (the same command without the option).
  const psoasL5S1 = saved.rois.filter((r) => r.level === 'L5/S1' && r.muscle === 'psoas');
  expect(psoasL5S1.map((r) => r.side).sort()).toEqual(['left', 'right']);
  const l5s1 = measureAnnotations(volume, saved).filter((r) => r.level === 'L5/S1' && r.muscle === 'psoas');
  expect(l5s1.map((r) => [r.side, r.pixels])).toEqual([['left', 95], ['right', 88]]);
  const p2 = parts(volume, saved, 'L3');
  expect(p2.left).toEqual(p1.left);

  // The exports: each record's outlines (roiIds) and origin.
  const idsOf = (level: string, muscle: string, side: string) => saved.rois.filter((r) => r.level === level && r.muscle === muscle && r.side === side).map((r) => r.id);
  await page.getByTestId('export-json').click();
  await expect(page.getByTestId('export-path')).toHaveText(/\.json$/);
  const json = JSON.parse(readFileSync((await page.getByTestId('export-path').textContent())!, 'utf8')) as { measurements: { level: string; muscle: string; side: string; origin: string; roiIds: string[]; pixels: number }[] };
  const rec = (level: string, muscle: string, side: string) => json.measurements.find((m) => m.level === level && m.muscle === muscle && m.side === side)!;
  expect(rec('L3', 'multifidus', 'left')).toMatchObject({ origin: 'edited', roiIds: idsOf('L3', 'multifidus', 'left'), pixels: p1.left.mf });
  expect(rec('L3', 'multifidus', 'right')).toMatchObject({ origin: 'confirmed', roiIds: idsOf('L3', 'multifidus', 'right') });
  expect(rec('L3/L4', 'erectorSpinae', 'left')).toMatchObject({ origin: 'confirmed', roiIds: idsOf('L3/L4', 'erectorSpinae', 'left') });
  expect(rec('L4/L5', 'erectorSpinae', 'right')).toMatchObject({ origin: 'proposed', roiIds: idsOf('L4/L5', 'erectorSpinae', 'right') });
  expect(rec('L3', 'psoas', 'left')).toMatchObject({ origin: 'imported', roiIds: idsOf('L3', 'psoas', 'left') });

  await page.getByTestId('export-csv').click();
  await expect(page.getByTestId('export-path')).toHaveText(/\.csv$/);
  const csv = readFileSync((await page.getByTestId('export-path').textContent())!, 'utf8').trim().split('\n');
  const header = csv[0]!.split(',');
  expect(header.slice(-9)).toEqual(['flags', 'origin', 'roiIds', 'status', 'accepted', 'slicePosition', 'instanceNumber', 'source', 'sourceKind']);
  const col = (name: string) => header.indexOf(name);
  // The rows have no comma inside a quoted cell here (no flags), so a plain split is exact.
  const rows = csv.slice(1).map((l) => l.split(','));
  expect(rows.every((r) => r.length === header.length)).toBe(true);
  const row = (level: string, muscle: string, side: string) => rows.find((r) => r[col('level')] === level && r[col('muscle')] === muscle && r[col('side')] === side)!;
  const provenance = (r: string[]) => [r[col('origin')], r[col('roiIds')]];
  expect(provenance(row('L3', 'multifidus', 'left'))).toEqual(['edited', idsOf('L3', 'multifidus', 'left').join(' ')]);
  expect(provenance(row('L3/L4', 'multifidus', 'right'))).toEqual(['confirmed', idsOf('L3/L4', 'multifidus', 'right').join(' ')]);
  expect(provenance(row('L4/L5', 'multifidus', 'left'))).toEqual(['proposed', idsOf('L4/L5', 'multifidus', 'left').join(' ')]);
  expect(row('L3', 'psoas', 'right')[col('origin')]).toBe('imported');
  expect(errors).toEqual([]);
});
