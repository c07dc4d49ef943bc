/**
 * The one list of IPC channels between the renderer and the main-process services. Electron IPC
 * (preload: one typed function per channel) and the browser-mode bridge (HTTP on 127.0.0.1 with a
 * per-start token) both call the same service functions with the same argument shapes. Main
 * validates every argument with these schemas before calling a service.
 *
 * Pure types + zod: no Node, no DOM, no Electron.
 */
import { z } from 'zod';
import type { Problem } from '../core/errors';
import type { AnnotationDocument, BoneRoi, LevelMark, Roi } from '../core/annotations/document';
import type { ScanResult, SeriesSummary } from '../core/dicom/types';
import type { VolumeGeometry } from '../core/geometry/volumeGeometry';
import type { Level, Side } from '../core/anatomy/anatomy';
import type { Vec3 } from '../core/geometry/vec3';
import { EXPORT_FORMAT_REGISTRY, EXPORT_FORMATS, REPORT_FORMATS, type ExportFormat } from '../core/export/formats';
import type { AgreementReport } from '../core/agreement/agreement';
import type { ShortcutAction } from './shortcuts';
import type { WindowPreset } from './windowPresets';

export interface AppInfo {
  version: string;
  /** Folder where annotation documents are saved (null until chosen). */
  workspace: string | null;
  recentFolders: string[];
  /** 'electron' or 'web' (browser mode through the local bridge). */
  mode: 'electron' | 'web';
  /** The rater name kept in the settings ('' when none; absent from older services). */
  rater?: string;
}

export interface LoadedSeriesMeta {
  summary: SeriesSummary;
  geometry: VolumeGeometry;
  /**
   * Element type of the series' HU (series:slices), from the headers: 'float32' when a rescale is not
   * an integer, else 'int16'. Where the declared stored range is wider than int16, a range of slices
   * holding a value outside it comes as 'float32' (SeriesSlices.huType), and so does the whole volume
   * then.
   */
  huType: 'int16' | 'float32';
  warnings: string[];
  /**
   * The series' PatientSize (m) and PatientSex when its headers hold them (SeriesReferences.patient):
   * the muscle indices' height and sex, used before a typed value. Absent when the DICOM has none.
   */
  patient?: { sizeM?: number; sex?: string };
}

/** HU of a range of slices of a series (series:slices). */
export interface SeriesSlices {
  /** The range asked for: first slice index (0-based, feet to head) and number of slices. */
  start: number;
  count: number;
  /** Element type of `bytes`: the series' huType, or 'float32' when a value of these slices does not fit int16. */
  huType: 'int16' | 'float32';
  /** count x rows x columns HU values (little-endian), slice after slice, each slice row after row. */
  bytes: ArrayBuffer;
}

/**
 * The browser bridge sends a result object with an ArrayBuffer `bytes` (SeriesSlices) as
 * application/octet-stream: the bytes as the body, the other fields as URI-encoded JSON in this header.
 */
export const BINARY_FIELDS_HEADER = 'x-paraspine-fields';

/** Set ('uint8array') on a bridge answer whose bytes are a Uint8Array result (without it: an ArrayBuffer). */
export const BINARY_KIND_HEADER = 'x-paraspine-binary';

/**
 * The browser bridge's request body for arguments that hold bytes (a Uint8Array or ArrayBuffer
 * anywhere in them): a 4-byte big-endian length N, N bytes of UTF-8 JSON head
 * `{ "args": [...], "parts": [{ "path": [0, "body"], "length": 123 }, ...] }` (each byte value
 * replaced by null in args, its path and length listed in parts), then the parts' bytes in that
 * order, nothing after. Arguments without bytes travel as application/json.
 */
export const BRIDGE_FRAME_TYPE = 'application/vnd.paraspine.frame';

/**
 * Which read of a series a document is (annotations:load / annotations:save, reads:status,
 * agreement:reads): left out or null, the first read at today's document path (the single-rater
 * default); `{ rater }`, that rater's blinded second read, saved as `<stem>.read-<rater slug>.json`
 * beside it with its own .prev.json and history (node/workspace.ts readPath).
 */
export interface ReadRef {
  rater: string;
}

/** One read of a series found in the workspace (reads:status): never its outlines. */
export interface ReadInfo {
  /** null: the first read (the series' document); else the rater of a blinded second read. */
  read: ReadRef | null;
  /** The rater named in the document. */
  rater: string;
  /** File name in the workspace. */
  file: string;
  signedOff: { by: string; at: string } | null;
}

