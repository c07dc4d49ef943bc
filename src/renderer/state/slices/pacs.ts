/**
 * The PACS panel's state: saved DICOMweb servers (settings, through pacs:servers / pacs:saveServers), a
 * study search (pacs:search), a study's series (series:scan of a DICOMweb root) and Send to PACS
 * (pacs:store). Everything goes through the API channels: the renderer never talks to a server. A
 * series is opened with the session's selectSeries, as from a folder (pacsRoot names where from).
 */
import type { DicomWebSeriesLocator, DicomWebSeriesRoot, PacsCredentials, PacsDownloadProgress, PacsServer, PacsServerInfo, PacsStudy } from '../../../shared/contract';
import type { Get, Set, StoreDeps } from '../types';
import { message } from '../util';

/** The panel's search fields; dates as an <input type="date"> gives them (YYYY-MM-DD) or ''. */
export interface PacsQuery {
  patientName: string;
  patientId: string;
  dateFrom: string;
  dateTo: string;
  accessionNumber: string;
  studyDescription: string;
  modality: string;
}

export const EMPTY_PACS_QUERY: PacsQuery = { patientName: '', patientId: '', dateFrom: '', dateTo: '', accessionNumber: '', studyDescription: '', modality: '' };

/** What the panel last asked for (the Retry button asks again). */
type PacsAction = { kind: 'servers' } | { kind: 'search'; url: string; query: PacsQuery } | { kind: 'study'; url: string; studyUid: string } | { kind: 'store' };

export interface PacsSlice {
  pacsOpen: boolean;
  /** Saved servers, each with whether it has credentials (what they are never reaches the renderer). */
  pacsServers: PacsServerInfo[];
  /** The base URL of the server searched. */
  pacsServerUrl: string | null;
  pacsStudies: PacsStudy[] | null;
  /** The study whose series the scan lists (and the series browser shows). */
  pacsRoot: DicomWebSeriesRoot | null;
  pacsBusy: boolean;
  /** One line: what failed (a server down, an answer not understood); Retry asks again. */
  pacsError: string | null;
  pacsLast: PacsAction | null;
  /** One line: what Send to PACS sent. */
  pacsSent: string | null;
  /** The retrieval of the PACS series being opened: instances received of those listed (null: none under way). */
  pacsDownload: PacsDownloadProgress | null;
  setPacsOpen(open: boolean): void;
  loadPacsServers(): Promise<void>;
  /** Saves a server; with credentials, keeps them too (apart from the settings, by the services). */
  savePacsServer(server: PacsServer, credentials?: PacsCredentials | null): Promise<void>;
  /** Shows the progress of a series' retrieval while its series:load runs (polling pacs:progress). */
  watchPacsDownload(series: DicomWebSeriesLocator): void;
  /** Stops the retrieval of the series being opened (the open fails with 'download cancelled'; the app stays usable). */
  cancelPacsDownload(): Promise<void>;
  /** Lists a study's series (series:scan of a DICOMweb root) and makes it the open root; false when it failed. */
  openPacsRoot(root: DicomWebSeriesRoot): Promise<boolean>;
  removePacsServer(url: string): Promise<void>;
  selectPacsServer(url: string): void;
  searchPacs(query: PacsQuery): Promise<void>;
  openPacsStudy(studyUid: string): Promise<void>;
  retryPacs(): Promise<void>;
  /** Export > Send to PACS: the SR and SEG of the open document into its study (a series opened from a server). */
  sendToPacs(): Promise<void>;
}

/** QIDO-RS StudyDate from the panel's two dates: a day, a range, or a range open at one end; undefined when both are empty. */
export function studyDateRange(from: string, to: string): string | undefined {
  const d = (s: string) => s.replace(/-/g, '');
  if (!from && !to) return undefined;
  if (from && to) return from === to ? d(from) : `${d(from)}-${d(to)}`;
  return from ? `${d(from)}-` : `-${d(to)}`;
}

