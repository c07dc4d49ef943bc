/**
 * Two tabs on the same bridge and series, as a user meets it: both open the series, the first marks
 * a level and saves; the second, still holding the older copy, marks another level: its save is
 * refused with a dialog that names the file (Reload / Keep both). "Keep both" writes this tab's copy as
 * a separate file in the workspace, read back here; the document on disk stays the first tab's. The
 * series is a phantom written by this test into a temporary folder.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, getState, setWorkspace, waitSaved } from './helpers';

const SHOT = process.env.PARASPINE_SHOT_DIR ?? os.tmpdir();

async function openIn(page: Page, bridge: RunningBridge, folder: string) {
  await page.goto(bridge.pageUrl);
  await setWorkspace(page, bridge);
  await page.getByTestId('folder-input').fill(folder);
  await page.getByTestId('open-folder').click();
  await page.getByTestId('series-row').first().click();
  await expect(page.getByTestId('toolbar')).toBeVisible(); // every slice in: edits are allowed
}

async function goToSlice(page: Page, k: number) {
  await page.getByTestId('slice-input').fill(String(k + 1)); // the field takes the position from the feet (1-based)
  await page.locator('body').click({ position: { x: 5, y: 990 } });
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(k);
}

test.describe('a stale tab never overwrites a newer document', () => {
  let bridge: RunningBridge;
  test.beforeAll(async () => {
    bridge = await startWebBridge();
  });
  test.afterAll(async () => {
    await bridge?.stop();
  });

  test('the second tab is refused with the message; keep both writes its copy beside the document', async ({ context }) => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'paraspine-conflict-'));
    for (const f of makePhantomSeries({ slices: 8, rows: 64, columns: 56 }).files) writeFileSync(path.join(folder, f.name), f.bytes);

    const first = await context.newPage();
    const second = await context.newPage();
    const errors = [...collectPageErrors(first), ...collectPageErrors(second)];
    await openIn(first, bridge, folder);
    await openIn(second, bridge, folder); // both hold the same (empty) document now

    await goToSlice(first, 5);
    await first.keyboard.press('1'); // L3 on slice index 5
    const docPath = await waitSaved(first);
    const onDisk = readFileSync(docPath);
    expect((JSON.parse(onDisk.toString()) as AnnotationDocument).levels.map((l) => [l.level, l.sliceIndex])).toEqual([['L3', 5]]);

    await goToSlice(second, 2);
    await second.keyboard.press('2'); // L3/L4 on slice index 2, in the older copy
    const dialog = second.getByTestId('save-conflict');
    await expect(dialog).toBeVisible();
    await expect(second.getByTestId('save-conflict-reason')).toHaveText(
      new RegExp(`^${path.basename(docPath).replace(/\./g, '\\.')} was saved .*from another window or tab, after this copy was opened: this copy was not saved; reload \\(this tab's changes are lost\\) or keep both`),
    );
    await expect(second.getByTestId('conflict-reload')).toHaveText("Reload (lose this tab's changes)");
    await expect(second.getByTestId('conflict-keep-both')).toHaveText("Keep both (save this tab's copy as a separate file)");
    await expect(second.getByTestId('save-status')).toHaveText('Not saved: a newer copy is on disk');
    await second.screenshot({ path: path.join(SHOT, 'paraspine-save-conflict.png') });
    expect(readFileSync(docPath).equals(onDisk)).toBe(true); // refused: the first tab's document is untouched
    // The dialog has the keyboard: a level key does not change this tab's copy.
    const before = await getDoc(second);
    await second.keyboard.press('3');
    expect(await getDoc(second)).toEqual(before);

    await second.getByTestId('conflict-keep-both').click();
    await expect(dialog).toBeHidden();
    const copies = readdirSync(bridge.workspace).filter((f) => f.startsWith(path.basename(docPath, '.json') + '.copy-'));
    expect(copies).toHaveLength(1);
    const copy = JSON.parse(readFileSync(path.join(bridge.workspace, copies[0]!), 'utf8')) as AnnotationDocument;
    expect(copy.levels.map((l) => [l.level, l.sliceIndex])).toEqual([['L3/L4', 2]]);
    expect(readFileSync(docPath).equals(onDisk)).toBe(true);
    await expect(second.getByTestId('toast')).toContainText(`This tab's copy was saved as ${copies[0]}`);
    // The second tab now shows the document on disk, and saves on from it.
    expect((await getDoc(second))!.levels.map((l) => [l.level, l.sliceIndex])).toEqual([['L3', 5]]);
    await second.screenshot({ path: path.join(SHOT, 'paraspine-save-conflict-kept.png') });
    await goToSlice(second, 3);
    await second.keyboard.press('4');
    await waitSaved(second);
    const now = JSON.parse(readFileSync(docPath, 'utf8')) as AnnotationDocument;
    expect(now.levels.map((l) => l.level).sort()).toEqual(['L3', 'L5/S1']);

    // Now the first tab holds the older copy: its edit is refused too; Reload drops it and shows the disk.
    const latest = readFileSync(docPath);
    await goToSlice(first, 6);
    await first.keyboard.press('3');
    await expect(first.getByTestId('save-conflict')).toBeVisible();
    await first.getByTestId('conflict-reload').click();
    await expect(first.getByTestId('save-conflict')).toBeHidden();
    expect((await getDoc(first))!.levels.map((l) => l.level).sort()).toEqual(['L3', 'L5/S1']);
    await expect(first.getByTestId('level-L4/L5')).not.toHaveAttribute('data-slice', '6');
    expect(readFileSync(docPath).equals(latest)).toBe(true);
    expect(readdirSync(bridge.workspace).filter((f) => f.includes('.copy-'))).toHaveLength(1); // reload writes no copy
    expect(errors).toEqual([]);
  });
});
