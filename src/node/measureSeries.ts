/**
 * The measuring use case: one series measured with the given inputs (masks and/or an annotation
 * document, levels or z, the autochthon split, HU ranges, a mask threshold), giving the records, the
 * measured slices, warnings, problems and provenance. `paraspine measure` is argument parsing and
 * printing around it; a batch, the reports and the app's exports call it too. The series is read
 * through a SeriesSource (folderSeries: the folder source), never from a folder directly.
 *
 * Refusals are UserErrors whose messages name the options as the command line spells them (`--z`,
 * `--masks`, ...): the CLI prints them as they are. tryMeasureSeries returns a failure as data instead.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { UserError, toUserError, type ErrorKind, type Problem } from '../core/errors';
import { MAX_DOCUMENT_BYTES, readAnnotationDocument, type AnnotationDocument } from '../core/annotations/document';
import { measureAnnotationsChecked, sortRecords } from '../core/annotations/measureAnnotations';
import { checkLevel } from '../core/annotations/checkRoi';
import { boneRoiFromMaskSet, vertebraMaskName } from '../core/bone/measureBone';
import type { BoneVertebra } from '../core/bone/trabecular';
import { contourMask } from '../core/roi/contour';
import { DEFAULT_LEVELS, type Level } from '../core/anatomy/anatomy';
import type { FileProblem, SeriesSummary } from '../core/dicom/types';
import type { SeriesReferences } from '../core/dicom/references';
import type { DicomReportSource } from '../core/report/dicomInput';
import type { MaskMapping, RecordSourceKind, SliceNumbering } from '../core/export/measurementsExport';
import { nearestSliceToZ, sliceSpacingMm, sliceZ } from '../core/geometry/volumeGeometry';
import { isVertebraMask } from '../core/masks/labels';
import { validMaskThreshold } from '../core/masks/maskValues';
import { missingLevelWarning, runMaskPipeline } from '../core/masks/pipeline';
import { DEFAULT_RANGES, type HuRanges } from '../core/metrics/ranges';
import { maskParts } from '../core/muscles/maskParts';
import { identifyStructure, measureSliceMask, type MeasurementRecord } from '../core/metrics/records';
import { sliceView, type HuVolume } from '../core/volume';
// Types only (contract builds zod schemas when loaded; the DICOMweb source loads the client): a
// folder's measure loads neither (the DICOMweb source is imported where a URL is read).
import type { RootOf, DicomWebSeriesLocator, FolderSeriesLocator, SeriesLocator } from '../shared/contract';
import { looksLikeUrl, parseDicomWebUrl } from './dicomweb/url';
import { pickCtSeries } from './dicomFiles';
import { maskSource } from './masks';
import { isDicomPart10 } from './segMasks';
import { FolderSeriesSource, type SeriesSource } from './seriesSource';
import { revisionOf } from './workspace';

/** A series to measure: its source, where the source lists series, and which one. */
export interface SeriesRef<L extends SeriesLocator = SeriesLocator> {
  readonly source: SeriesSource<L>;
  /** Where the source lists series, as messages name it (the folder, for the folder source). */
  readonly root: string;
  /** The root the source lists (a folder root for the folder source). */
  readonly listRoot: RootOf<L>;
  /** The series' UID; without it the annotation document's series, else the root's one CT series. */
  readonly seriesUid?: string;
  /** The locator of the series `uid` listed under root. */
  readonly locate: (uid: string) => L;
}

/** A series in a folder of DICOM files (a FolderSeriesSource of its own unless one is given). */
export function folderSeries(folder: string, seriesUid?: string, source: SeriesSource<FolderSeriesLocator> = new FolderSeriesSource()): SeriesRef<FolderSeriesLocator> {
  return { source, root: folder, listRoot: { kind: 'folder', path: folder }, ...(seriesUid !== undefined ? { seriesUid } : {}), locate: (uid): FolderSeriesLocator => ({ kind: 'folder', path: folder, seriesUid: uid }) };
}

/**
 * A DicomWebSeriesSource (its instance cache in the user's cache folder) made at its first use: the
 * DICOMweb client and zod are loaded only when a URL is read, never by a folder's measure.
 */
