/**
 * Findings of a first user's review of the app (the demo and the 3 mm CT in Chromium), each fixed here:
 * - the reformat views wrote a level label over the left orientation letter when the level lay near mid
 *   height ("A3/L4" on the sagittal, "R L3/L4" on the coronal);
 * - after confirming every proposal, Masks & export still said "16 proposed ...: check and confirm them,
 *   4 proposed level(s)": the import's report now says what the import did, and what is left to confirm is
 *   said from the document;
 * - the help listed the groups "Outlines" and "Tools" twice each (the table's rows are not in group order);
 * - the PACS panel with no server saved: Search greyed out, Save server doing nothing on an empty URL,
 *   neither saying why.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { AnnotationDocument, Roi } from '../../src/core/annotations/document';
import { levelLabelX, orientationLetterRight } from '../../src/renderer/viewer/reformatLabels';
import { proposalsLeft } from '../../src/renderer/state/slices/importExport';
import { ShortcutsTable } from '../../src/renderer/components/HelpOverlay';
import { PacsPanel } from '../../src/renderer/components/PacsPanel';
import { helpRows, SHORTCUTS } from '../../src/shared/shortcuts';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Level } from '../../src/core/anatomy/anatomy';
import type { Vec3 } from '../../src/core/geometry/vec3';
import type { MaskImportResult, ParaspineApi } from '../../src/shared/contract';
import { createAppStore } from '../../src/renderer/state/store';
import { runShortcutAction } from '../../src/renderer/keyboard';
import { WorklistPanel } from '../../src/renderer/components/WorklistPanel';
import { MetricsList } from '../../src/renderer/components/MetricsLegend';
import { openPhantomStore, phantomSeries } from './phantomStore';
import { createApi } from '../../src/node/api';
import { FolderAccess } from '../../src/node/access';
import { SettingsStore } from '../../src/node/settings';

/** The boxes as drawn: the letter right-aligned at its x, 8 px wide, centred on midY; a label 11 px high above its baseline, 30 px wide. */
const overlap = (a: { x0: number; x1: number; y0: number; y1: number }, b: typeof a) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

describe('reformat labels', () => {
  it('a level label near mid height is written clear of the left orientation letter when the image fills the view', () => {
    const midY = 130;
    for (const layoutX of [-20, 0, 5]) {
      const right = orientationLetterRight(layoutX);
      const letter = { x0: right - 8, x1: right, y0: midY - 6, y1: midY + 6 };
      for (let baseline = midY - 20; baseline <= midY + 20; baseline++) {
        const x = levelLabelX(layoutX, baseline, midY);
        expect(overlap(letter, { x0: x, x1: x + 30, y0: baseline - 11, y1: baseline }), `x ${layoutX}, baseline ${baseline}`).toBe(false);
      }
      // away from the letter the label stays at the image's left edge
      expect(levelLabelX(layoutX, midY - 40, midY)).toBe(Math.max(0, layoutX) + 3);
    }
    // an image narrower than the view: the letter lies left of it, the label at the image's edge
    expect(levelLabelX(60, 130, 130)).toBe(63);
    expect(orientationLetterRight(60)).toBe(56);
  });
});

const T0 = '2024-01-01T00:00:00Z';
const roi = (id: string, source: Roi['source']): Roi => ({ id, level: 'L3', muscle: 'multifidus', side: 'left', sliceIndex: 0, z: 0, pointsLps: [], source, createdAt: T0, modifiedAt: T0 });
const doc = (rois: Roi[], levels: ('proposed' | 'confirmed' | 'manual')[]) => ({ rois, levels: levels.map((source, n) => ({ level: 'L3', sliceIndex: n, z: n, source })) }) as unknown as AnnotationDocument;

describe('what is left to confirm after a mask import', () => {
  it('counts the proposed outlines and levels of the document, and says when none is left', () => {
    expect(proposalsLeft(doc([roi('a', 'proposed'), roi('b', 'propagated'), roi('c', 'imported'), roi('d', 'mirrored')], ['proposed', 'confirmed']))).toBe('Still to check and confirm: 3 outline(s) and 1 level(s)');
    expect(proposalsLeft(doc([roi('a', 'confirmed')], ['proposed']))).toBe('Still to check and confirm: 1 level(s)');
    expect(proposalsLeft(doc([roi('a', 'confirmed'), roi('b', 'imported'), roi('c', 'drawn')], ['confirmed', 'manual']))).toBe('✓ nothing left to confirm');
    expect(proposalsLeft(null)).toBe('');
  });
});

