/**
 * Issue 14's recorded states in Chromium on the 3 mm CT, with the mouse and keys: at L5/S1 a psoas
 * outline labelled left is drawn on the patient's right (the side check flags it), its flag is accepted
 * with a reason in the Accept… dialog (Esc cancels, Tab reaches the button, Enter accepts), and the right
 * quadratus lumborum is recorded absent with `d` (Ctrl+Z / Ctrl+Y undo and redo it). The saved document
 * and the exported CSV are read back: the absent record, the acceptance with its reason, a QL R row
 * with status `absent` and empty numbers, the psoas row with its `accepted` reason.
 * Screenshot: test-results/screenshots/states-checklist.png (an absent and an accepted row).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, getState, ijToClient, openSeries, waitSaved } from './helpers';

const DATA = path.resolve(REPO_ROOT, '../shared/data');
const DICOM = path.join(DATA, 'ct-abdomen-3mm/dicom');
const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');
/** A slice near the lumbosacral disc of this CT (L3 is slice 73, 3 mm slices). */
const L5S1_SLICE = 45;

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

async function drawPolygon(page: Page, pts: [number, number][]) {
  const client: [number, number][] = [];
  for (const [i, j] of pts) client.push(await ijToClient(page, i, j));
  for (const [x, y] of client) {
    await page.mouse.move(x, y, { steps: 3 });
    await page.mouse.click(x, y);
  }
  await page.mouse.move(client[0]![0], client[0]![1], { steps: 3 });
  await page.mouse.click(client[0]![0], client[0]![1]); // the first vertex closes it
}

const ellipse = (ci: number, cj: number, ri: number, rj: number, n = 10): [number, number][] =>
  Array.from({ length: n }, (_, t) => [ci + ri * Math.cos((2 * Math.PI * t) / n), cj + rj * Math.sin((2 * Math.PI * t) / n)] as [number, number]);

