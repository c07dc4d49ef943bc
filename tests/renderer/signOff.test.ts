/**
 * Sign-off, reopen and the blinded second read in the app's store (slices/reads.ts), over the services'
 * own workspace code (node/workspace.ts, node/reads.ts through api/agreement.ts's reads:status) in a
 * temp folder: a signed-off read refuses edits with one line until it is reopened with a reason (both in
 * the history); rater B's second read never shows rater A's outlines until both are signed off.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import type { Vec3 } from '../../src/core/geometry/vec3';
import { readHistory } from '../../src/node/history';
import { readsStatus } from '../../src/node/reads';
import { loadDocument, saveDocument } from '../../src/node/workspace';
import { handleKey } from '../../src/renderer/keyboard';
import { attachAutosave, createAppStore } from '../../src/renderer/state/store';
import type { LoadedSeriesMeta, ParaspineApi, ReadRef, SeriesLocator } from '../../src/shared/contract';
import { tmpDir } from '../node/helpers';
import { slicesFrom } from './sliceApi';

// 8 x 6 pixels of 2 mm, 3 slices 3 mm apart; L3 and the outlines on slice 1 (z = 3).
const geometry = makeGeometry({ columns: 8, rows: 6, slices: 3, columnSpacingMm: 2, rowSpacingMm: 2, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[0, 0, 0], [0, 0, 3], [0, 0, 6]] });
const summary = { patientName: 'P', patientId: 'ID', studyInstanceUid: 'st', studyDate: '20200101', studyDescription: '', seriesInstanceUid: '1.2.3', seriesDescription: 'd', seriesNumber: 1, modality: 'CT', slices: 3, rows: 6, columns: 8, pixelSpacing: [2, 2] as const, sliceSpacingMm: 3, sliceThickness: 3, imageOrientation: [1, 0, 0, 0, 1, 0], transferSyntaxUids: [], files: [], warnings: [] };
const meta: LoadedSeriesMeta = { summary, geometry, huType: 'int16', warnings: [] };
const square: Vec3[] = [[2, 2, 3], [8, 2, 3], [8, 8, 3], [2, 8, 3]];

function workspaceApi(ws: string, agreementCalls: unknown[][]): ParaspineApi {
  const api = {
    'app:info': async () => ({ version: '1', workspace: ws, recentFolders: [], mode: 'web' as const }),
    'series:scan': async () => ({ series: [summary], problems: [] }),
    'series:load': async () => meta,
    'series:slices': slicesFrom(() => new Int16Array(8 * 6 * 3).fill(40).buffer, meta),
    'annotations:load': async (uid: string, read?: ReadRef | null) => {
      const r = await loadDocument(ws, uid, undefined, read ?? null);
      return { document: r.document, problem: r.problem, revision: r.revision };
    },
    'annotations:save': (doc: unknown, opts?: { baseRevision: string | null; reason?: string }, read?: ReadRef | null) => saveDocument(ws, doc, undefined, { ...(opts ?? {}), read: read ?? null }),
    'reads:status': async (uid: string, read?: ReadRef | null) => {
      const { paths: _p, ...st } = await readsStatus(ws, uid, read ?? null);
      return st;
    },
    // The agreement itself is `paraspine agreement`'s code (tests/node/secondRead.test.ts, the e2e spec): here only who asked for it.
    'agreement:reads': async (series: SeriesLocator, read?: ReadRef | null) => {
      agreementCalls.push([series, read]);
      return { format: 'paraspine-agreement', version: 1, series: {}, documents: [], raters: [], rois: [], metrics: [] };
    },
    // The PDF itself is the command line's (tests/node/worklistReads.test.ts): here only who asked for it.
    'agreement:pdf': async (series: SeriesLocator, read?: ReadRef | null) => {
      agreementCalls.push(['pdf', series, read]);
      return { path: path.join(ws, 'exports', '1.2.3.agreement.pdf') };
    },
  };
  return api as unknown as ParaspineApi;
}

async function openAs(ws: string, rater: string, mode: 'first' | 'second', agreementCalls: unknown[][] = []) {
  const api = workspaceApi(ws, agreementCalls);
  let t = 0;
  const store = createAppStore({ api: () => api, now: () => `2026-02-03T04:05:${String(t++).padStart(2, '0')}.000Z`, newId: () => `roi-${rater}-${++t}`, rater: () => rater });
  const autosave = attachAutosave(store, () => api, 1);
  await store.getState().init();
  await store.getState().openFolder('/data');
  await store.getState().setReadMode(mode);
  await store.getState().selectSeries('1.2.3');
  await store.getState().refreshReads();
  return { store, autosave, st: store.getState };
}

/** Outline the left psoas at L3 on slice 1 and save it. */
async function outline(o: Awaited<ReturnType<typeof openAs>>) {
  o.st().setSlice(1);
  o.st().markLevel('L3');
  o.st().setActiveMuscle('psoas');
  o.st().setActiveSide('left');
  expect(o.st().addOutline('x', square)).toBe('added');
  await o.autosave.flush();
  expect(o.st().save.state).toBe('saved');
}

