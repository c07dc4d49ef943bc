/**
 * The worklist panel and its state (slices/worklist.ts) over a fake API that keeps the lines and their
 * locks: the panel lists state, rater, last change and lock; the filters go to worklist:open; a free line
 * opens under its lock as a folder's series does; a line locked by someone else asks in the question
 * dialog (read-only; take over only when stale); read-only shows the banner and changes nothing; "Next"
 * opens the services' next line; switching series releases the lock.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import type { LoadedSeriesMeta, ParaspineApi, WorklistFilter, WorklistLine, WorklistResult } from '../../src/shared/contract';
import { createAppStore, getAppStore, type AppState } from '../../src/renderer/state/store';
import { attachWorklistLocks } from '../../src/renderer/state/slices/worklist';
import { ReadOnlyBanner, WorklistPanel } from '../../src/renderer/components/WorklistPanel';
import { QuestionDialog } from '../../src/renderer/components/QuestionDialog';
import type { StoreApi } from 'zustand/vanilla';
import { slicesFrom } from './sliceApi';

// Server rendering reads a zustand store's initial state; read the live one (the app's store) instead.
vi.mock('../../src/renderer/state/store', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/renderer/state/store')>();
  return { ...real, useApp: <T>(sel: (s: AppState) => T): T => sel(real.getAppStore(() => ({}) as ParaspineApi).getState()) };
});

const geometry = makeGeometry({ columns: 4, rows: 3, slices: 2, columnSpacingMm: 1, rowSpacingMm: 1, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[0, 0, 0], [0, 0, 3]] });
const summary = (uid: string) => ({ patientName: 'P', patientId: 'ID', studyInstanceUid: '1.2', studyDate: '20200101', studyDescription: '', seriesInstanceUid: uid, seriesDescription: 'd', seriesNumber: 1, modality: 'CT', slices: 2, rows: 3, columns: 4, pixelSpacing: [1, 1] as const, sliceSpacingMm: 3, sliceThickness: 3, imageOrientation: [1, 0, 0, 0, 1, 0], transferSyntaxUids: [], files: [], warnings: [] });

const LINES: WorklistLine[] = [
  { id: 's1', folder: '/c/s1', seriesUid: '1.1', description: 'ID · 20200101', state: 'not started', rater: '', lastChange: null, lock: null },
  { id: 's2', folder: '/c/s2', seriesUid: '1.2', description: 'ID · 20200101', state: 'in progress', rater: 'Ann', lastChange: { at: '2025-01-01T11:00:00.000Z', rater: 'Ann', action: 'save' }, lock: { rater: 'Bea', host: 'pc7', pid: 9, since: '2025-01-02T03:00:00.000Z', refreshed: '2025-01-02T03:10:00.000Z', stale: false, mine: false } },
  { id: 's3', folder: '/c/s3', seriesUid: '1.3', description: 'ID · 20200101', state: 'flagged', flag: '1 proposed outline not confirmed', rater: 'Bea', lastChange: { at: '2025-01-01T12:00:00.000Z', rater: 'Bea', action: 'save' }, lock: { rater: 'Cy', host: 'pc9', pid: 9, since: '2025-01-01T08:00:00.000Z', refreshed: '2025-01-01T08:30:00.000Z', stale: true, mine: false } },
  { id: 's4', folder: '/c/s4', seriesUid: '1.4', description: 'ID · 20200101', state: 'done', rater: 'Ann', lastChange: { at: '2025-01-01T13:00:00.000Z', rater: 'Ann', action: 'sign-off' }, lock: null },
];

/** The API the app's store (getAppStore, which the components read) calls: the latest setup's. */
let current: unknown = null;
const appStore = () => getAppStore(() => current as ParaspineApi);

