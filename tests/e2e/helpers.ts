/** Shared end-to-end helpers: the bridge's API from Node, the app's test hooks, the table == core check. */
import { expect, type Page } from '@playwright/test';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { measureAnnotations } from '../../src/core/annotations/measureAnnotations';
import type { HuVolume } from '../../src/core/volume';
import { folderLocator, type LoadedSeriesMeta } from '../../src/shared/contract';
import { displayRow } from '../../src/renderer/state/format';
import { huVolumeFromBytes } from '../../src/renderer/state/huVolume';
import type { RunningBridge } from './bridge';

export async function callApi<T>(bridge: RunningBridge, channel: string, args: unknown[]): Promise<T> {
  const res = await fetch(`${bridge.origin}/api/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-paraspine-token': bridge.token }, body: JSON.stringify(args) });
  if (!res.ok) throw new Error(`${channel}: ${res.status} ${await res.text()}`);
  return (res.headers.get('content-type') ?? '').includes('octet-stream') ? ((await res.arrayBuffer()) as T) : ((await res.json()) as T);
}

/** The HU volume exactly as the app builds it (same services, same conversion). */
export async function loadVolume(bridge: RunningBridge, folder: string, uid: string): Promise<HuVolume> {
  const meta = await callApi<LoadedSeriesMeta>(bridge, 'series:load', [folderLocator(folder, uid)]);
  const bytes = await callApi<ArrayBuffer>(bridge, 'series:volume', [folderLocator(folder, uid)]);
  return huVolumeFromBytes(bytes, meta);
}

export interface AppStateView {
  save: { state: string; path: string | null };
  sliceIndex: number;
  activeLevel: string;
  activeMuscle: string;
  activeSide: string;
  seriesUid: string;
}

export const getDoc = (page: Page) => page.evaluate(() => (window as unknown as { __paraspine: { getDoc(): unknown } }).__paraspine.getDoc() as AnnotationDocument | null);
export const getState = (page: Page) => page.evaluate(() => (window as unknown as { __paraspine: { getState(): unknown } }).__paraspine.getState() as AppStateView);

export async function waitSaved(page: Page): Promise<string> {
  await expect.poll(async () => (await getState(page)).save.state, { timeout: 15_000 }).toBe('saved');
  return (await getState(page)).save.path!;
}

/** Set the workspace through the header form (a fresh bridge has none; a later test finds it set). */
export async function setWorkspace(page: Page, bridge: RunningBridge) {
  const input = page.getByTestId('workspace-input');
  const shown = page.getByTestId('workspace');
  await expect(input.or(shown)).toBeVisible();
  if (await input.isVisible()) {
    await input.fill(bridge.workspace);
    await input.press('Enter');
  }
  await expect(shown).toHaveText(bridge.workspace);
}

/** The table must show exactly what core computes for this document. */
export async function expectTableMatchesCore(page: Page, volume: HuVolume, doc: AnnotationDocument) {
  const records = measureAnnotations(volume, doc);
  expect(records.length).toBeGreaterThan(0);
  for (const r of records) {
    const row = page.getByTestId(`row-${r.level}-${r.muscle}-${r.side}`);
    const d = displayRow(r);
    await expect(row.locator('[data-col="csa"]')).toHaveText(d.csa);
    await expect(row.locator('[data-col="fcsa"]')).toHaveText(d.fcsa);
    await expect(row.locator('[data-col="fat"]')).toHaveText(d.fat);
    await expect(row.locator('[data-col="mean"]')).toHaveText(d.mean);
    await expect(row.locator('[data-col="lean"]')).toHaveText(d.lean);
  }
  return records;
}

/** Collects uncaught page errors (pageerror) from the moment it is called. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => {
    console.log('page error:', e.message);
    errors.push(e.message);
  });
  return errors;
}
