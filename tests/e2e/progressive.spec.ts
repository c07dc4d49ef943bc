/**
 * A series opens slice by slice: the first slice is on screen while the rest is still loading. Made
 * deterministic by holding the page's series:slices requests after the first one (Playwright routes
 * them) until the test lets them through; no timing is asserted. The finished volume is compared with
 * the whole volume loaded in the test process from the same files; a range that fails leaves one line and no image.
 */
import path from 'node:path';
import { expect, test, type Page, type Route } from '@playwright/test';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getState, loadVolume, setWorkspace } from './helpers';

const J2K = path.resolve(REPO_ROOT, '../shared/data/ct-thorax-j2k/dicom');
const SLICES = 20;
const FIRST = SLICES / 2; // no level marked: the middle slice comes first
const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

/** Lets the first series:slices request of each opening through and holds the others until released. */
async function holdSlices(page: Page) {
  const held: Route[] = [];
  const seen: { start: number; count: number }[] = [];
  let passAll = false;
  let failNext: string | null = null;
  await page.route('**/api/series:slices', async (route) => {
    const [, range] = JSON.parse(route.request().postData() ?? '[]') as [unknown, { start: number; count: number }];
    seen.push(range);
    if (failNext !== null && seen.length > 1) {
      const error = failNext;
      failNext = null;
      await route.fulfill({ status: 422, contentType: 'application/json', body: JSON.stringify({ error, kind: 'input' }) });
      return;
    }
    if (passAll || seen.length === 1) await route.continue();
    else held.push(route);
  });
  return {
    seen,
    held,
    reset() {
      seen.length = 0;
      passAll = false;
    },
    failTheNextWith(message: string) {
      failNext = message;
    },
    async release() {
      passAll = true;
      for (const r of held.splice(0)) await r.continue();
    },
  };
}

/** Whether the axial canvas shows an image (enough lit pixels in its centre). */
const canvasLit = (page: Page) =>
  page.evaluate(() => {
    const canvas = document.querySelector('[data-testid="axial-viewport"] canvas') as HTMLCanvasElement | null;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || canvas.width < 8) return false;
    const w = Math.min(128, canvas.width);
    const h = Math.min(128, canvas.height);
    const px = ctx.getImageData((canvas.width - w) >> 1, (canvas.height - h) >> 1, w, h).data;
    let lit = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i]! + px[i + 1]! + px[i + 2]! > 30) lit++;
    return lit > (w * h) / 20;
  });

/** FNV-1a of bytes (the page's volume and the bridge's whole volume are hashed the same way). */
function fnv(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h;
}