function setup(store?: StoreApi<AppState>) {
  const calls: { channel: string; args: unknown[] }[] = [];
  const rec =
    <T>(channel: string, fn: (...a: never[]) => Promise<T>) =>
    async (...args: never[]): Promise<T> => {
      calls.push({ channel, args });
      return fn(...args);
    };
  const meta = (uid: string): LoadedSeriesMeta => ({ summary: summary(uid), geometry, huType: 'int16', warnings: [] });
  const api = {
    'app:info': rec('app:info', async () => ({ version: '1.0.0', workspace: '/ws', recentFolders: [], mode: 'web' as const })),
    'series:scan': rec('series:scan', async (folder: string) => ({ series: [summary(LINES.find((l) => l.folder === folder)!.seriesUid!)], problems: [] })),
    'series:load': rec('series:load', async (loc: { seriesUid: string }) => meta(loc.seriesUid)),
    'series:slices': slicesFrom(() => new Int16Array(24).buffer, meta('1.1')),
    'annotations:load': rec('annotations:load', async () => ({ document: null, problem: null, revision: null })),
    'annotations:save': rec('annotations:save', async () => ({ path: '/ws/x.json', revision: 'r1' })),
    'worklist:open': rec('worklist:open', async (cohort: WorklistResult['cohort'], filter?: WorklistFilter): Promise<WorklistResult> => {
      const lines = LINES.filter((l) => (!filter?.state || l.state === filter.state) && (!filter?.rater || l.rater === filter.rater));
      return { cohort, lines, total: LINES.length, raters: ['Ann', 'Bea'], next: lines.find((l) => l.state !== 'done' && !l.lock)?.id ?? null, staleMinutes: 30 };
    }),
    'worklist:lock': rec('worklist:lock', async ({ seriesUid, takeOver }: { seriesUid: string; takeOver?: boolean }) => {
      const lock = LINES.find((l) => l.seriesUid === seriesUid)!.lock;
      if (!lock || (lock.stale && takeOver)) return lock ? { ok: true as const, tookOver: lock } : { ok: true as const };
      return { ok: false as const, holder: lock, reason: 'locked' };
    }),
    'worklist:readOnly': rec('worklist:readOnly', async () => null),
    'worklist:refresh': rec('worklist:refresh', async () => true),
    'worklist:release': rec('worklist:release', async () => null),
  };
  current = api;
  const s = store ?? createAppStore({ api: () => api as unknown as ParaspineApi, now: () => '2026-01-01T00:00:00Z', newId: () => 'id', rater: () => 'Ann' });
  return { store: s, api, calls, of: (c: string) => calls.filter((x) => x.channel === c) };
}

const html = (c: () => unknown) => renderToStaticMarkup(createElement(c as () => null));

