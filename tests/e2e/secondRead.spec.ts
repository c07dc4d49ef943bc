/**
 * A blinded second read in Chromium, as two raters meet it, on the muscle phantom
 * (tests/fixtures/musclePhantom.ts, written by this test into a temporary folder):
 * rater A (first read) outlines the left psoas and multifidus at L3 and signs off with the button;
 * rater B (another browser profile, "Second read (blinded)") opens the same series and sees none of A's
 * outlines, outlines the same muscles one column wider and signs off with Ctrl+Shift+S; the agreement
 * panel then appears with the numbers `paraspine agreement` prints for the two documents read from the
 * workspace (run here as the command line, its JSON compared with each number's exact value in the
 * panel and with its text rounded here); both histories hold their sign-off. Compare overlays A's
 * outlines in B's view; Export PDF writes the agreement PDF into the workspace's exports folder; Reopen…
 * asks for a reason (kept in the history) and hides A's read again.
 * Screenshots: test-results/screenshots/second-read-*.png.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { AgreementView } from '../../src/shared/contract';
import type { HistoryEntry } from '../../src/node/history';
import { writeMusclePhantom } from '../fixtures/musclePhantom';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, getState, ijToClient, setWorkspace, waitSaved } from './helpers';

const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');
const L3_SLICE = 2;

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

/** A polygon through the outer corners of pixel columns i0..i1 and rows j0..j1 (the first vertex closes it). */
async function drawBox(page: Page, i0: number, i1: number, j0: number, j1: number) {
  const corners: [number, number][] = [[i0 - 0.5, j0 - 0.5], [i1 + 0.5, j0 - 0.5], [i1 + 0.5, j1 + 0.5], [i0 - 0.5, j1 + 0.5]];
  const client: [number, number][] = [];
  for (const [i, j] of corners) client.push(await ijToClient(page, i, j));
  for (const [x, y] of [...client, client[0]!]) {
    await page.mouse.move(x, y, { steps: 3 });
    await page.mouse.click(x, y);
  }
}

async function openAs(page: Page, rater: string, folder: string, second: boolean) {
  await page.goto(bridge.pageUrl);
  await setWorkspace(page, bridge);
  await page.getByTestId('rater-input').fill(rater);
  if (second) await page.getByTestId('read-mode').selectOption('second');
  await page.getByTestId('folder-input').fill(folder);
  await page.getByTestId('open-folder').click();
  await page.getByTestId('series-row').first().click();
  await expect(page.getByTestId('toolbar')).toBeVisible(); // every slice in: edits are allowed
}

/** L3 on the phantom's slice 2, then the left psoas and left multifidus boxes (columns widened by `wider`). */
async function outline(page: Page, wider: number) {
  await page.getByTestId('slice-input').fill(String(L3_SLICE + 1));
  await page.locator('body').click({ position: { x: 5, y: 990 } });
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L3_SLICE);
  await page.keyboard.press('1'); // L3 here
  await page.keyboard.press('g'); // polygon
  const boxes: [string, [number, number, number, number]][] = [
    ['p', [34, 37 + wider, 22, 29]],
    ['m', [33, 39 + wider, 40, 55]],
  ];
  for (const [key, box] of boxes) {
    await page.keyboard.press(key);
    await page.keyboard.press('l');
    const n = (await getDoc(page))!.rois.length;
    await drawBox(page, ...box);
    await expect.poll(async () => (await getDoc(page))?.rois.length).toBe(n + 1);
  }
  return waitSaved(page);
}