function lazyDicomWebSource(): SeriesSource<DicomWebSeriesLocator> {
  let made: Promise<SeriesSource<DicomWebSeriesLocator>> | undefined;
  const get = (): Promise<SeriesSource<DicomWebSeriesLocator>> =>
    (made ??= import('./dicomweb/source').then(({ DicomWebSeriesSource, defaultDicomWebCacheDir }) => new DicomWebSeriesSource({ cacheDir: defaultDicomWebCacheDir() })));
  return {
    kind: 'dicomweb',
    list: async (root) => (await get()).list(root),
    headers: async (locator) => (await get()).headers(locator),
    load: async (locator) => (await get()).load(locator),
    open: async (locator) => (await get()).open(locator),
  };
}

/**
 * A series as the command line names it: a folder path (folderSeries), or a DICOMweb URL
 * `BASE/studies/STUDY[/series/SERIES]` (the series, else `seriesUid`, else the study's one CT series),
 * read through a DicomWebSeriesSource with its instance cache in the user's cache folder.
 */
export function seriesRefFor(text: string, seriesUid?: string): SeriesRef {
  if (!looksLikeUrl(text)) return widen(folderSeries(text, seriesUid));
  const addr = parseDicomWebUrl(text);
  if (!addr.studyUid) throw usage(`${text}: a series URL names its study: BASE/studies/STUDY_UID[/series/SERIES_UID]`);
  if (addr.seriesUid && seriesUid !== undefined && seriesUid !== addr.seriesUid) throw usage(`--series ${seriesUid} differs from the series in the URL (${addr.seriesUid})`);
  const studyUid = addr.studyUid;
  const uid = addr.seriesUid ?? seriesUid;
  const source = lazyDicomWebSource();
  const ref: SeriesRef<DicomWebSeriesLocator> = {
    source,
    root: `${addr.base}/studies/${studyUid}`,
    listRoot: { kind: 'dicomweb', url: addr.base, studyUid },
    ...(uid !== undefined ? { seriesUid: uid } : {}),
    locate: (u) => ({ kind: 'dicomweb', url: addr.base, studyUid, seriesUid: u }),
  };
  return widen(ref);
}

/**
 * A ref of one kind as a ref of any kind: safe, since its source is only ever given the locators its own
 * `locate` makes (TypeScript cannot see that a source taking one kind of locator is called with that kind only).
 */
function widen<L extends SeriesLocator>(ref: SeriesRef<L>): SeriesRef {
  return ref as unknown as SeriesRef;
}

/** A refused combination of inputs (the CLI's exit code 2). */
const usage = (message: string) => new UserError('usage', message);
/** Inputs that cannot be measured as given. */
const refused = (message: string, kind: ErrorKind = 'input') => new UserError(kind, message);

/** `skipped <file>: <reason>`, one note per file left out (as every CLI command names them). */
function noteSkipped(problems: readonly FileProblem[], note: (line: string) => void): void {
  for (const p of problems) note(`skipped ${p.path}: ${p.reason}`);
}

export interface MeasuredSlice {
  level: Level | null;
  sliceIndex: number;
  z: number;
  /** How the slice was chosen. */
  method: string;
}

export interface MeasureResult {
  series: SeriesSummary;
  /** Instances and frame of each slice, frame of reference, patient and study of the series measured (what reports reference). */
  references: SeriesReferences;
  ranges: HuRanges;
  slices: MeasuredSlice[];
  measurements: MeasurementRecord[];
  /** How the masks' classes were mapped to muscles (the JSON's `mapping`); only when masks were measured. */
  mapping?: MaskMapping;
  warnings: string[];
  problems: Problem[];
  /**
   * Rater, app version and modification time of the annotation document measured, if any (they travel
   * into the CSV and JSON), and the document's revision (sha256 of its file: the JSON's documentRevision).
   */
  provenance: { rater: string; appVersion: string; modifiedAt?: string; documentRevision?: string };
  /** The series' slice count and InstanceNumbers (the slicePosition / instanceNumber columns and keys). */
  geometry?: SliceNumbering;
  /** What a DICOM SR or SEG of the result needs (core/report/dicomInput): not part of the JSON or CSV. */
  dicom?: Omit<DicomReportSource, 'records'>;
  /** The annotation document measured, if any (the PDF's key images): not part of the JSON or CSV. */
  document?: AnnotationDocument;
  /** The series' HU, only when asked for (`keepVolume`: a report's key images); a batch keeps none. */
  volume?: HuVolume;
}