test('the first slice is shown while the others load; the finished volume is the whole volume; a failed range leaves no image', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.addInitScript(() => sessionStorage.setItem('paraspine-perf', '1')); // window.__paraspinePerf.store
  const slices = await holdSlices(page);
  await page.goto(bridge.pageUrl);
  await setWorkspace(page, bridge);
  await page.getByTestId('folder-input').fill(J2K);
  await page.getByTestId('open-folder').click();
  await expect(page.getByTestId('series-row')).toHaveCount(1);
  await page.getByTestId('series-row').first().click();

  // The first slice is on screen; every other range is still held.
  const vp = page.getByTestId('axial-viewport');
  await expect(vp).toHaveAttribute('data-series', 'loading');
  await expect(page.getByTestId('slice-load')).toContainText(`Loading slices 1 / ${SLICES}`);
  await expect(page.getByTestId('viewer-slice-load')).toContainText(`Loading slices 1 / ${SLICES}`);
  await expect.poll(() => slices.held.length).toBe(2); // the next two ranges, asked for and waiting
  expect(slices.seen[0]).toEqual({ start: FIRST, count: 1 });
  expect(slices.seen.slice(1)).toEqual([
    { start: FIRST + 1, count: 5 },
    { start: 0, count: 10 },
  ]); // the ranges nearest the slice shown (8 slices on a grid of 8, then of 16)
  await expect(page.getByTestId('slice-number')).toHaveText(String(FIRST + 1));
  await expect.poll(() => page.evaluate(() => (window as unknown as { __paraspineViewer: { currentImageIndex(): number | null } }).__paraspineViewer.currentImageIndex())).toBe(FIRST);
  await expect.poll(() => page.evaluate(() => (window as unknown as { __paraspineViewer: { imageSharesVolume(): boolean | null } }).__paraspineViewer.imageSharesVolume())).toBe(true);
  await expect.poll(() => canvasLit(page)).toBe(true);
  await page.screenshot({ path: `${SHOTS}/40-first-slice-while-loading.png` });

  // What needs every slice waits, and says so; nothing in the document changes meanwhile.
  await expect(page.getByTestId('metrics')).toHaveCount(0);
  await expect(page.getByTestId('toolbar')).toHaveCount(0);
  await expect(page.getByTestId('slice-load-panel')).toHaveCount(2);
  await page.locator('body').click({ position: { x: 5, y: 990 } });
  await page.keyboard.press('1');
  await expect(page.getByTestId('toast')).toContainText(`Loading slices 1 / ${SLICES}: marking, outlining and editing start when every slice is in`);
  // A slice not loaded yet: the readout says so and no other slice's image stays under its number.
  await page.keyboard.press('Home');
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(0);
  await expect(page.getByTestId('slice-pending')).toBeVisible();
  await expect(vp).toHaveClass(/slice-pending/);

  // Let the rest through: the volume is complete and equals the whole volume loaded here.
  await slices.release();
  await expect(vp).toHaveAttribute('data-series', 'shown');
  await expect(page.getByTestId('slice-load')).toHaveCount(0);
  await expect(page.getByTestId('slice-input')).toBeVisible();
  await expect(page.getByTestId('metrics')).toBeVisible();
  await expect(vp).not.toHaveClass(/slice-pending/);
  await expect.poll(() => canvasLit(page)).toBe(true);
  const uid = (await getState(page)).seriesUid;
  const whole = await loadVolume(J2K, uid);
  const page_ = await page.evaluate(() => {
    const v = (window as unknown as { __paraspinePerf: { store: { getState(): { volume: { hu: Int16Array | Float32Array } | null } } } }).__paraspinePerf.store.getState().volume!;
    const b = new Uint8Array(v.hu.buffer, v.hu.byteOffset, v.hu.byteLength);
    let h = 0x811c9dc5;
    for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193) >>> 0;
    return { type: v.hu.constructor.name, length: v.hu.length, hash: h };
  });
  expect(page_).toEqual({ type: whole.hu.constructor.name, length: whole.hu.length, hash: fnv(new Uint8Array(whole.hu.buffer, whole.hu.byteOffset, whole.hu.byteLength)) });
  const asked = slices.seen.flatMap((r) => Array.from({ length: r.count }, (_, i) => r.start + i)).sort((a, b) => a - b);
  expect(asked).toEqual(Array.from({ length: SLICES }, (_, k) => k)); // every slice once

  // Opened again with a range that fails: one line naming the slices, no image, no document.
  slices.reset();
  slices.failTheNextWith('/data/IM0007.dcm: JPEG 2000 codestream is truncated');
  await page.getByTestId('series-row').first().click();
  await expect(page.getByTestId('error')).toContainText(`of ${SLICES} could not be loaded: /data/IM0007.dcm: JPEG 2000 codestream is truncated`);
  await expect(page.getByTestId('error')).toHaveText(/^Slices? \d+(\.\.\d+)? of 20 could not be loaded: [^\n]*$/);
  await expect(vp).toHaveAttribute('data-series', 'none');
  await expect(page.getByTestId('empty-state')).toContainText('The series could not be opened');
  await expect(page.getByTestId('slice-load')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/41-range-failed.png` });
  await slices.release();
  expect(errors).toEqual([]);
});
