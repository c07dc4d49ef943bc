/**
 * First-look details in browser mode: the series browser fits its panel with a long patient name (cut
 * with an ellipsis, the full text on hover), and the page asks for no missing file (the favicon).
 */
import { mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { expect, test } from '@playwright/test';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, setWorkspace } from './helpers';

const DICOM = path.resolve(REPO_ROOT, '../shared/data/ct-abdomen-3mm/dicom');
const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');
const LONG_NAME = 'Vandenberghe-Oppenheimer^Maximiliana Alexandra Konstantina'; // 58 of PN's 64 characters
const PATIENT_ID = 'PID-0000000000042';

let bridge: RunningBridge;
let folder: string;

test.beforeAll(async () => {
  // Five slices of the 3 mm CT with a long patient name (written with dcmjs).
  folder = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'paraspine-longname-')));
  for (const name of readdirSync(DICOM).sort().slice(0, 5)) {
    const b = readFileSync(path.join(DICOM, name));
    const d = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
    d.dict['00100010'] = { vr: 'PN', Value: [{ Alphabetic: LONG_NAME }] };
    d.dict['00100020'] = { vr: 'LO', Value: [PATIENT_ID] };
    writeFileSync(path.join(folder, name), Buffer.from(d.write()));
  }
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
});

test('series browser: a long patient name is cut with an ellipsis inside the panel, full text on hover; no 404', async ({ page }) => {
  const errors = collectPageErrors(page);
  const missing: string[] = [];
  page.on('response', (r) => {
    if (r.status() === 404) missing.push(r.url());
  });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(bridge.pageUrl);
  await setWorkspace(page, bridge);
  await page.getByTestId('folder-input').fill(folder);
  await page.getByTestId('open-folder').click();
  await expect(page.getByTestId('series-row')).toHaveCount(1);

  const cell = page.getByTestId('series-patient');
  await expect(cell).toHaveAttribute('title', `${LONG_NAME} ${PATIENT_ID}`);
  const m = await page.getByTestId('series-browser').evaluate((panel) => {
    const td = panel.querySelector('[data-testid="series-patient"]') as HTMLElement;
    const style = getComputedStyle(td);
    return {
      panelFits: panel.scrollWidth <= panel.clientWidth,
      tableWidth: (panel.querySelector('table') as HTMLElement).getBoundingClientRect().width,
      panelWidth: panel.getBoundingClientRect().width,
      cut: td.scrollWidth > td.clientWidth,
      ellipsis: style.textOverflow,
      oneLine: td.getBoundingClientRect().height < 2.2 * parseFloat(style.fontSize),
    };
  });
  expect(m).toMatchObject({ panelFits: true, cut: true, ellipsis: 'ellipsis', oneLine: true });
  expect(m.tableWidth).toBeLessThanOrEqual(m.panelWidth);
  await page.getByTestId('series-browser').screenshot({ path: `${SHOTS}/series-browser-long-name.png` });
  expect(missing).toEqual([]);
  expect(errors).toEqual([]);
});
