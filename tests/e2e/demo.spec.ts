/**
 * `npm run web -- --demo` in Debian's Chromium: the bridge started with `--open DIR` (what --demo passes
 * for the demo's series) gives a page address that opens DIR and its only series, with no click. The
 * demo is written by `paraspine demo` (the built CLI) into a temporary folder here (web.mjs --demo writes ./demo).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { REPO_ROOT } from './bridge';
import { collectPageErrors, getState } from './helpers';

test('the page opens the folder named by --open and its only series: the demo CT', async ({ page }) => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'paraspine-e2e-demo-'));
  const dir = path.join(base, 'demo');
  expect(spawnSync(process.execPath, ['bin/paraspine.mjs', 'demo', dir], { cwd: REPO_ROOT }).status).toBe(0);
  const demo = { dicom: path.join(dir, 'dicom') };
  const truth = JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8')) as { seriesInstanceUid: string };
  const child = spawn(process.execPath, ['scripts/web.mjs', '--user-data', path.join(base, 'user-data'), '--port', '0', '--open', demo.dicom], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PARASPINE_PORT: '' } });
  try {
    let out = '';
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const pageUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bridge did not print its address within 240 s:\n${out}`)), 240_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
        if (m) clearTimeout(timer), resolve(m[1]!);
      });
      child.on('exit', (code) => (clearTimeout(timer), reject(new Error(`bridge exited with ${code}:\n${out}`))));
    });
    expect(new URLSearchParams(new URL(pageUrl).hash.slice(1)).get('open')).toBe(demo.dicom);
    const errors = collectPageErrors(page);
    await page.goto(pageUrl);
    await expect(page.getByTestId('slice-input')).toBeVisible();
    expect((await getState(page)).seriesUid).toBe(truth.seriesInstanceUid);
    await expect(page.getByTestId('folder-input')).toHaveValue(demo.dicom);
    await page.screenshot({ path: path.join(REPO_ROOT, 'test-results/screenshots/demo-open.png') });
    expect(errors).toEqual([]);
  } finally {
    child.kill('SIGTERM');
    rmSync(base, { recursive: true, force: true });
  }
});