const isVertebra = isVertebraMask;

/** Which mask structures to measure: 'muscles' (the default) keeps the recognised muscles, or every non-vertebra mask when none is recognised. */
export function selectStructures(names: readonly string[], spec: string): string[] {
  const candidates = names.filter((n) => !isVertebra(n));
  if (spec === 'all') return candidates;
  if (spec === 'muscles') {
    const muscles = candidates.filter((n) => identifyStructure(n).muscle !== null);
    return muscles.length > 0 ? muscles : candidates;
  }
  const wanted = spec.split(',').map((s) => s.trim()).filter(Boolean);
  for (const w of wanted) if (!names.includes(w)) throw refused(`no mask named '${w}' (masks: ${names.join(', ')})`);
  return wanted;
}

export interface MeasureSeriesInput<L extends SeriesLocator = SeriesLocator> {
  series: SeriesRef<L>;
  masks?: string;
  labels?: 'totalsegmentator';
  annotations?: string;
  /**
   * An annotation document given as an object (the app's current document, not a file): validated as a
   * file's would be; messages name it `annotationsName` (default 'the annotation document'). Not with `annotations`.
   */
  annotationsDocument?: unknown;
  annotationsName?: string;
  /**
   * Propose the trabecular ROI of this vertebra from its mask (core/bone: the body, eroded), measure it
   * and add it as a record (the reports' bone panel, the SR). Needs `masks`; without the vertebra's mask
   * a warning says why and nothing is added.
   */
  bone?: BoneVertebra;
  /** Keep the series' HU in the result (`volume`), for a report's key images. */
  keepVolume?: boolean;
  levels?: 'auto' | Level[];
  z?: number[];
  structures?: string;
  ranges?: Partial<HuRanges>;
  /**
   * TotalSegmentator classes to Paraspine muscles (core/muscles/maskParts, as the app's mask import):
   * iliopsoas -> the psoas component nearest the spine, autochthon -> multifidus + erector spinae
   * (fat-plane split). On unless false (`--no-split`: every mask raw); without `masks` it has no effect
   * (a batch's common option meets rows without masks; `paraspine measure` refuses it there).
   * Applies to the masks chosen by 'muscles' or 'all', never to masks named in `structures`, which are
   * measured raw (the mapping is then `raw`).
   */
  splitAutochthon?: boolean;
  /**
   * Threshold for masks whose values are not whole numbers (probability maps): a voxel is set where its
   * value >= it (0 < t <= 1). Without it such masks are refused (listed in `problems`). Records of a
   * thresholded mask carry `maskThreshold` and a warning (the CSV's flags).
   */
  maskThreshold?: number;
}

/**
 * A measurement record with where its muscle came from (`source`: the mask and the rule, as
 * `--split-autochthon` wrote it before, or `outline`; `sourceKind`: core/export RECORD_SOURCE_KINDS) and
 * the threshold its mask was read with (`maskThreshold`, only for a thresholded probability map).
 */
export type SourcedRecord = MeasurementRecord & { source?: string; sourceKind?: RecordSourceKind; maskThreshold?: number };

/**
 * What kind of mask input a path is, for the records' `source`: a folder of binary masks (`mask`), a
 * DICOM SEG (`segment`) or a multilabel NIfTI (`label`). Called after the masks loaded (the path is
 * readable); node/masks.ts tells a SEG from a NIfTI file by the same DICM preamble test.
 */
async function maskInputKind(path: string): Promise<'mask' | 'label' | 'segment'> {
  if ((await stat(path)).isDirectory()) return 'mask';
  const fh = await open(path, 'r');
  try {
    const head = new Uint8Array(132);
    const { bytesRead } = await fh.read(head, 0, 132, 0);
    return isDicomPart10(head.subarray(0, bytesRead)) ? 'segment' : 'label';
  } finally {
    await fh.close();
  }
}

