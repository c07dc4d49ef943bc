/** Shared end-to-end helpers: the bridge's API from Node, the app's test hooks, the table == core check. */
import { expect, type Page } from '@playwright/test';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import type { HuVolume } from '../../src/core/volume';
import { FolderSeriesSource } from '../../src/node/seriesSource';
import { folderLocator } from '../../src/shared/contract';
import type { RunningBridge } from './bridge';

export async function callApi<T>(bridge: RunningBridge, channel: string, args: unknown[]): Promise<T> {
  const res = await fetch(`${bridge.origin}/api/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-paraspine-token': bridge.token }, body: JSON.stringify(args) });
  if (!res.ok) throw new Error(`${channel}: ${res.status} ${await res.text()}`);
  return (res.headers.get('content-type') ?? '').includes('octet-stream') ? ((await res.arrayBuffer()) as T) : ((await res.json()) as T);
}

/**
 * The series' HU volume loaded here, in the test process, by a folder source over the same files (the
 * services' own loader, not the app's progressive slices), for checking what the app shows and measures.
 */
export async function loadVolume(folder: string, uid: string): Promise<HuVolume> {
  return (await new FolderSeriesSource().load(folderLocator(folder, uid))).volume;
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

/** The client (page) coordinates of pixel (i, j) of the axial slice shown, through the viewer's test hook. */
export const ijToClient = (page: Page, i: number, j: number) =>
  page.evaluate(([a, b]) => (window as unknown as { __paraspineViewer: { ijToClient(i: number, j: number): [number, number] } }).__paraspineViewer.ijToClient(a!, b!), [i, j]);

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

/** What one row of the metrics table shows (text as displayed). */
export interface ShownRow {
  /** CSA, cm² (2 decimals). */
  csa: string;
  /** fCSA, cm² (2 decimals). */
  fcsa: string;
  /** Fat infiltration, % (1 decimal). */
  fat: string;
  /** Mean HU (1 decimal). */
  mean: string;
  /** Lean mean HU (1 decimal). */
  lean: string;
}

/** The table's column of each shown value (data-col is the metric's stable key). */
const COLUMN_KEYS: Record<keyof ShownRow, string> = { csa: 'areaMm2', fcsa: 'leanAreaMm2', fat: 'fatFraction', mean: 'meanHu', lean: 'leanMeanHu' };

/**
 * The metrics table at `level` shows exactly these rows (keyed 'muscle side') and asymmetries (keyed
 * by muscle). Expected texts are literals from reference values or independent computations, never
 * from the app's own code.
 */
export async function expectTable(page: Page, level: string, rows: Record<string, ShownRow>, asymmetry: Record<string, string>) {
  const table = page.getByTestId(`metrics-${level}`);
  await expect(table.locator('tbody tr')).toHaveCount(Object.keys(rows).length);
  for (const [id, want] of Object.entries(rows)) {
    const [muscle, side] = id.split(' ');
    const row = page.getByTestId(`row-${level}-${muscle}-${side}`);
    for (const [k, col] of Object.entries(COLUMN_KEYS)) await expect(row.locator(`[data-col="${col}"]`), `${id} ${k}`).toHaveText(want[k as keyof ShownRow]);
  }
  for (const [muscle, want] of Object.entries(asymmetry)) await expect(page.getByTestId(`asymmetryPct-${level}-${muscle}`), `${muscle} asymmetry`).toHaveText(want);
}

/**
 * The table rows a document's outlines at `level` must give, computed here independently of the app's
 * code (its rasteriser, metrics and formatting): pixels whose centres lie inside the outline (even-odd
 * rule, several outlines of one muscle and side merged), on an axial grid; sums over those pixels' HU;
 * CSA = pixels x pixel area / 100 cm², fat % = 100 x fat pixels / pixels, means to 1 decimal; asymmetry
 * = 100 (L - R) / mean(L, R) of the CSA. Only the HU volume comes from the app (its loader is checked
 * against the reference values elsewhere).
 */
export function independentTable(volume: HuVolume, doc: AnnotationDocument, level: string, muscleHu = [-29, 150], fatHu = [-190, -30]) {
  const g = volume.geometry;
  expect([...g.rowDirection, ...g.columnDirection]).toEqual([1, 0, 0, 0, 1, 0]);
  const groups = new Map<string, { k: number; polys: [number, number][][] }>();
  for (const r of doc.rois.filter((x) => x.level === level)) {
    const k = r.sliceIndex;
    const [x0, y0] = g.slicePositions[k]!;
    const poly = r.pointsLps.map((p) => [(p[0] - x0) / g.columnSpacingMm, (p[1] - y0) / g.rowSpacingMm] as [number, number]);
    const id = `${r.muscle} ${r.side}`;
    const e = groups.get(id) ?? { k, polys: [] };
    e.polys.push(poly);
    groups.set(id, e);
  }
  const inside = (poly: [number, number][], x: number, y: number) => {
    let c = false;
    for (let a = 0, b = poly.length - 1; a < poly.length; b = a++) {
      const [xa, ya] = poly[a]!;
      const [xb, yb] = poly[b]!;
      if (ya > y !== yb > y && x < xa + ((y - ya) * (xb - xa)) / (yb - ya)) c = !c;
    }
    return c;
  };
  const area = g.columnSpacingMm * g.rowSpacingMm;
  const rows: Record<string, ShownRow> = {};
  const csaMm2: Record<string, number> = {};
  for (const [id, { k, polys }] of groups) {
    let n = 0, sum = 0, nLean = 0, sumLean = 0, nFat = 0;
    for (let j = 0; j < g.rows; j++)
      for (let i = 0; i < g.columns; i++) {
        if (!polys.some((p) => inside(p, i, j))) continue;
        const v = volume.hu[k * g.rows * g.columns + j * g.columns + i]!;
        n++;
        sum += v;
        if (v >= muscleHu[0]! && v <= muscleHu[1]!) (nLean++, (sumLean += v));
        if (v >= fatHu[0]! && v <= fatHu[1]!) nFat++;
      }
    csaMm2[id] = n * area;
    rows[id] = {
      csa: ((n * area) / 100).toFixed(2),
      fcsa: ((nLean * area) / 100).toFixed(2),
      fat: n ? ((100 * nFat) / n).toFixed(1) : '—',
      mean: n ? (sum / n).toFixed(1) : '—',
      lean: nLean ? (sumLean / nLean).toFixed(1) : '—',
    };
  }
  const asymmetry: Record<string, string> = {};
  for (const id of Object.keys(csaMm2)) {
    const m = id.split(' ')[0]!;
    const l = csaMm2[`${m} left`];
    const r = csaMm2[`${m} right`];
    asymmetry[m] = l === undefined || r === undefined || l + r === 0 ? '—' : ((100 * (l - r)) / ((l + r) / 2)).toFixed(1);
  }
  return { rows, asymmetry, pixels: Object.fromEntries(Object.entries(csaMm2).map(([id, a]) => [id, Math.round(a / area)])) };
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

/** Open the page, set the workspace, open `folder` and its first series; the HU volume as the app builds it. */
export async function openSeries(page: Page, bridge: RunningBridge, folder: string): Promise<HuVolume> {
  await page.goto(bridge.pageUrl);
  await setWorkspace(page, bridge);
  await page.getByTestId('folder-input').fill(folder);
  await page.getByTestId('open-folder').click();
  await page.getByTestId('series-row').first().click();
  await expect(page.getByTestId('slice-input')).toBeVisible();
  return loadVolume(folder, (await getState(page)).seriesUid);
}
