import { test } from '@playwright/test';
import { startWebBridge } from './bridge';

test('explore', async ({ page }) => {
  const b = await startWebBridge();
  try {
    page.on('console', (m) => console.log('PAGE', m.type(), m.text()));
    page.on('pageerror', (e) => console.log('PAGEERR', e.message));
    await page.goto(b.pageUrl);
    await page.getByTestId('workspace-input').fill(b.workspace);
    await page.getByTestId('workspace-input').press('Enter');
    await page.getByTestId('folder-input').fill('/work/shared/data/ct-abdomen-3mm/dicom');
    await page.getByTestId('open-folder').click();
    await page.getByTestId('series-row').first().click();
    await page.getByTestId('slice-input').waitFor();
    await page.getByTestId('slice-input').fill('73');
    await page.waitForTimeout(1500);
    await page.screenshot({ path: 'test-results/explore.png' });
  } finally {
    await b.stop();
  }
});