/** The record of a thresholded mask says so: `maskThreshold` (JSON) and a warning (JSON, CSV flags). */
function withThreshold(r: SourcedRecord, threshold: number | undefined): SourcedRecord {
  if (threshold === undefined) return r;
  r.maskThreshold = threshold;
  r.warnings = [...r.warnings, `probability map mask thresholded: voxels with value >= ${threshold}`];
  return r;
}

/** A document given as an object, checked as a file's would be (no file: no revision). */
function givenAnnotations(json: unknown, name: string): { document: AnnotationDocument; notes: string[]; revision?: string } {
  const r = readAnnotationDocument(json);
  if (!r.ok) throw refused(`${name}: ${r.reason}`);
  return { document: r.document, notes: r.notes };
}

/**
 * The document, what was repaired as it was read (duplicate outline ids) as notes on the file, and the
 * file's revision (sha256 of its bytes, as the workspace names it: the version an export came from).
 */
export async function readAnnotations(file: string): Promise<{ document: AnnotationDocument; notes: string[]; revision: string }> {
  let text: string;
  let revision: string;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw refused(`${file}: not a regular file`);
    if (st.size > MAX_DOCUMENT_BYTES) throw refused(`${file}: ${st.size} bytes, larger than an annotation document can be (${MAX_DOCUMENT_BYTES})`);
    const bytes = await readFile(file);
    revision = revisionOf(bytes);
    text = bytes.toString('utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw refused(`${file}: cannot read (${code ?? (e as Error).message})`, code === 'ENOENT' ? 'notFound' : code === 'EACCES' ? 'access' : 'input');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte order mark
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw refused(`${file}: not valid JSON`);
  }
  const r = readAnnotationDocument(json);
  if (!r.ok) throw refused(`${file}: ${r.reason}`);
  return { document: r.document, notes: r.notes, revision };
}

function zSlices(g: HuVolume['geometry'], zs: readonly number[]): MeasuredSlice[] {
  const zMin = Math.min(sliceZ(g, 0), sliceZ(g, g.slices - 1));
  const zMax = Math.max(sliceZ(g, 0), sliceZ(g, g.slices - 1));
  const tol = (sliceSpacingMm(g) || 0) / 2 + 1e-6;
  return zs.map((z) => {
    if (z < zMin - tol || z > zMax + tol) throw refused(`z ${z} mm is outside the series (z from ${zMin} to ${zMax} mm)`);
    const k = nearestSliceToZ(g, z);
    return { level: null, sliceIndex: k, z: sliceZ(g, k), method: `nearest slice to z ${z} mm` };
  });
}

/**
 * Measures one series. Notes (the CLI's stderr lines: slices chosen, warnings, files skipped, notes on
 * the files used) go to `note` as they come. Throws a UserError (one line) when the inputs are refused.
 */
