/**
 * The PACS panel in browser mode (Debian's Chromium) against a real Orthanc with its DICOMweb plugin
 * (tests/pacs/orthanc.ts): the shared 3 mm CT uploaded, a server saved in the panel, a server that is
 * down answered by one line and Retry, the study searched and its series opened (the same load as a
 * folder's), masks imported, Export > Send to PACS; then Orthanc is asked (QIDO-RS, from the test, not
 * through our client) for the SR and SEG in the CT's study.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getState, setWorkspace } from './helpers';
import { freePort, orthancMissing, startOrthanc, type Orthanc } from '../pacs/orthanc';

const DATA = path.resolve(REPO_ROOT, '../shared/data');
const DICOM = path.join(DATA, 'ct-abdomen-3mm/dicom');
const MASKS = path.join(DATA, 'ct-abdomen-3mm/masks');
const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');
// README (shared data): 112 slices of 101 x 122.
const SLICES = 112;

let bridge: RunningBridge;
let orthanc: Orthanc;
test.skip(orthancMissing !== null, orthancMissing ?? '');
test.beforeAll(async () => {
  orthanc = await startOrthanc();
  for (const f of readdirSync(DICOM).sort()) await orthanc.upload(new Uint8Array(readFileSync(path.join(DICOM, f))));
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  await bridge?.stop();
  await orthanc?.stop();
});

/** QIDO-RS straight to Orthanc: the series of a study with a modality. */
async function seriesWithModality(study: string, modality: string): Promise<unknown[]> {
  const r = await fetch(`${orthanc.dicomWeb}/studies/${study}/series?Modality=${modality}`, { headers: { Accept: 'application/dicom+json' } });
  if (r.status === 204) return [];
  expect(r.ok).toBe(true);
  return (await r.json()) as unknown[];
}

test('PACS panel: save a server, a down server is one line with Retry, search, open the series, import masks, Send to PACS: SR and SEG are in the study', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto(bridge.pageUrl);
  await setWorkspace(page, bridge);
  await page.getByTestId('pacs-toggle').click();
  await expect(page.getByTestId('pacs-panel')).toBeVisible();

  // A server nobody listens on: one line and a Retry button; nothing else breaks.
  const closed = await freePort();
  await page.getByTestId('pacs-new-name').fill('Down');
  await page.getByTestId('pacs-new-url').fill(`http://127.0.0.1:${closed}/dicom-web`);
  await page.getByTestId('pacs-add').click();
  await page.getByTestId('pacs-search').click();
  await expect(page.getByTestId('pacs-error')).toContainText(`127.0.0.1:${closed}`);
  await expect(page.getByTestId('pacs-retry')).toBeVisible();
  expect((await page.getByTestId('pacs-error-text').innerText()).split('\n')).toHaveLength(1);

  // The real one, saved in the settings (the bridge's settings file holds it).
  await page.getByTestId('pacs-new-name').fill('Orthanc');
  await page.getByTestId('pacs-new-url').fill(orthanc.dicomWeb);
  await page.getByTestId('pacs-add').click();
  await expect(page.getByTestId('pacs-server')).toHaveValue(orthanc.dicomWeb);
  const settings = JSON.parse(readFileSync(path.join(bridge.userData, 'settings.json'), 'utf8')) as { pacsServers: { name: string; url: string }[] };
  expect(settings.pacsServers.map((s) => s.name)).toEqual(['Down', 'Orthanc']);

  await page.getByTestId('pacs-q-modality').fill('CT');
  await page.getByTestId('pacs-search').click();
  await expect(page.getByTestId('pacs-study')).toHaveCount(1);
  await expect(page.getByTestId('pacs-error')).toHaveCount(0);
  await page.getByTestId('pacs-open-study').click();
  await expect(page.getByTestId('pacs-open-series')).toContainText(`${SLICES} slices`);
  await page.getByTestId('pacs-series').screenshot({ path: `${SHOTS}/60-pacs-series.png` });
  await page.getByTestId('pacs-panel').screenshot({ path: `${SHOTS}/61-pacs-panel.png` });
  await page.getByTestId('pacs-open-series').click();
  await expect(page.getByTestId('slice-input')).toBeVisible({ timeout: 60_000 });
  await expect.poll(async () => (await getState(page)).seriesUid).not.toBeNull();
  // Opened from the server, not from a folder; the send button is there for a PACS series only.
  expect(((await getState(page)) as unknown as { folder: string | null }).folder).toBeNull();
  await expect(page.getByTestId('send-to-pacs')).toBeVisible();
  const studies = (await (await fetch(`${orthanc.dicomWeb}/studies`, { headers: { Accept: 'application/dicom+json' } })).json()) as { '0020000D': { Value: string[] } }[];
  expect(studies).toHaveLength(1);
  const study = { studyUid: studies[0]!['0020000D'].Value[0]! };

  // Masks of the same CT (geometry from the PACS series' headers).
  await page.getByTestId('masks-path').fill(MASKS);
  await page.getByTestId('import-masks').click();
  await expect(page.getByTestId('import-result')).toHaveText(/outline\(s\)/, { timeout: 120_000 });
  await expect(page.getByTestId('import-result')).not.toContainText('failed');

  expect(await seriesWithModality(study.studyUid, 'SR')).toHaveLength(0);
  await page.getByTestId('send-to-pacs').click();
  await expect(page.getByTestId('pacs-sent')).toContainText('DICOM SR and DICOM SEG sent', { timeout: 120_000 });
  await expect(page.getByTestId('pacs-sent')).toContainText('2 stored, 0 refused');
  await page.screenshot({ path: `${SHOTS}/62-pacs-sent.png` });
  expect(await seriesWithModality(study.studyUid, 'SR')).toHaveLength(1);
  expect(await seriesWithModality(study.studyUid, 'SEG')).toHaveLength(1);
  expect(errors).toEqual([]);
});
