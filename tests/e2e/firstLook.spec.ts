/**
 * Small things a first look trips on (issue 19), in browser mode: the workspace can be changed with the
 * header's "Change…" (a typed path) and the next save lands in the new folder; the thorax CT (20 slices
 * of 512 x 512) opens with its coronal on the spine, not on the CT table (row 487), and both reformats
 * zoomed onto the patient at their true aspect (screenshots).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getState, openSeries, waitSaved } from './helpers';

const THORAX = path.resolve(REPO_ROOT, '../shared/data/ct-thorax-j2k/dicom');
const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');

let bridge: RunningBridge;

test.beforeAll(async () => {
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

test.skip(!existsSync(THORAX), 'the shared thorax CT is not here');

test('thorax CT: coronal on the spine, reformats at true aspect; workspace changed in the browser, the save lands there', async ({ page }) => {
  const errors = collectPageErrors(page);
  mkdirSync(SHOTS, { recursive: true });
  const volume = await openSeries(page, bridge, THORAX);
  const g = volume.geometry;

  // The coronal row cuts through bone inside the patient: bone pixels (150..1500 HU) near the middle
  // column on the middle slice, and far above the CT table (on this series the table crosses the middle
  // columns at rows 452-453 and 486-488; the old default was row 487).
  const row = Number(await page.getByTestId('coronal-index').inputValue());
  expect(row).toBeLessThan(440);
  const k = Math.floor(g.slices / 2);
  let bone = 0;
  for (let i = g.columns / 2 - 20; i < g.columns / 2 + 20; i++) {
    const hu = volume.hu[k * g.rows * g.columns + row * g.columns + i]!;
    if (hu >= 150 && hu <= 1500) bone++;
  }
  expect(bone, `bone pixels on row ${row} near the middle column`).toBeGreaterThan(5);

  // Both reformats, zoomed onto the patient at true aspect, for looking at.
  for (const plane of ['sagittal', 'coronal'] as const) {
    const box = await page.getByTestId(plane).boundingBox();
    expect(box).not.toBeNull();
    await page.getByTestId(plane).screenshot({ path: path.join(SHOTS, `paraspine-thorax-${plane}.png`) });
  }
  await page.screenshot({ path: path.join(SHOTS, 'paraspine-thorax-reformats.png') });

  // Change the workspace to a new folder by typing it, then make a change: the document is saved there.
  const other = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'paraspine-ws2-')));
  await page.getByTestId('workspace-change').click();
  await page.getByTestId('workspace-input').fill(other);
  await page.getByTestId('workspace-input').press('Enter');
  await expect(page.getByTestId('workspace')).toHaveText(other);
  await page.getByTestId('slice-input').fill('10'); // the field takes the position from the feet (1-based)
  await page.locator('body').click({ position: { x: 5, y: 990 } });
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(9);
  await page.keyboard.press('1'); // L3 on this slice
  const saved = await waitSaved(page);
  expect(saved.startsWith(other + path.sep), `${saved} in ${other}`).toBe(true);
  const doc = JSON.parse(readFileSync(saved, 'utf8')) as AnnotationDocument;
  expect(doc.series.seriesInstanceUid).toBe((await getState(page)).seriesUid);
  expect(doc.levels.map((l) => [l.level, l.sliceIndex])).toEqual([['L3', 9]]);
  expect(errors).toEqual([]);
});
