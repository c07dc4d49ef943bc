/** The open series: its metadata, the annotation document, its HU slices as they arrive. */
import { newAnnotationDocument, seriesIdentity, type AnnotationDocument } from '../../../core/annotations/document';
import { DEFAULT_RANGES } from '../../../core/metrics/ranges';
import type { ScanResult } from '../../../core/dicom/types';
import { folderLocator, type DicomWebSeriesRoot, type SeriesLocator, type SeriesSlices } from '../../../shared/contract';
import { emptyHistory } from '../history';
import { chunkSlices, ProgressiveVolume, SlicePlan } from '../progressiveVolume';
import { spineColumn, spineRow } from '../reformat';
import type { Get, SessionSlice, Set, StoreDeps } from '../types';
import { message, pointerFor } from '../util';

/** The series open before a reload: in a folder, or in a study on a PACS (reopened from the instance cache). */
function readLastOpen(): { folder: string; uid: string } | { pacs: DicomWebSeriesRoot; uid: string } | null {
  try {
    const v = JSON.parse(globalThis.sessionStorage?.getItem('paraspine-open') ?? 'null') as { folder?: unknown; uid?: unknown; pacs?: { url?: unknown; studyUid?: unknown } } | null;
    if (v && typeof v.uid === 'string' && typeof v.pacs?.url === 'string' && typeof v.pacs.studyUid === 'string') return { pacs: { kind: 'dicomweb', url: v.pacs.url, studyUid: v.pacs.studyUid }, uid: v.uid };
    return v && typeof v.folder === 'string' && typeof v.uid === 'string' ? { folder: v.folder, uid: v.uid } : null;
  } catch {
    return null;
  }
}

