/**
 * The outline commands in Chromium on the 3 mm CT: the left psoas at L3 is region-grown (the default
 * range leaks; cutting bridges up to 4 px wide leaves the psoas, checked against the mask), then smooth
 * (`u`) and simplify (`i`) keep its area within 2%, snap (`n`) moves vertices by at most 2 px, mirror
 * (`h`) copies it to the right across the spine, propagate (`j`) copies both psoas outlines to the
 * L3/L4 slice. Each step is read back from the document (the last from the file on disk) and checked
 * against geometry computed here (shoelace areas, pixel centroids) and against TotalSegmentator's
 * iliopsoas masks of this CT (read from the NIfTI files by the Node mask loader, not by the app).
 * Screenshots before and after each command: test-results/screenshots/cmd-*.png.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { AnnotationDocument, Roi } from '../../src/core/annotations/document';
import { contourMask, lpsToSliceIj } from '../../src/core/roi/contour';
import type { HuVolume } from '../../src/core/volume';
import { loadMasks } from '../../src/node/masks';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, getState, openSeries, waitSaved } from './helpers';

const DATA = path.resolve(REPO_ROOT, '../shared/data');
const DICOM = path.join(DATA, 'ct-abdomen-3mm/dicom');
const MASKS = path.join(DATA, 'ct-abdomen-3mm/masks');
const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');
// Data README / levels: L3 body centre on slice index 73, the L3/L4 disc on 67.
const L3_SLICE = 73;
const L3L4_SLICE = 67;

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

const one = (doc: AnnotationDocument | null, level: string, muscle: string, side: string): Roi => {
  const found = (doc?.rois ?? []).filter((r) => r.level === level && r.muscle === muscle && r.side === side);
  expect(found, `${level} ${muscle} ${side}`).toHaveLength(1);
  return found[0]!;
};
const ij = (volume: HuVolume, r: Roi) => lpsToSliceIj(volume.geometry, r.sliceIndex, r.pointsLps);
/** Shoelace area in pixels², unsigned. */
const shoelace = (pts: readonly (readonly [number, number])[]) => Math.abs(pts.reduce((s, p, n) => s + (pts[(n + pts.length - 1) % pts.length]![0] * p[1] - p[0] * pts[(n + pts.length - 1) % pts.length]![1]), 0)) / 2;
function pixels(volume: HuVolume, r: Roi): Set<number> {
  const out = new Set<number>();
  contourMask(volume.geometry, r.sliceIndex, r.pointsLps).forEach((v, p) => v && out.add(p));
  return out;
}
function centroid(volume: HuVolume, px: Set<number>): [number, number] {
  const c = volume.geometry.columns;
  let si = 0;
  let sj = 0;
  for (const p of px) {
    si += p % c;
    sj += Math.floor(p / c);
  }
  return [si / px.size, sj / px.size];
}
const shot = (page: Page, name: string) => page.screenshot({ path: `${SHOTS}/cmd-${name}.png` });

