/**
 * Two tabs on one series (two stores, one workspace written by the node service's own functions): the
 * tab with the older copy is refused, autosave stops there, and both answers keep everything.
 */
import { promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import type { LoadedSeriesMeta, ParaspineApi } from '../../src/shared/contract';
import { loadDocument, saveDocument, saveDocumentCopy } from '../../src/node/workspace';
import { attachAutosave, createAppStore } from '../../src/renderer/state/store';
import { handleKey } from '../../src/renderer/keyboard';
import { tmpDir } from '../node/helpers';
import { slicesFrom } from './sliceApi';

const geometry = makeGeometry({ columns: 8, rows: 6, slices: 3, columnSpacingMm: 2, rowSpacingMm: 2, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[0, 0, 0], [0, 0, 3], [0, 0, 6]] });
const summary = { patientName: 'P', patientId: 'ID', studyInstanceUid: 'st', studyDate: '20200101', studyDescription: '', seriesInstanceUid: '1.2.3', seriesDescription: 'd', seriesNumber: 1, modality: 'CT', slices: 3, rows: 6, columns: 8, pixelSpacing: [2, 2] as const, sliceSpacingMm: 3, sliceThickness: 3, imageOrientation: [1, 0, 0, 0, 1, 0], transferSyntaxUids: [], files: [], warnings: [] };
const meta: LoadedSeriesMeta = { summary, geometry, huType: 'int16', warnings: [] };

/** The annotation channels exactly as the services answer them (node/workspace.ts over a temp folder). */
function workspaceApi(ws: string): ParaspineApi {
  const api = {
    'app:info': async () => ({ version: '1', workspace: ws, recentFolders: [], mode: 'web' as const }),
    'series:scan': async () => ({ series: [summary], problems: [] }),
    'series:load': async () => meta,
    'series:slices': slicesFrom(() => new Int16Array(8 * 6 * 3).fill(40).buffer, meta),
    'annotations:load': async (uid: string) => {
      const r = await loadDocument(ws, uid);
      return { document: r.document, problem: r.problem, revision: r.revision };
    },
    'annotations:save': (doc: unknown, opts?: { baseRevision: string | null }) => saveDocument(ws, doc, undefined, opts ?? {}),
    'annotations:saveCopy': (doc: unknown) => saveDocumentCopy(ws, doc),
  };
  return api as unknown as ParaspineApi;
}

async function openTab(ws: string, rater: string) {
  const api = workspaceApi(ws);
  const store = createAppStore({ api: () => api, now: () => new Date().toISOString(), newId: () => `roi-${rater}-${Math.random()}`, rater: () => rater });
  const autosave = attachAutosave(store, () => api, 1);
  await store.getState().init();
  await store.getState().openFolder('/data');
  await store.getState().selectSeries('1.2.3');
  return { store, autosave, st: store.getState };
}

const onDisk = async (ws: string) => JSON.parse(await fs.readFile(path.join(ws, '1.2.3.json'), 'utf8')) as AnnotationDocument;

