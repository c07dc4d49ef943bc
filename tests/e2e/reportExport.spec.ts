/**
 * The reports from the app (browser mode in Debian's Chromium): outlines drawn with the mouse at L3, a
 * second level marked without outlines, then PDF, DICOM SR and DICOM SEG exported with the Export
 * buttons (the registry's formats, as the Electron Export menu lists them). The written files are read
 * back with tools that are not ours (pdftotext, dciodvfy) and dcmjs: the SR's area and mean are the
 * app's table; the CLI's PDF of the saved document is the app's PDF byte for byte; the level without
 * outlines says so on its page.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getDoc, getState, openSeries, waitSaved } from './helpers';

const DICOM = path.resolve(REPO_ROOT, '../shared/data/ct-abdomen-3mm/dicom');
// README (shared data): L3 on slice index 73; L4/L5 found at slice 55.
const L3_SLICE = 73;
const L45_SLICE = 55;

let bridge: RunningBridge;
test.beforeAll(async () => {
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

type Viewer = { ijToClient(i: number, j: number): [number, number] };
const ijToClient = (page: Page, i: number, j: number) => page.evaluate(([a, b]) => (window as unknown as { __paraspineViewer: Viewer }).__paraspineViewer.ijToClient(a!, b!), [i, j]);

function ellipse(ci: number, cj: number, ri: number, rj: number, n = 10): [number, number][] {
  return Array.from({ length: n }, (_, t) => [ci + ri * Math.cos((2 * Math.PI * t) / n), cj + rj * Math.sin((2 * Math.PI * t) / n)] as [number, number]);
}

async function drawPolygon(page: Page, pts: [number, number][]) {
  const client: [number, number][] = [];
  for (const [i, j] of pts) client.push(await ijToClient(page, i, j));
  for (const [x, y] of client) {
    await page.mouse.move(x, y, { steps: 3 });
    await page.mouse.click(x, y);
  }
  await page.mouse.move(client[0]![0], client[0]![1], { steps: 3 });
  await page.mouse.click(client[0]![0], client[0]![1]); // the first vertex closes the polygon
}

async function goToSlice(page: Page, k: number) {
  await page.getByTestId('slice-input').fill(String(k + 1)); // position = index + 1
  await page.getByTestId('slice-input').press('Enter');
  await page.locator('body').click({ position: { x: 5, y: 990 } });
  await expect.poll(async () => (await getState(page)).sliceIndex).toBe(k);
  // The level keys go to the viewer: the pointer over the axial view.
  const box = (await page.getByTestId('axial-viewport').boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 40);
}

/** Export with the button and wait for this format's file to be written; its path. */
async function exportWith(page: Page, format: string, ending: RegExp): Promise<string> {
  await page.getByTestId(`export-${format}`).click();
  await expect(page.getByTestId('export-path')).toHaveText(ending, { timeout: 60_000 });
  return (await page.getByTestId('export-path').textContent())!;
}

function readDicom(file: string): NaturalDataset {
  const b = readFileSync(file);
  const dict = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
}
const seq = (ds: NaturalDataset | undefined, key: string): NaturalDataset[] => (ds?.[key] as NaturalDataset[] | undefined) ?? [];
const code = (ds: NaturalDataset | undefined) => (ds ? `${String(ds['CodingSchemeDesignator'])}:${String(ds['CodeValue'])}` : '');
const named = (ds: NaturalDataset) => code(seq(ds, 'ConceptNameCodeSequence')[0]);

/** dciodvfy's error lines (it writes them to stderr). */
function dciodvfyErrors(file: string): string[] {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.split('\n').filter((l) => /^Error/.test(l));
}