test('smooth, simplify, snap, mirror and propagate on the 3 mm CT; the saved document holds what they made', async ({ page }) => {
  const errors = collectPageErrors(page);
  const volume = await openSeries(page, bridge, DICOM);
  const g = volume.geometry;
  const { masks } = await loadMasks(MASKS, g, { include: (n) => n.startsWith('iliopsoas_'), slices: [L3_SLICE, L3L4_SLICE] });
  const maskPx = (name: string, k: number) => {
    const m = masks.find((x) => x.name === name)!.data;
    const out = new Set<number>();
    for (let p = 0; p < g.rows * g.columns; p++) if (m[k * g.rows * g.columns + p]) out.add(p);
    return out;
  };
  const goTo = async (k: number) => {
    await page.getByTestId('slice-input').fill(String(k + 1)); // 1-based position
    await page.getByTestId('slice-input').blur(); // the shortcuts below are not typed into the field
    await expect.poll(async () => (await getState(page)).sliceIndex).toBe(k);
  };

  // --- L3 on slice 73; grow the left psoas from the mask's most central pixel with the default range
  // (-29..150 HU, 8-connected): at 3 mm it leaks into its neighbours and is refused; cutting bridges up
  // to 4 px wide leaves the psoas.
  await goTo(L3_SLICE);
  await page.keyboard.press('1');
  const psoasL3 = maskPx('iliopsoas_left', L3_SLICE);
  const [ci, cj] = centroid(volume, psoasL3);
  const seed = [...psoasL3].filter((p) => volume.hu[L3_SLICE * g.rows * g.columns + p]! >= 0).sort((a, b) => Math.hypot((a % g.columns) - ci, Math.floor(a / g.columns) - cj) - Math.hypot((b % g.columns) - ci, Math.floor(b / g.columns) - cj))[0]!;
  await page.keyboard.press('t');
  await expect(page.getByTestId('tool-range')).toHaveText('-29..150 HU');
  await page.keyboard.press('p');
  await page.keyboard.press('l');
  const [sx, sy] = await page.evaluate(([a, b]) => (window as unknown as { __paraspineViewer: { ijToClient(i: number, j: number): [number, number] } }).__paraspineViewer.ijToClient(a!, b!), [seed % g.columns, Math.floor(seed / g.columns)]);
  await page.mouse.click(sx, sy);
  await expect(page.getByTestId('tool-hint')).toContainText('Leaked');
  expect((await getDoc(page))?.rois ?? []).toEqual([]);
  await page.getByTestId('grow-bridge-cut').selectOption('2');
  await page.mouse.click(sx, sy);
  await expect.poll(async () => (await getDoc(page))?.rois.length).toBe(1);
  const grown = one(await getDoc(page), 'L3', 'psoas', 'left');
  const grownPx = pixels(volume, grown);
  expect((2 * [...grownPx].filter((p) => psoasL3.has(p)).length) / (grownPx.size + psoasL3.size)).toBeGreaterThanOrEqual(0.85);
  await shot(page, 'grow-cut-bridges');
  await page.getByTestId('check-psoas-left').getByRole('button').click();
  await expect.poll(async () => (await getState(page) as unknown as { selectedRoiId: string }).selectedRoiId).toBe(grown.id);
  await shot(page, 'smooth-before');

  // --- Smooth (Chaikin: twice the vertices) then simplify (fewer), each within 2% of the area it started from.
  await page.keyboard.press('u');
  await expect.poll(async () => one(await getDoc(page), 'L3', 'psoas', 'left').pointsLps.length).toBeGreaterThan(grown.pointsLps.length);
  const smoothed = one(await getDoc(page), 'L3', 'psoas', 'left');
  const area0 = shoelace(ij(volume, grown));
  expect(Math.abs(shoelace(ij(volume, smoothed)) - area0)).toBeLessThanOrEqual(0.02 * area0);
  await shot(page, 'smooth-after');
  await page.keyboard.press('i');
  await expect.poll(async () => one(await getDoc(page), 'L3', 'psoas', 'left').pointsLps.length).toBeLessThan(smoothed.pointsLps.length);
  const simplified = one(await getDoc(page), 'L3', 'psoas', 'left');
  const area1 = shoelace(ij(volume, smoothed));
  expect(Math.abs(shoelace(ij(volume, simplified)) - area1)).toBeLessThanOrEqual(0.02 * area1);
  expect(simplified.id).toBe(grown.id);
  await shot(page, 'simplify-after');

  // --- Snap: the same vertices, each moved by at most 2 px, some of them moved.
  await page.keyboard.press('n');
  await expect.poll(async () => JSON.stringify(one(await getDoc(page), 'L3', 'psoas', 'left').pointsLps)).not.toBe(JSON.stringify(simplified.pointsLps));
  const snapped = one(await getDoc(page), 'L3', 'psoas', 'left');
  const before = ij(volume, simplified);
  const after = ij(volume, snapped);
  expect(after).toHaveLength(before.length);
  const moved = after.map((p, n) => Math.hypot(p[0] - before[n]![0], p[1] - before[n]![1]));
  expect(Math.max(...moved)).toBeLessThanOrEqual(2 + 1e-6);
  expect(moved.filter((d) => d > 1e-6).length).toBeGreaterThan(0);
  await shot(page, 'snap-after');

  // --- Mirror to the right: the same rows, about as many pixels, on the other side of the spine, and
  // (the anatomy being nearly symmetric) mostly inside TotalSegmentator's right iliopsoas.
  const left = pixels(volume, snapped);
  await page.keyboard.press('h');
  await expect.poll(async () => (await getDoc(page))?.rois.length).toBe(2);
  const mirrored = pixels(volume, one(await getDoc(page), 'L3', 'psoas', 'right'));
  const [li, lj] = centroid(volume, left);
  const [mi, mj] = centroid(volume, mirrored);
  expect(Math.abs(mirrored.size - left.size)).toBeLessThanOrEqual(0.1 * left.size);
  expect(Math.abs(mj - lj)).toBeLessThan(0.5);
  expect(Math.sign(mi - g.columns / 2)).toBe(-Math.sign(li - g.columns / 2));
  const rightMask = maskPx('iliopsoas_right', L3_SLICE);
  expect([...mirrored].filter((p) => rightMask.has(p)).length).toBeGreaterThanOrEqual(0.5 * mirrored.size);
  await shot(page, 'mirror-after');

  // --- Mark L3/L4 on slice 67, go back to L3 and propagate both psoas outlines there.
  await goTo(L3L4_SLICE);
  await page.keyboard.press('2');
  await expect.poll(async () => (await getDoc(page))?.levels.find((l) => l.level === 'L3/L4')?.sliceIndex).toBe(L3L4_SLICE);
  await page.keyboard.press('Shift+1');
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L3_SLICE);
  await page.getByTestId('propagate-target').selectOption('L3/L4');
  await page.keyboard.press('j');
  await expect.poll(async () => (await getDoc(page))?.rois.filter((r) => r.level === 'L3/L4').length).toBe(2);
  await page.keyboard.press('Shift+2');
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(L3L4_SLICE);
  await shot(page, 'propagate-after');

  await page.evaluate(() => (window as unknown as { __paraspine: { flush(): Promise<void> } }).__paraspine.flush());
  const saved = JSON.parse(readFileSync(await waitSaved(page), 'utf8')) as AnnotationDocument;
  expect(saved.rois.find((r) => r.id === grown.id)?.pointsLps).toEqual(snapped.pointsLps);
  for (const side of ['left', 'right'] as const) {
    const r = one(saved, 'L3/L4', 'psoas', side);
    expect([r.sliceIndex, r.source]).toEqual([L3L4_SLICE, 'propagated']); // a proposal until confirmed
    // Six millimetres lower the psoas is about where it was at L3: the copy, adapted to the new slice's
    // edges, lies mostly inside TotalSegmentator's iliopsoas there.
    const dst = pixels(volume, r);
    const src = pixels(volume, one(saved, 'L3', 'psoas', side));
    expect(dst.size, side).toBeGreaterThanOrEqual(0.6 * src.size);
    expect(dst.size, side).toBeLessThanOrEqual(1.4 * src.size);
    const there = maskPx(`iliopsoas_${side}`, L3L4_SLICE);
    expect([...dst].filter((p) => there.has(p)).length, side).toBeGreaterThanOrEqual(0.6 * dst.size);
  }
  expect(errors).toEqual([]);
});