/**
 * The reads of a series as the open read may see them (reads:status): the other reads' outlines are
 * given only when the open read and that read are both signed off (`compare`); until then `hidden`
 * says why in one line (blinding: a rater never sees another rater's outlines while reading).
 */
export interface ReadsStatus {
  mine: ReadInfo | null;
  others: ReadInfo[];
  compare: { info: ReadInfo; document: AnnotationDocument } | null;
  hidden: string | null;
}

/**
 * agreement:reads: the agreement of the open read and the other signed-off read of its series,
 * computed by `paraspine agreement`'s code (node/agreement.ts): the same object its JSON prints.
 */
export interface AgreementView {
  format: string;
  version: number;
  series: { seriesInstanceUid: string; studyInstanceUid: string; patientId: string; seriesDescription: string };
  documents: { path: string; rater: string; revision: string; modifiedAt: string; signedOff: { by: string; at: string } | null }[];
  raters: AgreementReport['raters'];
  rois: AgreementReport['rois'];
  metrics: AgreementReport['metrics'];
}

/** Largest count of one series:slices call (the load budget bounds a series far below it). */
export const MAX_SLICES_PER_CALL = 100_000;

export interface AnnotationsLoadResult {
  /** null when nothing was saved for this series yet, or the saved document was unusable. */
  document: AnnotationDocument | null;
  /** Set when a saved document was corrupt or from a newer version: it was moved aside, never overwritten. */
  problem: string | null;
  /**
   * Revision of the document file read (a hash of its bytes), to send back as the base of the next
   * save; null when no document is at its path (nothing saved yet, or restored from .prev.json).
   */
  revision?: string | null;
}

/** annotations:save refused because the document on disk changed since the save's base revision. */
export interface AnnotationsSaveConflict {
  /** One line naming the file (who saved it when), for the user. */
  reason: string;
  /** The revision and modifiedAt of the document on disk now. */
  revision: string | null;
  modifiedAt: string | null;
}

export interface AnnotationsSaveResult {
  path: string;
  /** Set when an unusable file already there had to be moved aside (never overwritten). */
  problem?: string;
  /** Revision of the document on disk after the call: the one written (the base of the next save). */
  revision?: string | null;
  /**
   * Set when nothing was written (not the document, not .prev.json): the save's baseRevision is not
   * the document on disk, which another window or tab saved since. Reload it, or keep both
   * (annotations:saveCopy).
   */
  conflict?: AnnotationsSaveConflict;
}

export interface MaskImportResult {
  /** Levels proposed from vertebra masks (source 'proposed'). */
  proposedLevels: LevelMark[];
  /**
   * Outlines traced from the muscle masks on the given level slices (source 'imported'): the psoas is
   * the iliopsoas component nearest the spine (core/muscles). With `splitAutochthon`, each autochthon
   * side becomes multifidus and erectorSpinae outlines (source 'proposed') that partition it.
   */
  rois: Roi[];
  problems: Problem[];
  /** With `splitAutochthon`: the multifidus / erector spinae cut per level and side (LPS polyline, ventral to dorsal). */
  splits?: { level: Level; side: Side; sliceIndex: number; cutLps: Vec3[] }[];
  /**
   * The vertebra masks found (T11, T12, L1..L6, S1, sacrum, whichever the masks hold and are not empty),
   * head to feet, each with its short name (`L3`, `sacrum`) and its centroid on the CT grid (slice
   * index, row and column, rounded): for labelling the sagittal view, so a transitional vertebra is seen.
   */
  vertebrae?: { name: string; sliceIndex: number; row: number; column: number }[];
  /**
   * The L1 trabecular ROI proposed from the vertebrae_L1 mask (core/bone proposeTrabecularRoi: the
   * body's mid slice, an oval clear of the cortex; source 'proposed', the user confirms it). Absent when
   * there is no L1 mask or no oval fits (the reason is then among the problems).
   */
  boneRoi?: BoneRoi;
}

const str = z.string().min(1).max(4096);

/**
 * Where series are listed from (series:scan), one kind per SeriesSource (src/node/seriesSource.ts):
 * a folder, or a study on a DICOMweb server. Each kind has its SeriesSource and its access gate
 * (src/node/api/context.ts); the channels that take a root or a locator do not change with a kind.
 */
