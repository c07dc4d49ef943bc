import { readFile, stat } from 'node:fs/promises';
import type { Problem } from '../../core/errors';
import { MAX_DOCUMENT_BYTES, readAnnotationDocument, type AnnotationDocument } from '../../core/annotations/document';
import { measureAnnotationsChecked, sortRecords } from '../../core/annotations/measureAnnotations';
import { checkLevel } from '../../core/annotations/checkRoi';
import { DEFAULT_LEVELS, parseLevels, type Level } from '../../core/anatomy/anatomy';
import type { SeriesSummary } from '../../core/dicom/types';
import { EXPORT_CSV_COLUMNS, exportRows, measurementsExport, measurementsJsonText, type SliceNumbering } from '../../core/export/measurementsExport';
import { EXPORT_FORMATS } from '../../core/export/formats';
import { toCsv } from '../../core/format/csv';
import { nearestSliceToZ, sliceSpacingMm, sliceZ } from '../../core/geometry/volumeGeometry';
import { isVertebraMask } from '../../core/masks/labels';
import { validMaskThreshold } from '../../core/masks/maskValues';
import { missingLevelWarning, runMaskPipeline } from '../../core/masks/pipeline';
import { DEFAULT_RANGES, type HuRanges } from '../../core/metrics/ranges';
import { musclesOnSlice } from '../../core/muscles/fromTotalSegmentator';
import { identifyStructure, measureSliceMask, type MeasurementRecord } from '../../core/metrics/records';
import { sliceView, type HuVolume } from '../../core/volume';
import { loadSeriesFromFolder } from '../../node/dicomFiles';
import type { DicomReportSource } from '../../core/report/dicomInput';
import { maskSource } from '../../node/masks';
import { CliError, oneOf, parse, parseNumberList, parseRange, UsageError } from '../args';
import type { Output } from '../main';
import { noteSkipped, requireFolder } from './series';

export interface MeasuredSlice {
  level: Level | null;
  sliceIndex: number;
  z: number;
  /** How the slice was chosen. */
  method: string;
}

export interface MeasureResult {
  series: SeriesSummary;
  ranges: HuRanges;
  slices: MeasuredSlice[];
  measurements: MeasurementRecord[];
  warnings: string[];
  problems: Problem[];
  /** Rater, app version and modification time of the annotation document measured, if any (they travel into the CSV and JSON). */
  provenance: { rater: string; appVersion: string; modifiedAt?: string };
  /** The series' slice count and InstanceNumbers (the slicePosition / instanceNumber columns and keys). */
  geometry?: SliceNumbering;
  /** What a DICOM SR or SEG of the result needs (core/report/dicomInput): not part of the JSON or CSV. */
  dicom?: Omit<DicomReportSource, 'records'>;
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
  for (const w of wanted) if (!names.includes(w)) throw new CliError(`no mask named '${w}' (masks: ${names.join(', ')})`);
  return wanted;
}

export interface MeasureOptions {
  folder: string;
  seriesUid?: string;
  masks?: string;
  labels?: 'totalsegmentator';
  annotations?: string;
  levels?: 'auto' | Level[];
  z?: number[];
  structures?: string;
  ranges?: Partial<HuRanges>;
  /**
   * TotalSegmentator classes to Paraspine muscles (core/muscles): iliopsoas -> the psoas component
   * nearest the spine, autochthon -> multifidus + erector spinae (fat-plane split). Applies to the masks
   * chosen by 'muscles' or 'all', never to masks named in `structures`, which are measured raw. Every
   * mask record then carries `source` (the mask and the rule).
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
 * A measurement record with the mask and rule it comes from (`source`, only with --split-autochthon)
 * and the threshold its mask was read with (`maskThreshold`, only for a thresholded probability map).
 */
export type SourcedRecord = MeasurementRecord & { source?: string; maskThreshold?: number };

/** The record of a thresholded mask says so: `maskThreshold` (JSON) and a warning (JSON, CSV flags). */
function withThreshold(r: SourcedRecord, threshold: number | undefined): SourcedRecord {
  if (threshold === undefined) return r;
  r.maskThreshold = threshold;
  r.warnings = [...r.warnings, `probability map mask thresholded: voxels with value >= ${threshold}`];
  return r;
}

/** The document, and what was repaired as it was read (duplicate outline ids), as notes on the file. */
async function readAnnotations(file: string): Promise<{ document: AnnotationDocument; notes: string[] }> {
  let text: string;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new CliError(`${file}: not a regular file`);
    if (st.size > MAX_DOCUMENT_BYTES) throw new CliError(`${file}: ${st.size} bytes, larger than an annotation document can be (${MAX_DOCUMENT_BYTES})`);
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`${file}: cannot read (${code ?? (e as Error).message})`, code === 'ENOENT' ? 'notFound' : code === 'EACCES' ? 'access' : 'input');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte order mark
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(`${file}: not valid JSON`);
  }
  const r = readAnnotationDocument(json);
  if (!r.ok) throw new CliError(`${file}: ${r.reason}`);
  return { document: r.document, notes: r.notes };
}