export async function measureSeries<L extends SeriesLocator>(opts: MeasureSeriesInput<L>, note: (line: string) => void = () => {}): Promise<MeasureResult> {
  const hasDocument = opts.annotationsDocument !== undefined;
  if (!opts.masks && !opts.annotations && !hasDocument) throw usage('measure needs --masks and/or --annotations');
  if (opts.annotations && hasDocument) throw usage('give the annotations as a file or as a document, not both');
  if (opts.bone !== undefined && !opts.masks) throw usage('--bone needs vertebra masks (--masks)');
  if (opts.z && opts.levels) throw usage('use either --z or --levels, not both');
  if (opts.maskThreshold !== undefined && !opts.masks) throw usage('--mask-threshold needs --masks');
  if (opts.maskThreshold !== undefined && !validMaskThreshold(opts.maskThreshold)) {
    throw usage(`--mask-threshold must be a number greater than 0 and at most 1 (got ${opts.maskThreshold})`);
  }
  const docName = opts.annotations ?? opts.annotationsName ?? 'the annotation document';
  const read = opts.annotations ? await readAnnotations(opts.annotations) : hasDocument ? givenAnnotations(opts.annotationsDocument, docName) : undefined;
  const doc = read?.document;
  const ranges: HuRanges = {
    muscleHu: opts.ranges?.muscleHu ?? doc?.ranges.muscleHu ?? DEFAULT_RANGES.muscleHu,
    fatHu: opts.ranges?.fatHu ?? doc?.ranges.fatHu ?? DEFAULT_RANGES.fatHu,
  };
  // Masks alone need the HU of the measured slices only (levels come from the masks, geometry from the
  // headers); an annotation document, --bone and a report's key images read the whole series.
  const whole = !opts.masks || doc !== undefined || opts.bone !== undefined || opts.keepVolume === true;
  const series = await openSeries(opts.series, opts.series.seriesUid ?? doc?.series.seriesInstanceUid, whole);
  const { summary, references, problems: seriesProblems } = series;
  // Named at once: a level or option refused further on still leaves every file left out named.
  noteSkipped(seriesProblems, note);
  if (doc && doc.series.seriesInstanceUid !== summary.seriesInstanceUid) {
    throw refused(`${docName}: annotations are for series ${doc.series.seriesInstanceUid}, not ${summary.seriesInstanceUid}`);
  }
  const g = series.geometry;
  const warnings = [...series.warnings];
  const problems = [...seriesProblems];
  const measurements: SourcedRecord[] = [];
  let mapping: MaskMapping | undefined;
  /** The slice mask each mask record was measured on (for a DICOM SR or SEG of the result). */
  const recordMasks = new Map<MeasurementRecord, Uint8Array>();
  /** Notes on the annotation document and the mask files that were used (printed as `note <file>: ...`, and in the JSON warnings). */
  const notes: { path: string; reason: string }[] = (read?.notes ?? []).map((reason) => ({ path: docName, reason }));

  // Slices to measure masks on: found from the vertebra masks, or given (z, annotation levels).
  let slices: MeasuredSlice[] = [];
  let findLevels: readonly Level[] | undefined;
  if (opts.z) {
    slices = zSlices(g, opts.z);
  } else if (opts.levels || !doc) {
    if (!opts.masks) throw usage('--levels needs vertebra masks (--masks)');
    findLevels = opts.levels === undefined || opts.levels === 'auto' ? DEFAULT_LEVELS : opts.levels;
  } else {
    // the document's levels, unless one lies off every slice (named in the warnings by measureAnnotationsChecked)
    slices = doc.levels
      .filter((l) => checkLevel(g, l) === null)
      .map((l) => {
        const k = nearestSliceToZ(g, l.z);
        return { level: l.level, sliceIndex: k, z: sliceZ(g, k), method: `annotation level (${l.source})` };
      });
  }

  if (opts.masks) {
    // vertebra masks on every slice when levels are to be found; the structures on the measured slices only
    const spec = opts.structures ?? 'muscles';
    const listed = spec === 'muscles' || spec === 'all' ? undefined : spec.split(',').map((x) => x.trim());
    // The default maps TotalSegmentator classes as the app's import does; masks named in --structures stay raw.
    const split = opts.splitAutochthon !== false && !listed;
    mapping = split ? 'split' : 'raw';
    const piped = await runMaskPipeline({
      source: maskSource(opts.masks, g, { references, labels: opts.labels, ...(opts.maskThreshold !== undefined ? { threshold: opts.maskThreshold } : {}) }),
      geometry: g,
      ...(findLevels ? { levels: findLevels } : { slices }),
      include: listed ? (n) => listed.includes(n) : spec === 'muscles' ? (n) => !isVertebra(n) && identifyStructure(n).muscle !== null : (n) => !isVertebra(n),
      ...(spec === 'muscles' ? { fallback: (n: string) => !isVertebra(n) } : {}),
      ...(split ? { vertebraeOnSlices: true } : {}),
    });
    if (piped.found) {
      for (const m of piped.found.missing) {
        if (opts.levels !== undefined && opts.levels !== 'auto') throw refused(missingLevelWarning(m));
      }
      warnings.push(...piped.warnings);
      if (piped.found.levels.length === 0) {
        throw refused(`no level could be found from the vertebra masks (${piped.found.missing.map((m) => `${m.level}: ${m.reason}`).join('; ')})`);
      }
      slices = piped.slices.map((s) => ({ ...s }));
    }
    problems.push(...piped.problems);
    notes.push(...piped.notes);
    const names = selectStructures(piped.structures.map((m) => m.name), spec);
    // TotalSegmentator classes to Paraspine muscles slice by slice with the split (core/muscles), never
    // for masks named in `structures`; masks that are not a Paraspine muscle ('all') are measured raw.
    const chosen = names.map((name) => piped.structures.find((m) => m.name === name)!);
    const volume = await series.volume(slices.map((s) => s.sliceIndex));
    const sliceParts = maskParts({
      columns: g.columns,
      rows: g.rows,
      spacing: g,
      slices,
      structures: chosen,
      vertebrae: piped.vertebraSlices,
      split,
      hu: (n) => sliceView(volume, slices[n]!.sliceIndex),
    });
    const kind = await maskInputKind(opts.masks);
    slices.forEach((s, n) => {
      for (const part of sliceParts[n]!.parts) {
        const r: SourcedRecord = measureSliceMask(volume, s.sliceIndex, part.mask, { structure: part.structure, muscle: part.muscle, side: part.side }, s.level, ranges);
        r.source = part.source; // the mask and the rule (`autochthon_left: medial part (fat-plane split)`), or the mask's name: before maskThreshold, as always
        r.sourceKind = part.derived ? `${kind}-split` : kind; // a rule (psoas component, autochthon split) made the part, or the mask as it is
        measurements.push(withThreshold(r, chosen.find((m) => m.name === part.structure)?.threshold));
        recordMasks.set(r, part.mask);
      }
    });
  }
  if (opts.masks && opts.bone !== undefined) {
    // The whole vertebra mask (its mid slice is found in it), loaded apart from the measured slices.
    const name = vertebraMaskName(opts.bone);
    const loaded = await maskSource(opts.masks, g, { references, labels: opts.labels, ...(opts.maskThreshold !== undefined ? { threshold: opts.maskThreshold } : {}) }).load((n) => n === name);
    const bone = boneRoiFromMaskSet(await series.volume(), loaded.masks, opts.bone, { ranges });
    if (bone.ok) {
      Object.assign(bone.record as SourcedRecord, { source: name, sourceKind: 'vertebra-mask' }); // the vertebra's mask, as a mask record names its mask
      measurements.push(bone.record);
      recordMasks.set(bone.record, contourMask(g, bone.proposal.sliceIndex, bone.proposal.pointsLps));
    } else warnings.push(`${opts.bone} trabecular ROI not measured: ${bone.reason}`);
  }
  if (doc) {
    const checked = measureAnnotationsChecked(await series.volume(), doc, ranges);
    for (const r of checked.records) Object.assign(r as SourcedRecord, { source: 'outline', sourceKind: 'outline' });
    measurements.push(...checked.records);
    warnings.push(...checked.warnings);
  }
  for (const s of slices) note(`${s.level ?? 'slice'}: slice ${s.sliceIndex}, z ${s.z} mm (${s.method})`);
  for (const w of warnings) note(`warning: ${w}`);
  noteSkipped(problems.slice(seriesProblems.length), note); // the masks' (the series' were named on loading)
  for (const n of notes) note(`note ${n.path}: ${n.reason}`);
  warnings.push(...notes.map((n) => `${n.path}: ${n.reason}`));
  return { series: summary, references, ranges, slices, measurements: sortRecords(measurements), ...(mapping ? { mapping } : {}), warnings, problems, provenance: { rater: doc?.rater ?? '', appVersion: doc?.appVersion ?? '', modifiedAt: doc?.modifiedAt ?? '', ...(read?.revision !== undefined ? { documentRevision: read.revision } : {}) }, geometry: { slices: g.slices, ...(g.instanceNumbers ? { instanceNumbers: g.instanceNumbers } : {}) }, dicom: { references, geometry: g, recordMasks, ...(doc ? { outlines: [...doc.rois, ...(doc.boneRois ?? [])] } : {}) }, ...(doc ? { document: doc } : {}), ...(opts.keepVolume ? { volume: await series.volume() } : {}) };
}

