/**
 * The store's shape: one interface per slice (slices/*.ts make them), composed in store.ts. The store
 * holds serialisable domain data only (the HU volume is a typed array: data, not a viewer object).
 */
import type { PixelToolContext } from '../viewer/tools/pixel/types';
import type { OutlineCommand, ToolId } from '../../shared/tools';
import type { PointIj } from '../../core/roi/rasterize';
import type { StoreApi } from 'zustand/vanilla';
import type { AnnotationDocument, LevelMark, RoiMuscle } from '../../core/annotations/document';
import type { Level, Muscle, Side } from '../../core/anatomy/anatomy';
import type { ScanResult } from '../../core/dicom/types';
import type { Vec3 } from '../../core/geometry/vec3';
import type { ExportFormat } from '../../core/export/formats';
import type { HuRanges } from '../../core/metrics/ranges';
import type { PacsSlice } from './slices/pacs';
import type { WorklistSlice } from './slices/worklist';
import type { WorklistLockView } from '../../shared/contract';
import type { ReadsSlice } from './slices/reads';
import type { HuVolume } from '../../core/volume';
import type { BoneVertebra } from '../../core/bone/trabecular';
import type { AppInfo, LoadedSeriesMeta, MaskImportResult, ParaspineApi, SeriesLocator } from '../../shared/contract';
import type { History } from './history';
import type { SliceAvailability } from './progressiveVolume';
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
  /**
   * The open series' HU volume once every slice is in (null before): the metrics, exports, reformats,
   * outline tools and every edit of the document use it, so nothing is computed from slices not loaded.
   */
  volume: HuVolume | null;
  /**
   * What the axial viewer shows while the slices arrive (nearest the slice shown first): the volume
   * being filled and which slices are in. Set as soon as the first slice is in; the same HU array as
   * `volume` once complete (replaced only when the load promotes it to float32). null without a series.
   */
  shown: { volume: HuVolume; slices: SliceAvailability } | null;
  /** Slices in so far while a series loads ("Loading slices n / N"); null when no series is loading. */
  sliceLoad: { loaded: number; total: number } | null;
  /** True from picking a series until every slice is in (or the load failed). */
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
      outline: { id: string; pointsLps: Vec3[]; sliceIndex: number; source?: 'mirrored' };
      /** History key the answer's change joins (an outline tool's gesture), when there is one. */
      key?: string;
      /**
       * "Assign selected": the outline (already in the document, id outline.id) is to become this
       * level x muscle x side; `from` is its label now (cancel leaves it so).
       */
      assign?: { from: { muscle: RoiMuscle; side: Side } };
    }
  | {
      /** A worklist line locked by someone else: open it read-only, or (a stale lock only) take it over. */
      kind: 'worklistLock';
      lineId: string;
      seriesUid: string;
      holder: WorklistLockView;
    }
  | {
      kind: 'removeLevel';
      level: Level;
      /** The level's outlines (they lie on roiSlices): delete them with the mark, keep them (flagged), or cancel. */
      roiIds: string[];
      roiSlices: number[];
    };

export type QuestionChoice = 'move' | 'keep' | 'replace' | 'keepBoth' | 'cancel' | 'deleteOutlines' | 'readOnly' | 'takeOver';

/** What became of a finished outline: in the document, refused (with a message), or waiting for an answer. */
export type OutlineResult = 'added' | 'refused' | 'asked';

/** Where addOutline puts an outline (default: the active level, muscle and side on the slice shown); key: history gesture key. */
export interface OutlineTarget {
  level?: Level;
  muscle?: Muscle;
  side?: Side;
  sliceIndex?: number;
  key?: string | null;
  /** A mirrored outline is a proposal (source 'mirrored'); every other new outline is 'drawn'. */
  source?: 'mirrored';
}

/** 'conflict': a save was refused because another window or tab saved a newer document; autosave stops until it is resolved. */
export type SaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'error' | 'conflict';

/** A save the services refused because the document on disk changed since this copy was opened. */
export interface SaveConflict {
  seriesUid: string;
  /** One line from the services naming the file (who saved it, when). */
  reason: string;
  /** The document file on disk. */
  path: string;
}

