/**
 * The L1 trabecular oval in Chromium (issue 16) on a bone phantom written as DICOM by our own writer: a
 * round vertebral body of 135 HU trabecular bone inside a 2 mm cortex of 800 HU, in 40 HU soft tissue,
 * the same on every slice, with PatientSize 1.65 m and PatientSex F in its headers, and a
 * TotalSegmentator-style vertebrae_L1 mask of the body. The oval tool places the oval by a drag from the
 * body's centre and moves it by a drag inside; the bone panel shows the phantom's 135.0 HU against the
 * Pickhardt bands, labelled a screening aid; the height form is prefilled from the DICOM; the saved
 * document, read back from disk and measured with core's pixel-centre rule, holds the oval at 135 HU.
 * A mask import proposes the oval (dashed, 'proposed'), confirmed in one click.
 * Screenshots: test-results/screenshots/bone-oval-drawn.png, bone-oval-proposed.png.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { lpsToSliceIj } from '../../src/core/roi/contour';
import { contourMask } from '../../src/core/roi/contour';
import type { HuVolume } from '../../src/core/volume';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { writeNifti1 } from '../fixtures/writeNifti';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, getState, ijToClient, openSeries, waitSaved } from './helpers';

const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');

/** The phantom: 80 x 80 pixels of 0.8 mm (columns) x 0.75 mm (rows), 5 slices. */
const COLS = 80;
const ROWS = 80;
const SLICES = 5;
const COL_MM = 0.8;
const ROW_MM = 0.75;
/** Body centre (pixel), trabecular radius and outer cortex radius (mm). */
const CI = 40;
const CJ = 34;
const TRAB_MM = 9;
const BODY_MM = 11;
const TRABECULAR_HU = 135;
const CORTEX_HU = 800;
const SOFT_HU = 40;

const rMm = (i: number, j: number) => Math.hypot((i - CI) * COL_MM, (j - CJ) * ROW_MM);
const huOf = (i: number, j: number) => (rMm(i, j) < TRAB_MM ? TRABECULAR_HU : rMm(i, j) <= BODY_MM ? CORTEX_HU : SOFT_HU);

function writeBonePhantom(dir: string, uid: string): { dicom: string; masks: string } {
  const frame = new Uint8Array(COLS * ROWS * 2);
  const dv = new DataView(frame.buffer);
  for (let j = 0; j < ROWS; j++) for (let i = 0; i < COLS; i++) dv.setUint16((i + j * COLS) * 2, huOf(i, j) + 1024, true);
  const series = makePhantomSeries({
    slices: SLICES,
    rows: ROWS,
    columns: COLS,
    pixelSpacing: [ROW_MM, COL_MM],
    seriesInstanceUid: uid,
    rawPixelData: () => frame,
    // PatientSex F, PatientSize 1.65 m: the height form is prefilled from them.
    edit: (els) => [...els, { tag: 0x00100040, vr: 'CS', value: 'F' }, { tag: 0x00101020, vr: 'DS', value: '1.65' }].sort((a, b) => a.tag - b.tag),
  });
  const dicom = path.join(dir, 'dicom');
  const masks = path.join(dir, 'masks');
  mkdirSync(dicom, { recursive: true });
  mkdirSync(masks, { recursive: true });
  for (const f of series.files) writeFileSync(path.join(dicom, f.name), f.bytes);
  const g = series.expected.geometry;
  // Voxel (i, j, k) of the NIfTI is CT voxel (i, j, k): RAS = (-L, -P, S) of the DICOM position.
  const p0 = g.slicePositions[0]!;
  const dz = g.slicePositions[1]![2] - p0[2];
  const affine = [-g.columnSpacingMm, 0, 0, -p0[0], 0, -g.rowSpacingMm, 0, -p0[1], 0, 0, dz, p0[2], 0, 0, 0, 1];
  const data = new Uint8Array(COLS * ROWS * SLICES);
  for (let k = 0; k < SLICES; k++) for (let j = 0; j < ROWS; j++) for (let i = 0; i < COLS; i++) if (rMm(i, j) <= BODY_MM) data[i + COLS * (j + ROWS * k)] = 1;
  writeFileSync(path.join(masks, 'vertebrae_L1.nii.gz'), writeNifti1({ dims: [COLS, ROWS, SLICES], datatype: 2, data, affine, gzip: true }));
  return { dicom, masks };
}

/** Mean HU and pixels of an outline on its slice, by core's pixel-centre rule over the volume loaded in the test. */
function measured(volume: HuVolume, k: number, pointsLps: AnnotationDocument['rois'][number]['pointsLps']) {
  const mask = contourMask(volume.geometry, k, pointsLps);
  const plane = COLS * ROWS;
  let n = 0;
  let sum = 0;
  mask.forEach((v, p) => {
    if (!v) return;
    n++;
    sum += volume.hu[k * plane + p]!;
  });
  return { pixels: n, mean: sum / n };
}

