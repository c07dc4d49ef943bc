/**
 * Anatomical plausibility as a user meets it (core/annotations/plausibility.ts), in Chromium on the real
 * 3 mm CT: a "quadratus lumborum left" drawn with the mouse at L5/S1 over the left iliac wing and sacral
 * ala is flagged in the checklist ("anatomy?"), in the metrics table (⚠, the flags in its tooltip) and in
 * the exported CSV's flags column; the saved document holds the outline as drawn. The bone share the flag
 * names is counted here from the HU pixels inside the saved outline.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { contourMask } from '../../src/core/roi/contour';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, getState, openSeries, waitSaved } from './helpers';

const DICOM = path.resolve(REPO_ROOT, '../shared/data/ct-abdomen-3mm/dicom');
const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');
/** L5/S1 of the 3 mm CT (the disc level the mask import proposes, tests/masks/importSplit.test.ts). */
const L5S1 = 44;

type Viewer = { ijToClient(i: number, j: number): [number, number] };
const ijToClient = async (page: Page, i: number, j: number) =>
  (await page.evaluateHandle(() => (window as unknown as { __paraspineViewer: Viewer }).__paraspineViewer)).evaluate((v, [a, b]) => v.ijToClient(a!, b!), [i, j]);

async function clickPolygon(page: Page, pts: [number, number][]) {
  const client: [number, number][] = [];
  for (const [i, j] of pts) client.push(await ijToClient(page, i, j));
  for (const [x, y] of [...client, client[0]!]) {
    await page.mouse.move(x, y, { steps: 3 });
    await page.mouse.click(x, y);
    await page.waitForTimeout(80);
  }
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

test.describe('anatomical plausibility', () => {
  let bridge: RunningBridge;
  test.beforeAll(async () => {
    bridge = await startWebBridge();
  });
  test.afterAll(async () => {
    await bridge?.stop();
  });

  test('a QL drawn on the iliac wing at L5/S1 is flagged "anatomy?" in the checklist, the table and the CSV', async ({ page }) => {
    const errors = collectPageErrors(page);
    const volume = await openSeries(page, bridge, DICOM);
    await page.getByTestId('slice-input').fill(String(L5S1 + 1)); // the field takes the position from the feet (1-based)
    await page.locator('body').click({ position: { x: 5, y: 990 } });
    await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L5S1);
    await page.getByTestId('mark-L5/S1').click();
    await expect(page.getByTestId('level-L5/S1')).toHaveAttribute('data-slice', String(L5S1));
    await page.getByTestId('muscle-quadratusLumborum').click();
    await page.getByTestId('side-left').click();
    expect((await getState(page)).activeLevel).toBe('L5/S1');
    // Pixels i 80..91 x j 63..68: the patient's left (image right) iliac wing and sacral ala run through them.
    await clickPolygon(page, [
      [79.6, 62.6],
      [91.4, 62.6],
      [91.4, 68.4],
      [79.6, 68.4],
    ]);
    await expect.poll(async () => (await getDoc(page))?.rois.length).toBe(1);

    // The saved document: the outline as drawn, labelled QL left at L5/S1 on slice 44.
    const saved = JSON.parse(readFileSync(await waitSaved(page), 'utf8')) as AnnotationDocument;
    expect(saved.rois.map((r) => `${r.level} ${r.muscle} ${r.side} ${r.sliceIndex}`)).toEqual([`L5/S1 quadratusLumborum left ${L5S1}`]);
    // Its bone share, counted here from the HU pixels inside the saved outline (pixel-centre rule).
    const g = volume.geometry;
    const mask = contourMask(g, L5S1, saved.rois[0]!.pointsLps);
    let n = 0;
    let bone = 0;
    mask.forEach((v, p) => {
      if (!v) return;
      n++;
      if (volume.hu[L5S1 * g.rows * g.columns + p]! >= 200) bone++;
    });
    expect(n).toBe(12 * 6);
    const want = `anatomy check: QL left at L5/S1: ${Math.round((100 * bone) / n)}% of its pixels are bone (>= 200 HU, more than 5%): is it on the iliac crest or sacral ala?`;

    // Checklist: the word and the full flags in the tooltip.
    await expect(page.getByTestId('check-quadratusLumborum-left')).toHaveAttribute('data-flags', 'yes');
    await expect(page.getByTestId('check-flag-quadratusLumborum-left')).toHaveText(/⚠ anatomy\?/);
    expect((await page.getByTestId('check-flag-quadratusLumborum-left').getAttribute('title'))!.split('\n')).toContain(want);
    // Under the checklist, in words (not only in a tooltip).
    await expect(page.getByTestId('active-flags')).toContainText(want);
    // Table: the ⚠ of the row, the same flags in its tooltip.
    const tableFlag = page.getByTestId('flag-L5/S1-quadratusLumborum-left');
    await expect(tableFlag).toBeVisible();
    expect((await tableFlag.getAttribute('title'))!.split('\n')).toContain(want);
    await page.getByTestId('check-flag-quadratusLumborum-left').hover();
    await page.screenshot({ path: `${SHOTS}/40-anatomy-flag-ql-iliac-wing.png` });

    // CSV export: the flags column carries it.
    await page.getByTestId('export-csv').click();
    await expect(page.getByTestId('export-path')).toHaveText(/\.csv$/);
    const csvPath = (await page.getByTestId('export-path').textContent())!;
    await expect.poll(() => existsSync(csvPath)).toBe(true);
    const rows = parseCsv(readFileSync(csvPath, 'utf8')).filter((r) => r.muscle === 'quadratusLumborum' && r.side === 'left');
    expect(rows.map((r) => [r.level, r.sliceIndex])).toEqual([['L5/S1', String(L5S1)]]);
    expect(rows[0]!.flags!.split(' | ')).toContain(want);
    expect(errors).toEqual([]);
  });
});
