/**
 * Propagate and mirror make proposals, in Chromium on the 3 mm CT: the left psoas is region-grown at L3,
 * mirrored (`h`) to the right, and both are propagated (`j`) to L4/L5. There they are dashed proposals
 * (source `propagated`), the checklist shows them with ? and does not count them done, the message line
 * says they are proposals; the saved document holds source `propagated` and the CSV `origin`
 * `propagated`. `c` confirms them: solid, done, source `confirmed` (proposedBy `propagated`) in the
 * saved document and `confirmed` in the CSV. Screenshot of the dashed proposal:
 * test-results/screenshots/propagated-proposal-L4L5.png (and -confirmed.png after `c`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { lpsToSliceIj } from '../../src/core/roi/contour';
import { loadMasks } from '../../src/node/masks';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, getState, openSeries, waitSaved } from './helpers';

const DATA = path.resolve(REPO_ROOT, '../shared/data');
const DICOM = path.join(DATA, 'ct-abdomen-3mm/dicom');
const MASKS = path.join(DATA, 'ct-abdomen-3mm/masks');
const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');
// Data README / levels: L3 body centre on slice index 73, the L4/L5 disc on 55.
const L3_SLICE = 73;
const L4L5_SLICE = 55;

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

type Hook = { ijToClient(i: number, j: number): [number, number]; lineDashOf(id: string): string | null };
const lineDash = (page: Page, id: string) => page.evaluate((x) => (window as unknown as { __paraspineViewer: Hook }).__paraspineViewer.lineDashOf(x), id);

/** RFC 4180 rows (quoted cells may hold commas: the flags column). */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let n = 0; n < text.length; n++) {
    const ch = text[n]!;
    if (quoted) {
      if (ch === '"' && text[n + 1] === '"') (cell += '"'), n++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[n + 1] === '\n') n++;
      row.push(cell), rows.push(row), (row = []), (cell = '');
    } else cell += ch;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}

async function exportCsv(page: Page): Promise<(level: string, muscle: string, side: string) => Record<string, string>> {
  await page.getByTestId('export-csv').click();
  await expect(page.getByTestId('export-path')).toHaveText(/\.csv$/);
  const [header, ...rows] = csvRows(readFileSync((await page.getByTestId('export-path').textContent())!, 'utf8').trim());
  return (level, muscle, side) => {
    const r = rows.find((x) => x[header!.indexOf('level')] === level && x[header!.indexOf('muscle')] === muscle && x[header!.indexOf('side')] === side);
    expect(r, `${level} ${muscle} ${side} in the CSV`).toBeTruthy();
    return Object.fromEntries(header!.map((h, n) => [h, r![n]!]));
  };
}

async function savedDoc(page: Page): Promise<AnnotationDocument> {
  await page.evaluate(() => (window as unknown as { __paraspine: { flush(): Promise<void> } }).__paraspine.flush());
  return JSON.parse(readFileSync(await waitSaved(page), 'utf8')) as AnnotationDocument;
}