const rootKinds = [
  z.object({
    kind: z.literal('folder'),
    /** The folder to scan (series:scan), not one file. */
    path: str,
  }),
  z.object({
    kind: z.literal('dicomweb'),
    /** The server's DICOMweb base URL (http or https, no credentials; checked by the gate). */
    url: str,
    /** The study whose series are listed. */
    studyUid: z.string().min(1).max(64),
  }),
] as const;
export const seriesRootSchema = z.discriminatedUnion('kind', rootKinds);
export type SeriesRoot = z.infer<typeof seriesRootSchema>;
export type FolderSeriesRoot = Extract<SeriesRoot, { kind: 'folder' }>;

/**
 * Where a series' DICOM frames come from: its root (what was scanned) and its SeriesInstanceUID
 * (SeriesSummary.seriesInstanceUid from that scan). One kind per root kind.
 */
export const seriesLocatorSchema = z.discriminatedUnion('kind', [rootKinds[0].extend({ seriesUid: str }), rootKinds[1].extend({ seriesUid: str })]);

/** A read (ReadRef): null or left out, the first read. */
export const readRefSchema = z.object({ rater: z.string().trim().min(1).max(80) }).strict().nullable();
export type SeriesLocator = z.infer<typeof seriesLocatorSchema>;
export type FolderSeriesLocator = Extract<SeriesLocator, { kind: 'folder' }>;
export type DicomWebSeriesRoot = Extract<SeriesRoot, { kind: 'dicomweb' }>;
export type DicomWebSeriesLocator = Extract<SeriesLocator, { kind: 'dicomweb' }>;

/** The root of a locator's kind: the locator less its series UID. */
export type RootOf<L extends SeriesLocator> = L extends unknown ? Omit<L, 'seriesUid'> : never;

/** The root a series was listed from: its locator less the series UID. */
export function rootOf<L extends SeriesLocator>(locator: L): RootOf<L> {
  const { seriesUid: _uid, ...root } = locator;
  return root as RootOf<L>;
}

/** series:scan's argument: a root, or a folder path as a plain string (the folder kind). */
export const scanRootSchema = z.union([str, seriesRootSchema], { error: 'expected a folder path (string) or a series root { kind, ... }' });

/** The root of series:scan's argument: a plain string is a folder path. */
export function scanRoot(arg: string | SeriesRoot): SeriesRoot {
  return typeof arg === 'string' ? { kind: 'folder', path: arg } : arg;
}

/** The locator of a series found by scanning a folder. */
export function folderLocator(path: string, seriesUid: string): FolderSeriesLocator {
  return { kind: 'folder', path, seriesUid };
}

/** pacs:search's argument: the server's base URL (checked by the DICOMweb gate) and the QIDO-RS search keys. */
export const pacsSearchSchema = z
  .object({
    url: str,
    patientName: z.string().max(64).optional(),
    patientId: z.string().max(64).optional(),
    /** YYYYMMDD or a range YYYYMMDD-YYYYMMDD (either end may be left open). */
    studyDate: z.string().regex(/^(\d{8}|\d{8}-\d{8}|-\d{8}|\d{8}-)$/, { message: 'expected YYYYMMDD or YYYYMMDD-YYYYMMDD' }).optional(),
    accessionNumber: z.string().max(64).optional(),
    studyDescription: z.string().max(64).optional(),
    modality: z.string().max(16).optional(),
  })
  .strict();

/** A study pacs:search found. */
export interface PacsStudy {
  studyInstanceUid: string;
  patientName: string;
  patientId: string;
  studyDate: string;
  studyDescription: string;
  accessionNumber: string;
  /** ModalitiesInStudy ('CT\\SR', ...). */
  modalities: string;
}

/** A DICOMweb server saved in the settings (pacs:saveServers); its credentials are kept apart (pacs:setCredentials). */
export const pacsServerSchema = z.object({ name: z.string().min(1).max(80), url: str }).strict();
export type PacsServer = z.infer<typeof pacsServerSchema>;
/** A saved server as pacs:servers lists it: whether it has credentials, never what they are. */
export type PacsServerInfo = PacsServer & { hasCredentials: boolean };

/** A server's credentials (pacs:setCredentials): basic (user and password) or bearer (a token). Never sent back. */
export const pacsCredentialsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('basic'), user: z.string().min(1).max(256), password: z.string().max(4096) }).strict(),
  z.object({ kind: z.literal('bearer'), token: z.string().min(1).max(16384) }).strict(),
]);
export type PacsCredentials = z.infer<typeof pacsCredentialsSchema>;

