/**
 * Browser mode in Debian's Chromium: (1) a folder of malformed files lists every unusable file with its
 * reason and the app keeps working; (2) TotalSegmentator masks of the 3 mm abdominal CT become proposed
 * levels and editable outlines whose numbers (core's and the table's) are the README's reference values,
 * with the lean/fat overlay drawn; the rater name travels into the saved document and the CSV export.
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { measureAnnotations } from '../../src/core/annotations/measureAnnotations';
import { LEAN_RGBA } from '../../src/renderer/overlay/leanFat';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, expectTable, getDoc, getState, loadVolume, setWorkspace, waitSaved } from './helpers';

const DATA = path.resolve(REPO_ROOT, '../shared/data');
// As the app reports paths: symbolic links resolved (../shared may itself be a link).
const MALFORMED = realpathSync(path.join(DATA, 'malformed/pydicom-2.3.1-debian-test_files'));
const DICOM = path.join(DATA, 'ct-abdomen-3mm/dicom');
const MASKS = path.join(DATA, 'ct-abdomen-3mm/masks');
const L3_SLICE = 73;
const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');

let bridge: RunningBridge;

test.beforeAll(async () => {
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

/** Pixels of the axial overlay canvas drawn in the lean colour (the overlay bitmap, not the labels). */
const leanColouredPixels = (page: Page) =>
  page.getByTestId('axial-overlay').evaluate((c, lean: number[]) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let p = 0; p < data.length; p += 4) {
      if (lean.every((v, o) => Math.abs(data[p + o]! - v) <= 12)) n++;
    }
    return n;
  }, [...LEAN_RGBA]);