test('rater B reads blinded, both sign off, the agreement panel shows what paraspine agreement prints', async ({ page, browser }) => {
  const errors = collectPageErrors(page);
  const folder = writeMusclePhantom(mkdtempSync(path.join(os.tmpdir(), 'paraspine-second-read-'))).dicom;

  // Rater A: the first read (the series' document), signed off with the button.
  await openAs(page, 'Rater A', folder, false);
  await expect(page.getByTestId('signoff-read')).toHaveText('First read');
  const fileA = await outline(page, 0);
  await page.getByTestId('sign-off').click();
  await expect(page.getByTestId('signoff-state')).toHaveText(/^✓ Signed off by Rater A at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
  // A signed-off read refuses edits in one line.
  await page.keyboard.press('2');
  await expect(page.getByTestId('toast')).toHaveText(/^This read was signed off by Rater A at .* UTC: not changed\. Reopen it \(Reopen…, with a reason\) to edit it$/);
  expect((await getDoc(page))!.levels.map((l) => l.level)).toEqual(['L3']);
  await page.screenshot({ path: `${SHOTS}/second-read-a-signed-off.png` });

  // Rater B, in another browser profile: the blinded second read of the same series.
  const ctxB = await browser.newContext();
  const pageB = await ctxB.newPage();
  errors.push(...collectPageErrors(pageB));
  await openAs(pageB, 'Rater B', folder, true);
  await expect(pageB.getByTestId('signoff-read')).toHaveText('Second read (blinded) of Rater B');
  expect((await getDoc(pageB))!.rois).toEqual([]); // none of A's outlines
  expect((await getDoc(pageB))!.levels).toEqual([]);
  await expect(pageB.getByTestId('other-reads')).toHaveText('Other reads: Rater A (signed off) — hidden');
  await expect(pageB.getByTestId('compare-toggle')).toHaveCount(0);
  await expect(pageB.getByTestId('agreement-panel')).toHaveCount(0);
  const fileB = await outline(pageB, 1);
  expect(path.basename(fileB)).toBe(`${path.basename(fileA, '.json')}.read-rater-b.json`);
  await expect(pageB.getByTestId('compare-overlay')).toHaveCount(0);
  await pageB.screenshot({ path: `${SHOTS}/second-read-b-blinded.png` });

  // B signs off with the shortcut: the agreement appears.
  await pageB.locator('body').click({ position: { x: 5, y: 990 } });
  await pageB.keyboard.press('Control+Shift+S');
  await expect(pageB.getByTestId('signoff-state')).toHaveText(/^✓ Signed off by Rater B at /);
  const panel = pageB.getByTestId('agreement-panel');
  await expect(panel).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });

  // The two saved documents, read from disk, through the command line: the panel shows its numbers.
  const cli = execFileSync(process.execPath, ['bin/paraspine.mjs', 'agreement', fileB, fileA, '--series', folder], { cwd: REPO_ROOT, encoding: 'utf8' });
  const want = JSON.parse(cli) as AgreementView;
  expect(want.raters).toEqual(['Rater B', 'Rater A']);
  expect(want.rois.map((r) => `${r.level}-${r.muscle}-${r.side}`)).toEqual(['L3-psoas-left', 'L3-multifidus-left']);
  const shows = async (id: string, value: number | null, digits: number) => {
    const el = pageB.getByTestId(id);
    if (value === null) return expect(el).toHaveAttribute('data-value', '');
    await expect(el).toHaveAttribute('data-value', String(value));
    await expect(el).toHaveText(value.toFixed(digits));
  };
  for (const r of want.rois) {
    const id = `${r.level}-${r.muscle}-${r.side}`;
    await shows(`dice-${id}`, r.pairs[0]!.dice, 3);
    await shows(`hausdorff-${id}`, r.pairs[0]!.hausdorffMm, 2);
  }
  const digits: Record<string, number> = { mm2: 1, '1': 4, HU: 2 };
  for (const m of want.metrics) {
    await shows(`icc-${m.key}`, m.icc.ok ? m.icc.icc : null, 3);
    await shows(`icc-lower-${m.key}`, m.icc.ok ? m.icc.lower : null, 3);
    await shows(`icc-upper-${m.key}`, m.icc.ok ? m.icc.upper : null, 3);
    const b = m.blandAltman[0]!;
    await shows(`bias-${m.key}`, b.ok ? b.bias : null, digits[m.unit]!);
    await shows(`loa-lower-${m.key}`, b.ok ? b.lower : null, digits[m.unit]!);
    await shows(`loa-upper-${m.key}`, b.ok ? b.upper : null, digits[m.unit]!);
  }
  // The phantom's hand-computed psoas Dice (32 and 40 pixels, 32 shared): 2·32 / 72.
  expect(want.rois[0]!.pairs[0]!.dice).toBeCloseTo(8 / 9, 9);
  await expect(pageB.getByTestId('ba-plot')).toHaveAttribute('data-points', '2');

  // Export PDF: the agreement PDF (the command line's, byte for byte: tests/node/worklistReads.test.ts) in the workspace's exports folder.
  await pageB.getByTestId('agreement-export-pdf').click();
  const pdfFile = path.join(path.dirname(fileA), 'exports', `${path.basename(fileA, '.json')}.agreement.pdf`);
  await expect(pageB.getByTestId('agreement-pdf-path')).toHaveText(`PDF: ${pdfFile}`);
  expect(execFileSync('pdftotext', [pdfFile, '-'], { encoding: 'utf8' })).toContain('ICC(2,1), two-way random, absolute agreement, single rater (95% CI)');

  // Compare overlays A's outlines on B's view (dashed).
  await pageB.getByTestId('compare-toggle').check();
  await expect(pageB.getByTestId('compare-overlay')).toHaveAttribute('data-outlines', '2');
  await pageB.screenshot({ path: `${SHOTS}/second-read-b-agreement.png` });

  // Both histories hold their sign-off.
  const history = (file: string) => readFileSync(file.replace(/\.json$/, '.history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HistoryEntry);
  expect(history(fileA).filter((e) => e.action === 'sign-off').map((e) => e.signedOff?.by)).toEqual(['Rater A']);
  expect(history(fileB).filter((e) => e.action === 'sign-off').map((e) => e.signedOff?.by)).toEqual(['Rater B']);
  expect(history(fileB).at(-1)!.action).toBe('sign-off');

  // Reopen… asks for a reason (kept in B's history); A's read is hidden again.
  await pageB.getByTestId('reopen').click();
  await expect(pageB.getByTestId('reopen-reason')).toBeFocused();
  await expect(pageB.getByTestId('reopen-confirm')).toBeDisabled();
  await pageB.keyboard.type('multifidus edge checked again');
  await pageB.screenshot({ path: `${SHOTS}/second-read-b-reopen.png` });
  await pageB.keyboard.press('Enter');
  await expect(pageB.getByTestId('sign-off')).toBeVisible();
  await expect(pageB.getByTestId('agreement-panel')).toHaveCount(0);
  await expect(pageB.getByTestId('compare-overlay')).toHaveCount(0);
  expect(history(fileB).at(-1)).toMatchObject({ action: 'reopen', reason: 'multifidus edge checked again', rater: 'Rater B' });
  expect(errors).toEqual([]);
  await ctxB.close();
});