function zSlices(volume: HuVolume, zs: readonly number[]): MeasuredSlice[] {
  const g = volume.geometry;
  const zMin = Math.min(sliceZ(g, 0), sliceZ(g, g.slices - 1));
  const zMax = Math.max(sliceZ(g, 0), sliceZ(g, g.slices - 1));
  const tol = (sliceSpacingMm(g) || 0) / 2 + 1e-6;
  return zs.map((z) => {
    if (z < zMin - tol || z > zMax + tol) throw new CliError(`z ${z} mm is outside the series (z from ${zMin} to ${zMax} mm)`);
    const k = nearestSliceToZ(g, z);
    return { level: null, sliceIndex: k, z: sliceZ(g, k), method: `nearest slice to z ${z} mm` };
  });
}

/** The measuring pipeline behind `paraspine measure` (also used by tests). */
export async function measure(opts: MeasureOptions, note: (line: string) => void = () => {}): Promise<MeasureResult> {
  if (!opts.masks && !opts.annotations) throw new UsageError('measure needs --masks and/or --annotations');
  if (opts.z && opts.levels) throw new UsageError('use either --z or --levels, not both');
  if (opts.splitAutochthon && !opts.masks) throw new UsageError('--split-autochthon needs --masks');
  if (opts.maskThreshold !== undefined && !opts.masks) throw new UsageError('--mask-threshold needs --masks');
  if (opts.maskThreshold !== undefined && !validMaskThreshold(opts.maskThreshold)) {
    throw new UsageError(`--mask-threshold must be a number greater than 0 and at most 1 (got ${opts.maskThreshold})`);
  }
  const read = opts.annotations ? await readAnnotations(opts.annotations) : undefined;
  const doc = read?.document;
  const ranges: HuRanges = {
    muscleHu: opts.ranges?.muscleHu ?? doc?.ranges.muscleHu ?? DEFAULT_RANGES.muscleHu,
    fatHu: opts.ranges?.fatHu ?? doc?.ranges.fatHu ?? DEFAULT_RANGES.fatHu,
  };
  const { summary, references, volume, problems: seriesProblems } = await loadSeriesFromFolder(opts.folder, opts.seriesUid ?? doc?.series.seriesInstanceUid);
  // Named at once: a level or option refused further on still leaves every file left out named.
  noteSkipped(seriesProblems, note);
  if (doc && doc.series.seriesInstanceUid !== summary.seriesInstanceUid) {
    throw new CliError(`${opts.annotations}: annotations are for series ${doc.series.seriesInstanceUid}, not ${summary.seriesInstanceUid}`);
  }
  const g = volume.geometry;
  const warnings = [...volume.warnings];
  const problems = [...seriesProblems];
  const measurements: SourcedRecord[] = [];
  /** The slice mask each mask record was measured on (for a DICOM SR or SEG of the result). */
  const recordMasks = new Map<MeasurementRecord, Uint8Array>();
  const kept = <R extends MeasurementRecord>(r: R, mask: Uint8Array): R => (recordMasks.set(r, mask), r);
  /** Notes on the annotation document and the mask files that were used (printed as `note <file>: ...`, and in the JSON warnings). */
  const notes: { path: string; reason: string }[] = (read?.notes ?? []).map((reason) => ({ path: opts.annotations!, reason }));

  // Slices to measure masks on: found from the vertebra masks, or given (z, annotation levels).
  let slices: MeasuredSlice[] = [];
  let findLevels: readonly Level[] | undefined;
  if (opts.z) {
    slices = zSlices(volume, opts.z);
  } else if (opts.levels || !doc) {
    if (!opts.masks) throw new UsageError('--levels needs vertebra masks (--masks)');
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
    const piped = await runMaskPipeline({
      source: maskSource(opts.masks, g, { references, labels: opts.labels, ...(opts.maskThreshold !== undefined ? { threshold: opts.maskThreshold } : {}) }),
      geometry: g,
      ...(findLevels ? { levels: findLevels } : { slices }),
      include: listed ? (n) => listed.includes(n) : spec === 'muscles' ? (n) => !isVertebra(n) && identifyStructure(n).muscle !== null : (n) => !isVertebra(n),
      ...(spec === 'muscles' ? { fallback: (n: string) => !isVertebra(n) } : {}),
      ...(opts.splitAutochthon && !listed ? { vertebraeOnSlices: true } : {}),
    });
    if (piped.found) {
      for (const m of piped.found.missing) {
        if (opts.levels !== undefined && opts.levels !== 'auto') throw new CliError(missingLevelWarning(m));
      }
      warnings.push(...piped.warnings);
      if (piped.found.levels.length === 0) {
        throw new CliError(`no level could be found from the vertebra masks (${piped.found.missing.map((m) => `${m.level}: ${m.reason}`).join('; ')})`);
      }
      slices = piped.slices.map((s) => ({ ...s }));
    }
    problems.push(...piped.problems);
    notes.push(...piped.notes);
    const names = selectStructures(piped.structures.map((m) => m.name), spec);
    if (opts.splitAutochthon && !listed) {
      // TotalSegmentator classes to Paraspine muscles, slice by slice (core/muscles); masks that are not a
      // Paraspine muscle ('all') are measured raw.
      const chosen = names.map((name) => piped.structures.find((m) => m.name === name)!);
      slices.forEach((s, n) => {
        const mapped = musclesOnSlice({
          columns: g.columns,
          rows: g.rows,
          spacing: g,
          hu: sliceView(volume, s.sliceIndex),
          structures: chosen.map((m) => ({ name: m.name, mask: m.sliceMasks[n]! })),
          vertebrae: piped.vertebraSlices.map((v) => v.sliceMasks[n]!),
          level: s.level,
        });
        const thresholdOf = (name: string) => chosen.find((m) => m.name === name)?.threshold;
        for (const part of mapped.parts) {
          const id = { structure: part.structure, muscle: part.muscle, side: part.side };
          measurements.push(kept(withThreshold({ ...measureSliceMask(volume, s.sliceIndex, part.mask, id, s.level, ranges), source: part.source }, thresholdOf(part.structure)), part.mask));
        }
        for (const m of chosen) {
          if (mapped.parts.some((p) => p.structure === m.name)) continue;
          measurements.push(kept(withThreshold({ ...measureSliceMask(volume, s.sliceIndex, m.sliceMasks[n]!, identifyStructure(m.name), s.level, ranges), source: m.name }, m.threshold), m.sliceMasks[n]!));
        }
      });
    } else {
      for (const name of names) {
        const mask = piped.structures.find((m) => m.name === name)!;
        const id = identifyStructure(name);
        slices.forEach((s, n) => {
          const r: SourcedRecord = measureSliceMask(volume, s.sliceIndex, mask.sliceMasks[n]!, id, s.level, ranges);
          if (opts.splitAutochthon) r.source = name;
          measurements.push(kept(withThreshold(r, mask.threshold), mask.sliceMasks[n]!));
        });
      }
    }
  }
  if (doc) {
    const checked = measureAnnotationsChecked(volume, doc, ranges);
    measurements.push(...checked.records);
    warnings.push(...checked.warnings);
  }
  for (const s of slices) note(`${s.level ?? 'slice'}: slice ${s.sliceIndex}, z ${s.z} mm (${s.method})`);
  for (const w of warnings) note(`warning: ${w}`);
  noteSkipped(problems.slice(seriesProblems.length), note); // the masks' (the series' were named on loading)
  for (const n of notes) note(`note ${n.path}: ${n.reason}`);
  warnings.push(...notes.map((n) => `${n.path}: ${n.reason}`));
  return { series: summary, ranges, slices, measurements: sortRecords(measurements), warnings, problems, provenance: { rater: doc?.rater ?? '', appVersion: doc?.appVersion ?? '', modifiedAt: doc?.modifiedAt ?? '' }, geometry: { slices: g.slices, ...(g.instanceNumbers ? { instanceNumbers: g.instanceNumbers } : {}) }, dicom: { references, geometry: g, recordMasks, ...(doc ? { outlines: doc.rois } : {}) } };
}