export interface AnnotationSlice {
  doc: AnnotationDocument | null;
  history: History;
  activeLevel: Level;
  activeMuscle: Muscle;
  activeSide: Side;
  selectedRoiId: string | null;
  /** A problem reported by annotations:load (corrupt/newer document kept aside, or what was repaired or restored). */
  loadProblem: string | null;
  /** The saved document was opened all the same (loadProblem is a note: a duplicate outline id given a fresh one, a previous version restored). */
  loadProblemOpened?: boolean;
  save: { state: SaveState; path: string | null; error: string | null; at: string | null };
  /** Incremented on every document change the user made (autosave watches it). */
  changeCounter: number;
  /**
   * Revision of the document on disk this copy is based on (annotations:load's, then each save's):
   * sent as the base of the next save. null: none on disk yet; undefined: the services gave none (saved unconditionally).
   */
  docRevision?: string | null;
  /** Set when a save was refused as stale: autosave has stopped; resolveSaveConflict answers it. */
  saveConflict: SaveConflict | null;
  /**
   * After a conflict: 'reload' reads the document on disk (this tab's changes are dropped); 'keepBoth'
   * first saves this tab's copy as a separate file in the workspace (annotations:saveCopy), then reloads.
   * Nothing is lost either way; on a failure the conflict stays open with the reason.
   */
  resolveSaveConflict(choice: 'reload' | 'keepBoth'): Promise<void>;
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
  addOutline(id: string, pointsLps: Vec3[], target?: OutlineTarget): OutlineResult;
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
  /**
   * Record the target (default: the active level, muscle and side) as absent at its level, or clear that
   * record when it is there (one undo step). Recording deletes the target's outlines (the toast says so);
   * a level not marked yet is marked on the slice shown, as drawing does.
   */
  toggleAbsent(target?: { level: Level; muscle: Muscle; side: Side }): void;
  /** The checklist row whose flags the accept dialog asks a reason for (null: closed). */
  acceptRequest: { level: Level; muscle: Muscle; side: Side } | null;
  requestAccept(target: { level: Level; muscle: Muscle; side: Side }): void;
  cancelAccept(): void;
  /**
   * Accept every flag the target's outlines raise now, with the reason and the rater (one undo step);
   * false (nothing changed, a toast says why) when the reason is empty or there is nothing to accept.
   */
  acceptFlags(reason: string): boolean;
}

export interface UiSlice {
  helpOpen: boolean;
  toast: { text: string; kind: 'info' | 'error' } | null;
  /** Info toasts that came while an error was shown: each is shown in turn after it (an info never cuts an error short). */
  toastQueue: { text: string; kind: 'info' | 'error' }[];
  setHelpOpen(open: boolean): void;
  showToast(text: string, kind?: 'info' | 'error'): void;
  /** The toast's time is up: the next waiting one (if any) is shown. */
  dismissToast(): void;
}

export interface LastExport {
  path: string;
  format: ExportFormat;
  /** The exported text (the browser-mode download link is made from it); '' for a report (binary, written by the services). */
  content: string;
}

/** What a report (PDF, SR, SEG) adds: height (m) and sex where the DICOM has none, the PDF's paper. */
export interface ReportRequest {
  heightM?: number | null;
  sex?: 'M' | 'F' | null;
  paper?: 'a4' | 'letter';
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
  exportMeasurements(format: ExportFormat, report?: ReportRequest): Promise<void>;
  /** The export being made (a report takes seconds); null when none. Another export waits until it is done. */
  exporting: ExportFormat | null;
  /** Masks of the open series -> proposed levels and outlines (one undo step). */
  importMasks(req: MaskImportRequest): Promise<void>;
  /** Whether mask import splits the autochthon into multifidus / erector spinae (on by default, remembered). */
  splitAutochthon: boolean;
  setSplitAutochthon(on: boolean): void;
  /** Vertebrae found by the last mask import of this series (labels on the sagittal view; not in the document). */
  vertebrae: { seriesUid: string; list: NonNullable<MaskImportResult['vertebrae']> } | null;
  /**
   * Accept a level's proposed outlines as they are, and its slice when that is proposed (one undo step):
   * true. When that level's slice is not the one shown, it is shown first (made active) and a toast says
   * to press again: false, nothing confirmed.
   */
  confirmProposals(level: Level): boolean;
  /** Re-split one side's multifidus + erector spinae along a cut (pixel indices on their slice; one undo step). */
  resplit(level: Level, side: Side, cutIj: readonly (readonly [number, number])[]): boolean;
}