describe('two tabs on one series', () => {
  it('the stale tab is refused: autosave stops, the newer document and .prev.json stay; reload shows the disk', async () => {
    const ws = tmpDir();
    const a = await openTab(ws, 'Tab A');
    const b = await openTab(ws, 'Tab B'); // both opened before anything was saved
    a.st().markLevel('L3');
    await a.autosave.flush();
    expect(a.st().save.state).toBe('saved');
    a.st().setSlice(2);
    a.st().markLevel('L4/L5');
    await a.autosave.flush();
    const newer = await fs.readFile(path.join(ws, '1.2.3.json'));
    const prev = await fs.readFile(path.join(ws, '1.2.3.prev.json'));

    b.st().setSlice(0);
    b.st().markLevel('L5/S1');
    await b.autosave.flush();
    expect(b.st().save.state).toBe('conflict');
    expect(b.st().saveConflict?.reason).toMatch(/^1\.2\.3\.json was saved by Tab A at .*: this copy was not saved; reload .* or keep both/);
    expect((await fs.readFile(path.join(ws, '1.2.3.json'))).equals(newer)).toBe(true);
    expect((await fs.readFile(path.join(ws, '1.2.3.prev.json'))).equals(prev)).toBe(true);

    // More edits in the stale tab: autosave stays stopped (never retried over the newer document).
    b.st().setRater('Tab B again');
    await b.autosave.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect(b.st().save.state).toBe('conflict');
    expect((await fs.readFile(path.join(ws, '1.2.3.json'))).equals(newer)).toBe(true);
    // Shortcuts do nothing while the dialog is open.
    expect(handleKey(b.store, { key: '1', code: 'Digit1', ctrlKey: false, shiftKey: false, altKey: false, metaKey: false })).toBe(false);

    await b.st().resolveSaveConflict('reload');
    expect(b.st().saveConflict).toBeNull();
    expect(b.st().doc!.levels.map((l) => l.level).sort()).toEqual(['L3', 'L4/L5']);
    expect(b.st().history.past).toHaveLength(0);
    // The reloaded tab saves again, based on the disk's revision; tab A is now the stale one.
    b.st().setRater('Tab B');
    await b.autosave.flush();
    expect(b.st().save.state).toBe('saved');
    expect((await onDisk(ws)).rater).toBe('Tab B');
    a.st().setRater('Tab A2');
    await a.autosave.flush();
    expect(a.st().save.state).toBe('conflict');
    expect((await onDisk(ws)).rater).toBe('Tab B');
    expect(handleKey(b.store, { key: '1', code: 'Digit1', ctrlKey: false, shiftKey: false, altKey: false, metaKey: false })).toBe(true); // the keys work again
    a.autosave.dispose();
    b.autosave.dispose();
  });

  it('keep both: the stale copy is written as a separate file the test reads back; the document on disk is unchanged', async () => {
    const ws = tmpDir();
    const a = await openTab(ws, 'Tab A');
    const b = await openTab(ws, 'Tab B');
    a.st().markLevel('L3');
    await a.autosave.flush();
    const newer = await fs.readFile(path.join(ws, '1.2.3.json'));
    b.st().setSlice(0);
    b.st().markLevel('L5/S1');
    await b.autosave.flush();
    expect(b.st().save.state).toBe('conflict');
    const mine = b.st().doc!;

    await b.st().resolveSaveConflict('keepBoth');
    const copies = readdirSync(ws).filter((f) => /^1\.2\.3\.copy-.*\.json$/.test(f));
    expect(copies).toHaveLength(1);
    const copy = JSON.parse(await fs.readFile(path.join(ws, copies[0]!), 'utf8')) as AnnotationDocument;
    expect(copy).toEqual(mine);
    expect(copy.levels.map((l) => [l.level, l.sliceIndex])).toEqual([['L5/S1', 0]]);
    expect((await fs.readFile(path.join(ws, '1.2.3.json'))).equals(newer)).toBe(true);
    expect(b.st().saveConflict).toBeNull();
    expect(b.st().doc!.levels.map((l) => l.level)).toEqual(['L3']); // the tab now shows the document on disk
    expect(b.st().toast?.text).toMatch(new RegExp(`^This tab's copy was saved as ${copies[0]!.replace(/\./g, '\\.')}; showing 1\\.2\\.3\\.json`));
    a.autosave.dispose();
    b.autosave.dispose();
  });
});

describe('one tab, slow saves', () => {
  it('two saves waiting on a slow one go one after the other, each on the revision before it: no false conflict', async () => {
    const ws = tmpDir();
    const api = workspaceApi(ws);
    // Every save takes a while (a slow disk or share): edits and flushes pile up behind it.
    let inFlight = 0;
    let most = 0;
    const slow = {
      ...api,
      'annotations:save': async (doc: unknown, opts?: { baseRevision: string | null }) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 30));
        try {
          return await api['annotations:save'](doc as AnnotationDocument, opts);
        } finally {
          inFlight--;
        }
      },
    } as ParaspineApi;
    const store = createAppStore({ api: () => slow, now: () => new Date().toISOString(), newId: () => `roi-${Math.random()}`, rater: () => 'R' });
    const autosave = attachAutosave(store, () => slow, 1);
    await store.getState().init();
    await store.getState().openFolder('/data');
    await store.getState().selectSeries('1.2.3');
    store.getState().markLevel('L3');
    const first = autosave.flush(); // in flight
    store.getState().setSlice(2);
    store.getState().markLevel('L4/L5');
    const second = autosave.flush(); // both wait for the first
    store.getState().setSlice(1);
    store.getState().markLevel('L3/L4');
    const third = autosave.flush();
    await Promise.all([first, second, third]);
    await new Promise((r) => setTimeout(r, 80));
    expect(store.getState().save.state).toBe('saved');
    expect(store.getState().saveConflict).toBeFalsy();
    expect(most).toBe(1);
    expect((await onDisk(ws)).levels.map((l) => l.level).sort()).toEqual(['L3', 'L3/L4', 'L4/L5']);
  });
});