describe('worklist panel', () => {
  it('lists the cohort with state, rater, last change and lock; filters go to worklist:open', async () => {
    // The panel renders the app's store (useApp is the live one here): give it this fake API.
    const app = appStore();
    const { of } = setup(app);
    await app.getState().openCohort({ kind: 'folder', path: '/c' });
    expect(of('worklist:open')[0]!.args).toEqual([{ kind: 'folder', path: '/c' }, {}]);
    const page = html(WorklistPanel);
    const rows = [...page.matchAll(/<tr class="[^"]*" data-testid="worklist-line" data-id="([^"]+)" data-state="([^"]+)" data-locked="([^"]*)">(.*?)<\/tr>/g)];
    expect(rows.map((r) => [r[1], r[2], r[3]])).toEqual([
      ['s1', 'not started', ''],
      ['s2', 'in progress', 'other'],
      ['s3', 'flagged', 'stale'],
      ['s4', 'done', ''],
    ]);
    expect(rows[1]![4]).toContain('<td>Ann</td><td>2025-01-01 11:00 UTC · Ann · save</td><td data-testid="worklist-line-lock">locked: Bea on pc7, since 2025-01-02 03:00 UTC</td>');
    expect(rows[2]![4]).toContain('flagged (1 proposed outline not confirmed)');
    expect(rows[2]![4]).toContain('stale lock: Cy on pc9, since 2025-01-01 08:00 UTC');
    expect(page).toContain('4 of 4 line(s)');
    expect(page).toMatch(/data-testid="worklist-next"[^>]*>Next \(\.\)</);
    await app.getState().setWorklistFilter({ state: 'flagged' });
    expect(of('worklist:open')[1]!.args).toEqual([{ kind: 'folder', path: '/c' }, { state: 'flagged' }]);
    expect(html(WorklistPanel)).toContain('1 of 4 line(s)');
    await app.getState().setWorklistFilter({ rater: 'Ann' });
    expect(of('worklist:open')[2]!.args[1]).toEqual({ rater: 'Ann' });
  });

  it('opens a free line under its lock as a folder series; switching series releases the lock', async () => {
    const { store, api, of } = setup();
    store.getState().setRater('Ann');
    const keeper = attachWorklistLocks(store, () => api as unknown as ParaspineApi);
    await store.getState().init();
    await store.getState().openCohort({ kind: 'folder', path: '/c' });
    await store.getState().openWorklistLine('s1');
    expect(of('worklist:lock')[0]!.args[0]).toEqual({ seriesUid: '1.1', rater: 'Ann' });
    expect(of('series:scan').at(-1)!.args[0]).toBe('/c/s1');
    expect(store.getState().series).toEqual({ kind: 'folder', path: '/c/s1', seriesUid: '1.1' });
    expect(store.getState().worklistLocked).toBe('1.1');
    expect(of('worklist:release')).toHaveLength(0);
    store.getState().closeSeries();
    expect(store.getState().worklistLocked).toBeNull();
    expect(of('worklist:release').map((c) => c.args)).toEqual([['1.1']]);
    keeper.dispose();
  });

  it('refreshes the held lock every minute; a lock taken over meanwhile makes the series read-only', async () => {
    const { store, api, of } = setup();
    await store.getState().init();
    await store.getState().openCohort({ kind: 'folder', path: '/c' });
    await store.getState().openWorklistLine('s1');
    vi.useFakeTimers();
    try {
      const keeper = attachWorklistLocks(store, () => api as unknown as ParaspineApi, 60_000);
      await vi.advanceTimersByTimeAsync(59_999);
      expect(of('worklist:refresh')).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(of('worklist:refresh').map((c) => c.args)).toEqual([['1.1']]);
      expect(store.getState().worklistLocked).toBe('1.1');
      api['worklist:refresh'] = async () => false; // taken over as stale by someone else
      await vi.advanceTimersByTimeAsync(60_000);
      expect(store.getState().worklistLocked).toBeNull();
      expect(store.getState().worklistReadOnly).toEqual({ seriesUid: '1.1', holder: 'someone who took over the lock' });
      expect(of('worklist:readOnly').map((c) => c.args)).toEqual([['1.1']]);
      keeper.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('a line locked by someone else asks: read-only only while the lock is fresh; read-only shows the banner and changes nothing', async () => {
    const app = appStore();
    const { of } = setup(app);
    app.setState({ rater: 'Ann' });
    await app.getState().init();
    await app.getState().openCohort({ kind: 'folder', path: '/c' });
    await app.getState().openWorklistLine('s2');
    const q = app.getState().question;
    expect(q).toMatchObject({ kind: 'worklistLock', lineId: 's2', holder: { rater: 'Bea', stale: false } });
    const dialog = html(QuestionDialog);
    expect(dialog).toContain('s2 is being annotated by Bea on pc7, since 2025-01-02 03:00 UTC');
    expect([...dialog.matchAll(/data-testid="answer-([a-zA-Z]+)"/g)].map((m) => m[1])).toEqual(['readOnly', 'cancel']);
    expect(app.getState().series).toBeNull(); // nothing opened before the answer
    app.getState().answerQuestion('readOnly');
    await vi.waitFor(() => expect(app.getState().volume).not.toBeNull());
    expect(of('worklist:readOnly')[0]!.args).toEqual(['1.2']);
    expect(app.getState().worklistReadOnly).toEqual({ seriesUid: '1.2', holder: 'Bea on pc7, since 2025-01-02 03:00 UTC' });
    expect(html(ReadOnlyBanner)).toContain('Read-only: this series is locked by Bea on pc7, since 2025-01-02 03:00 UTC');
    const before = app.getState().doc;
    app.getState().markLevel('L3');
    expect(app.getState().doc).toBe(before);
    expect(app.getState().toast?.text).toMatch(/^Read-only/);
  });

  it('a stale lock offers take over, which asks the services with takeOver; Next opens the next line', async () => {
    const { store, of } = setup();
    await store.getState().init();
    await store.getState().openCohort({ kind: 'folder', path: '/c' });
    await store.getState().openWorklistLine('s3');
    expect(store.getState().question).toMatchObject({ kind: 'worklistLock', holder: { rater: 'Cy', stale: true } });
    expect(of('worklist:lock')).toHaveLength(1); // asked first, never taken over without the answer
    store.getState().answerQuestion('takeOver');
    await vi.waitFor(() => expect(store.getState().worklistLocked).toBe('1.3'));
    expect(of('worklist:lock')[1]!.args[0]).toMatchObject({ seriesUid: '1.3', takeOver: true });
    expect(store.getState().toast?.text).toBe('Took over the lock of Cy on pc9, since 2025-01-01 08:00 UTC');
    await store.getState().nextWorklistLine();
    expect(store.getState().series).toMatchObject({ seriesUid: '1.1' });
  });

  it('Next moves past the line open here (still to do, so the services name it first) to the following one; with none left it says so', async () => {
    const { store } = setup();
    await store.getState().init();
    await store.getState().openCohort({ kind: 'folder', path: '/c' });
    await store.getState().nextWorklistLine();
    expect(store.getState().series).toMatchObject({ seriesUid: '1.1' });
    LINES.push({ id: 's5', folder: '/c/s5', seriesUid: '1.5', description: 'ID · 20200101', state: 'not started', rater: '', lastChange: null, lock: null });
    try {
      await store.getState().nextWorklistLine(); // s1 is open and still the services' next: s2, s3 locked by others, s4 done
      expect(store.getState().series).toMatchObject({ seriesUid: '1.5' });
    } finally {
      LINES.pop();
    }
    await store.getState().nextWorklistLine(); // s5 gone from the cohort: the services' next, s1
    expect(store.getState().series).toMatchObject({ seriesUid: '1.1' });
    await store.getState().nextWorklistLine();
    expect(store.getState().series).toMatchObject({ seriesUid: '1.1' });
    expect(store.getState().toast?.text).toBe('No other line left to do: every other line is done or locked by someone else');
  });

  it('with "Second read (blinded)" lists and locks the rater\'s own read, and shows where the first read stands', async () => {
    const app = appStore();
    const { of } = setup(app);
    app.setState({ readMode: 'second', rater: '' });
    // No rater: a second read has no file to name, said in one line (nothing listed).
    await app.getState().openCohort({ kind: 'folder', path: '/c' });
    expect(of('worklist:open')).toHaveLength(0);
    expect(app.getState().worklistError).toMatch(/type your name in Rater/);
    app.getState().setRater('Bea');
    await app.getState().openCohort({ kind: 'folder', path: '/c' });
    expect(of('worklist:open')[0]!.args).toEqual([{ kind: 'folder', path: '/c' }, {}, { rater: 'Bea' }]);
    const withFirst = { ...app.getState().worklist!, lines: app.getState().worklist!.lines.map((l, n) => (n === 0 ? { ...l, firstRead: 'signed off' as const } : l)) };
    app.setState({ worklist: withFirst });
    const page = html(WorklistPanel);
    expect(page).toContain('<th>First read</th>');
    expect(page).toContain('<td data-testid="worklist-line-first-read">first read: signed off</td>');
    await app.getState().openWorklistLine('s1');
    expect(of('worklist:lock')[0]!.args[0]).toEqual({ seriesUid: '1.1', rater: 'Bea', read: { rater: 'Bea' } });
    expect(of('annotations:load').at(-1)!.args).toEqual(['1.1', { rater: 'Bea' }]);
    // Read-only (locked by someone else): marked for the rater's read.
    await app.getState().answerWorklistLock('s2', 'readOnly');
    expect(of('worklist:readOnly')[0]!.args).toEqual(['1.2', { rater: 'Bea' }]);
  });
});
