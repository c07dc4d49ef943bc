import { describe, expect, it } from 'vitest';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import type { LoadedSeriesMeta, PacsServer, ParaspineApi } from '../../src/shared/contract';
import { createAppStore } from '../../src/renderer/state/store';
import { applyMenuAction } from '../../src/renderer/state/menu';
import { menuTemplate } from '../../src/main/menu';
import type { MenuAction } from '../../src/shared/contract';
import { EMPTY_PACS_QUERY, studyDateRange } from '../../src/renderer/state/slices/pacs';
import { slicesFrom } from './sliceApi';

const URL_A = 'http://127.0.0.1:8042/dicom-web';
const geometry = makeGeometry({ columns: 4, rows: 3, slices: 2, columnSpacingMm: 1, rowSpacingMm: 1, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[0, 0, 0], [0, 0, 3]] });
const summary = { patientName: 'P^Q', patientId: 'ID1', studyInstanceUid: '1.2.3', studyDate: '20200101', studyDescription: 'CT abd', seriesInstanceUid: '1.2.3.4', seriesDescription: 'axial 3mm', seriesNumber: 1, modality: 'CT', slices: 2, rows: 3, columns: 4, pixelSpacing: [1, 1] as const, sliceSpacingMm: 3, sliceThickness: 3, imageOrientation: [1, 0, 0, 0, 1, 0], transferSyntaxUids: [], files: [], warnings: [] };
const meta: LoadedSeriesMeta = { summary, geometry, huType: 'int16', warnings: [] };
const study = { studyInstanceUid: '1.2.3', patientName: 'P^Q', patientId: 'ID1', studyDate: '20200101', studyDescription: 'CT abd', accessionNumber: 'A7', modalities: 'CT' };

/** A fake API recording every call; `down` makes the PACS channels fail as a server that does not answer. */
function setup() {
  const calls: { channel: string; args: unknown[] }[] = [];
  const state = { down: false, servers: [] as PacsServer[], credentials: new Map<string, unknown>() };
  const info = () => state.servers.map((s) => ({ ...s, hasCredentials: state.credentials.has(s.url) }));
  const rec =
    <T>(channel: string, fn: (...a: never[]) => Promise<T>) =>
    async (...args: never[]): Promise<T> => {
      calls.push({ channel, args });
      return fn(...args);
    };
  const api = {
    'app:info': rec('app:info', async () => ({ version: '1.0.0', workspace: '/ws', recentFolders: [], mode: 'web' as const })),
    'series:scan': rec('series:scan', async () => {
      if (state.down) throw new Error(`${URL_A}/studies/1.2.3/series: fetch failed\n  connect ECONNREFUSED 127.0.0.1:8042`);
      return { series: [summary], problems: [] };
    }),
    'series:load': rec('series:load', async () => meta),
    'series:slices': slicesFrom(() => new Int16Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24]).buffer, meta),
    'annotations:load': rec('annotations:load', async () => ({ document: null, problem: null, revision: null })),
    'annotations:save': rec('annotations:save', async () => ({ path: '/ws/x.json', revision: 'r1' })),
    'pacs:servers': rec('pacs:servers', async () => state.servers),
    'pacs:setCredentials': rec('pacs:setCredentials', async ({ url, credentials }: { url: string; credentials: unknown }) => {
      if (credentials) state.credentials.set(url, credentials);
      else state.credentials.delete(url);
      return info();
    }),
    'pacs:progress': rec('pacs:progress', async () => null),
    'pacs:saveServers': rec('pacs:saveServers', async (list: PacsServer[]) => (state.servers = list)),
    'pacs:search': rec('pacs:search', async () => {
      if (state.down) throw new Error(`${URL_A}/studies: the answer is not DICOM JSON`);
      return [study];
    }),
    'pacs:store': rec('pacs:store', async () => ({ studyUid: '1.2.3', sent: ['DICOM SR and DICOM SEG sent to http://127.0.0.1:8042/dicom-web: 2 stored, 0 refused'], stored: ['9.1', '9.2'], failed: [], leftOut: [] })),
  };
  const store = createAppStore({ api: () => api as unknown as ParaspineApi, now: () => '2026-01-01T00:00:00Z', newId: () => 'id', rater: () => 'r' });
  return { store, calls, state, of: (c: string) => calls.filter((x) => x.channel === c) };
}

