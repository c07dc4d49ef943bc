/**
 * One zustand store made of typed slices. It holds serialisable domain data (the HU volume is a typed
 * array: data, not a viewer object); actions call the services through the api client. Narrow
 * selectors in components (useApp(s => s.sliceIndex)).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { newAnnotationDocument, seriesIdentity, type AnnotationDocument, type Roi, type RoiMuscle, type SeriesIdentity } from '../../core/annotations/document';
import type { Level, Muscle, Side } from '../../core/anatomy/anatomy';
import type { ScanResult, SeriesSummary } from '../../core/dicom/types';
import type { Vec3 } from '../../core/geometry/vec3';
import { sliceZ } from '../../core/geometry/volumeGeometry';
import { DEFAULT_RANGES, validateRanges, type HuRanges } from '../../core/metrics/ranges';
import type { HuVolume } from '../../core/volume';
import type { AppInfo, LoadedSeriesMeta, MaskImportResult, ParaspineApi } from '../../shared/contract';
import type { ToolId } from '../../shared/tools';
import { firstOpenTarget, nextTarget } from './checklist';
import * as ops from './documentOps';
import { emptyHistory, record, redo as historyRedo, undo as historyUndo, type History } from './history';
import { huVolumeFromBytes } from './huVolume';
import { nextPreset, type PresetId } from './presets';
import { spineRow } from './reformat';

/** The viewer's tools (ids and labels in src/shared/tools.ts; the ROI tools' Cornerstone side in viewer/tools/). */
export type Tool = ToolId;

export interface SessionSlice {
  appInfo: AppInfo | null;
  folder: string | null;
  scan: ScanResult | null;
  scanning: boolean;
  selectedSeriesUid: string | null;
  meta: LoadedSeriesMeta | null;
  volume: HuVolume | null;
  loadingSeries: boolean;
  error: string | null;
  init(): Promise<void>;
  openFolder(path: string): Promise<void>;
  selectSeries(uid: string): Promise<void>;
  closeSeries(): void;
  setWorkspace(path: string): Promise<void>;
}

export interface ViewSlice {
  sliceIndex: number;
  preset: PresetId;
  tool: Tool;
  showOverlay: boolean;
  /** Bumped to ask the viewer to reset zoom/pan/window. */
  resetCounter: number;
  /** Column i of the sagittal reformat and row j of the coronal one (set when a series opens). */
  sagittalColumn: number;
  coronalRow: number;
  setSlice(k: number): void;
  setSagittalColumn(i: number): void;
  setCoronalRow(j: number): void;
  stepSlice(delta: number): void;
  setPreset(p: PresetId): void;
  cyclePreset(): void;
  setTool(t: Tool): void;
  toggleOverlay(): void;
  resetView(): void;
}

export type SaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'error';

export interface AnnotationSlice {
  doc: AnnotationDocument | null;
  history: History;
  activeLevel: Level;
  activeMuscle: Muscle;
  activeSide: Side;
  selectedRoiId: string | null;
  /** A problem reported by annotations:load (corrupt/newer document kept aside). */
  loadProblem: string | null;
  save: { state: SaveState; path: string | null; error: string | null; at: string | null };
  /** Incremented on every document change the user made (autosave watches it). */
  changeCounter: number;
  /** Apply a document change through history; `key` merges changes of one gesture. */
  change(fn: (doc: AnnotationDocument, now: string) => AnnotationDocument, key?: string | null): void;
  markLevel(level: Level): void;
  confirmLevel(level: Level): void;
  removeLevel(level: Level): void;
  setActiveLevel(level: Level): void;
  setActiveMuscle(m: Muscle): void;
  setActiveSide(s: Side): void;
  selectRoi(id: string | null): void;
  /** A finished outline on the current slice (LPS mm) for the active level/muscle/side. */
  addOutline(id: string, pointsLps: Vec3[]): void;
  editOutline(id: string, pointsLps: Vec3[], gestureKey?: string): void;
  deleteRoi(id: string): void;
  deleteSelectedRoi(): void;
  assignSelectedRoi(muscle: RoiMuscle, side: Side): void;
  setRanges(r: HuRanges): void;
  /** Add what masks:import found (one undo step); the checklist then points at the first outline still missing. */
  applyMaskImport(result: MaskImportResult): void;
  /** The rater's name: remembered on this machine and written into the open document (not an undo step). */
  rater: string;
  setRater(name: string): void;
  undo(): void;
  redo(): void;
  setSaveState(s: Partial<AnnotationSlice['save']>): void;
}

