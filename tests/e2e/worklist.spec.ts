/**
 * The worklist in browser mode (Debian's Chromium): a cohort folder of three phantom series (the tests'
 * DICOM writer) opened in the Worklist panel; a line opened (its lock taken in the workspace), a level
 * marked and saved: the line shows in progress, its lock this app's. A second "user" (a lock file written
 * here, as another Paraspine on another computer would) holds another line: opening it asks, read-only
 * is chosen, the banner says who holds it, nothing is saved, and the first line's lock is released.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, setWorkspace, waitSaved } from './helpers';

const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');
const uid = (n: number) => `1.2.826.0.1.3680043.10.1459.2.${900 + n}`;

let bridge: RunningBridge;
let cohort: string;
test.beforeAll(async () => {
  cohort = mkdtempSync(path.join(os.tmpdir(), 'paraspine-cohort-'));
  for (const n of [1, 2, 3]) {
    const ph = makePhantomSeries({ seriesInstanceUid: uid(n), slices: 6, rows: 96, columns: 84 });
    const dir = path.join(cohort, `patient-${n}`);
    mkdirSync(dir);
    for (const f of ph.files) writeFileSync(path.join(dir, f.name), f.bytes);
  }
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

test('worklist: open a cohort folder, open a line, save: in progress; a line locked by someone else opens read-only', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto(bridge.pageUrl);
  await setWorkspace(page, bridge);
  await page.getByTestId('rater-input').fill('Ann');

  await page.getByTestId('worklist-toggle').click();
  await page.getByTestId('worklist-path').fill(cohort);
  await page.getByTestId('worklist-open').click();
  const lines = page.getByTestId('worklist-line');
  await expect(lines).toHaveCount(3);
  const line = (id: string) => page.locator(`[data-testid="worklist-line"][data-id="${id}"]`);
  for (const n of [1, 2, 3]) await expect(line(`patient-${n}`)).toHaveAttribute('data-state', 'not started');

  // Open a line: its lock is taken in the workspace, the series opens as a folder's does.
  await line('patient-1').getByTestId('worklist-line-open').click();
  await expect(page.getByTestId('slice-input')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('slice-load')).toHaveCount(0, { timeout: 60_000 });
  const lock1 = path.join(bridge.workspace, `${uid(1)}.lock`);
  expect(JSON.parse(readFileSync(lock1, 'utf8'))).toMatchObject({ rater: 'Ann', pid: expect.any(Number) });
  await expect(line('patient-1')).toHaveAttribute('data-locked', 'mine');

  // An edit (L3 marked on the slice shown, key 1) is saved: the line shows in progress.
  await page.locator('body').press('1');
  await waitSaved(page);
  await page.getByTestId('worklist-refresh').click();
  await expect(line('patient-1')).toHaveAttribute('data-state', 'in progress');
  await expect(line('patient-1')).toContainText('Ann');

  // A second user, on another computer, holds patient-2 (a fresh lock).
  const since = new Date().toISOString();
  writeFileSync(path.join(bridge.workspace, `${uid(2)}.lock`), JSON.stringify({ rater: 'Bea', host: 'ward-pc-7', pid: 31337, since, refreshed: since, token: 'bea-token' }));
  await page.getByTestId('worklist-refresh').click();
  await expect(line('patient-2')).toHaveAttribute('data-locked', 'other');
  await expect(line('patient-2').getByTestId('worklist-line-lock')).toContainText('locked: Bea on ward-pc-7');

  // Opening it asks: read-only or cancel (no take over: the lock is fresh).
  await line('patient-2').getByTestId('worklist-line-open').click();
  const dialog = page.getByTestId('question');
  await expect(dialog).toHaveAttribute('data-kind', 'worklistLock');
  await expect(dialog).toContainText('patient-2 is being annotated by Bea on ward-pc-7');
  await expect(dialog.getByTestId('answer-takeOver')).toHaveCount(0);
  await dialog.getByTestId('answer-readOnly').click();
  await expect(page.getByTestId('read-only-banner')).toContainText('Read-only: this series is locked by Bea on ward-pc-7');
  await expect(page.getByTestId('slice-load')).toHaveCount(0, { timeout: 60_000 });
  // Switching away from patient-1 released its lock; Bea's is untouched.
  await expect.poll(() => existsSync(lock1)).toBe(false);
  expect(JSON.parse(readFileSync(path.join(bridge.workspace, `${uid(2)}.lock`), 'utf8'))).toMatchObject({ rater: 'Bea', token: 'bea-token' });

  // Read-only: an edit changes nothing and nothing is written.
  await page.locator('body').press('1');
  await expect(page.getByTestId('toast')).toContainText('Read-only');
  expect((await getDoc(page))?.levels ?? []).toEqual([]);
  expect(existsSync(path.join(bridge.workspace, `${uid(2)}.json`))).toBe(false);

  await page.getByTestId('worklist-refresh').click();
  await expect(line('patient-1')).toHaveAttribute('data-locked', '');
  await expect(page.getByTestId('worklist-open')).toHaveText('Open cohort'); // the refresh is done
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/70-worklist-read-only.png` });
  expect(errors).toEqual([]);
});