let bridge: RunningBridge;
let dir: string;
/** Two copies of the phantom (series UIDs apart): each test starts from a series with no document. */
let files: { dicom: string; masks: string };
let files2: { dicom: string; masks: string };
test.beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'paraspine-bone-'));
  files = writeBonePhantom(path.join(dir, 'a'), '1.2.826.0.1.3680043.10.1459.2.161');
  files2 = writeBonePhantom(path.join(dir, 'b'), '1.2.826.0.1.3680043.10.1459.2.162');
  mkdirSync(SHOTS, { recursive: true });
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function dragIj(page: Page, from: [number, number], to: [number, number]) {
  const [x0, y0] = await ijToClient(page, ...from);
  const [x1, y1] = await ijToClient(page, ...to);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x1, y1, { steps: 8 });
  await page.mouse.up();
}

test('the L1 oval drawn by hand: the panel shows the trabecular HU; moved, undone, saved and read back', async ({ page }) => {
  const errors = collectPageErrors(page);
  const volume = await openSeries(page, bridge, files.dicom);
  const k = (await getState(page)).sliceIndex;

  await page.getByTestId('tool-oval').click();
  await expect(page.getByTestId('tool-oval')).toHaveClass(/on/);
  await expect(page.getByLabel('vertebra of the bone oval')).toHaveValue('1'); // L1
  await expect(page.getByTestId('bone-roi-none')).toBeVisible();
  // The height form comes prefilled from the DICOM's PatientSize and PatientSex.
  await expect(page.getByTestId('patient-height')).toHaveValue('1.65');
  await expect(page.getByTestId('patient-sex')).toHaveValue('F');
  await expect(page.getByTestId('patient-dicom')).toContainText('PatientSize 1.65 m');

  // A drag from the body's centre, 5 px out each way: semi-axes 4 mm and 3.75 mm, well inside the 9 mm trabecular bone.
  await dragIj(page, [CI, CJ], [CI + 5, CJ + 5]);
  await expect.poll(async () => (await getDoc(page))?.boneRois?.length ?? 0).toBe(1);
  const oval = page.getByTestId('bone-roi-L1');
  await expect(oval).toBeVisible();
  await expect(oval).toHaveAttribute('data-source', 'drawn');
  await expect(oval).toContainText('L1 trabecular');
  await expect(page.getByTestId('panel-value-boneDensity-0')).toHaveText('135.0 HU');
  await expect(page.getByTestId('caveat-boneDensity')).toContainText('opportunistic screening aid, not a diagnosis');
  await expect(page.getByTestId('panel-boneDensity')).toContainText('≤110 HU');
  await expect(page.getByTestId('panel-asdFactors')).toContainText('Gong');
  await expect(page.getByTestId('panel-muscleIndex')).toContainText('1.65 m');
  // Named a psoas muscle index, never an SMI (the panel says why it is not one).
  await expect(page.getByTestId('panel-row-muscleIndex-0')).toContainText('Psoas muscle index (L3)');
  await expect(page.getByTestId('panel-row-muscleIndex-0')).not.toContainText('SMI');
  await page.screenshot({ path: `${SHOTS}/bone-oval-drawn.png` });

  const first = (await getDoc(page))!.boneRois![0]!;
  const g = volume.geometry;
  const centre = (pts: typeof first.pointsLps) => {
    const ij = lpsToSliceIj(g, k, pts);
    return [ij.reduce((a, p) => a + p[0], 0) / ij.length, ij.reduce((a, p) => a + p[1], 0) / ij.length];
  };
  expect(first.sliceIndex).toBe(k);
  expect(centre(first.pointsLps)[0]).toBeCloseTo(CI, 1);
  expect(centre(first.pointsLps)[1]).toBeCloseTo(CJ, 1);

  // A drag inside the oval moves it: 3 px to the right (2.4 mm: the oval stays in the trabecular bone).
  await dragIj(page, [CI + 1, CJ], [CI + 4, CJ]);
  await expect.poll(async () => centre((await getDoc(page))!.boneRois![0]!.pointsLps)[0]).toBeCloseTo(CI + 3, 0);
  await expect(page.getByTestId('panel-value-boneDensity-0')).toHaveText('135.0 HU');
  // Undo: the move is one step, back to where it was drawn.
  await page.locator('body').click({ position: { x: 5, y: 990 } });
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await getDoc(page))!.boneRois![0]!.pointsLps).toEqual(first.pointsLps);

  // Saved: the document on disk holds it, measured at the phantom's trabecular HU.
  await page.evaluate(() => (window as unknown as { __paraspine: { flush(): Promise<void> } }).__paraspine.flush());
  const saved = JSON.parse(readFileSync(await waitSaved(page), 'utf8')) as AnnotationDocument;
  expect(saved.version).toBe(2);
  expect(saved.boneRois).toHaveLength(1);
  const b = saved.boneRois![0]!;
  expect([b.vertebra, b.sliceIndex, b.source]).toEqual(['L1', k, 'drawn']);
  const m = measured(volume, b.sliceIndex, b.pointsLps);
  expect(m.mean).toBe(TRABECULAR_HU);
  expect(m.pixels).toBeGreaterThan(50);

  // A typed height (where none was in the DICOM it would be used; here the DICOM's wins and the panel says so).
  await page.getByTestId('patient-height').fill('1.70');
  await page.getByTestId('patient-height').press('Enter');
  await expect.poll(async () => (await getDoc(page))?.patient?.heightM).toBe(1.7);
  await expect(page.getByTestId('panel-muscleIndex')).toContainText("the DICOM's PatientSize 1.65 m is used");
  expect(errors).toEqual([]);
});