test('propagate from L3 to L4/L5 makes dashed proposals the checklist does not tick; c confirms them; document and CSV say so', async ({ page }) => {
  const errors = collectPageErrors(page);
  const volume = await openSeries(page, bridge, DICOM);
  const g = volume.geometry;
  const plane = g.rows * g.columns;
  const { masks } = await loadMasks(MASKS, g, { include: (n) => n === 'iliopsoas_left', slices: [L3_SLICE] });
  const psoasL3 = [...Array(plane).keys()].filter((p) => masks[0]!.data[L3_SLICE * plane + p]);
  const goTo = async (k: number) => {
    await page.getByTestId('slice-input').fill(String(k + 1)); // the field takes the position from the feet (1-based)
    await page.getByTestId('slice-input').blur();
    await expect.poll(async () => (await getState(page)).sliceIndex).toBe(k);
  };

  // L3 on slice 73: grow the left psoas (cut bridges up to 4 px: the default range leaks at 3 mm) from
  // the mask's muscle pixel nearest its centroid, select it, mirror it to the right (`h`).
  await goTo(L3_SLICE);
  await page.keyboard.press('1');
  const ci = psoasL3.reduce((s, p) => s + (p % g.columns), 0) / psoasL3.length;
  const cj = psoasL3.reduce((s, p) => s + Math.floor(p / g.columns), 0) / psoasL3.length;
  const seed = psoasL3.filter((p) => volume.hu[L3_SLICE * plane + p]! >= 0).sort((a, b) => Math.hypot((a % g.columns) - ci, Math.floor(a / g.columns) - cj) - Math.hypot((b % g.columns) - ci, Math.floor(b / g.columns) - cj))[0]!;
  await page.keyboard.press('t');
  await page.keyboard.press('p');
  await page.keyboard.press('l');
  await page.getByTestId('grow-bridge-cut').selectOption('2');
  const [sx, sy] = await page.evaluate(([i, j]) => (window as unknown as { __paraspineViewer: Hook }).__paraspineViewer.ijToClient(i!, j!), [seed % g.columns, Math.floor(seed / g.columns)]);
  await page.mouse.click(sx, sy);
  await expect.poll(async () => (await getDoc(page))?.rois.length).toBe(1);
  const grown = (await getDoc(page))!.rois[0]!;
  expect(grown.source).toBe('drawn');
  await page.getByTestId('check-psoas-left').getByRole('button').click();
  await page.keyboard.press('h');
  await expect.poll(async () => (await getDoc(page))?.rois.length).toBe(2);
  const mirrored = (await getDoc(page))!.rois.find((r) => r.id !== grown.id)!;
  expect([mirrored.side, mirrored.source]).toEqual(['right', 'mirrored']);
  await expect(page.getByTestId('tool-hint')).toContainText('as a proposal (dashed)');
  await expect(page.getByTestId('check-psoas-right')).toHaveAttribute('data-done', 'no');
  await expect(page.getByTestId('check-proposed-psoas-right')).toHaveText(/mirrored/);
  await expect.poll(() => lineDash(page, mirrored.id)).toBe('6,4');
  await expect.poll(() => lineDash(page, grown.id)).toBe('');

  // Mark L4/L5 on slice 55, back to L3 (Shift+1), pick L4/L5 as the target and propagate (`j`).
  await goTo(L4L5_SLICE);
  await page.keyboard.press('3');
  await expect.poll(async () => (await getDoc(page))?.levels.find((l) => l.level === 'L4/L5')?.sliceIndex).toBe(L4L5_SLICE);
  await page.keyboard.press('Shift+1');
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L3_SLICE);
  await page.getByTestId('propagate-target').selectOption('L4/L5');
  await page.keyboard.press('j');
  await expect.poll(async () => (await getDoc(page))?.rois.filter((r) => r.level === 'L4/L5').length).toBe(2);
  await expect(page.getByTestId('tool-hint')).toContainText('Propagated 2 outline(s) from L3 to L4/L5 (slice 56 (IN 56)) as proposals (dashed, not done until confirmed: c at L4/L5)');

  // At L4/L5 (Shift+3): two dashed proposals, the checklist shows ? and counts none of them done.
  await page.keyboard.press('Shift+3');
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L4L5_SLICE);
  const props = (await getDoc(page))!.rois.filter((r) => r.level === 'L4/L5');
  expect(props.map((r) => `${r.muscle} ${r.side} ${r.source} ${r.sliceIndex}`).sort()).toEqual([`psoas left propagated ${L4L5_SLICE}`, `psoas right propagated ${L4L5_SLICE}`]);
  for (const side of ['left', 'right']) {
    await expect(page.getByTestId(`check-psoas-${side}`)).toHaveAttribute('data-done', 'no');
    await expect(page.getByTestId(`check-psoas-${side}`).locator('.tick')).toHaveText('?');
    await expect(page.getByTestId(`check-proposed-psoas-${side}`)).toHaveText(/propagated/);
  }
  await expect(page.getByTestId('roipanel').locator('.panel-title')).toContainText('0/8');
  await expect(page.getByTestId('proposal-bar')).toHaveAttribute('data-proposed', '2');
  for (const r of props) await expect.poll(() => lineDash(page, r.id)).toBe('6,4');
  await page.screenshot({ path: `${SHOTS}/propagated-proposal-L4L5.png` });
  // The two outlines close up (the viewer's pixels 1:1): the dashes.
  const around = async () => {
    const pts = props.flatMap((r) => lpsToSliceIj(g, r.sliceIndex, r.pointsLps));
    const client = await Promise.all(pts.map(([i, j]) => page.evaluate(([a, b]) => (window as unknown as { __paraspineViewer: Hook }).__paraspineViewer.ijToClient(a!, b!), [i, j])));
    const xs = client.map((c) => c[0]);
    const ys = client.map((c) => c[1]);
    const x = Math.min(...xs) - 40;
    const y = Math.min(...ys) - 40;
    return { x, y, width: Math.max(...xs) + 40 - x, height: Math.max(...ys) + 40 - y };
  };
  await page.screenshot({ path: `${SHOTS}/propagated-proposal-L4L5-detail.png`, clip: await around() });

  // Saved and exported as proposals: source and origin `propagated`.
  const saved1 = await savedDoc(page);
  expect(saved1.rois.filter((r) => r.level === 'L4/L5').map((r) => `${r.side} ${r.source} ${r.proposedBy ?? '-'}`).sort()).toEqual(['left propagated -', 'right propagated -']);
  expect(saved1.rois.find((r) => r.id === mirrored.id)?.source).toBe('mirrored');
  const csv1 = await exportCsv(page);
  expect(csv1('L4/L5', 'psoas', 'left').origin).toBe('propagated');
  expect(csv1('L4/L5', 'psoas', 'right').origin).toBe('propagated');
  expect(csv1('L3', 'psoas', 'right').origin).toBe('mirrored');
  expect(csv1('L3', 'psoas', 'left').origin).toBe('drawn');

  // `c` confirms the active level's proposals: solid, ticked, source confirmed (proposedBy propagated).
  await page.getByTestId('tool-hint').hover(); // the pointer off the image; the key goes to the page
  await page.keyboard.press('c');
  await expect(page.getByTestId('check-psoas-left')).toHaveAttribute('data-done', 'yes');
  await expect(page.getByTestId('check-psoas-right')).toHaveAttribute('data-done', 'yes');
  await expect(page.getByTestId('check-psoas-left').locator('.tick')).toHaveText('✓');
  await expect(page.getByTestId('roipanel').locator('.panel-title')).toContainText('2/8');
  for (const r of props) await expect.poll(() => lineDash(page, r.id)).toBe('');
  await page.screenshot({ path: `${SHOTS}/propagated-proposal-L4L5-confirmed.png` });
  await page.screenshot({ path: `${SHOTS}/propagated-proposal-L4L5-confirmed-detail.png`, clip: await around() });
  const saved2 = await savedDoc(page);
  expect(saved2.rois.filter((r) => r.level === 'L4/L5').map((r) => `${r.side} ${r.source} ${r.proposedBy}`).sort()).toEqual(['left confirmed propagated', 'right confirmed propagated']);
  expect(saved2.rois.find((r) => r.id === mirrored.id)?.source).toBe('mirrored'); // L3 is not confirmed by `c` at L4/L5
  const csv2 = await exportCsv(page);
  expect(csv2('L4/L5', 'psoas', 'left').origin).toBe('confirmed');
  expect(csv2('L4/L5', 'psoas', 'right').origin).toBe('confirmed');
  expect(csv2('L3', 'psoas', 'right').origin).toBe('mirrored');
  expect(errors).toEqual([]);
});