/** How far the retrieval of a PACS series is (pacs:progress): instances in the cache of those listed. */
export interface PacsDownloadProgress {
  received: number;
  total: number;
}

/** Most servers kept in the settings. */
export const MAX_PACS_SERVERS = 50;

/** What pacs:store sent: the SR and SEG of the open document, STOWed into the series' study. */
export interface PacsStoreResult {
  studyUid: string;
  /** One line per object sent ('DICOM SR: 1 instance stored'). */
  sent: string[];
  /** SOPInstanceUIDs the server stored. */
  stored: string[];
  /** Instances the server refused, with its reason. */
  failed: { sopInstanceUid: string; reason: string }[];
  /** What the reports left out (as export:report's leftOut). */
  leftOut: string[];
}

/**
 * The worklist (worklist:open): a cohort is a manifest CSV (node/batch/manifest.ts) or a root folder (one
 * line per CT series found). A line's state, from its document in the workspace: 'done' when signed off;
 * else 'flagged' when the document cannot be read, still holds a proposal to check (a proposed level, a
 * proposed, propagated or mirrored outline, a proposed bone ROI) or its read was reopened after a sign-off;
 * else 'in progress' when a document is saved; else 'not started'. (Trust flags need the HU: they show
 * when the series is opened, not here.)
 */
export const WORKLIST_STATES = ['not started', 'in progress', 'done', 'flagged'] as const;
export type WorklistState = (typeof WORKLIST_STATES)[number];

/** Who holds a series' editing lock (`<document stem>.lock` in the workspace) and since when. */
export interface WorklistLockView {
  rater: string;
  host: string;
  pid: number;
  since: string;
  refreshed: string;
  /** Not refreshed for longer than the setting allows: may be taken over after a question. */
  stale: boolean;
  /** Held by this app (this service). */
  mine: boolean;
}

export interface WorklistLine {
  /** The manifest's id, else the series' folder relative to the cohort folder. */
  id: string;
  /** The folder to open the series from (series:scan), and its UID; null when the line cannot be opened (`problem` says why). */
  folder: string | null;
  seriesUid: string | null;
  description: string;
  state: WorklistState;
  /** Why 'flagged' (one line), when it is. */
  flag?: string;
  /** The document's rater ('' when none). */
  rater: string;
  /** The last change: the history's last line, else the document's modifiedAt; null when nothing is saved. */
  lastChange: { at: string; rater: string; action: string } | null;
  lock: WorklistLockView | null;
  /** Why the line cannot be opened (a missing folder, a folder without CT), one line. */
  problem?: string;
  /**
   * Listed for a blinded second read (worklist:open's read): state, rater, last change and lock are that
   * read's; this says only where the first read stands (as reads:status does: never its outlines).
   */
  firstRead?: 'not saved' | 'open' | 'signed off';
}

export const worklistCohortSchema = z.object({ kind: z.enum(['folder', 'manifest']), path: str }).strict();
export type WorklistCohort = z.infer<typeof worklistCohortSchema>;
export const worklistFilterSchema = z.object({ state: z.enum(WORKLIST_STATES).optional(), rater: z.string().max(80).optional() }).strict();
export type WorklistFilter = z.infer<typeof worklistFilterSchema>;

export interface WorklistResult {
  cohort: WorklistCohort;
  /** The lines the filter lets through, in cohort order. */
  lines: WorklistLine[];
  /** Every line's count (before the filter). */
  total: number;
  /** Raters found in the cohort's documents (for the filter). */
  raters: string[];
  /** The id of the next line: the first (filtered) line not done and not locked by someone else; null when none. */
  next: string | null;
  /** Minutes after its last refresh a lock is stale (the setting). */
  staleMinutes: number;
}

/** worklist:lock: taken (edit), or refused with who holds it (open read-only, or take over when stale). */
export type WorklistLockResult = { ok: true; tookOver?: WorklistLockView } | { ok: false; holder: WorklistLockView; reason: string };

/** Largest export accepted by export:write (bytes); far above any real measurement table or report. */
export const MAX_EXPORT_BYTES = 32 * 1024 * 1024;