export const createPacsSlice = (set: Set, get: Get, deps: StoreDeps): PacsSlice => {
  /** Runs one panel action: busy while it runs, its failure as the panel's one line (kept for Retry). */
  const run = async (action: PacsAction, body: () => Promise<void>): Promise<void> => {
    set({ pacsBusy: true, pacsError: null, pacsLast: action });
    try {
      await body();
      set({ pacsBusy: false });
    } catch (e) {
      set({ pacsBusy: false, pacsError: message(e).replace(/\s*[\r\n]+\s*/g, ' ') });
    }
  };
  const search = (url: string, query: PacsQuery) =>
    run({ kind: 'search', url, query }, async () => {
      const t = (s: string) => s.trim();
      const studyDate = studyDateRange(query.dateFrom, query.dateTo);
      const found = await deps.api()['pacs:search']({
        url,
        ...(t(query.patientName) ? { patientName: t(query.patientName) } : {}),
        ...(t(query.patientId) ? { patientId: t(query.patientId) } : {}),
        ...(studyDate ? { studyDate } : {}),
        ...(t(query.accessionNumber) ? { accessionNumber: t(query.accessionNumber) } : {}),
        ...(t(query.studyDescription) ? { studyDescription: t(query.studyDescription) } : {}),
        ...(t(query.modality) ? { modality: t(query.modality) } : {}),
      });
      set({ pacsStudies: found });
    });
  const openStudy = (url: string, studyUid: string) =>
    run({ kind: 'study', url, studyUid }, async () => {
      const root: DicomWebSeriesRoot = { kind: 'dicomweb', url, studyUid };
      // Scan first: a server that fails never unloads the series being worked on.
      const scan = await deps.api()['series:scan'](root);
      if (scan.series.length === 0) throw new Error(`No usable CT series in study ${studyUid}${scan.problems.length ? ` (${scan.problems.length} item(s) not usable)` : ''}`);
      get().closeSeries();
      set({ scan, folder: null, pacsRoot: root, error: null });
    });
  return {
    pacsOpen: false,
    pacsServers: [],
    pacsServerUrl: null,
    pacsStudies: null,
    pacsRoot: null,
    pacsBusy: false,
    pacsError: null,
    pacsLast: null,
    pacsSent: null,
    pacsDownload: null,
    setPacsOpen(open) {
      set({ pacsOpen: open });
      if (open && get().pacsServers.length === 0) void get().loadPacsServers();
    },
    loadPacsServers: () =>
      run({ kind: 'servers' }, async () => {
        const servers = await deps.api()['pacs:servers']();
        const cur = get().pacsServerUrl;
        set({ pacsServers: servers, pacsServerUrl: cur && servers.some((s) => s.url === cur) ? cur : (servers[0]?.url ?? null) });
      }),
    savePacsServer: (server, credentials) =>
      run({ kind: 'servers' }, async () => {
        const list = [...get().pacsServers.filter((s) => s.url !== server.url && s.name !== server.name), server].map((s) => ({ name: s.name, url: s.url }));
        let saved = await deps.api()['pacs:saveServers'](list);
        const url = saved.find((s) => s.name === server.name)?.url;
        if (credentials !== undefined && url) saved = await deps.api()['pacs:setCredentials']({ url, credentials });
        // The services may normalise the address (a trailing slash): select the one saved under this name.
        set({ pacsServers: saved, pacsServerUrl: saved.find((s) => s.name === server.name)?.url ?? saved.at(-1)?.url ?? null });
      }),
    removePacsServer: (url) =>
      run({ kind: 'servers' }, async () => {
        const saved = await deps.api()['pacs:saveServers'](get().pacsServers.filter((s) => s.url !== url).map((s) => ({ name: s.name, url: s.url })));
        set({ pacsServers: saved, pacsServerUrl: get().pacsServerUrl === url ? (saved[0]?.url ?? null) : get().pacsServerUrl });
      }),
    watchPacsDownload(series) {
      // Until the retrieval is over (the first slice shows long before) or another series is opened.
      const still = () => get().series === series && get().loadingSeries;
      const tick = async () => {
        if (!still()) return set({ pacsDownload: null });
        let p: PacsDownloadProgress | null = null;
        try {
          p = await deps.api()['pacs:progress'](series);
          if (still()) set({ pacsDownload: p });
        } catch {
          /* progress is a nicety: the open itself says what failed */
        }
        const over = p === null && get().meta !== null;
        if (still() && !over) setTimeout(() => void tick(), 150);
        else set({ pacsDownload: null });
      };
      set({ pacsDownload: null });
      void tick();
    },
    async cancelPacsDownload() {
      const { series } = get();
      if (series?.kind !== 'dicomweb') return;
      try {
        await deps.api()['pacs:cancel'](series);
      } catch (e) {
        set({ pacsError: message(e) });
      }
    },
    async openPacsRoot(root) {
      await openStudy(root.url, root.studyUid);
      const now = get().pacsRoot;
      return get().pacsError === null && now?.url === root.url && now.studyUid === root.studyUid;
    },
    selectPacsServer(url) {
      set({ pacsServerUrl: url, pacsStudies: null, pacsError: null });
    },
    async searchPacs(query) {
      const url = get().pacsServerUrl;
      if (!url) {
        set({ pacsError: 'Add or choose a server first' });
        return;
      }
      await search(url, query);
    },
    async openPacsStudy(studyUid) {
      const url = get().pacsServerUrl;
      if (url) await openStudy(url, studyUid);
    },
    async retryPacs() {
      const last = get().pacsLast;
      if (!last) return;
      if (last.kind === 'servers') await get().loadPacsServers();
      else if (last.kind === 'search') await search(last.url, last.query);
      else if (last.kind === 'study') await openStudy(last.url, last.studyUid);
      else await get().sendToPacs();
    },
    async sendToPacs() {
      const { series, doc } = get();
      if (!series || series.kind !== 'dicomweb' || !doc) {
        get().showToast('Open a series from a PACS before sending to it', 'error');
        return;
      }
      set({ pacsSent: null });
      await run({ kind: 'store' }, async () => {
        const r = await deps.api()['pacs:store']({ series, document: doc });
        const refused = r.failed.length ? `; refused: ${r.failed.map((f) => `${f.sopInstanceUid} (${f.reason})`).join(', ')}` : '';
        const left = r.leftOut.length ? `; left out: ${r.leftOut.join('; ')}` : '';
        const text = `${r.sent.join('; ')} (study ${r.studyUid})${refused}${left}`;
        set({ pacsSent: text });
        get().showToast(text, r.failed.length ? 'error' : 'info');
      });
      const err = get().pacsError;
      if (err) get().showToast(`Send to PACS failed: ${err}`, 'error');
    },
  };
};