test('series browser lists the unusable files of a malformed folder with their reasons; the app keeps working', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto(bridge.pageUrl);
  await setWorkspace(page, bridge);
  await page.getByTestId('folder-input').fill(path.join(DATA, 'malformed/pydicom-2.3.1-debian-test_files')); // typed as the user has it (maybe through a link)
  await page.getByTestId('open-folder').click();
  await expect(page.getByTestId('series-browser')).toBeVisible();

  const problems = page.getByTestId('scan-problems');
  await expect(page.getByTestId('scan-problems-summary')).toHaveText(/\d+ files? not used/);
  const count = Number(/(\d+)/.exec((await page.getByTestId('scan-problems-summary').textContent())!)![1]);
  expect(count).toBeGreaterThanOrEqual(20);
  if (!(await problems.evaluate((d) => (d as HTMLDetailsElement).open))) await page.getByTestId('scan-problems-summary').click();
  await expect(page.getByTestId('scan-problem')).toHaveCount(count);

  // One line per file: the path (relative to the folder) and the reason.
  const truncated = page.locator(`[data-testid="scan-problem"][data-path="${path.join(MALFORMED, 'MR_truncated.dcm')}"]`);
  await expect(truncated).toBeVisible();
  await expect(truncated.locator('code')).toHaveText('MR_truncated.dcm');
  await expect(truncated.getByTestId('scan-problem-reason')).toHaveText(/truncated/i);
  const notDicom = page.locator(`[data-testid="scan-problem"][data-path="${path.join(MALFORMED, 'README.txt')}"]`);
  await expect(notDicom.getByTestId('scan-problem-reason')).toHaveText(/not DICOM/i);
  await truncated.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/08-scan-problems.png` });

  // Whatever series the folder still holds opens and shows in all views without breaking the page.
  const rows = page.getByTestId('series-row');
  if ((await rows.count()) > 0) {
    await rows.first().click();
    await expect(page.getByTestId('slice-input')).toBeVisible();
    await expect(page.getByTestId('coronal')).toBeVisible();
    if ((await page.getByTestId('slice-input').getAttribute('max')) === '0') await expect(page.getByTestId('coronal-note')).toBeVisible();
    await page.keyboard.press('ArrowUp');
    await page.screenshot({ path: `${SHOTS}/09-malformed-series-open.png` });
  }

  // The app still works: open the real CT next.
  await page.getByTestId('folder-input').fill(DICOM);
  await page.getByTestId('open-folder').click();
  await expect(page.getByTestId('series-row')).toHaveCount(1);
  await expect(page.getByTestId('scan-problems')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('masks import: proposed levels, outlines at L3, table and core == reference values, overlay, rater in the export', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto(bridge.pageUrl);
  await setWorkspace(page, bridge);
  await page.getByTestId('rater-input').fill('E2E rater');

  await page.getByTestId('folder-input').fill(DICOM);
  await page.getByTestId('open-folder').click();
  await page.getByTestId('series-row').first().click();
  await expect(page.getByTestId('slice-input')).toBeVisible();
  const uid = (await getState(page)).seriesUid;
  const volume = await loadVolume(DICOM, uid);

  // Import the TotalSegmentator folder: levels are proposed from the vertebra masks.
  await page.getByTestId('masks-path').fill(MASKS);
  await page.getByTestId('import-masks').click();
  await expect(page.getByTestId('import-result')).toHaveText(/outline\(s\)/, { timeout: 60_000 });
  await expect(page.getByTestId('import-result')).not.toContainText('failed');
  const l3 = page.getByTestId('level-L3');
  await expect(l3).toHaveAttribute('data-source', 'proposed');
  await expect(l3).toHaveAttribute('data-slice', String(L3_SLICE));
  await expect(l3).toContainText('proposed');
  await page.screenshot({ path: `${SHOTS}/10-masks-imported.png` });

  // Go to L3 and confirm the proposal.
  await l3.getByRole('button', { name: 'L3', exact: true }).click();
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L3_SLICE);
  await l3.getByRole('button', { name: 'Confirm' }).click();
  await expect(l3).toHaveAttribute('data-source', 'confirmed');
  await expect(l3).toHaveAttribute('data-slice', String(L3_SLICE));

  // Outlines at L3 (the import asks for the four muscles by default): iliopsoas -> the psoas component
  // nearest the spine, autochthon -> multifidus + erector spinae proposals, on the L3 slice. Confirming
  // the level's slice leaves the outline proposals to be confirmed on their own.
  await expect(page.getByTestId('split-autochthon')).toBeChecked();
  const doc = (await getDoc(page))!;
  const atL3 = doc.rois.filter((r) => r.level === 'L3');
  expect(atL3.map((r) => `${r.muscle} ${r.side} ${r.sliceIndex} ${r.source}`).sort()).toEqual([
    `erectorSpinae left ${L3_SLICE} proposed`,
    `erectorSpinae right ${L3_SLICE} proposed`,
    `multifidus left ${L3_SLICE} proposed`,
    `multifidus right ${L3_SLICE} proposed`,
    `psoas left ${L3_SLICE} imported`,
    `psoas right ${L3_SLICE} imported`,
  ]);
  await expect(page.getByTestId('check-psoas-left')).toHaveAttribute('data-done', 'yes');
  await expect(page.getByTestId('check-psoas-right')).toHaveAttribute('data-done', 'yes');
  // The checklist points at the first outline not done at L3.
  await expect(page.getByTestId('now-drawing')).toContainText('Quadratus lumborum left');

  // The rater name changed now goes into the document too.
  await page.getByTestId('rater-input').fill('Dr. E2E');
  await expect.poll(async () => (await getDoc(page))!.rater).toBe('Dr. E2E');

  // Saved document: core on it and the table == the README's reference values at L3 (ct-abdomen-3mm,
  // slice 73, pixel-centre / mask-voxel rule, muscle -29..150 HU, fat -190..-30 HU, 3 x 3 mm pixels).
  const savedPath = await waitSaved(page);
  const saved = JSON.parse(readFileSync(savedPath, 'utf8')) as AnnotationDocument;
  expect(saved.rater).toBe('Dr. E2E');
  expect(saved.levels.find((l) => l.level === 'L3')).toMatchObject({ sliceIndex: L3_SLICE, source: 'confirmed' });
  const records = measureAnnotations(volume, saved).filter((r) => r.level === 'L3');
  const REFERENCE = {
    'psoas left': { pixels: 79, areaMm2: 711, leanAreaMm2: 666, fatAreaMm2: 45, meanHu: 27.0506, sdHu: 27.0517, leanMeanHu: 32.0946 },
    'psoas right': { pixels: 78, areaMm2: 702, leanAreaMm2: 702, fatAreaMm2: 0, meanHu: 33.2949, sdHu: 17.8599, leanMeanHu: 33.2949 },
  };
  // Multifidus + erector spinae partition the autochthon: their counts add up to the README's
  // autochthon reference exactly (pixels 282 / 263, lean 2394 / 2133 mm², fat 144 / 234 mm²), and their
  // means, weighted by pixels, give its mean HU (16.5 / 7.5703). The split itself (values from core's
  // fat-plane rule, run once: `paraspine measure --split-autochthon`) is checked below in the table.
  const AUTOCHTHON = {
    left: { pixels: 282, areaMm2: 2538, leanAreaMm2: 2394, fatAreaMm2: 144, meanHu: 16.5 },
    right: { pixels: 263, areaMm2: 2367, leanAreaMm2: 2133, fatAreaMm2: 234, meanHu: 7.5703 },
  };
  for (const side of ['left', 'right'] as const) {
    const parts = records.filter((r) => r.side === side && (r.muscle === 'multifidus' || r.muscle === 'erectorSpinae'));
    expect(parts).toHaveLength(2);
    const sum = (k: 'pixels' | 'areaMm2' | 'leanAreaMm2' | 'fatAreaMm2') => parts.reduce((a, r) => a + r[k], 0);
    const want = AUTOCHTHON[side];
    expect({ pixels: sum('pixels'), areaMm2: sum('areaMm2'), leanAreaMm2: sum('leanAreaMm2'), fatAreaMm2: sum('fatAreaMm2') }).toEqual({ pixels: want.pixels, areaMm2: want.areaMm2, leanAreaMm2: want.leanAreaMm2, fatAreaMm2: want.fatAreaMm2 });
    expect(parts.reduce((a, r) => a + r.pixels * r.meanHu!, 0) / want.pixels).toBeCloseTo(want.meanHu, 3);
    expect(parts.every((r) => r.origin === 'proposed')).toBe(true);
  }
  expect(records.map((r) => `${r.muscle} ${r.side}`).sort()).toEqual([...Object.keys(REFERENCE), 'erectorSpinae left', 'erectorSpinae right', 'multifidus left', 'multifidus right'].sort());
  for (const r of records.filter((x) => x.muscle === 'psoas')) {
    const { meanHu, sdHu, leanMeanHu, ...counts } = REFERENCE[`${r.muscle} ${r.side}` as keyof typeof REFERENCE];
    expect(r).toMatchObject(counts);
    expect(r.meanHu!).toBeCloseTo(meanHu, 3);
    expect(r.sdHu!).toBeCloseTo(sdHu, 3);
    expect(r.leanMeanHu!).toBeCloseTo(leanMeanHu, 3);
  }
  // The same values as the table shows them, worked out by hand: CSA and fCSA = area / 100 (cm²);
  // fat % = 100 x fat area / area (psoas: 45/711 = 6.33 %; erector spinae 108/2043 = 5.29 %, 153/1818 =
  // 8.42 %; multifidus 36/495 = 7.27 %, 81/549 = 14.75 %); HU to 1 decimal; asymmetry = 100 (L - R) /
  // mean(L, R): psoas 900/706.5 = 1.27 %, erector spinae 22500/1930.5 = 11.66 %, multifidus -5400/522 = -10.34 %.
  // Psoas from the README; the multifidus / erector spinae split (the level's share, L3: 0.20) from core run
  // once (see above), their sums being the README's autochthon (2043 + 495 = 2538, 1818 + 549 = 2367 mm²).
  await expectTable(
    page,
    'L3',
    {
      'psoas left': { csa: '7.11', fcsa: '6.66', fat: '6.3', mean: '27.1', lean: '32.1' },
      'psoas right': { csa: '7.02', fcsa: '7.02', fat: '0.0', mean: '33.3', lean: '33.3' },
      'erectorSpinae left': { csa: '20.43', fcsa: '19.35', fat: '5.3', mean: '16.4', lean: '19.7' },
      'erectorSpinae right': { csa: '18.18', fcsa: '16.65', fat: '8.4', mean: '9.5', lean: '14.6' },
      'multifidus left': { csa: '4.95', fcsa: '4.59', fat: '7.3', mean: '17.1', lean: '21.9' },
      'multifidus right': { csa: '5.49', fcsa: '4.68', fat: '14.8', mean: '1.2', lean: '11.9' },
    },
    { psoas: '1.3', erectorSpinae: '11.7', multifidus: '-10.3' },
  );
  // Proposals are marked in the table until confirmed.
  await expect(page.getByTestId('proposed-L3-multifidus-left')).toBeVisible();
  await expect(page.getByTestId('row-L3-psoas-left')).toHaveAttribute('data-origin', 'imported');
  await expect(page.getByTestId('metrics-L3').locator('th[data-col="areaMm2"]')).toHaveText('CSA cm²');
  await expect(page.getByTestId('metrics-L3').locator('th[data-col="fatFraction"]')).toHaveText('Fat %');
  // The legend lists every metric, the ones not in the table too.
  await page.getByTestId('metrics-legend').locator('summary').click();
  await expect(page.getByTestId('metric-help-slice-sdHu')).toContainText('standard deviation');
  await expect(page.getByTestId('metric-help-volume-volumeMm3')).toBeVisible();

  // Lean/fat overlay: off draws no overlay pixels; on draws core's lean pixels of this slice.
  const overlay = page.getByTestId('axial-overlay');
  // README reference at L3: lean (666 + 702 + 2394 + 2133) / 9 = 655 pixels, fat (45 + 0 + 144 + 234) / 9 = 47.
  const leanPixels = 655;
  const fatPixels = 47;
  const toggle = page.getByRole('button', { name: 'Lean/fat overlay' });
  if ((await overlay.getAttribute('data-overlay')) !== 'off') await toggle.click();
  await expect(overlay).toHaveAttribute('data-overlay', 'off');
  await expect.poll(() => leanColouredPixels(page)).toBe(0);
  await page.screenshot({ path: `${SHOTS}/11-L3-confirmed-overlay-off.png` });
  await toggle.click();
  await expect(overlay).toHaveAttribute('data-overlay', 'on');
  await expect(overlay).toHaveAttribute('data-lean-pixels', String(leanPixels));
  await expect(overlay).toHaveAttribute('data-fat-pixels', String(fatPixels));
  expect(leanPixels).toBeGreaterThan(500);
  // Each lean CT pixel covers several screen pixels, so the canvas holds at least that many lean-coloured pixels.
  await expect.poll(() => leanColouredPixels(page)).toBeGreaterThanOrEqual(leanPixels);
  await page.screenshot({ path: `${SHOTS}/12-L3-overlay-on.png` });
  await page.getByTestId('metrics').screenshot({ path: `${SHOTS}/13-metrics-masks.png` });

  // The rater travels into the CSV export.
  await page.getByTestId('export-csv').click();
  await expect(page.getByTestId('export-path')).toHaveText(/\.csv$/);
  const csv = readFileSync((await page.getByTestId('export-path').textContent())!, 'utf8').trim().split('\n');
  const header = csv[0]!.split(',');
  const raterCol = header.indexOf('rater');
  expect(raterCol).toBeGreaterThanOrEqual(0);
  expect(csv.length).toBeGreaterThan(1);
  for (const line of csv.slice(1)) expect(line.split(',')[raterCol]).toBe('Dr. E2E');

  expect(errors).toEqual([]);
});