export const channels = {
  'app:info': { args: z.tuple([]) },
  /** Opens a native folder picker (Electron) — returns null when cancelled; unavailable in web mode. */
  'folder:pick': { args: z.tuple([]) },
  /**
   * Lists the series under a root (a folder path, or a SeriesRoot of any kind) with every unusable
   * item and its reason; `root` in the result is the root as scanned (a folder: links resolved).
   */
  'series:scan': { args: z.tuple([scanRootSchema]) },
  /**
   * Opens a series of the last scan (the scan's file list is reused: the folder is not walked again)
   * and returns its metadata, from the headers only (no pixel data is read; a series over the load
   * budget is refused here). Warnings are this series' own; folder-wide problems are in the scan result.
   */
  'series:load': { args: z.tuple([seriesLocatorSchema]) },
  /**
   * HU of slices start..start+count-1 of a series (SeriesSlices): only those slices are read and
   * decoded (on the decoder workers), so a viewer can show one slice long before the rest is in. The
   * values are those of the same slices of the whole series loaded at once. A range outside the series is refused
   * (usage); the services keep no HU between calls.
   */
  'series:slices': {
    args: z.tuple([seriesLocatorSchema, z.object({ start: z.number().int().min(0), count: z.number().int().min(1).max(MAX_SLICES_PER_CALL) })]),
  },
  /**
   * Searches a DICOMweb server's studies (QIDO-RS) from the Node services (the renderer never talks to
   * the server). A study found is opened with series:scan of `{ kind: 'dicomweb', url, studyUid }`, its
   * series with series:load / series:slices.
   */
  'pacs:search': { args: z.tuple([pacsSearchSchema]) },
  /** The DICOMweb servers saved in the settings. */
  'pacs:servers': { args: z.tuple([]) },
  /** Replaces the saved servers (each address checked as the DICOMweb gate does) and returns them; a server removed loses its credentials. */
  'pacs:saveServers': { args: z.tuple([z.array(pacsServerSchema).max(MAX_PACS_SERVERS)]) },
  /**
   * Keeps (null: forgets) the credentials of a saved server, apart from the settings (secrets.json, in
   * Electron encrypted by safeStorage); returns the servers as pacs:servers does. They are never sent back.
   */
  'pacs:setCredentials': { args: z.tuple([z.object({ url: str, credentials: pacsCredentialsSchema.nullable() }).strict()]) },
  /** The retrieval of a series under way (series:load of a DICOMweb locator): instances received and listed, or null. */
  'pacs:progress': { args: z.tuple([rootKinds[1].extend({ seriesUid: str })]) },
  /** Stops the retrieval of a series (its series:load fails with 'download cancelled'); false when none was under way. */
  'pacs:cancel': { args: z.tuple([rootKinds[1].extend({ seriesUid: str })]) },
  /**
   * Export > Send to PACS: makes the DICOM SR and SEG of the document (export:report's code: measureSeries
   * and encodeExport) for a series opened from a DICOMweb server and STOWs them into the same study.
   */
  'pacs:store': {
    args: z.tuple([
      z
        .object({
          series: rootKinds[1].extend({ seriesUid: str }),
          document: z.unknown(),
          heightM: z.number().finite().nullable().optional(),
          sex: z.enum(['M', 'F']).nullable().optional(),
        })
        .strict(),
    ]),
  },
  /** Lists a cohort (a manifest CSV or a root folder) as worklist lines, filtered by state and rater. */
  'worklist:open': { args: z.tuple([worklistCohortSchema, worklistFilterSchema.optional(), readRefSchema.optional()]) },
  /**
   * Desktop app: the native open dialog for a manifest CSV; its path, or null when cancelled. A manifest
   * chosen here (or typed in the browser) has its folder and its rows' series folders granted when
   * worklist:open lists it; a manifest reached any other way only lists folders already granted.
   */
  'worklist:pickManifest': { args: z.tuple([]) },
  /**
   * Takes the editing lock of a series (`<document stem>.lock` in the workspace, atomically) for `rater`;
   * refused with who holds it when someone else does. `takeOver`: take over a stale lock (only after the
   * user was asked); a fresh lock is never taken over. Taking a lock releases the one this app held before.
   * `read`: the lock follows the document opened: a blinded second read's is `<stem>.read-<slug>.lock`
   * (so two raters read one series at once); left out or null, the first read's `<stem>.lock`. The
   * optional read of readOnly / refresh / release names it the same way (left out: whichever read of the
   * series this app holds).
   */
  'worklist:lock': { args: z.tuple([z.object({ seriesUid: str, rater: z.string().max(80), takeOver: z.boolean().optional(), read: readRefSchema.optional() }).strict()]) },
  /** Marks a series open read-only: annotations:save and saveCopy refuse it until it is locked or released. */
  'worklist:readOnly': { args: z.tuple([str, readRefSchema.optional()]) },
  /** Refreshes the lock this app holds (the app calls it every minute); false when it is no longer ours. */
  'worklist:refresh': { args: z.tuple([str, readRefSchema.optional()]) },
  /** Releases the lock this app holds on a series (and its read-only mark). */
  'worklist:release': { args: z.tuple([str, readRefSchema.optional()]) },
  'workspace:set': { args: z.tuple([str]) },
  /** Keeps the rater name in the settings (the browser's storage is per port: the bridge's port changes between runs). */
  'settings:setRater': { args: z.tuple([z.string().max(80)]) },
  /** The series' document; the optional second argument names a blinded second read (ReadRef; null or left out: the first read). */
  'annotations:load': { args: z.tuple([str, readRefSchema.optional()]) },
  /**
   * Saves the document (validated) over the series' document, the one there kept as .prev.json. The
   * optional second argument names the revision the document was based on (annotations:load's or the
   * last save's; null: none on disk): when the document on disk is another revision, nothing is written
   * and the result carries `conflict`. Without it the document is saved whatever is on disk. `reason`:
   * why a signed-off read is reopened (needed then; kept in the document's history).
   */
  'annotations:save': { args: z.tuple([z.unknown(), z.object({ baseRevision: z.string().min(1).max(200).nullable(), reason: z.string().min(1).max(2000).optional() }).strict().optional(), readRefSchema.optional()]) },
  /** Saves the document as a separate file beside the series' document (never replacing one): "keep both" after a conflict. */
  'annotations:saveCopy': { args: z.tuple([z.unknown()]) },
  /**
   * The reads of a series in the workspace as the read named (ReadRef; null: the first read) may see
   * them: every read's rater and sign-off, and another read's outlines only when both are signed off.
   */
  'reads:status': { args: z.tuple([str, readRefSchema.optional()]) },
  /**
   * Agreement of the read named and the other signed-off read of the series (refused with one line
   * until both are signed off): `paraspine agreement`'s code on the two saved documents.
   */
  'agreement:reads': { args: z.tuple([seriesLocatorSchema, readRefSchema.optional()]) },
  /**
   * The agreement of the same two reads as agreement:reads as a PDF (`paraspine agreement DOC DOC --pdf`'s
   * code, node/reports/agreementPdf.ts: the same bytes for the same documents and date; the date is
   * now), written into the workspace's exports folder as `<stem>.agreement.pdf`, atomically.
   */
  'agreement:pdf': { args: z.tuple([seriesLocatorSchema, readRefSchema.optional()]) },
  'masks:import': {
    args: z.tuple([
      z.object({
        /** The series the masks belong to: only its geometry (from the headers) is read, never its HU. */
        series: seriesLocatorSchema,
        masksPath: str,
        labels: z.enum(['totalsegmentator']).optional(),
        levels: z.array(z.object({ level: z.string(), sliceIndex: z.number().int().min(0) })),
        /** Split autochthon masks into multifidus + erector spinae (reads the HU of the series). */
        splitAutochthon: z.boolean().optional(),
      }),
    ]),
  },
  /**
   * Writes an export the renderer computed (core's exportMeasurementsCsv/Json on the volume it holds)
   * into the workspace's exports folder, atomically, as `<stem>.measurements.<extension>` (the
   * format registry, core/export/formats.ts); the stem is made from the series UID. The body is the
   * file's bytes: it travels as bytes (Electron IPC: structured clone; the browser bridge: a binary
   * frame, BRIDGE_FRAME_TYPE), never as JSON text. `maxBodyBytes`: the bridge refuses a larger request.
   */
  'export:write': {
    args: z.tuple([
      z.object({
        format: z.enum(EXPORT_FORMATS),
        seriesUid: str,
        body: z.instanceof(Uint8Array, { message: 'expected bytes (a Uint8Array)' }).refine((b) => b.byteLength <= MAX_EXPORT_BYTES, { message: `larger than ${MAX_EXPORT_BYTES} bytes` }),
      }),
    ]),
    maxBodyBytes: MAX_EXPORT_BYTES + 64 * 1024,
  },
  /**
   * Makes a report (PDF, DICOM SR, DICOM SEG: the registry's binary formats) of the current annotation
   * document in the Node services, through the command line's code (measureSeries and encodeExport):
   * the series is read through its source, the document (an object, validated as a file's would be) is
   * measured, and the report is written like export:write's files. The report's date is the document's
   * modifiedAt, so the app's PDF and `paraspine measure --annotations <saved document> --format pdf`
   * are the same report. Height (m) and sex are used where the DICOM has none.
   */
  'export:report': {
    args: z.tuple([
      z
        .object({
          format: z.enum(REPORT_FORMATS as [ExportFormat, ...ExportFormat[]]),
          series: seriesLocatorSchema,
          document: z.unknown(),
          heightM: z.number().finite().nullable().optional(),
          sex: z.enum(['M', 'F']).nullable().optional(),
          paper: z.enum(['a4', 'letter']).optional(),
        })
        .strict(),
    ]),
  },
} as const;