/** A folder the page was asked to open (`#open=DIR`, as `npm run web -- --demo` gives), or null. */
function readOpenFromAddress(): string | null {
  return new URLSearchParams(globalThis.location?.hash.replace(/^#/, '') ?? '').get('open');
}

/** series:slices calls in flight at once after the first slice (one decodes while the other travels). */
const IN_FLIGHT = 2;

/** A range of slices that could not be loaded: its message names them (1-based, as the viewer counts). */
class SlicesNotLoaded extends Error {
  constructor(start: number, count: number, total: number, cause: unknown) {
    const what = count === 1 ? `Slice ${start + 1}` : `Slices ${start + 1}..${start + count}`;
    super(`${what} of ${total} could not be loaded: ${message(cause)}`.replace(/\s*[\r\n]+\s*/g, ' '));
    this.name = 'SlicesNotLoaded';
  }
}

export const createSessionSlice = (set: Set, get: Get, deps: StoreDeps): SessionSlice => {
  /** Bumped by every series opened or closed: a load that is not the latest one stops and writes nothing. */
  let loadSeq = 0;
  /** The volume being filled (its waits are ended when its load is cancelled). */
  let current: ProgressiveVolume | null = null;
  const cancelLoad = (reason: string): number => {
    current?.stop(reason);
    current = null;
    return ++loadSeq;
  };
  return {
  appInfo: null,
  folder: null,
  scan: null,
  scanning: false,
  selectedSeriesUid: null,
  series: null,
  meta: null,
  volume: null,
  shown: null,
  sliceLoad: null,
  loadingSeries: false,
  error: null,
  async init() {
    try {
      const info = await deps.api()['app:info']();
      set({ appInfo: info });
      // The rater kept in the settings comes back (the browser's storage is per origin, and the bridge's
      // port, so its origin, changes between runs).
      if (info.rater && info.rater !== get().rater) {
        set({ rater: info.rater });
        deps.persistRater?.(info.rater);
      }
    } catch (e) {
      set({ error: `Cannot reach the Paraspine services: ${message(e)}` });
      return;
    }
    // A page reload reopens the series that was open (its annotations come back from the workspace).
    const last = readLastOpen();
    if (last && 'pacs' in last) {
      if ((await get().openPacsRoot(last.pacs)) && get().scan?.series.some((s) => s.seriesInstanceUid === last.uid)) await get().selectSeries(last.uid);
      return;
    }
    if (last) {
      await get().openFolder(last.folder);
      if (get().scan?.series.some((s) => s.seriesInstanceUid === last.uid)) await get().selectSeries(last.uid);
      return;
    }
    // Asked to open a folder (the demo): its series when it holds only one.
    const asked = readOpenFromAddress();
    if (asked) {
      await get().openFolder(asked);
      const found = get().scan?.series ?? [];
      if (found.length === 1) await get().selectSeries(found[0]!.seriesInstanceUid);
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
    set({ scan, scanning: false, folder: path, pacsRoot: null });
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
    const { folder, pacsRoot } = get();
    if (!folder && !pacsRoot) return;
    const seq = cancelLoad('another series was opened');
    const live = () => seq === loadSeq;
    // A study listed from a PACS (slices/pacs.ts) or a folder: the same load from here on.
    const series: SeriesLocator = pacsRoot ? { ...pacsRoot, seriesUid: uid } : folderLocator(folder!, uid);
    // The first read, or the rater's blinded second read (slices/reads.ts): fixed for as long as the series is open.
    const which = get().nextRead();
    const openRead = 'read' in which ? which.read : null;
    set({ loadingSeries: true, error: null, selectedSeriesUid: uid, series, meta: null, volume: null, shown: null, sliceLoad: null, doc: null, docRevision: null, saveConflict: null, history: emptyHistory(), loadProblem: null, selectedRoiId: null, lastExport: null, maskImport: { busy: false, message: null }, openRead, reads: null, compareOn: false, reopenOpen: false, agreement: { state: 'idle', view: null, error: null } });
    let pv: ProgressiveVolume | null = null;
    try {
      const api = deps.api();
      // The document is small and says which slice to show first: it comes with the metadata, before any pixel.
      const docLoad = ('refused' in which ? Promise.reject(new Error(which.refused)) : openRead ? api['annotations:load'](uid, openRead) : api['annotations:load'](uid)).then(
        (r) => ({ ok: true as const, r }),
        (e: unknown) => ({ ok: false as const, e }),
      );
      if (series.kind === 'dicomweb') get().watchPacsDownload(series);
      const meta = await api['series:load'](series);
      const loaded = await docLoad;
      if (!live()) return;
      const g = meta.geometry;
      const info = get().appInfo;
      // Without the saved document nothing may be edited (a new one could overwrite it): view only.
      const doc: AnnotationDocument | null = loaded.ok ? (loaded.r.document ?? newAnnotationDocument(seriesIdentity(meta.summary), DEFAULT_RANGES, info?.version ?? '0.0.0', get().rater, deps.now())) : null;
      const firstLevel = doc?.levels[0];
      const first = firstLevel ? Math.max(0, Math.min(firstLevel.sliceIndex, g.slices - 1)) : Math.floor(g.slices / 2);
      const progressive = new ProgressiveVolume(meta);
      pv = progressive;
      current = progressive;
      const fetchSlices = async (start: number, count: number): Promise<SeriesSlices> => {
        try {
          return await api['series:slices'](series, { start, count });
        } catch (e) {
          throw new SlicesNotLoaded(start, count, g.slices, e);
        }
      };
      const write = (r: SeriesSlices, start: number, count: number) => {
        if (r.start !== start || r.count !== count) throw new SlicesNotLoaded(start, count, g.slices, new Error(`the services sent slices ${r.start + 1}..${r.start + r.count}`));
        try {
          return progressive.write(r);
        } catch (e) {
          throw new SlicesNotLoaded(start, count, g.slices, e);
        }
      };

      // The slice shown first: on screen as soon as it is decoded.
      const firstSlice = await fetchSlices(first, 1);
      if (!live()) return;
      write(firstSlice, first, 1);
      const activeLevel = firstLevel?.level ?? get().activeLevel;
      set({
        meta,
        shown: { volume: progressive.volume, slices: progressive },
        sliceLoad: { loaded: progressive.loadedCount, total: progressive.total },
        sagittalColumn: Math.floor(g.columns / 2),
        coronalRow: Math.floor(g.rows / 2),
        sliceIndex: first,
        doc,
        // The base of this copy's first save (undefined: services that give no revision, saved unconditionally).
        docRevision: loaded.ok ? loaded.r.revision : null,
        loadProblem: loaded.ok ? loaded.r.problem : null,
        loadProblemOpened: loaded.ok && loaded.r.document !== null,
        ...(doc ? { activeLevel, ...pointerFor(doc, activeLevel) } : {}),
        save: { state: 'idle', path: null, error: null, at: null },
        ...(loaded.ok ? {} : { error: `Annotations cannot be opened: ${message(loaded.e)}` }),
      });
      if (doc) void get().refreshReads();
      try {
        if (folder && !pacsRoot) globalThis.sessionStorage?.setItem('paraspine-open', JSON.stringify({ folder, uid }));
        if (pacsRoot) globalThis.sessionStorage?.setItem('paraspine-open', JSON.stringify({ pacs: { url: pacsRoot.url, studyUid: pacsRoot.studyUid }, uid }));
      } catch {
        /* no session storage (tests) */
      }

      // The rest behind it, nearest the slice shown first (it follows scrolling), IN_FLIGHT calls at a time.
      const sizes = chunkSlices(meta);
      const plan = new SlicePlan(g.slices, sizes.first, sizes.most);
      plan.take(first, 1);
      await new Promise<void>((resolve, reject) => {
        let inFlight = 0;
        let failed = false;
        const pump = () => {
          while (inFlight < IN_FLIGHT && !failed && live()) {
            const r = plan.next(get().sliceIndex);
            if (!r) break;
            inFlight++;
            fetchSlices(r.start, r.count).then(
              (chunk) => {
                inFlight--;
                if (failed) return;
                if (!live()) return resolve();
                try {
                  const promoted = write(chunk, r.start, r.count);
                  set({ sliceLoad: { loaded: progressive.loadedCount, total: progressive.total }, ...(promoted ? { shown: { volume: progressive.volume, slices: progressive } } : {}) });
                } catch (e) {
                  failed = true;
                  return reject(e);
                }
                if (progressive.complete) resolve();
                else pump();
              },
              (e: unknown) => {
                inFlight--;
                if (failed) return;
                failed = true;
                reject(e);
              },
            );
          }
          if (!live() || (inFlight === 0 && progressive.complete)) resolve();
        };
        pump();
      });
      if (!live()) return;
      // Every slice is in: what needs the whole volume may run now.
      const volume = progressive.volume;
      set({ volume, shown: get().shown?.volume === volume ? get().shown : { volume, slices: progressive }, sliceLoad: null, loadingSeries: false, coronalRow: spineRow(volume), sagittalColumn: Math.round(spineColumn(volume, spineRow(volume))) });
      if (current === progressive) current = null;
    } catch (e) {
      if (!live()) return;
      pv?.stop(message(e));
      if (current === pv) current = null;
      // No image of a series that did not load stays on screen, and no document of it is edited.
      set({ loadingSeries: false, error: message(e), meta: null, shown: null, volume: null, sliceLoad: null, doc: null, history: emptyHistory(), loadProblem: null, selectedRoiId: null });
    }
  },
  closeSeries() {
    cancelLoad('the series was closed');
    set({ selectedSeriesUid: null, series: null, lastExport: null, meta: null, volume: null, shown: null, sliceLoad: null, loadingSeries: false, doc: null, docRevision: null, saveConflict: null, history: emptyHistory(), loadProblem: null, selectedRoiId: null, openRead: null, reads: null, compareOn: false, reopenOpen: false });
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
};
};