export interface UiSlice {
  helpOpen: boolean;
  toast: { text: string; kind: 'info' | 'error' } | null;
  lastExport: { path: string; content: string; format: 'csv' | 'json' } | null;
  setHelpOpen(open: boolean): void;
  showToast(text: string, kind?: 'info' | 'error'): void;
  setLastExport(e: UiSlice['lastExport']): void;
}

export type AppState = SessionSlice & ViewSlice & AnnotationSlice & UiSlice;

export interface StoreDeps {
  api: () => ParaspineApi;
  now: () => string;
  newId: () => string;
  rater: () => string;
  /** Remember the rater's name for the next session (localStorage in the app). */
  persistRater?: (name: string) => void;
}

type Set = StoreApi<AppState>['setState'];
type Get = StoreApi<AppState>['getState'];

export { seriesIdentity };

function readLastOpen(): { folder: string; uid: string } | null {
  try {
    const v = JSON.parse(globalThis.sessionStorage?.getItem('paraspine-open') ?? 'null') as { folder?: unknown; uid?: unknown } | null;
    return v && typeof v.folder === 'string' && typeof v.uid === 'string' ? { folder: v.folder, uid: v.uid } : null;
  } catch {
    return null;
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The checklist pointer for a level just opened or switched to: its first outline not done yet (unchanged when all are done). */
function pointerFor(doc: AnnotationDocument | null, level: Level): Partial<Pick<AnnotationSlice, 'activeMuscle' | 'activeSide'>> {
  const t = firstOpenTarget(doc, level);
  return t ? { activeMuscle: t.muscle, activeSide: t.side } : {};
}

const createSessionSlice = (set: Set, get: Get, deps: StoreDeps): SessionSlice => ({
  appInfo: null,
  folder: null,
  scan: null,
  scanning: false,
  selectedSeriesUid: null,
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
    set({ scanning: true, error: null, folder: path, scan: null });
    get().closeSeries();
    try {
      const scan = await deps.api()['series:scan'](path);
      set({ scan, scanning: false });
      if (scan.series.length === 0) set({ error: `No usable CT series in ${path}` });
    } catch (e) {
      set({ scanning: false, error: message(e) });
    }
  },
  async selectSeries(uid) {
    const folder = get().folder;
    if (!folder) return;
    set({ loadingSeries: true, error: null, selectedSeriesUid: uid, meta: null, volume: null, doc: null, history: emptyHistory(), loadProblem: null, selectedRoiId: null });
    try {
      const api = deps.api();
      const meta = await api['series:load'](folder, uid);
      const bytes = await api['series:volume'](folder, uid);
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
    set({ selectedSeriesUid: null, meta: null, volume: null, doc: null, history: emptyHistory(), loadProblem: null, selectedRoiId: null });
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

const createViewSlice = (set: Set, get: Get): ViewSlice => ({
  sliceIndex: 0,
  preset: 'soft',
  tool: 'polygon',
  showOverlay: true,
  resetCounter: 0,
  sagittalColumn: 0,
  coronalRow: 0,
  setSagittalColumn(i) {
    const n = get().volume?.geometry.columns ?? 1;
    set({ sagittalColumn: Math.max(0, Math.min(n - 1, Math.round(i))) });
  },
  setCoronalRow(j) {
    const n = get().volume?.geometry.rows ?? 1;
    set({ coronalRow: Math.max(0, Math.min(n - 1, Math.round(j))) });
  },
  setSlice(k) {
    const n = get().volume?.geometry.slices ?? 1;
    const clamped = Math.max(0, Math.min(n - 1, Math.round(k)));
    if (clamped !== get().sliceIndex) set({ sliceIndex: clamped });
  },
  stepSlice(delta) {
    get().setSlice(get().sliceIndex + delta);
  },
  setPreset(p) {
    set({ preset: p });
  },
  cyclePreset() {
    set({ preset: nextPreset(get().preset) });
  },
  setTool(t) {
    set({ tool: t });
  },
  toggleOverlay() {
    set({ showOverlay: !get().showOverlay });
  },
  resetView() {
    set({ resetCounter: get().resetCounter + 1 });
  },
});

const createAnnotationSlice = (set: Set, get: Get, deps: StoreDeps): AnnotationSlice => ({
  doc: null,
  history: emptyHistory(),
  activeLevel: 'L3',
  activeMuscle: 'psoas',
  activeSide: 'left',
  selectedRoiId: null,
  loadProblem: null,
  save: { state: 'idle', path: null, error: null, at: null },
  changeCounter: 0,
  change(fn, key = null) {
    const { doc, history } = get();
    if (!doc) return;
    const next = fn(doc, deps.now());
    if (next === doc) return;
    set({ doc: next, history: record(history, doc, key), changeCounter: get().changeCounter + 1 });
  },
  markLevel(level) {
    const { volume, sliceIndex, activeLevel } = get();
    if (!volume) return;
    get().change((d, now) => ops.setLevel(d, level, sliceIndex, sliceZ(volume.geometry, sliceIndex), now));
    if (level !== activeLevel) set({ activeLevel: level, ...pointerFor(get().doc, level) });
  },
  confirmLevel(level) {
    get().change((d, now) => ops.confirmLevel(d, level, now));
  },
  removeLevel(level) {
    get().change((d, now) => ops.removeLevel(d, level, now));
  },
  setActiveLevel(level) {
    if (level !== get().activeLevel) set({ activeLevel: level, ...pointerFor(get().doc, level) });
    const mark = get().doc?.levels.find((l) => l.level === level);
    if (mark) get().setSlice(mark.sliceIndex);
  },
  setActiveMuscle(m) {
    set({ activeMuscle: m });
  },
  setActiveSide(s) {
    set({ activeSide: s });
  },
  selectRoi(id) {
    set({ selectedRoiId: id });
  },
  addOutline(id, pointsLps) {
    const { volume, sliceIndex, activeLevel, activeMuscle, activeSide, doc } = get();
    if (!volume || !doc || pointsLps.length < 3) return;
    const now = deps.now();
    const roi: Roi = {
      id,
      level: activeLevel,
      muscle: activeMuscle,
      side: activeSide,
      sliceIndex,
      z: sliceZ(volume.geometry, sliceIndex),
      pointsLps,
      source: 'drawn',
      createdAt: now,
      modifiedAt: now,
    };
    // Drawing on a level that is not marked yet marks it on this slice (one undo step each).
    if (!doc.levels.some((l) => l.level === activeLevel)) get().markLevel(activeLevel);
    get().change((d, t) => ops.addRoi(d, roi, t));
    const next = nextTarget(get().doc, activeLevel, { muscle: activeMuscle, side: activeSide });
    set({ selectedRoiId: id, ...(next ? { activeMuscle: next.muscle, activeSide: next.side } : {}) });
  },
  editOutline(id, pointsLps, gestureKey) {
    get().change((d, now) => ops.updateRoiPoints(d, id, pointsLps, now), gestureKey ?? null);
  },
  deleteRoi(id) {
    get().change((d, now) => ops.deleteRoi(d, id, now));
    if (get().selectedRoiId === id) set({ selectedRoiId: null });
  },
  deleteSelectedRoi() {
    const id = get().selectedRoiId;
    if (id) get().deleteRoi(id);
  },
  assignSelectedRoi(muscle, side) {
    const id = get().selectedRoiId;
    if (id) get().change((d, now) => ops.assignRoi(d, id, muscle, side, now));
  },
  setRanges(r) {
    validateRanges(r);
    get().change((d, now) => ops.setRanges(d, r, now));
  },
  applyMaskImport(result) {
    get().change((d, now) => ops.applyMaskImport(d, result, now));
    set(pointerFor(get().doc, get().activeLevel));
  },
  rater: deps.rater(),
  setRater(name) {
    set({ rater: name });
    deps.persistRater?.(name);
    const doc = get().doc;
    if (!doc) return;
    const next = ops.setRater(doc, name, deps.now());
    if (next !== doc) set({ doc: next, changeCounter: get().changeCounter + 1 });
  },
  undo() {
    const { doc, history } = get();
    if (!doc) return;
    const r = historyUndo(history, doc);
    // The rater is not part of the undo history: the restored document keeps the current name.
    if (r) set({ doc: r.doc.rater === doc.rater ? r.doc : { ...r.doc, rater: doc.rater }, history: r.history, changeCounter: get().changeCounter + 1 });
  },
  redo() {
    const { doc, history } = get();
    if (!doc) return;
    const r = historyRedo(history, doc);
    if (r) set({ doc: r.doc.rater === doc.rater ? r.doc : { ...r.doc, rater: doc.rater }, history: r.history, changeCounter: get().changeCounter + 1 });
  },
  setSaveState(s) {
    set({ save: { ...get().save, ...s } });
  },
});

const createUiSlice = (set: Set): UiSlice => ({
  helpOpen: false,
  toast: null,
  lastExport: null,
  setHelpOpen(open) {
    set({ helpOpen: open });
  },
  showToast(text, kind = 'info') {
    set({ toast: { text, kind } });
  },
  setLastExport(e) {
    set({ lastExport: e });
  },
});

export function createAppStore(deps: StoreDeps): StoreApi<AppState> {
  return createStore<AppState>()((set, get) => ({
    ...createSessionSlice(set, get, deps),
    ...createViewSlice(set, get),
    ...createAnnotationSlice(set, get, deps),
    ...createUiSlice(set),
  }));
}

/**
 * Autosave: after every document change, save within `delayMs` (debounced); `flush()` saves now
 * (stroke end). Saves never overlap; a change during a save is saved right after it.
 */
export function attachAutosave(store: StoreApi<AppState>, api: () => ParaspineApi, delayMs = 250): { flush(): Promise<void>; dispose(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let saving: Promise<void> | null = null;
  let savedCounter = store.getState().changeCounter;

  async function saveNow(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (saving) {
      await saving;
    }
    const { doc, changeCounter } = store.getState();
    if (!doc || changeCounter === savedCounter) return;
    store.getState().setSaveState({ state: 'saving' });
    saving = (async () => {
      try {
        const r = await api()['annotations:save'](doc);
        savedCounter = changeCounter;
        const st = store.getState();
        st.setSaveState({ state: st.changeCounter === changeCounter ? 'saved' : 'pending', path: r.path, error: null, at: new Date().toISOString() });
      } catch (e) {
        store.getState().setSaveState({ state: 'error', error: message(e) });
      } finally {
        saving = null;
      }
    })();
    await saving;
    if (store.getState().changeCounter !== savedCounter && store.getState().save.state !== 'error') schedule();
  }

  function schedule() {
    if (timer) clearTimeout(timer);
    store.getState().setSaveState({ state: 'pending' });
    timer = setTimeout(() => void saveNow(), delayMs);
  }

  const unsub = store.subscribe((s, prev) => {
    if (s.doc !== prev.doc && s.doc && prev.doc && s.doc.series.seriesInstanceUid === prev.doc.series.seriesInstanceUid && s.changeCounter !== prev.changeCounter) {
      schedule();
    }
    if (s.doc && (!prev.doc || s.doc.series.seriesInstanceUid !== prev.doc.series.seriesInstanceUid)) {
      // a document was just opened: it is what is on disk
      savedCounter = s.changeCounter;
    }
  });
  return {
    flush: saveNow,
    dispose() {
      unsub();
      if (timer) clearTimeout(timer);
    },
  };
}

function defaultId(): string {
  const c = globalThis.crypto;
  if (c && 'randomUUID' in c) return c.randomUUID();
  return `roi-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

let appStore: StoreApi<AppState> | null = null;

export function getAppStore(api: () => ParaspineApi): StoreApi<AppState> {
  if (!appStore) {
    appStore = createAppStore({
      api,
      now: () => new Date().toISOString(),
      newId: defaultId,
      rater: () => {
        try {
          return typeof localStorage !== 'undefined' ? (localStorage.getItem('paraspine-rater') ?? '') : '';
        } catch {
          return '';
        }
      },
      persistRater: (name) => {
        try {
          localStorage.setItem('paraspine-rater', name);
        } catch {
          /* storage unavailable: the name still goes into the document */
        }
      },
    });
  }
  return appStore;
}

export function useApp<T>(selector: (s: AppState) => T): T {
  if (!appStore) throw new Error('store not created');
  return useStore(appStore, selector);
}

export { defaultId as newRoiId };