export type Channel = keyof typeof channels;

/** Return types per channel. */
export interface ChannelResults {
  'app:info': AppInfo;
  'folder:pick': string | null;
  'series:scan': ScanResult;
  'pacs:search': PacsStudy[];
  'pacs:servers': PacsServerInfo[];
  'pacs:saveServers': PacsServerInfo[];
  'pacs:setCredentials': PacsServerInfo[];
  'pacs:progress': PacsDownloadProgress | null;
  'pacs:cancel': boolean;
  'pacs:store': PacsStoreResult;
  'series:load': LoadedSeriesMeta;
  'series:slices': SeriesSlices;
  'workspace:set': AppInfo;
  'settings:setRater': AppInfo;
  'worklist:open': WorklistResult;
  'worklist:pickManifest': string | null;
  'worklist:lock': WorklistLockResult;
  'worklist:readOnly': null;
  'worklist:refresh': boolean;
  'worklist:release': null;
  'annotations:load': AnnotationsLoadResult;
  'annotations:save': AnnotationsSaveResult;
  'annotations:saveCopy': { path: string };
  'reads:status': ReadsStatus;
  'agreement:reads': AgreementView;
  'agreement:pdf': { path: string };
  'masks:import': MaskImportResult;
  'export:write': { path: string };
  'export:report': { path: string; leftOut: string[] };
}