describe('sign-off and reopen', () => {
  it('signs off, refuses edits in one line until reopened with a reason, and records both in the history', async () => {
    const ws = tmpDir();
    const a = await openAs(ws, 'Rater A', 'first');
    await outline(a);
    expect(await a.st().signOff()).toBe(true);
    expect(a.st().doc!.signedOff).toEqual({ by: 'Rater A', at: expect.stringMatching(/^2026-02-03T04:05:\d\d\.000Z$/) });
    const onDisk = JSON.parse(await fs.readFile(path.join(ws, '1.2.3.json'), 'utf8'));
    expect(onDisk.signedOff.by).toBe('Rater A');

    // Edits are refused with one line naming who signed off; the document stays as signed off.
    const before = a.st().doc;
    a.st().setSlice(0);
    a.st().markLevel('L4/L5');
    expect(a.st().toast?.text).toMatch(/^This read was signed off by Rater A at 2026-02-03 04:05:\d\d UTC: not changed\. Reopen it \(Reopen…, with a reason\) to edit it$/);
    expect(a.st().doc).toBe(before);
    a.st().undo();
    expect(a.st().doc).toBe(before);
    a.st().setSlice(1);
    expect(a.st().addOutline('y', square)).toBe('refused');
    await a.autosave.flush();

    // Reopening needs a reason; with one, the read is editable again.
    expect(await a.st().reopen('  ')).toBe(false);
    expect(a.st().doc!.signedOff).toBeTruthy();
    expect(await a.st().reopen('left psoas edge redrawn')).toBe(true);
    expect(a.st().doc!.signedOff).toBeNull();
    a.st().setActiveSide('right');
    expect(a.st().addOutline('z', square)).toBe('added');
    await a.autosave.flush();

    const h = await readHistory(path.join(ws, '1.2.3.history.jsonl'));
    expect(h.map((e) => e.action)).toEqual(['save', 'sign-off', 'reopen', 'save']);
    expect(h[1]!.signedOff?.by).toBe('Rater A');
    expect(h[2]!.reason).toBe('left psoas edge redrawn');
    a.autosave.dispose();
  });
});

describe('blinded second read', () => {
  it("rater B never sees rater A's outlines until both reads are signed off; then Compare and the agreement", async () => {
    const ws = tmpDir();
    const a = await openAs(ws, 'Rater A', 'first');
    await outline(a);
    expect(await a.st().signOff()).toBe(true);
    expect(a.st().reads?.others).toEqual([]);

    const calls: unknown[][] = [];
    const b = await openAs(ws, 'Rater B', 'second', calls);
    expect(b.st().openRead).toEqual({ rater: 'Rater B' });
    // B starts on an empty document: none of A's outlines or levels.
    expect(b.st().doc!.rois).toEqual([]);
    expect(b.st().doc!.levels).toEqual([]);
    expect(b.st().reads?.others.map((o) => [o.rater, !!o.signedOff])).toEqual([['Rater A', true]]);
    expect(b.st().reads?.compare).toBeNull();
    expect(b.st().reads?.hidden).toMatch(/until this read is signed off/);
    b.st().setCompare(true);
    expect(b.st().compareOn).toBe(false);

    await outline(b);
    // B's read is its own file; A's document is as A signed it off.
    expect(JSON.parse(await fs.readFile(path.join(ws, '1.2.3.read-rater-b.json'), 'utf8')).rois).toHaveLength(1);
    expect(JSON.parse(await fs.readFile(path.join(ws, '1.2.3.json'), 'utf8')).rater).toBe('Rater A');
    expect(b.st().reads?.compare ?? null).toBeNull();

    // Sign off with the shortcut (Ctrl+Shift+S).
    expect(handleKey(b.store, { key: 'S', ctrlKey: true, shiftKey: true, altKey: false, metaKey: false })).toBe(true);
    for (let i = 0; i < 200 && !b.st().reads?.compare; i++) await new Promise((r) => setTimeout(r, 10));
    expect(b.st().doc!.signedOff?.by).toBe('Rater B');
    expect(b.st().reads?.compare?.info.rater).toBe('Rater A');
    expect(b.st().reads?.compare?.document.rois).toHaveLength(1);
    b.st().setCompare(true);
    expect(b.st().compareOn).toBe(true);
    // The agreement is asked of the services for this series as B's read.
    expect(calls).toEqual([[{ kind: 'folder', path: '/data', seriesUid: '1.2.3' }, { rater: 'Rater B' }]]);
    expect(b.st().agreement.state).toBe('ready');
    // Export PDF: asked of the services for the same series and read.
    await b.st().exportAgreementPdf();
    expect(calls.at(-1)).toEqual(['pdf', { kind: 'folder', path: '/data', seriesUid: '1.2.3' }, { rater: 'Rater B' }]);
    expect(b.st().agreementPdf).toEqual({ state: 'done', path: path.join(ws, 'exports', '1.2.3.agreement.pdf'), error: null });

    const hB = await readHistory(path.join(ws, '1.2.3.read-rater-b.history.jsonl'));
    expect(hB.map((e) => e.action)).toEqual(['save', 'sign-off']);

    // Reopening B's read hides A's again.
    expect(await b.st().reopen('one more look')).toBe(true);
    expect(b.st().reads?.compare).toBeNull();
    expect(b.st().compareOn).toBe(false);
    a.autosave.dispose();
    b.autosave.dispose();
  });

  it('a second read needs the rater name', async () => {
    const ws = tmpDir();
    const b = await openAs(ws, '', 'second');
    expect(b.st().doc).toBeNull();
    expect(b.st().error).toMatch(/type your name in Rater/);
    b.autosave.dispose();
  });
});