describe('PACS panel state', () => {
  it('makes the QIDO date range from the two date fields', () => {
    expect(studyDateRange('', '')).toBeUndefined();
    expect(studyDateRange('2020-01-02', '')).toBe('20200102-');
    expect(studyDateRange('', '2021-12-31')).toBe('-20211231');
    expect(studyDateRange('2020-01-02', '2021-12-31')).toBe('20200102-20211231');
    expect(studyDateRange('2020-01-02', '2020-01-02')).toBe('20200102');
  });

  it('saves a server in the settings and searches it with the fields filled in only', async () => {
    const { store, of } = setup();
    await store.getState().savePacsServer({ name: 'Orthanc', url: URL_A });
    expect(of('pacs:saveServers')[0]!.args[0]).toEqual([{ name: 'Orthanc', url: URL_A }]);
    expect(store.getState().pacsServerUrl).toBe(URL_A);
    await store.getState().searchPacs({ ...EMPTY_PACS_QUERY, patientName: ' P* ', dateFrom: '2019-05-01', modality: 'CT' });
    expect(of('pacs:search')[0]!.args[0]).toEqual({ url: URL_A, patientName: 'P*', studyDate: '20190501-', modality: 'CT' });
    expect(store.getState().pacsStudies).toEqual([study]);
    expect(store.getState().pacsError).toBeNull();
  });

  it('opens a study and a series through the same load as a folder, with a DICOMweb locator', async () => {
    const { store, of } = setup();
    await store.getState().init();
    await store.getState().savePacsServer({ name: 'Orthanc', url: URL_A });
    await store.getState().openPacsStudy('1.2.3');
    expect(of('series:scan')[0]!.args[0]).toEqual({ kind: 'dicomweb', url: URL_A, studyUid: '1.2.3' });
    expect(store.getState().folder).toBeNull();
    await store.getState().selectSeries('1.2.3.4');
    const locator = { kind: 'dicomweb', url: URL_A, studyUid: '1.2.3', seriesUid: '1.2.3.4' };
    expect(of('series:load')[0]!.args[0]).toEqual(locator);
    expect(store.getState().series).toEqual(locator);
    await expect.poll(() => store.getState().volume !== null).toBe(true);
    expect(Array.from(store.getState().volume!.hu.slice(0, 3))).toEqual([1, 2, 3]);
    // Opening a folder afterwards forgets the study: its series are folder series again.
    await store.getState().openFolder('/data');
    expect(store.getState().pacsRoot).toBeNull();
  });

  it('a server that is down: one line in the panel, the open series stays, Retry asks again', async () => {
    const { store, state, of } = setup();
    await store.getState().init();
    await store.getState().savePacsServer({ name: 'Orthanc', url: URL_A });
    await store.getState().openPacsStudy('1.2.3');
    await store.getState().selectSeries('1.2.3.4');
    await expect.poll(() => store.getState().volume !== null).toBe(true);
    const open = store.getState().series;
    state.down = true;
    await store.getState().openPacsStudy('1.2.3');
    const err = store.getState().pacsError!;
    expect(err).toContain('ECONNREFUSED');
    expect(err).not.toMatch(/[\r\n]/);
    expect(store.getState().series).toEqual(open);
    expect(store.getState().volume).not.toBeNull();
    expect(store.getState().error).toBeNull();
    state.down = false;
    await store.getState().retryPacs();
    expect(of('series:scan')).toHaveLength(3);
    expect(store.getState().pacsError).toBeNull();
  });

  it('Send to PACS sends the open document of a PACS series and says what was sent', async () => {
    const { store, of } = setup();
    await store.getState().init();
    await store.getState().sendToPacs();
    expect(of('pacs:store')).toHaveLength(0); // nothing open: nothing sent
    store.getState().dismissToast(); // its error toast's time is up (the app's timer): the next toast shows at once
    await store.getState().savePacsServer({ name: 'Orthanc', url: URL_A });
    await store.getState().openPacsStudy('1.2.3');
    await store.getState().selectSeries('1.2.3.4');
    await expect.poll(() => store.getState().volume !== null).toBe(true);
    await store.getState().sendToPacs();
    const arg = of('pacs:store')[0]!.args[0] as { series: unknown; document: { series: { seriesInstanceUid: string } } };
    expect(arg.series).toEqual({ kind: 'dicomweb', url: URL_A, studyUid: '1.2.3', seriesUid: '1.2.3.4' });
    expect(arg.document.series.seriesInstanceUid).toBe('1.2.3.4');
    expect(store.getState().pacsSent).toContain('2 stored, 0 refused');
    expect(store.getState().toast?.text).toContain('DICOM SR and DICOM SEG');
  });

  it('Export > Send to PACS in the application menu sends the action the store runs', async () => {
    const sent: MenuAction[] = [];
    const exportMenu = menuTemplate({ recentFolders: [], isMac: false, isPackaged: false }, { send: (a) => sent.push(a), pickFolder: () => {}, openFolder: () => {}, about: () => {} }).find((m) => m.label === 'Export')!;
    const item = (exportMenu.submenu as { label?: string; click?: () => void }[]).find((i) => i.label === 'Send to PACS…')!;
    item.click!();
    expect(sent).toEqual([{ type: 'send-to-pacs' }]);
    const { store, of } = setup();
    await store.getState().init();
    await store.getState().savePacsServer({ name: 'Orthanc', url: URL_A });
    await store.getState().openPacsStudy('1.2.3');
    await store.getState().selectSeries('1.2.3.4');
    await expect.poll(() => store.getState().volume !== null).toBe(true);
    applyMenuAction(store, sent[0]!);
    await expect.poll(() => of('pacs:store').length).toBe(1);
  });

  it('credentials go to the services (pacs:setCredentials) and are not kept in the state: it knows only that the server has some', async () => {
    const { store, of } = setup();
    const password = 'renderer-test-Pw-1';
    await store.getState().savePacsServer({ name: 'Locked', url: URL_A }, { kind: 'basic', user: 'alice', password });
    expect(of('pacs:saveServers')[0]!.args[0]).toEqual([{ name: 'Locked', url: URL_A }]);
    expect(of('pacs:setCredentials')[0]!.args[0]).toEqual({ url: URL_A, credentials: { kind: 'basic', user: 'alice', password } });
    expect(store.getState().pacsServers).toEqual([{ name: 'Locked', url: URL_A, hasCredentials: true }]);
    expect(JSON.stringify(store.getState())).not.toContain(password);
    // Saved again without credentials: they stay; with null they are forgotten; the list sent back holds no hasCredentials.
    await store.getState().savePacsServer({ name: 'Locked', url: URL_A });
    expect(of('pacs:setCredentials')).toHaveLength(1);
    await store.getState().savePacsServer({ name: 'Locked', url: URL_A }, null);
    expect(of('pacs:saveServers')[2]!.args[0]).toEqual([{ name: 'Locked', url: URL_A }]);
    expect(store.getState().pacsServers).toEqual([{ name: 'Locked', url: URL_A, hasCredentials: false }]);
  });

  it('a reload reopens the PACS series that was open (its study scanned again, its series loaded)', async () => {
    const kept = new Map<string, string>();
    const storage = { getItem: (k: string) => kept.get(k) ?? null, setItem: (k: string, v: string) => void kept.set(k, v), removeItem: (k: string) => void kept.delete(k) };
    Object.defineProperty(globalThis, 'sessionStorage', { value: storage, configurable: true });
    try {
      const first = setup();
      await first.store.getState().init();
      await first.store.getState().savePacsServer({ name: 'Orthanc', url: URL_A });
      await first.store.getState().openPacsStudy('1.2.3');
      await first.store.getState().selectSeries('1.2.3.4');
      expect(JSON.parse(kept.get('paraspine-open')!)).toEqual({ pacs: { url: URL_A, studyUid: '1.2.3' }, uid: '1.2.3.4' });
      // The page reloaded: a new store, the same session storage.
      const again = setup();
      await again.store.getState().init();
      expect(again.of('series:scan')[0]!.args[0]).toEqual({ kind: 'dicomweb', url: URL_A, studyUid: '1.2.3' });
      expect(again.of('series:load')[0]!.args[0]).toEqual({ kind: 'dicomweb', url: URL_A, studyUid: '1.2.3', seriesUid: '1.2.3.4' });
      expect(again.store.getState().selectedSeriesUid).toBe('1.2.3.4');
      expect(again.store.getState().pacsRoot).toEqual({ kind: 'dicomweb', url: URL_A, studyUid: '1.2.3' });
    } finally {
      delete (globalThis as { sessionStorage?: unknown }).sessionStorage;
    }
  });
});