export type ChannelArgs<C extends Channel> = z.infer<(typeof channels)[C]['args']>;

/** The API the renderer sees (window.paraspine in Electron, a fetch client in browser mode). */
export type ParaspineApi = { [C in Channel]: (...args: ChannelArgs<C>) => Promise<ChannelResults[C]> };

/**
 * Events main sends to the renderer (Electron only: the browser bridge has no application menu).
 * The menu's File > Open folder and Open recent are handled in main (dialog, access grant) and arrive
 * here with the folder already usable for series:scan.
 */
export const MENU_ACTION_EVENT = 'menu:action';

/** A window preset's id (src/shared/windowPresets.ts). */
export type ViewPreset = WindowPreset['id'];

/** Shortcut-table actions the application menu sends as they are (the Tools and Outline menus). */
export type MenuShortcutAction = Extract<ShortcutAction, { type: 'setTool' | 'outlineCommand' }>;

/** The Export menu's items, in registry order (core/export/formats.ts: a format added there appears in the menu). */
export const EXPORT_MENU: readonly { readonly format: ExportFormat; readonly label: string }[] = EXPORT_FORMATS.map((format) => ({ format, label: EXPORT_FORMAT_REGISTRY[format].label }));

export type MenuAction =
  | { type: 'open-folder'; folder: string }
  | { type: 'export'; format: ExportFormat }
  /** Export > Send to PACS: the SR and SEG of the open document into its study (pacs:store). */
  | { type: 'send-to-pacs' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'preset'; preset: ViewPreset }
  /** What the action's key does in the viewer (the renderer runs it through the keyboard handler's runShortcutAction). */
  | { type: 'shortcut'; action: MenuShortcutAction };

export interface ParaspineEvents {
  /** Subscribe to application-menu actions; returns an unsubscribe function. */
  onMenuAction(cb: (action: MenuAction) => void): () => void;
}

/** What the Electron preload exposes as window.paraspine. */
export type ParaspinePreloadApi = ParaspineApi & ParaspineEvents;
