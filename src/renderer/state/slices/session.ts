/** The session: services info, the opened folder and its scan, the open series and its HU volume. */
import { newAnnotationDocument, seriesIdentity, type AnnotationDocument } from '../../../core/annotations/document';
import { DEFAULT_RANGES } from '../../../core/metrics/ranges';
import type { ScanResult } from '../../../core/dicom/types';
import { folderLocator } from '../../../shared/contract';
import { emptyHistory } from '../history';
import { huVolumeFromBytes } from '../huVolume';
import { spineRow } from '../reformat';
import type { Get, SessionSlice, Set, StoreDeps } from '../types';
import { message, pointerFor } from '../util';

function readLastOpen(): { folder: string; uid: string } | null {
  try {
    const v = JSON.parse(globalThis.sessionStorage?.getItem('paraspine-open') ?? 'null') as { folder?: unknown; uid?: unknown } | null;
    return v && typeof v.folder === 'string' && typeof v.uid === 'string' ? { folder: v.folder, uid: v.uid } : null;
  } catch {
    return null;
  }
}


export const createSessionSlice = (set: Set, get: Get, deps: StoreDeps): SessionSlice => ({
  appInfo: null,
  folder: null,
  scan: null,
  scanning: false,
  selectedSeriesUid: null,
  series: null,
  meta: null,
  volume: null,
  loadingSeries: false,
  error: null,
  async init() {
    try {
      set({ appInfo: await deps.api()['app:info']() });
    } catch (e) {
      set({ error: `Cannot reach the Paraspine services: ${message(e)}` });
      return;
    }
    // A page reload reopens the series that was open (its annotations come back from the workspace).
    const last = readLastOpen();
    if (last) {
      await get().openFolder(last.folder);
      if (get().scan?.series.some((s) => s.seriesInstanceUid === last.uid)) await get().selectSeries(last.uid);
    }
  },
  async openFolder(path) {
    // Scan first: a mistyped path or a folder without CT never unloads the series being worked on.
    set({ scanning: true, error: null });
    let scan: ScanResult;
    try {
      scan = await deps.api()['series:scan'](path);
    } catch (e) {
      set({ scanning: false, error: get().series ? `${message(e)} (the open series stays open)` : message(e) });
      return;
    }
    if (scan.series.length === 0 && get().series) {
      const unused = scan.problems.length ? ` (${scan.problems.length} file(s) not usable)` : '';
      set({ scanning: false, error: `No usable CT series in ${path}${unused}; the open series stays open` });
      return;
    }
    get().closeSeries();
    set({ scan, scanning: false, folder: path });
    if (scan.series.length === 0) set({ error: `No usable CT series in ${path}` });
  },
  async pickFolder() {
    try {
      const picked = await deps.api()['folder:pick']();
      if (picked) await get().openFolder(picked);
    } catch (e) {
      set({ error: message(e) });
    }
  },
  async selectSeries(uid) {
    const folder = get().folder;
    if (!folder) return;
    const series = folderLocator(folder, uid);
    set({ loadingSeries: true, error: null, selectedSeriesUid: uid, series, meta: null, volume: null, doc: null, history: emptyHistory(), loadProblem: null, selectedRoiId: null, lastExport: null, maskImport: { busy: false, message: null } });
    try {
      const api = deps.api();
      const meta = await api['series:load'](series);
      const bytes = await api['series:volume'](series);
      const volume = huVolumeFromBytes(bytes, meta);
      const planes = { sagittalColumn: Math.floor(meta.geometry.columns / 2), coronalRow: spineRow(volume) };
      let loaded: { document: AnnotationDocument | null; problem: string | null };
      try {
        loaded = await api['annotations:load'](uid);
      } catch (e) {
        // Without the saved document nothing may be edited (a new one could overwrite it): view only.
        set({ meta, volume, ...planes, loadingSeries: false, sliceIndex: Math.floor(meta.geometry.slices / 2), error: `Annotations cannot be opened: ${message(e)}` });
        return;
      }
      const info = get().appInfo;
      const doc = loaded.document ?? newAnnotationDocument(seriesIdentity(meta.summary), DEFAULT_RANGES, info?.version ?? '0.0.0', get().rater, deps.now());
      const firstLevel = doc.levels[0];
      const activeLevel = firstLevel?.level ?? get().activeLevel;
      set({
        meta,
        volume,
        ...planes,
        doc,
        loadProblem: loaded.problem,
        loadingSeries: false,
        sliceIndex: firstLevel ? Math.min(firstLevel.sliceIndex, meta.geometry.slices - 1) : Math.floor(meta.geometry.slices / 2),
        activeLevel,
        ...pointerFor(doc, activeLevel),
        save: { state: 'idle', path: null, error: null, at: null },
      });
      try {
        globalThis.sessionStorage?.setItem('paraspine-open', JSON.stringify({ folder, uid }));
      } catch {
        /* no session storage (tests) */
      }
    } catch (e) {
      set({ loadingSeries: false, error: message(e) });
    }
  },
  closeSeries() {
    set({ selectedSeriesUid: null, series: null, lastExport: null, meta: null, volume: null, doc: null, history: emptyHistory(), loadProblem: null, selectedRoiId: null });
  },
  async setWorkspace(path) {
    try {
      set({ appInfo: await deps.api()['workspace:set'](path), error: null });
      const { selectedSeriesUid, doc } = get();
      if (selectedSeriesUid && !doc) await get().selectSeries(selectedSeriesUid);
    } catch (e) {
      set({ error: message(e) });
    }
  },
});
