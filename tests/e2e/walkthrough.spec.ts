/**
 * The README walkthrough on the demo CT, step by step as a first user does it, in Debian's Chromium:
 * 1. `npm run web -- --demo` (scripts/web.mjs --demo; here with --demo-dir, a temporary folder) opens the
 *    demo's only series with no click, with the demo's workspace set (no "choose a workspace" step);
 * 2. import its masks (split on, the default): every muscle of every level comes in, none flagged;
 * 3. confirm the proposed multifidus / erector spinae outlines of each level;
 * 4. export the CSV: every level, muscle and side equals truth.json (counted from the model that made
 *    the demo, never by the app's code), all four muscles exact as the split follows the model's fat plane.
 * Writes the README's screenshots to docs/walkthrough/*.png (committed; each under 200 KB).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { parse as parseCsv } from 'csv-parse/sync';
import { decode, encode } from 'fast-png';
import { REPO_ROOT, startDemoBridge } from './bridge';
import { collectPageErrors, getState } from './helpers';

const SHOTS = path.join(REPO_ROOT, 'docs/walkthrough');
const LEVELS = ['L3', 'L3/L4', 'L4/L5', 'L5/S1'] as const;

test.use({ viewport: { width: 1440, height: 900 } });

/**
 * A screenshot as a 256-colour PNG (fast-png decodes and encodes; the colour reduction is ours, a few
 * lines, as no library we use has one): the palette is the 256 most frequent colours at 5 bits per
 * channel, every pixel takes the nearest. The UI has few colours and the CT greys keep 32 levels, so the
 * picture stays true while the file stays small enough to commit (<= 200 KB).
 */
function toPalettePng(png: Buffer): Uint8Array {
  const img = decode(png);
  const ch = img.channels;
  const n = img.width * img.height;
  const bin = (p: number) => ((img.data[p * ch]! >> 3) << 10) | ((img.data[p * ch + 1]! >> 3) << 5) | (img.data[p * ch + 2]! >> 3);
  const counts = new Map<number, number>();
  for (let p = 0; p < n; p++) counts.set(bin(p), (counts.get(bin(p)) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 256).map(([b]) => b);
  const rgb = (b: number): [number, number, number] => [((b >> 10) << 3) | 4, (((b >> 5) & 31) << 3) | 4, ((b & 31) << 3) | 4];
  const palette = top.map(rgb);
  const nearest = new Map<number, number>();
  const index = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const b = bin(p);
    let best = nearest.get(b);
    if (best === undefined) {
      const [r, g, bl] = rgb(b);
      let d0 = Infinity;
      for (const [q, [pr, pg, pb]] of palette.entries()) {
        const d = (pr - r) ** 2 + (pg - g) ** 2 + (pb - bl) ** 2;
        if (d < d0) ((d0 = d), (best = q));
      }
      nearest.set(b, best!);
    }
    index[p] = best!;
  }
  return encode({ width: img.width, height: img.height, data: index, depth: 8, channels: 1, palette });
}

async function shot(page: Page, name: string) {
  const file = path.join(SHOTS, `${name}.png`);
  writeFileSync(file, toPalettePng(await page.screenshot()));
  expect(statSync(file).size, `${name}.png`).toBeLessThanOrEqual(200 * 1024);
}