/** A minimal RFC 4180 reader. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let n = 0; n < text.length; n++) {
    const c = text[n]!;
    if (q) {
      if (c === '"' && text[n + 1] === '"') (cell += '"'), n++;
      else if (c === '"') q = false;
      else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else cell += c;
  }
  if (cell !== '' || row.length) row.push(cell), rows.push(row);
  return rows;
}

test('QL R absent at L5/S1 (key d, undo/redo) and a flagged psoas accepted with a reason: saved document and CSV', async ({ page }) => {
  const errors = collectPageErrors(page);
  await openSeries(page, bridge, DICOM);
  await page.getByTestId('slice-input').fill(String(L5S1_SLICE + 1)); // the field takes the position from the feet (1-based)
  await page.locator('body').click({ position: { x: 5, y: 990 } });
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L5S1_SLICE);
  await page.keyboard.press('4'); // mark L5/S1 here
  await expect(page.getByTestId('level-L5/S1')).toHaveAttribute('data-slice', String(L5S1_SLICE));
  await page.keyboard.press('g'); // polygon

  // Psoas "left" drawn on the image's left, i.e. the patient's right: the side check flags it.
  expect((await getState(page)).activeMuscle).toBe('psoas');
  expect((await getState(page)).activeSide).toBe('left');
  await drawPolygon(page, ellipse(46, 58, 4, 5));
  await expect.poll(async () => (await getDoc(page))?.rois.length).toBe(1);
  const row = page.getByTestId('check-psoas-left');
  await expect(row).toHaveAttribute('data-state', 'flagged');
  await expect(page.getByTestId('check-flag-psoas-left')).toContainText('side?');
  await expect(page.getByTestId('checklist-count')).toHaveText('0/8');

  // Accept…: Esc cancels (nothing changes), then a reason typed and Enter accepts.
  await page.getByTestId('accept-psoas-left').click();
  await expect(page.getByTestId('accept-dialog')).toBeVisible();
  await expect(page.getByTestId('accept-reason')).toBeFocused();
  await page.keyboard.type('x');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('accept-dialog')).toHaveCount(0);
  expect((await getDoc(page))!.rois[0]!.accepted).toBeUndefined();
  await page.getByTestId('accept-psoas-left').click();
  await expect(page.getByTestId('accept-reason')).toBeFocused();
  await expect(page.getByTestId('accept-ok')).toBeDisabled(); // no reason yet
  const reason = 'psoas crosses the midline here, checked on adjacent slices';
  await page.keyboard.type(reason);
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('accept-ok')).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(page.getByTestId('accept-reason')).toBeFocused();
  await page.screenshot({ path: `${SHOTS}/states-accept-dialog.png` });
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('accept-dialog')).toHaveCount(0);
  await expect(row).toHaveAttribute('data-state', 'done');
  await expect(page.getByTestId('check-accepted-psoas-left')).toHaveText(/⚠ accepted/);
  await expect(page.getByTestId('check-accepted-psoas-left')).toHaveAttribute('title', new RegExp(reason));
  await expect(page.getByTestId('checklist-count')).toHaveText('1/8');

  // QL R absent: a click on its row makes it the target, the key d records it; Ctrl+Z / Ctrl+Y.
  await page.getByTestId('check-quadratusLumborum-right').locator('.check-btn').click();
  await page.keyboard.press('d');
  const ql = page.getByTestId('check-quadratusLumborum-right');
  await expect(ql).toHaveAttribute('data-state', 'absent');
  await expect(page.getByTestId('checklist-count')).toHaveText('2/8');
  await page.keyboard.press('Control+z');
  await expect(ql).toHaveAttribute('data-state', 'open');
  await page.keyboard.press('Control+y');
  await expect(ql).toHaveAttribute('data-state', 'absent');
  await expect(page.getByTestId('check-absent-quadratusLumborum-right')).toBeVisible();
  await expect(page.getByTestId('absent-L5/S1-quadratusLumborum-right')).toHaveText('absent'); // the metrics table
  await page.mouse.move(5, 990);
  await page.getByTestId('roipanel').screenshot({ path: `${SHOTS}/states-checklist.png` });
  await page.screenshot({ path: `${SHOTS}/states-app.png` });

  // The saved document.
  const saved = JSON.parse(readFileSync(await waitSaved(page), 'utf8')) as AnnotationDocument;
  expect(saved.absent).toEqual([{ level: 'L5/S1', muscle: 'quadratusLumborum', side: 'right', ...(saved.rater ? { rater: saved.rater } : {}), at: expect.any(String) }]);
  expect(saved.rois).toHaveLength(1);
  const acc = saved.rois[0]!.accepted!;
  expect(acc.reason).toBe(reason);
  expect(acc.flags.length).toBeGreaterThan(0);
  expect(acc.flags.some((f) => f.startsWith('side check'))).toBe(true);

  // The exported CSV.
  await page.getByTestId('export-csv').click();
  await expect(page.getByTestId('export-path')).toHaveText(/\.csv$/);
  const [header, ...rows] = parseCsv(readFileSync((await page.getByTestId('export-path').textContent())!, 'utf8'));
  const cell = (r: string[], key: string) => r[header!.indexOf(key)];
  const qlRow = rows.find((r) => cell(r, 'structure') === 'quadratusLumborum_right')!;
  expect(cell(qlRow, 'level')).toBe('L5/S1');
  expect(cell(qlRow, 'status')).toBe('absent');
  for (const k of ['pixels', 'areaMm2', 'leanAreaMm2', 'fatAreaMm2', 'fatFraction', 'meanHu', 'sdHu', 'leanMeanHu']) expect(cell(qlRow, k), k).toBe('');
  const ps = rows.find((r) => cell(r, 'structure') === 'psoas_left')!;
  expect(cell(ps, 'status')).toBe('measured');
  expect(cell(ps, 'accepted')).toContain(reason);
  for (const f of acc.flags) expect(cell(ps, 'flags')).toContain(f);
  expect(errors).toEqual([]);
});