test('a mask import proposes the L1 oval from the vertebrae_L1 mask; it is confirmed in one click', async ({ page }) => {
  const errors = collectPageErrors(page);
  const volume = await openSeries(page, bridge, files2.dicom);
  await page.getByTestId('masks-path').fill(files2.masks);
  await page.getByTestId('import-masks').click();
  await expect(page.getByTestId('import-result')).toBeVisible({ timeout: 60_000 });
  await expect.poll(async () => (await getDoc(page))?.boneRois?.length ?? 0, { timeout: 60_000 }).toBe(1);
  const b = (await getDoc(page))!.boneRois![0]!;
  expect([b.vertebra, b.source]).toEqual(['L1', 'proposed']);
  // The mid slice of a body the same on every slice: the middle one.
  expect(b.sliceIndex).toBe(2);
  // Clear of the cortex: every pixel it holds is trabecular bone of the phantom.
  const m = measured(volume, b.sliceIndex, b.pointsLps);
  expect(m.mean).toBe(TRABECULAR_HU);
  await page.getByTestId('bone-roi-item-L1').getByRole('button', { name: 'Go' }).click();
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(2);
  await expect(page.getByTestId('bone-roi-L1')).toHaveAttribute('data-source', 'proposed');
  await expect(page.getByTestId('bone-roi-L1')).toContainText('L1 trabecular (proposed)');
  await expect(page.getByTestId('panel-value-boneDensity-0')).toHaveText('135.0 HU');
  await page.screenshot({ path: `${SHOTS}/bone-oval-proposed.png` });
  await page.getByTestId('bone-confirm-L1').click();
  await expect.poll(async () => (await getDoc(page))!.boneRois![0]!.source).toBe('confirmed');
  await expect(page.getByTestId('bone-roi-L1')).toHaveAttribute('data-source', 'confirmed');
  expect(errors).toEqual([]);
});

test('on the 3 mm CT: the oval proposed from vertebrae_L1 lies in the L1 body, clear of the cortex; the panel shows its mean', async ({ page }) => {
  const errors = collectPageErrors(page);
  const DICOM = path.resolve(REPO_ROOT, '../shared/data/ct-abdomen-3mm/dicom');
  const MASKS = path.resolve(REPO_ROOT, '../shared/data/ct-abdomen-3mm/masks');
  const volume = await openSeries(page, bridge, DICOM);
  await page.getByTestId('masks-path').fill(MASKS);
  await page.getByTestId('import-masks').click();
  await expect.poll(async () => (await getDoc(page))?.boneRois?.length ?? 0, { timeout: 120_000 }).toBe(1);
  const b = (await getDoc(page))!.boneRois![0]!;
  expect([b.vertebra, b.source]).toEqual(['L1', 'proposed']);
  await page.getByTestId('bone-roi-item-L1').getByRole('button', { name: 'Go' }).click();
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(b.sliceIndex);
  await expect(page.getByTestId('bone-roi-L1')).toBeVisible();
  // Its pixels on the loaded volume (core's pixel-centre rule here, in the test process): trabecular bone,
  // no cortex (cortical bone is several hundred HU; none of its pixels reaches 400 HU).
  const g = volume.geometry;
  const mask = contourMask(g, b.sliceIndex, b.pointsLps);
  const hu: number[] = [];
  mask.forEach((v, p) => v && hu.push(volume.hu[b.sliceIndex * g.rows * g.columns + p]!));
  expect(hu.length).toBeGreaterThan(15);
  expect(Math.max(...hu)).toBeLessThan(400);
  const mean = hu.reduce((a, x) => a + x, 0) / hu.length;
  await expect(page.getByTestId('panel-value-boneDensity-0')).toHaveText(`${mean.toFixed(1)} HU`);
  await page.getByTestId('axial-viewport').hover();
  await page.screenshot({ path: `${SHOTS}/bone-oval-ct.png` });
  expect(errors).toEqual([]);
});
