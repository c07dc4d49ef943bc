/**
 * `npm run web -- --demo` and the README walkthrough on the demo in Debian's Chromium: the bridge started with `--open DIR` (what --demo passes
 * for the demo's series) gives a page address that opens DIR and its only series, with no click. The
 * demo is written by `paraspine demo` (the built CLI) into a temporary folder here (web.mjs --demo writes ./demo).
 * Then its masks are imported (split on, the default) and the exported CSV is its ground truth (truth.json,
 * from the model): psoas and quadratus lumborum exactly; multifidus + erector spinae = the autochthon.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { parse as parseCsv } from 'csv-parse/sync';
import { REPO_ROOT, startOpeningBridge } from './bridge';
import { collectPageErrors, getState } from './helpers';

test('the page opens the folder named by --open and its only series (the demo CT); its masks imported, the CSV is its truth', async ({ page }) => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'paraspine-e2e-demo-'));
  const dir = path.join(base, 'demo');
  expect(spawnSync(process.execPath, ['bin/paraspine.mjs', 'demo', dir], { cwd: REPO_ROOT }).status).toBe(0);
  const demo = { dicom: path.join(dir, 'dicom') };
  const truth = JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8')) as { seriesInstanceUid: string; measurements: { level: string; muscle: string; side: string; pixels: number; areaMm2: number; leanAreaMm2: number; fatFraction: number; meanHu: number }[] };
  const bridge = await startOpeningBridge(demo.dicom, path.join(base, 'user-data'), path.join(base, 'workspace'));
  try {
    const pageUrl = bridge.pageUrl;
    expect(new URLSearchParams(new URL(pageUrl).hash.slice(1)).get('open')).toBe(demo.dicom);
    const errors = collectPageErrors(page);
    await page.goto(pageUrl);
    await expect(page.getByTestId('slice-input')).toBeVisible();
    expect((await getState(page)).seriesUid).toBe(truth.seriesInstanceUid);
    await expect(page.getByTestId('folder-input')).toHaveValue(demo.dicom);
    await page.screenshot({ path: path.join(REPO_ROOT, 'test-results/screenshots/demo-open.png') });

    // The README walkthrough on it: a workspace, the demo's masks imported (split on, the default), CSV export.
    const workspace = path.join(base, 'workspace');
    mkdirSync(workspace);
    await page.getByTestId('workspace-input').fill(workspace);
    await page.getByTestId('workspace-input').press('Enter');
    await expect(page.getByTestId('workspace')).toHaveText(workspace);
    await expect(page.getByTestId('split-autochthon')).toBeChecked();
    await page.getByTestId('masks-path').fill(path.join(dir, 'masks'));
    await page.getByTestId('import-masks').click();
    await expect(page.getByTestId('import-result')).toHaveText(/outline\(s\)/, { timeout: 60_000 });
    await expect(page.getByTestId('import-result')).not.toContainText('failed');
    await page.screenshot({ path: path.join(REPO_ROOT, 'test-results/screenshots/demo-imported.png') });
    await page.getByTestId('export-csv').click();
    await expect(page.getByTestId('export-path')).toHaveText(/\.csv$/);
    const csv = parseCsv(readFileSync((await page.getByTestId('export-path').textContent())!, 'utf8')) as string[][];
    const header = csv[0]!;
    const rows = csv.slice(1);
    const cell = (r: string[], name: string) => r[header.indexOf(name)]!;
    const row = (level: string, muscle: string, side: string) => rows.find((r) => cell(r, 'level') === level && cell(r, 'muscle') === muscle && cell(r, 'side') === side);
    for (const t of truth.measurements) {
      if (t.muscle === 'psoas' || t.muscle === 'quadratusLumborum') {
        const r = row(t.level, t.muscle, t.side);
        expect(r, `${t.level} ${t.muscle} ${t.side}`).toBeDefined();
        expect(Number(cell(r!, 'pixels'))).toBe(t.pixels);
        expect(Number(cell(r!, 'areaMm2'))).toBeCloseTo(t.areaMm2, 6);
        expect(Number(cell(r!, 'leanAreaMm2'))).toBeCloseTo(t.leanAreaMm2, 6);
        expect(Number(cell(r!, 'fatFraction'))).toBeCloseTo(t.fatFraction, 6);
        expect(Number(cell(r!, 'meanHu'))).toBeCloseTo(t.meanHu, 6);
      } else if (t.muscle === 'autochthon') {
        // split by the app's fat-plane rule: erector spinae and multifidus together are the autochthon
        const es = row(t.level, 'erectorSpinae', t.side)!;
        const mf = row(t.level, 'multifidus', t.side)!;
        expect(Number(cell(es, 'pixels')) + Number(cell(mf, 'pixels'))).toBe(t.pixels);
      }
    }
    expect(errors).toEqual([]);
  } finally {
    await bridge.stop();
    rmSync(base, { recursive: true, force: true });
  }
});
