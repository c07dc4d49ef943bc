/**
 * The PACS panel against a real Orthanc with authentication (AuthenticationEnabled, RegisteredUsers),
 * in browser mode (Debian's Chromium): a server saved with its user and password in the panel (only
 * "credentials saved" comes back; settings.json, the bridge's output and the page hold no secret;
 * secrets.json is 0600), searched, a series opened with its progress (instances received / total) and
 * Cancel (the first slice on screen while the rest is still held; the app stays usable), opened again, and a page reload reopening it from the cache. Between
 * the page and Orthanc a small proxy started here holds instance retrievals while the test asks it to,
 * so the progress and the cancel are seen whatever the machine's speed. Prints the timings of the
 * closing note (first slice on screen, whole series, reopen from the cache); nothing timed is asserted.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { REPO_ROOT, startWebBridge, type RunningBridge } from './bridge';
import { collectPageErrors, getState, setWorkspace } from './helpers';
import { freePort, orthancMissing, startOrthanc, type Orthanc } from '../pacs/orthanc';

const DATA = path.resolve(REPO_ROOT, '../shared/data');
const DICOM = path.join(DATA, 'ct-abdomen-3mm/dicom');
const SHOTS = path.join(REPO_ROOT, 'test-results/screenshots');
// README (shared data): 112 slices.
const SLICES = 112;
const USER = 'radiologist';
const PASSWORD = 'e2e-Pw-93b1f0-secret';
/** Let through before the proxy holds the rest (while `holding`). */
const LET_THROUGH = 4;

let bridge: RunningBridge;
let orthanc: Orthanc;
let proxy: Server;
let proxyUrl = '';
let holding = true;
let instancesSeen = 0;
const held: ServerResponse[] = [];