/** A series chosen and described by its headers, with its HU to read: the slices asked for, or (no slices) all. */
interface SeriesToMeasure {
  readonly summary: SeriesSummary;
  readonly references: SeriesReferences;
  readonly geometry: HuVolume['geometry'];
  readonly warnings: readonly string[];
  readonly problems: readonly FileProblem[];
  /**
   * The volume with (at least) these slices' HU read (every slice when none is given). Slices not read
   * hold 0: callers ask for every slice they measure.
   */
  volume(slices?: readonly number[]): Promise<HuVolume>;
}

/**
 * The series chosen under its root (by UID, else the one CT series); the root's unusable files are among
 * its problems. `whole`: loaded at once (load()); else opened (headers only) and only the slices asked for
 * are read (open().readSlices), into a whole-volume array left zero elsewhere (a fresh typed array is
 * zero-filled memory the system backs only where written, so the unread slices cost no reading and
 * little memory). A source that cannot name its files left out on open(), or a range that comes back
 * in another element type than the volume's, falls back to load(), so the result is always load()'s.
 */
async function openSeries<L extends SeriesLocator>(ref: SeriesRef<L>, seriesUid: string | undefined, whole: boolean): Promise<SeriesToMeasure> {
  const listed = await ref.source.list(ref.listRoot);
  const chosen = pickCtSeries(listed, ref.root, seriesUid);
  const locator = ref.locate(chosen.seriesInstanceUid);
  const loadWhole = async (): Promise<SeriesToMeasure> => {
    const loaded = await ref.source.load(locator);
    const volume = loaded.volume;
    return { summary: loaded.summary, references: loaded.references, geometry: volume.geometry, warnings: volume.warnings, problems: [...listed.problems, ...loaded.problems], volume: async () => volume };
  };
  if (whole) return loadWhole();
  const opened = await ref.source.open(locator);
  if (opened.problems === undefined) return loadWhole();
  const g = opened.geometry;
  const plane = g.rows * g.columns;
  const hu = opened.huType === 'int16' ? new Int16Array(plane * g.slices) : new Float32Array(plane * g.slices);
  const partial: HuVolume = { geometry: g, hu, warnings: [...opened.warnings] };
  let loaded: HuVolume | undefined; // load()'s volume, after a fallback
  const read = new Set<number>();
  return {
    summary: opened.summary,
    references: opened.references,
    geometry: g,
    warnings: partial.warnings,
    problems: [...listed.problems, ...opened.problems],
    async volume(slices) {
      if (loaded) return loaded;
      const wanted = [...new Set(slices ?? Array.from({ length: g.slices }, (_, k) => k))].filter((k) => !read.has(k)).sort((a, b) => a - b);
      for (let n = 0; n < wanted.length; ) {
        // one read per run of consecutive slices
        let m = n + 1;
        while (m < wanted.length && wanted[m] === wanted[m - 1]! + 1) m++;
        const start = wanted[n]!;
        const values = await opened.readSlices(start, m - n);
        if (values.constructor !== hu.constructor) {
          loaded = (await ref.source.load(locator)).volume;
          return loaded;
        }
        hu.set(values, start * plane);
        for (let k = start; k < start + (m - n); k++) read.add(k);
        n = m;
      }
      return partial;
    },
  };
}

/** What one series of a batch gave: its result, or why it could not be measured (never thrown). */
export type MeasureOutcome = { readonly ok: true; readonly result: MeasureResult } | { readonly ok: false; readonly failure: { readonly kind: ErrorKind; readonly message: string } };

/** measureSeries for batches: a refused or unreadable series is a failure returned as data, so one bad series never ends a cohort. */
export async function tryMeasureSeries<L extends SeriesLocator>(opts: MeasureSeriesInput<L>, note: (line: string) => void = () => {}): Promise<MeasureOutcome> {
  try {
    return { ok: true, result: await measureSeries(opts, note) };
  } catch (e) {
    const err = toUserError(e);
    return { ok: false, failure: { kind: err.kind, message: err.message } };
  }
}