test('README walkthrough on the demo: open, import masks, confirm, export; the CSV is the demo truth', async ({ page }) => {
  mkdirSync(SHOTS, { recursive: true });
  // A fixed folder (emptied first), so the paths the screenshots show do not change from run to run.
  const base = path.join(os.tmpdir(), 'paraspine-walkthrough');
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base);
  const dir = path.join(base, 'demo');
  // The demo written beforehand with the built CLI (web.mjs --demo writes it the same way when missing).
  expect(spawnSync(process.execPath, ['bin/paraspine.mjs', 'demo', dir], { cwd: REPO_ROOT }).status).toBe(0);
  const truth = JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8')) as {
    seriesInstanceUid: string;
    levels: { level: string; sliceIndex: number }[];
    measurements: { level: string; muscle: string; side: string; pixels: number; areaMm2: number; leanAreaMm2: number; fatAreaMm2: number; fatFraction: number; meanHu: number }[];
  };
  const bridge = await startDemoBridge(dir, path.join(base, 'user-data'));
  try {
    const pageUrl = bridge.pageUrl;
    const errors = collectPageErrors(page);

    // 1. The demo opens with no click, and its workspace is set: a first change is saved at once.
    await page.goto(pageUrl);
    await expect(page.getByTestId('slice-input')).toBeVisible();
    expect((await getState(page)).seriesUid).toBe(truth.seriesInstanceUid);
    await expect(page.getByTestId('folder-input')).toHaveValue(path.join(dir, 'dicom'));
    await expect(page.getByTestId('workspace')).toHaveText(path.join(dir, 'workspace'));
    await expect(page.getByTestId('workspace-input')).toHaveCount(0);
    await expect(page.getByTestId('slice-load')).toHaveCount(0, { timeout: 60_000 });
    await shot(page, '1-open');
    await page.getByTestId('rater-input').fill('demo');

    // 2. Import the demo's masks (split on, the app's default): levels and outlines proposed, nothing failed.
    await expect(page.getByTestId('split-autochthon')).toBeChecked();
    await page.getByTestId('masks-path').fill(path.join(dir, 'masks'));
    await page.getByTestId('import-masks').click();
    await expect(page.getByTestId('import-result')).toHaveText(/outline\(s\)/, { timeout: 60_000 });
    await expect(page.getByTestId('import-result')).not.toContainText('failed');
    for (const l of truth.levels) await expect(page.getByTestId(`level-${l.level}`)).toHaveAttribute('data-slice', String(l.sliceIndex));
    await page.getByTestId(`level-L3`).getByRole('button', { name: 'L3', exact: true }).click();
    await expect.poll(async () => (await getState(page)).activeLevel).toBe('L3');
    await expect(page.getByTestId('proposal-bar')).toHaveAttribute('data-proposed', '4');
    // the multifidus / erector spinae cut of each side, on the fat plane, with handles to move it
    await expect(page.getByTestId('cut-left')).toBeVisible();
    await expect(page.getByTestId('cut-right')).toBeVisible();
    await shot(page, '2-imported');

    // 3. Confirm each level's proposals (the button; `c` does the same): no proposal left, no outline flagged.
    for (const level of LEVELS) {
      await page.getByTestId(`level-${level}`).getByRole('button', { name: level, exact: true }).click();
      await expect.poll(async () => (await getState(page)).activeLevel).toBe(level);
      await page.getByTestId('confirm-proposals').click();
      await expect(page.getByTestId('proposal-bar')).toHaveAttribute('data-proposed', '0');
      await expect(page.getByTestId(`level-${level}`)).toHaveAttribute('data-source', 'confirmed');
    }
    await page.getByTestId('level-L3').getByRole('button', { name: 'L3', exact: true }).click();
    await expect.poll(async () => (await getState(page)).activeLevel).toBe('L3');
    await expect(page.locator('[data-testid^="flag-"]')).toHaveCount(0);
    await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved', { timeout: 30_000 });
    await shot(page, '3-confirmed');

    // 4. Export the CSV and compare it with truth.json: every level, muscle and side.
    await page.getByTestId('export-csv').click();
    await expect(page.getByTestId('export-path')).toHaveText(/\.csv$/);
    const csvPath = (await page.getByTestId('export-path').textContent())!;
    expect(csvPath.startsWith(path.join(dir, 'workspace'))).toBe(true);
    await shot(page, '4-exported');
    const csv = parseCsv(readFileSync(csvPath, 'utf8')) as string[][];
    const header = csv[0]!;
    const cell = (r: string[], name: string) => r[header.indexOf(name)]!;
    // the muscle rows (the L1 trabecular ROI proposed from vertebrae_L1 has its own row)
    const rows = csv.slice(1).filter((r) => ['psoas', 'quadratusLumborum', 'erectorSpinae', 'multifidus'].includes(cell(r, 'muscle')));
    const muscles = truth.measurements.filter((t) => t.muscle !== 'autochthon');
    expect(rows.length).toBe(muscles.length);
    for (const t of muscles) {
      const r = rows.find((x) => cell(x, 'level') === t.level && cell(x, 'muscle') === t.muscle && cell(x, 'side') === t.side);
      const what = `${t.level} ${t.muscle} ${t.side}`;
      expect(r, what).toBeDefined();
      expect(Number(cell(r!, 'pixels')), what).toBe(t.pixels);
      expect(Number(cell(r!, 'areaMm2')), what).toBeCloseTo(t.areaMm2, 6);
      expect(Number(cell(r!, 'leanAreaMm2')), what).toBeCloseTo(t.leanAreaMm2, 6);
      expect(Number(cell(r!, 'fatAreaMm2')), what).toBeCloseTo(t.fatAreaMm2, 6);
      expect(Number(cell(r!, 'fatFraction')), what).toBeCloseTo(t.fatFraction, 6);
      expect(Number(cell(r!, 'meanHu')), what).toBeCloseTo(t.meanHu, 6);
      expect(cell(r!, 'flags'), what).toBe('');
      expect(cell(r!, 'origin'), what).toMatch(/^(imported|confirmed)$/);
    }
    expect(errors).toEqual([]);
  } finally {
    await bridge.stop();
    rmSync(base, { recursive: true, force: true });
  }
});