test.skip(orthancMissing !== null, orthancMissing ?? '');
test.beforeAll(async () => {
  orthanc = await startOrthanc({ users: { [USER]: PASSWORD } });
  for (const f of readdirSync(DICOM).sort()) await orthanc.upload(new Uint8Array(readFileSync(path.join(DICOM, f))));
  const port = await freePort();
  proxy = createServer((req, res) => {
    if (/\/instances\/[0-9.]+$/.test(req.url ?? '') && holding && ++instancesSeen > LET_THROUGH) {
      held.push(res);
      return;
    }
    void fetch(`${orthanc.origin}${req.url}`, { headers: { ...(req.headers.authorization ? { Authorization: req.headers.authorization } : {}), Accept: req.headers.accept ?? '*/*' } }).then(
      async (r) => res.writeHead(r.status, { 'Content-Type': r.headers.get('content-type') ?? '' }).end(Buffer.from(await r.arrayBuffer())),
      () => res.destroy(),
    );
  });
  await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${port}/dicom-web`;
  bridge = await startWebBridge();
});
test.afterAll(async () => {
  for (const r of held) r.destroy();
  await bridge?.stop();
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  await orthanc?.stop();
});

test('PACS with authentication: credentials in the panel, search, open with progress and Cancel, open again, a reload reopens it from the cache', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.goto(bridge.pageUrl);
  await setWorkspace(page, bridge);
  await page.getByTestId('pacs-toggle').click();

  // Saved without credentials: Orthanc asks for them, in one line.
  await page.getByTestId('pacs-new-name').fill('Orthanc');
  await page.getByTestId('pacs-new-url').fill(proxyUrl);
  await page.getByTestId('pacs-add').click();
  await expect(page.getByTestId('pacs-has-credentials')).toHaveText('no credentials');
  await page.getByTestId('pacs-search').click();
  await expect(page.getByTestId('pacs-error-text')).toContainText('server asks for credentials (401');

  // Saved again with a user and password: only "credentials saved" comes back.
  await page.getByTestId('pacs-new-auth').selectOption('basic');
  await page.getByTestId('pacs-new-user').fill(USER);
  await page.getByTestId('pacs-new-password').fill(PASSWORD);
  await page.getByTestId('pacs-add').click();
  await expect(page.getByTestId('pacs-has-credentials')).toHaveText('credentials saved');
  await expect(page.getByTestId('pacs-new-password')).toHaveValue('');
  expect(readFileSync(path.join(bridge.userData, 'settings.json'), 'utf8')).not.toContain(PASSWORD);
  expect(statSync(path.join(bridge.userData, 'secrets.json')).mode & 0o777).toBe(0o600);

  await page.getByTestId('pacs-search').click();
  await expect(page.getByTestId('pacs-study')).toHaveCount(1);
  await expect(page.getByTestId('pacs-error')).toHaveCount(0);
  await page.getByTestId('pacs-open-study').click();
  await expect(page.getByTestId('pacs-open-series')).toContainText(`${SLICES} slices`);

  // Opened while the proxy holds the retrieval after 4 instances (the middle ones come first): the
  // first slice shows while the progress says 4 of 112; Cancel stops the retrieval.
  await page.getByTestId('pacs-open-series').click();
  await expect(page.getByTestId('pacs-download-text')).toHaveText(`Retrieving from PACS: ${LET_THROUGH} / ${SLICES} instances`);
  await expect(page.getByTestId('slice-number')).toHaveText('57'); // slice 57 of 112 (index 56, the middle) on screen
  await expect(page.getByTestId('viewer-slice-load')).toContainText(`Loading slices 1 / ${SLICES}`);
  await page.getByTestId('pacs-download').screenshot({ path: `${SHOTS}/63-pacs-download.png` });
  await page.getByTestId('pacs-cancel').click();
  await expect(page.getByTestId('pacs-download')).toHaveCount(0);
  await expect(page.getByTestId('error')).toContainText('download cancelled');
  for (const r of held.splice(0)) r.destroy();
  // The app stays usable: the panel searches again.
  await page.getByTestId('pacs-search').click();
  await expect(page.getByTestId('pacs-study')).toHaveCount(1);
  await expect(page.getByTestId('pacs-error')).toHaveCount(0);

  // Opened again, nothing held: the rest of the series comes, then the first slice and the whole series show.
  holding = false;
  const t0 = Date.now();
  await page.getByTestId('pacs-open-series').click();
  await expect(page.getByTestId('slice-number')).toBeVisible({ timeout: 120_000 });
  const tFirst = Date.now() - t0;
  await expect(page.getByTestId('slice-input')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('viewer-slice-load')).toHaveCount(0, { timeout: 120_000 });
  const tWhole = Date.now() - t0;
  await expect(page.getByTestId('pacs-download')).toHaveCount(0);
  const uid = (await getState(page)).seriesUid;
  expect(uid).not.toBeNull();

  // A reload reopens the series from the cache (the metadata asked again, every instance from the cache).
  const seenBefore = instancesSeen;
  const t1 = Date.now();
  await page.reload();
  await expect(page.getByTestId('slice-number')).toBeVisible({ timeout: 120_000 });
  const tReopenFirst = Date.now() - t1;
  await expect(page.getByTestId('slice-input')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('viewer-slice-load')).toHaveCount(0, { timeout: 120_000 });
  const tReopen = Date.now() - t1;
  expect((await getState(page)).seriesUid).toBe(uid);
  expect(instancesSeen).toBe(seenBefore); // no instance retrieved again
  await page.screenshot({ path: `${SHOTS}/64-pacs-reopened.png` });

  // No secret in the page's state, the bridge's output or the settings.
  expect(await page.content()).not.toContain(PASSWORD);
  expect(bridge.output()).not.toContain(PASSWORD);
  expect(readFileSync(path.join(bridge.userData, 'settings.json'), 'utf8')).not.toContain(PASSWORD);
  expect(errors).toEqual([]);
  console.log(
    `[timing] PACS (Orthanc with authentication, through the test's proxy, ${SLICES - LET_THROUGH} of ${SLICES} instances to retrieve): first slice on screen ${(tFirst / 1000).toFixed(2)} s, whole series ${(tWhole / 1000).toFixed(2)} s; after a reload, from the cache: first slice ${(tReopenFirst / 1000).toFixed(2)} s, whole series ${(tReopen / 1000).toFixed(2)} s`,
  );
});