describe('help', () => {
  it('names each group of shortcuts once, every row under its own group', () => {
    const html = renderToStaticMarkup(createElement(ShortcutsTable, { rows: helpRows() }));
    const groups = [...new Set(SHORTCUTS.map((r) => r.group))];
    for (const g of groups) expect(html.split(`>${g}</th>`).length - 1, g).toBe(1);
    // the rows under each heading: exactly that group's rows
    const order = [...html.matchAll(/<th colSpan="2">([^<]*)<\/th>|data-testid="shortcut-([^"]+)"/g)];
    let group = '';
    for (const m of order) {
      if (m[1] !== undefined) group = m[1];
      else expect(SHORTCUTS.find((r) => r.id === m[2])!.group, m[2]).toBe(group);
    }
    expect(order.filter((m) => m[2] !== undefined)).toHaveLength(SHORTCUTS.length);
  });
});

describe('PACS panel before any server is saved', () => {
  it('Search and Save server are disabled and say why', () => {
    const html = renderToStaticMarkup(createElement(PacsPanel));
    const button = (id: string) => new RegExp(`<button[^>]*data-testid="${id}"[^>]*>`).exec(html)?.[0] ?? '';
    expect(button('pacs-search')).toContain('disabled=""');
    expect(button('pacs-search')).toContain('title="Save a server first: its name and DICOMweb URL in the row above"');
    expect(button('pacs-add')).toContain('disabled=""');
    expect(button('pacs-add')).toContain('title="Type the server&#x27;s DICOMweb base URL first"');
  });
});

// ---- The review's leftovers (issues 17-19): confirm what is on screen, errors stay, exports say they run,
// the worklist panel, the rater kept, human units in the help. ----

/** A 16 x 16 x 8 phantom (3 mm slices): L3 marked by hand on slice 1; the masks propose outlines there and L4/L5 on slice 5. */
const phantom = phantomSeries({ columns: 16, rows: 16, slices: 8, huOf: () => 40 });
const square = (k: number, x0: number): Vec3[] => [[x0, 2, 3 * k], [x0 + 4, 2, 3 * k], [x0 + 4, 6, 3 * k], [x0, 6, 3 * k]];
const proposal = (id: string, level: Level, k: number, side: 'left' | 'right'): Roi => ({ id, level, muscle: 'multifidus', side, sliceIndex: k, z: 3 * k, pointsLps: square(k, side === 'left' ? 9 : 2), source: 'proposed', createdAt: T0, modifiedAt: T0 });
const masks: MaskImportResult = {
  proposedLevels: [{ level: 'L4/L5', sliceIndex: 5, z: 15, source: 'proposed' }],
  rois: [proposal('a', 'L3', 1, 'left'), proposal('b', 'L3', 1, 'right'), proposal('c', 'L4/L5', 5, 'left')],
  problems: [],
};
const sourcesAt = (d: AnnotationDocument | null, level: Level) => d!.rois.filter((r) => r.level === level).map((r) => r.source);

describe('confirm acts on the level on screen', () => {
  it('after a mask import the view shows the active level\'s slice', async () => {
    const store = await openPhantomStore(phantom, { slice: 1, level: 'L3' });
    store.getState().setSlice(6); // the user had scrolled away
    store.getState().applyMaskImport(masks);
    expect(store.getState().activeLevel).toBe('L3');
    expect(store.getState().sliceIndex).toBe(1);
  });

  it('c for a level whose slice is not shown first shows it and says so; the second press confirms', async () => {
    const store = await openPhantomStore(phantom, { slice: 1, level: 'L3' });
    const st = store.getState;
    st().applyMaskImport(masks);
    st().setSlice(6);
    expect(runShortcutAction(store, { type: 'confirmLevel' })).toBe(true);
    expect(st().sliceIndex).toBe(1);
    expect(sourcesAt(st().doc, 'L3')).toEqual(['proposed', 'proposed']); // nothing confirmed unseen
    expect(st().toast).toEqual({ text: 'L3 shown: press c again to confirm its proposals', kind: 'info' });
    runShortcutAction(store, { type: 'confirmLevel' });
    expect(sourcesAt(st().doc, 'L3')).toEqual(['confirmed', 'confirmed']);
    expect(sourcesAt(st().doc, 'L4/L5')).toEqual(['proposed']);
  });

  it('Confirm for another level shows that level (made active) first, then confirms it', async () => {
    const store = await openPhantomStore(phantom, { slice: 1, level: 'L3' });
    const st = store.getState;
    st().applyMaskImport(masks);
    expect(st().confirmProposals('L4/L5')).toBe(false);
    expect([st().activeLevel, st().sliceIndex]).toEqual(['L4/L5', 5]);
    expect(sourcesAt(st().doc, 'L4/L5')).toEqual(['proposed']);
    expect(st().doc!.levels.find((l) => l.level === 'L4/L5')!.source).toBe('proposed');
    expect(st().confirmProposals('L4/L5')).toBe(true);
    expect(sourcesAt(st().doc, 'L4/L5')).toEqual(['confirmed']);
    expect(st().doc!.levels.find((l) => l.level === 'L4/L5')!.source).toBe('confirmed');
  });
});

