/**
 * The store's shape: one interface per slice (slices/*.ts make them), composed in store.ts. The store
 * holds serialisable domain data only (the HU volume is a typed array: data, not a viewer object).
 */
import type { ToolId } from '../../shared/tools';
import type { StoreApi } from 'zustand/vanilla';
import type { AnnotationDocument, LevelMark, RoiMuscle } from '../../core/annotations/document';
import type { Level, Muscle, Side } from '../../core/anatomy/anatomy';
import type { ScanResult } from '../../core/dicom/types';
import type { Vec3 } from '../../core/geometry/vec3';
import type { HuRanges } from '../../core/metrics/ranges';
import type { HuVolume } from '../../core/volume';
import type { AppInfo, LoadedSeriesMeta, MaskImportResult, ParaspineApi, SeriesLocator } from '../../shared/contract';
import type { History } from './history';
import type { PresetId } from './presets';

/** The active tool: an ROI tool or a view tool (ids in src/shared/tools.ts). */
export type Tool = ToolId;

export interface SessionSlice {
  appInfo: AppInfo | null;
  folder: string | null;
  scan: ScanResult | null;
  scanning: boolean;
  selectedSeriesUid: string | null;
  /** Where the open series' frames come from (the services speak of locators, not folders). */
  series: SeriesLocator | null;
  meta: LoadedSeriesMeta | null;
  volume: HuVolume | null;
  loadingSeries: boolean;
  error: string | null;
  init(): Promise<void>;
  openFolder(path: string): Promise<void>;
  /** The native folder dialog (Electron), then openFolder; nothing when cancelled. */
  pickFolder(): Promise<void>;
  selectSeries(uid: string): Promise<void>;
  closeSeries(): void;
  setWorkspace(path: string): Promise<void>;
}

export interface ViewSlice {
  sliceIndex: number;
  preset: PresetId;
  /** The window the viewer shows now (set by the viewer: a preset, or a mouse W/L drag); null before the first image. */
  voi: { center: number; width: number } | null;
  setVoi(v: { center: number; width: number } | null): void;
  /** Bumped to ask the viewer to cancel an outline being drawn (Esc). */
  cancelDrawingCounter: number;
  cancelDrawing(): void;
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

/** A question the app asks before a change it must not make silently (an in-app dialog answers it). */
export type Question =
  | {
      kind: 'moveLevel';
      level: Level;
      /**
       * The level is already marked on toSlice (the key marks at once, one undo step): the question is
       * what becomes of its outlines elsewhere. fromSlice / prevMark: where it was (null: not marked).
       */
      fromSlice: number | null;
      prevMark: LevelMark | null;
      toSlice: number;
      /** History key of the mark, so the answer's change joins the same undo step. */
      key: string;
      /** The level's outlines that lie on another slice than toSlice, and the slices they lie on. */
      roiIds: string[];
      roiSlices: number[];
    }
  | {
      kind: 'duplicate';
      level: Level;
      muscle: Muscle;
      side: Side;
      /** The outlines of this level, muscle and side already in the document. */
      existingIds: string[];
      /** The outline just finished (not in the document yet). */
      outline: { id: string; pointsLps: Vec3[]; sliceIndex: number };
    };

export type QuestionChoice = 'move' | 'keep' | 'replace' | 'keepBoth' | 'cancel';

/** What became of a finished outline: in the document, refused (with a message), or waiting for an answer. */
export type OutlineResult = 'added' | 'refused' | 'asked';

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
  /**
   * A finished outline on the current slice (LPS mm) for the active level/muscle/side. Refused (with a
   * toast) when the active level is marked on another slice; asks when that level x muscle x side
   * already has an outline.
   */
  addOutline(id: string, pointsLps: Vec3[]): OutlineResult;
  /** The open question (moving a level that has outlines, a second outline of one muscle and side). */
  question: Question | null;
  answerQuestion(choice: QuestionChoice): void;
  editOutline(id: string, pointsLps: Vec3[], gestureKey?: string): void;
  deleteRoi(id: string): void;
  /** Deletes the selected outline only when it lies on the slice shown (otherwise a toast says where it is). */
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
  setHelpOpen(open: boolean): void;
  showToast(text: string, kind?: 'info' | 'error'): void;
}

export interface LastExport {
  path: string;
  format: 'csv' | 'json';
  /** The exported text (the browser-mode download link is made from it). */
  content: string;
}

export interface MaskImportRequest {
  masksPath: string;
  labels?: 'totalsegmentator';
  /** Ask for the four muscles (psoas component, autochthon split into multifidus / erector spinae); default: the remembered setting. */
  splitAutochthon?: boolean;
}

export interface ImportExportSlice {
  lastExport: LastExport | null;
  maskImport: { busy: boolean; message: string | null };
  /**
   * Compute the export from the open document and the HU volume this window holds (core's
   * exportMeasurementsCsv/Json, the numbers of the metrics table) and have the services write it
   * into the workspace's exports folder.
   */
  exportMeasurements(format: 'csv' | 'json'): Promise<void>;
  /** Masks of the open series -> proposed levels and outlines (one undo step). */
  importMasks(req: MaskImportRequest): Promise<void>;
  /** Whether mask import splits the autochthon into multifidus / erector spinae (on by default, remembered). */
  splitAutochthon: boolean;
  setSplitAutochthon(on: boolean): void;
  /** Vertebrae found by the last mask import of this series (labels on the sagittal view; not in the document). */
  vertebrae: { seriesUid: string; list: NonNullable<MaskImportResult['vertebrae']> } | null;
  /** Accept a level's proposed outlines as they are, and its slice when that is proposed (one undo step). */
  confirmProposals(level: Level): void;
  /** Re-split one side's multifidus + erector spinae along a cut (pixel indices on their slice; one undo step). */
  resplit(level: Level, side: Side, cutIj: readonly (readonly [number, number])[]): boolean;
}

export type AppState = SessionSlice & ViewSlice & AnnotationSlice & UiSlice & ImportExportSlice;

export interface StoreDeps {
  api: () => ParaspineApi;
  now: () => string;
  newId: () => string;
  rater: () => string;
  /** Remember the rater's name for the next session (localStorage in the app). */
  persistRater?: (name: string) => void;
}

export type Set = StoreApi<AppState>['setState'];
export type Get = StoreApi<AppState>['getState'];