test('PDF, SR and SEG from the Export buttons: the SR holds the table, the CLI makes the same PDF, an empty level says so', async ({ page }) => {
  const errors = collectPageErrors(page);
  await openSeries(page, bridge, DICOM);

  // L3 marked with its key, left psoas drawn; L4/L5 marked with no outline.
  await goToSlice(page, L3_SLICE);
  await page.keyboard.press('1');
  await expect(page.getByTestId('level-L3')).toHaveAttribute('data-slice', String(L3_SLICE));
  await drawPolygon(page, ellipse(75.5, 58, 3.8, 5.5));
  await expect.poll(async () => (await getDoc(page))?.rois.length).toBe(1);
  await goToSlice(page, L45_SLICE);
  await page.keyboard.press('3');
  await expect(page.getByTestId('level-L4/L5')).toHaveAttribute('data-slice', String(L45_SLICE));
  const savedPath = await waitSaved(page);
  const doc = (await getDoc(page))!;

  // What the app's table shows for the left psoas at L3 (CSA cm², mean HU).
  const row = page.getByTestId('row-L3-psoas-left');
  await page.getByTestId('level-L3').getByRole('button', { name: 'L3', exact: true }).click();
  const shownCsa = (await row.locator('[data-col="areaMm2"]').textContent())!.trim();
  const shownMean = (await row.locator('[data-col="meanHu"]').textContent())!.trim();
  expect(shownCsa).toMatch(/^\d+\.\d\d$/);

  const pdf = await exportWith(page, 'pdf', /\.measurements\.pdf$/);
  const sr = await exportWith(page, 'sr', /\.measurements\.sr\.dcm$/);
  const seg = await exportWith(page, 'seg', /\.measurements\.seg\.dcm$/);
  for (const f of [pdf, sr, seg]) expect(path.dirname(f)).toBe(path.join(bridge.workspace, 'exports'));

  // The PDF: both levels, the document's date; L4/L5 has no outline and says so; the table's CSA on the L3 page.
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  expect(text).toContain(doc.modifiedAt);
  const pages = text.split('\f');
  const l3 = pages.find((p) => p.trimStart().startsWith('L3\n'))!;
  const l45 = pages.find((p) => p.trimStart().startsWith('L4/L5\n'))!;
  expect(l3).toMatch(new RegExp(`Psoas\\s+L\\s+${shownCsa.replace('.', '\\.')}\\s`));
  expect(l45).toContain('No outline at L4/L5');

  // The CLI's PDF of the saved document is the app's PDF, byte for byte.
  const cliPdf = execFileSync(process.execPath, ['bin/paraspine.mjs', 'measure', DICOM, '--annotations', savedPath, '--format', 'pdf'], { cwd: REPO_ROOT, maxBuffer: 64 << 20 });
  expect(Buffer.compare(cliPdf, readFileSync(pdf))).toBe(0);

  // The SR: valid, one group, its area and mean are the table's (to the table's rounding).
  expect(dciodvfyErrors(sr)).toEqual([]);
  const ds = readDicom(sr);
  const groups = seq(seq(ds, 'ContentSequence').find((c) => named(c) === 'DCM:126010'), 'ContentSequence');
  expect(groups.length).toBe(1);
  const nums = seq(groups[0], 'ContentSequence').filter((c) => c['ValueType'] === 'NUM');
  const value = (concept: string, derivation?: string) =>
    Number(
      seq(
        nums.find((n) => named(n) === concept && (!derivation || code(seq(seq(n, 'ContentSequence').find((c) => named(c) === 'DCM:121401'), 'ConceptCodeSequence')[0]) === derivation)),
        'MeasuredValueSequence',
      )[0]!['FloatingPointValue'],
    );
  expect((value('SCT:42798000') / 100).toFixed(2)).toBe(shownCsa);
  expect(value('DCM:112031', 'SCT:373098007').toFixed(1)).toBe(shownMean);

  // The SEG: valid, one frame, on the L3 image, with as many pixels as the SR's area over the pixel area (3 x 3 mm).
  expect(dciodvfyErrors(seg)).toEqual([]);
  const s = readDicom(seg);
  expect(Number(s['NumberOfFrames'])).toBe(1);
  const pd = s['PixelData'] as ArrayBuffer | ArrayBuffer[];
  const bytes = new Uint8Array(Array.isArray(pd) ? pd[0]! : pd);
  let set = 0;
  for (let b = 0; b < Number(s['Rows']) * Number(s['Columns']); b++) if ((bytes[b >> 3]! >> (b & 7)) & 1) set++;
  expect(set * 9).toBe(value('SCT:42798000'));
  expect(errors).toEqual([]);
});