/** CSV: the same tidy rows as the app's export (series identity and ranges on every row, record keys, L/R asymmetry). */
export function measureCsv(result: MeasureResult): string {
  const rows = exportRows(result.measurements, { series: result.series, ranges: result.ranges, ...result.provenance, warnings: result.warnings, ...(result.geometry ? { geometry: result.geometry } : {}) });
  // The `source` column (mask and rule) is added, last, only when records carry it (--split-autochthon):
  // without the option the columns are exactly those of the app's export.
  const sourced = (result.measurements as SourcedRecord[]).some((r) => r.source !== undefined);
  return sourced ? toCsv([...EXPORT_CSV_COLUMNS, 'source'], rows) : toCsv(EXPORT_CSV_COLUMNS, rows);
}

/** JSON: the one measurements format (core/export/measurementsExport.ts), as the app's JSON export writes it. */
export function measureJson(result: MeasureResult): string {
  const { series, ranges, slices, measurements, warnings, problems, provenance, geometry } = result;
  return measurementsJsonText(
    measurementsExport({ ...provenance, modifiedAt: provenance.modifiedAt ?? '', series, ranges, levels: slices, measurements, warnings, problems, ...(geometry ? { geometry } : {}) }),
  );
}

export async function runMeasure(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parse(
    argv,
    {
      masks: { type: 'string' },
      labels: { type: 'string' },
      annotations: { type: 'string' },
      levels: { type: 'string' },
      z: { type: 'string' },
      structures: { type: 'string' },
      'split-autochthon': { type: 'boolean' },
      'mask-threshold': { type: 'string' },
      'muscle-hu': { type: 'string' },
      'fat-hu': { type: 'string' },
      series: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
    },
    1,
  );
  const format = oneOf(values.format, EXPORT_FORMATS, '--format', EXPORT_FORMATS[0]);
  const labels = values.labels === undefined ? undefined : oneOf(values.labels, ['totalsegmentator'] as const, '--labels', 'totalsegmentator');
  let levels: MeasureOptions['levels'];
  if (values.levels !== undefined) {
    try {
      levels = values.levels.trim().toLowerCase() === 'auto' ? 'auto' : parseLevels(values.levels);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const ranges: Partial<HuRanges> = {};
  if (values['muscle-hu'] !== undefined) (ranges as { muscleHu?: [number, number] }).muscleHu = parseRange(values['muscle-hu'], '--muscle-hu');
  if (values['fat-hu'] !== undefined) (ranges as { fatHu?: [number, number] }).fatHu = parseRange(values['fat-hu'], '--fat-hu');
  let maskThreshold: number | undefined;
  if (values['mask-threshold'] !== undefined) {
    const t = values['mask-threshold'].trim();
    maskThreshold = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
    if (!validMaskThreshold(maskThreshold)) throw new UsageError(`--mask-threshold must be a number greater than 0 and at most 1 (got '${values['mask-threshold']}')`);
  }
  const folder = await requireFolder(positionals[0], 'series folder');
  const result = await measure(
    {
      folder,
      seriesUid: values.series,
      masks: values.masks,
      labels,
      annotations: values.annotations,
      levels,
      z: values.z !== undefined ? parseNumberList(values.z, '--z') : undefined,
      structures: values.structures,
      ranges,
      splitAutochthon: values['split-autochthon'] === true,
      ...(maskThreshold !== undefined ? { maskThreshold } : {}),
    },
    (l) => out.note(l),
  );
  await out.emit(format === 'csv' ? measureCsv(result) : measureJson(result), values.out);
}