describe('toasts', () => {
  it('an error stays until its time is up: a later info toast waits behind it, then shows', () => {
    const store = createAppStore({ api: () => ({}) as ParaspineApi, now: () => T0, newId: () => 'x', rater: () => '' });
    const st = store.getState;
    st().showToast('Type your name in Rater first', 'error');
    st().showToast('PDF written to the workspace\'s exports folder');
    expect(st().toast).toEqual({ text: 'Type your name in Rater first', kind: 'error' });
    st().dismissToast();
    expect(st().toast).toEqual({ text: 'PDF written to the workspace\'s exports folder', kind: 'info' });
    // an info toast is still replaced by the next one
    st().showToast('second');
    expect(st().toast).toEqual({ text: 'second', kind: 'info' });
    st().dismissToast();
    expect(st().toast).toBeNull();
  });
});

describe('exports say they run', () => {
  it('a report being made: exporting names it, a second export is refused until it is done', async () => {
    let finish: () => void = () => undefined;
    const reports: string[] = [];
    const store = await openPhantomStore(phantom, { slice: 1, level: 'L3' });
    const api = {
      'export:report': (r: { format: string }) => {
        reports.push(r.format);
        return new Promise((resolve) => (finish = () => resolve({ path: '/ws/exports/x.pdf', leftOut: [] })));
      },
    };
    // the store's services are the phantom's; only the export channel is swapped in here
    const st = store.getState;
    const real = createAppStore({ api: () => api as unknown as ParaspineApi, now: () => T0, newId: () => 'x', rater: () => '' });
    real.setState({ doc: st().doc, volume: st().volume, series: st().series });
    const first = real.getState().exportMeasurements('pdf');
    expect(real.getState().exporting).toBe('pdf');
    await real.getState().exportMeasurements('sr');
    expect(reports).toEqual(['pdf']);
    finish();
    await first;
    expect(real.getState().exporting).toBeNull();
  });
});

describe('worklist panel', () => {
  it('Open cohort is disabled and says why while the path is empty', () => {
    createAppStore({ api: () => ({}) as ParaspineApi, now: () => T0, newId: () => 'x', rater: () => '' });
    const html = renderToStaticMarkup(createElement(WorklistPanel));
    const open = /<button[^>]*data-testid="worklist-open"[^>]*>/.exec(html)?.[0] ?? '';
    expect(open).toContain('disabled=""');
    expect(open).toContain('title="Type the cohort&#x27;s root folder path first"');
  });
});

describe('help metrics', () => {
  it('lists human units (HU, cm², %), not UCUM codes', () => {
    // the text shown (the UCUM code may stay in a tooltip)
    const html = renderToStaticMarkup(createElement(MetricsList)).replace(/<[^>]*>/g, ' ');
    expect(html).not.toContain('hnsf');
    expect(html).not.toContain('{count}');
    expect(html).not.toMatch(/\[mm2\]|\[1\]/);
    expect(html).toContain('HU');
    expect(html).toContain('cm²');
  });
});

describe('rater name', () => {
  it('is kept in the settings and comes back in a new page (another port: another browser storage)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'paraspine-rater-'));
    try {
      const service = async () => {
        const settings = SettingsStore.inDir(dir);
        await settings.load();
        const api = createApi({ mode: 'web', version: '1', settings, access: new FolderAccess(), sources: {} as never, masks: { loadMasks: async () => ({ masks: [], problems: [] }) } });
        return new Proxy({}, { get: (_t, ch: string) => (ch === 'then' ? undefined : (...args: unknown[]) => api.dispatch(ch as never, args)) }) as ParaspineApi;
      };
      const first = await service();
      const a = createAppStore({ api: () => first, now: () => T0, newId: () => 'x', rater: () => '' });
      await a.getState().init();
      a.getState().setRater('AB');
      expect((await first['app:info']()).rater).toBe('AB');
      // written to the settings file (the write is queued)
      await expect.poll(async () => {
        const s = SettingsStore.inDir(dir);
        return (await s.load()).rater;
      }).toBe('AB');
      // a fresh page with empty browser storage, on a restarted service
      const second = await service();
      const b = createAppStore({ api: () => second, now: () => T0, newId: () => 'x', rater: () => '' });
      expect(b.getState().rater).toBe('');
      await b.getState().init();
      expect(b.getState().rater).toBe('AB');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