/** The pixel outline tools (region grow, brush, eraser, scissors) and the outline commands; slices/outlineTools.ts. */
export interface OutlineToolsSlice {
  /** HU range of the region grow and the brush; null: the document's muscle range. */
  toolRange: [number, number] | null;
  /** Brush and eraser radius in pixels. */
  brushRadiusPx: number;
  /** Region grow neighbours: 8 (default) or 4 (stricter: does not cross a one-pixel diagonal gap, e.g. partial-volume fat at 3 mm). */
  growConnectivity: 4 | 8;
  setGrowConnectivity(c: 4 | 8): void;
  /** Region grow: cut bridges up to 2 x this many pixels wide off the grown region (0 = off; core cutBridges). */
  growBridgeCutPx: 0 | 1 | 2;
  setGrowBridgeCut(px: 0 | 1 | 2): void;
  /** The region grow's limit (pixels it may not enter) drawn on slice sliceIndex; cleared on another slice. */
  growBarrier: { sliceIndex: number; mask: Uint8Array; pixels: number } | null;
  /** Region grow: take in what the grown muscle encloses (closeEnvelope: fat streaks, marbling), so intramuscular fat is inside. Remembered; default on. */
  growKeepEnclosed: boolean;
  setGrowKeepEnclosed(on: boolean): void;
  /** Brush: paint every soft-tissue pixel (softTissueRange, fat included) instead of the grow's muscle range. Remembered; default on. */
  brushSoftTissue: boolean;
  setBrushSoftTissue(on: boolean): void;
  /** The brush's soft-tissue range: the document's fat range's low end to its muscle range's high end (-190..150 HU by default). */
  softTissueRange(): [number, number];
  /** What the last tool action says (leaked grow, pieces dropped, nothing to act on); null when nothing. */
  toolHint: string | null;
  /** The level 'propagate' copies to (null: the next marked level after the active one). */
  propagateTarget: Level | null;
  /** The range the grow and the brush use now (toolRange or the document's muscle range). */
  effectiveToolRange(): [number, number];
  setToolRange(r: [number, number] | null): void;
  setBrushRadius(px: number): void;
  /** '[' / ']' and Ctrl+wheel: the active pixel tool's size step (its module's adjustSize: the grow range by 10 HU each end, the brush radius by 1 px). */
  adjustToolSize(delta: 1 | -1): void;
  /** What the pixel tools' pointer actions and commit steps work with (built once by this slice; src/renderer/viewer/tools/pixel/types.ts). */
  pixelContext: PixelToolContext;
  /** Values of the pixel tools' options that have no named state here, by 'tool.option' (a module's option without get/set). */
  toolOptions: Readonly<Record<string, boolean | number>>;
  setToolOption(key: string, value: boolean | number): void;
  /** Region grow from the seed (slice pixel space) on the slice shown, then a new outline through addOutline. */
  growAt(seed: PointIj): OutlineResult;
  /** Add a limit polyline (slice pixels, 1 px wide) to the grow barrier on the slice shown. */
  addGrowBarrier(path: readonly PointIj[]): void;
  clearGrowBarrier(): void;
  /**
   * Brush ('add', only pixels in the soft-tissue range, or the muscle range when brushSoftTissue is off) or eraser ('erase') along path on the target outline (the
   * selected one on this slice, else the active level/muscle/side's): one undo step per gestureKey.
   * A brush stroke with no target makes a new outline. False when nothing changed.
   */
  paintStroke(path: readonly PointIj[], mode: 'add' | 'erase', gestureKey: string): boolean;
  /**
   * Esc during a pixel-tool gesture: says `message` (default 'Stroke cancelled'). With the key of a brush
   * or eraser stroke, puts the document, its undo history and the selection back as they were before the
   * stroke's first paintStroke (the stroke leaves no undo step; a duplicate-outline question it asked is
   * dropped). True when the document was reverted. When another change came after the stroke's, nothing
   * is reverted (the message says to undo).
   */
  cancelStroke(gestureKey: string | null, message?: string): boolean;
  /** Scissors: cut the target outline along the polyline; the larger part stays, the other becomes a new outline for the active muscle/side. */
  cutOutlineAlong(polyline: readonly PointIj[]): boolean;
  runOutlineCommand(command: OutlineCommand): boolean;
  setPropagateTarget(level: Level | null): void;
  setToolHint(text: string | null): void;
}

/** The trabecular bone ROIs and the typed height and sex; slices/bone.ts. */
export interface BoneSlice {
  /** The vertebra the oval tool places (default L1). */
  boneVertebra: BoneVertebra;
  setBoneVertebra(v: BoneVertebra): void;
  /** An oval (centre in slice pixels, semi-axes in mm along rows and columns) as the bone ROI of the vertebra (default boneVertebra) on the slice shown: source 'drawn', replacing the vertebra's ROI. */
  placeBoneOval(centre: PointIj, semiAxesMm: readonly [number, number], opts?: { vertebra?: BoneVertebra; key?: string | null }): boolean;
  /** Move a vertebra's bone ROI by delta pixels on its slice (one undo step per key). */
  moveBoneRoi(vertebra: BoneVertebra, delta: PointIj, key: string | null): boolean;
  /** Scale a vertebra's bone ROI about its centre ('[' / ']' with the oval tool). */
  resizeBoneRoi(vertebra: BoneVertebra, factor: number, key?: string | null): boolean;
  /** A proposed bone ROI accepted as it is (source 'confirmed'). */
  confirmBoneRoi(vertebra: BoneVertebra): void;
  deleteBoneRoi(vertebra: BoneVertebra): void;
  /** Height (m) and sex typed for the indices, into the document (null clears); the reason when refused, else null. */
  setPatientInfo(p: { heightM?: number | null; sex?: 'M' | 'F' | null }): string | null;
}

export type AppState = SessionSlice & ViewSlice & AnnotationSlice & UiSlice & ImportExportSlice & OutlineToolsSlice & BoneSlice & PacsSlice & WorklistSlice & ReadsSlice;

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
