/**
 * Smoke test of the real Electron app. Runs where an Electron binary can start (a user's machine,
 * after `npm run build`); elsewhere it is skipped with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { REPO_ROOT } from './bridge';

/** Where the electron package keeps its binary; never require('electron') (that starts a download). */
function electronBinary(): { path: string | null; reason: string } {
  const pkg = path.join(REPO_ROOT, 'node_modules/electron');
  const pathTxt = path.join(pkg, 'path.txt');
  if (!existsSync(pathTxt)) return { path: null, reason: 'the Electron binary is not installed on this machine (node_modules/electron/path.txt is missing: it is downloaded on first start where the network allows)' };
  const p = path.join(pkg, 'dist', readFileSync(pathTxt, 'utf8').trim());
  if (!existsSync(p)) return { path: null, reason: `the Electron binary ${p} is missing` };
  return { path: p, reason: '' };
}

const bin = electronBinary();
const mainJs = path.join(REPO_ROOT, 'out/main/index.js');

test('Electron app starts and shows the renderer', async () => {
  test.skip(!bin.path, `Skipped: ${bin.reason}.`);
  test.skip(!existsSync(mainJs), 'Skipped: out/main/index.js is missing (run `npm run build` first).');
  const app = await electron.launch({ executablePath: bin.path!, args: [REPO_ROOT], cwd: REPO_ROOT });
  try {
    const win = await app.firstWindow();
    await expect(win.getByTestId('folder-input')).toBeVisible({ timeout: 60_000 });
    expect(await win.evaluate(() => typeof (window as unknown as { paraspine?: unknown }).paraspine)).toBe('object');
  } finally {
    await app.close();
  }
});
