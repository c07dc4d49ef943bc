import { nearestSliceToZ, sliceZ } from '../geometry/volumeGeometry';
import { DEFAULT_REGISTRY, computeMetrics, type MetricRegistry, type PairMetrics } from '../metrics/definitions';
import type { HuRanges } from '../metrics/ranges';
import { measureSliceMask, type MeasurementRecord } from '../metrics/records';
import { contourMask, lpsToSliceIj } from '../roi/contour';
import { rasterizePolygon } from '../roi/rasterize';
import type { HuVolume } from '../volume';
import type { AnnotationDocument, Roi } from './document';
import { checkLevel, checkRoi, documentGridMismatch } from './checkRoi';
import { groupOrigin, levelSlice, outlineFlagger, roiSlice } from './outlineFlags';
import { absentKey, absentRecord, acceptedNow } from './recordedStates';
import { UserError } from '../errors';
import { ALL_LEVELS, MUSCLE_ORDER } from '../anatomy/anatomy';
import { measureTrabecular } from '../bone/measureBone';

export { roiSlice } from './outlineFlags';

/** Measure one ROI contour through the same path as masks (unchecked: see measureAnnotationsChecked). */
export function measureRoi(volume: HuVolume, roi: Roi, ranges: HuRanges, registry: MetricRegistry = DEFAULT_REGISTRY): MeasurementRecord {
  const k = roiSlice(volume, roi);
  const mask = contourMask(volume.geometry, k, roi.pointsLps);
  return measureSliceMask(volume, k, mask, { structure: `${roi.muscle}_${roi.side}`, muscle: roi.muscle, side: roi.side }, roi.level, ranges, registry);
}

export interface CheckedMeasurements {
  records: MeasurementRecord[];
  /** Document-level warnings: ROIs refused (not measured) and levels off every slice, each with its reason. */
  warnings: string[];
}

/**
 * Measure every ROI of a document, checking each against the grid first (checkRoi): a refused ROI is
 * not measured and named in `warnings`; a flagged one is measured and its flags travel on its record.
 * Several ROIs of the same level, muscle and side are merged into one mask (union), so a muscle
 * outlined in two parts is measured once. A document for another grid (rows x columns) is an error.
 */
export function measureAnnotationsChecked(
  volume: HuVolume,
  doc: AnnotationDocument,
  ranges: HuRanges = doc.ranges,
  registry: MetricRegistry = DEFAULT_REGISTRY,
): CheckedMeasurements {
  const g = volume.geometry;
  const mismatch = documentGridMismatch(g, doc);
  if (mismatch) throw new UserError('input', mismatch);
  const warnings: string[] = [];
  for (const mark of doc.levels) {
    const off = checkLevel(g, mark);
    if (off) warnings.push(off);
  }
  const groups = new Map<string, { rois: Roi[]; k: number; flags: string[] }>();
  const trust = outlineFlagger(volume, doc);
  /** Each measured outline's trust flags (what an acceptance names). */
  const trustOf = new Map<Roi, string[]>();
  for (const roi of doc.rois) {
    const check = checkRoi(g, roi);
    if (!check.refused) {
      const t = trust(roi, check.sliceIndex);
      trustOf.set(roi, t);
      check.flags.push(...t);
    }
    const what = `${roi.level} ${roi.muscle} ${roi.side} outline ${roi.id}`;
    if (check.refused) {
      warnings.push(`${what} not measured: ${check.refused}`);
      continue;
    }
    const key = `${roi.level}|${roi.muscle}|${roi.side}`;
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { rois: [roi], k: check.sliceIndex, flags: check.flags });
    } else if (group.k !== check.sliceIndex) {
      warnings.push(`${what} not measured: it lies on slice ${check.sliceIndex}, another outline of ${roi.level} ${roi.muscle} ${roi.side} on slice ${group.k}`);
    } else {
      group.rois.push(roi);
      group.flags.push(...check.flags);
    }
  }
  const out: MeasurementRecord[] = [];
  for (const { rois, k, flags } of groups.values()) {
    const first = rois[0]!;
    const mask = new Uint8Array(g.rows * g.columns);
    for (const roi of rois) rasterizePolygon(lpsToSliceIj(g, k, roi.pointsLps), g.columns, g.rows, mask); // OR-ed in: the union
    const record = measureSliceMask(volume, k, mask, { structure: `${first.muscle}_${first.side}`, muscle: first.muscle, side: first.side }, first.level, ranges, registry);
    record.warnings = [...new Set(flags)];
    record.roiIds = rois.map((r) => r.id);
    record.origin = groupOrigin(rois);
    record.status = 'measured';
    const accepted = rois.map((r) => acceptedNow(r, trustOf.get(r) ?? [])).filter((a) => a !== null);
    if (accepted.length) record.accepted = accepted;
    const absent = absentRecord(doc, first.level, first.muscle, first.side);
    if (absent) record.warnings.push(`also recorded absent at ${first.level}: the outline is measured (delete it, or clear the absent mark)`);
    out.push(record);
  }
  out.push(...absentRecords(volume, doc, registry, warnings));
  out.push(...boneRecords(volume, doc, ranges, warnings));
  return { records: sortRecords(out), warnings };
}

/**
 * ABSENT RECORDS: one record per muscle recorded absent at a level that has no outline there, on the
 * level's marked slice, with status 'absent' and every metric null (never 0: the muscle was not
 * measured as empty, it is not there). An absent record of a level not marked, or marked off every
 * slice, gives no record but a warning (never dropped silently).
 */
function absentRecords(volume: HuVolume, doc: AnnotationDocument, registry: MetricRegistry, warnings: string[]): MeasurementRecord[] {
  const g = volume.geometry;
  const outlined = new Set(doc.rois.map(absentKey));
  const out: MeasurementRecord[] = [];
  for (const a of doc.absent ?? []) {
    if (outlined.has(absentKey(a))) continue;
    const what = `${a.level} ${a.muscle} ${a.side} recorded absent`;
    const mark = doc.levels.find((l) => l.level === a.level);
    if (!mark) {
      warnings.push(`${what}, but ${a.level} is not marked: no record (mark ${a.level})`);
      continue;
    }
    if (checkLevel(g, mark)) {
      warnings.push(`${what}, but ${a.level} is marked off every slice: no record`);
      continue;
    }
    const k = levelSlice(volume, mark);
    const empty: Record<string, null> = {};
    for (const key of registry.keys('slice')) empty[key] = null;
    out.push({
      structure: `${a.muscle}_${a.side}`,
      muscle: a.muscle,
      side: a.side,
      level: a.level,
      sliceIndex: k,
      z: sliceZ(g, k),
      ...(empty as Record<string, null>),
      warnings: [],
      roiIds: [],
      origin: '',
      status: 'absent',
      absent: { ...(a.note !== undefined ? { note: a.note } : {}), ...(a.rater !== undefined ? { rater: a.rater } : {}), at: a.at },
    } as unknown as MeasurementRecord);
  }
  return out;
}

/**
 * BONE RECORDS (document version 2): one 'trabecularBone' record per bone ROI (core/bone/measureBone.ts:
 * pixels, area, mean and SD HU through the pixel-centre rule; lean and fat metrics null), checked against
 * the grid as outlines are (a refused one is named in the warnings, not measured). A second ROI of the
 * same vertebra is not measured (named).
 */
function boneRecords(volume: HuVolume, doc: AnnotationDocument, ranges: HuRanges, warnings: string[]): MeasurementRecord[] {
  const out: MeasurementRecord[] = [];
  const seen = new Set<string>();
  for (const roi of doc.boneRois ?? []) {
    const what = `${roi.vertebra} trabecular bone ROI ${roi.id}`;
    if (seen.has(roi.vertebra)) {
      warnings.push(`${what} not measured: another ROI of ${roi.vertebra} comes first`);
      continue;
    }
    const check = checkRoi(volume.geometry, roi);
    if (check.refused) {
      warnings.push(`${what} not measured: ${check.refused}`);
      continue;
    }
    seen.add(roi.vertebra);
    const record = measureTrabecular(volume, check.sliceIndex, roi.pointsLps, roi.vertebra, ranges);
    record.warnings = [...check.flags, ...record.warnings];
    record.roiIds = [roi.id];
    record.origin = roi.source;
    record.status = 'measured';
    out.push(record);
  }
  return out;
}

/** The records of measureAnnotationsChecked (its document-level warnings dropped: callers that report them use it directly). */
export function measureAnnotations(
  volume: HuVolume,
  doc: AnnotationDocument,
  ranges: HuRanges = doc.ranges,
  registry: MetricRegistry = DEFAULT_REGISTRY,
): MeasurementRecord[] {
  return measureAnnotationsChecked(volume, doc, ranges, registry).records;
}


export function sortRecords(records: MeasurementRecord[]): MeasurementRecord[] {
  const rank = (list: readonly string[], v: string | null) => (v === null ? 99 : list.indexOf(v) >= 0 ? list.indexOf(v) : 98);
  return [...records].sort(
    (a, b) =>
      rank(ALL_LEVELS, a.level) - rank(ALL_LEVELS, b.level) ||
      a.sliceIndex - b.sliceIndex ||
      rank(MUSCLE_ORDER, a.muscle) - rank(MUSCLE_ORDER, b.muscle) ||
      a.structure.localeCompare(b.structure),
  );
}

/** One muscle at one level: the left and right CSA, then the asymmetry metrics (ASYMMETRY_METRICS, in order). */
export type AsymmetryRow = {
  level: string | null;
  muscle: string;
  leftAreaMm2: number | null;
  rightAreaMm2: number | null;
} & PairMetrics;

/** The asymmetry row of one muscle at one level (undefined when there is none): the one lookup the metrics table uses. */
export function asymmetryRowFor(rows: readonly AsymmetryRow[], level: string | null, muscle: string): AsymmetryRow | undefined {
  return rows.find((x) => x.level === level && x.muscle === muscle);
}

/** Left/right asymmetry metrics per level and muscle (the last record of a side wins). */
export function asymmetryTable(records: readonly MeasurementRecord[], registry: MetricRegistry = DEFAULT_REGISTRY): AsymmetryRow[] {
  const pairs = new Map<string, { level: string | null; muscle: string; left: MeasurementRecord | null; right: MeasurementRecord | null }>();
  for (const r of records) {
    if (!r.muscle || !r.side) continue;
    const key = `${r.level}|${r.muscle}`;
    const pair = pairs.get(key) ?? { level: r.level, muscle: r.muscle, left: null, right: null };
    if (r.side === 'left') pair.left = r;
    else pair.right = r;
    pairs.set(key, pair);
  }
  return [...pairs.values()].map((p) => ({
    level: p.level,
    muscle: p.muscle,
    leftAreaMm2: p.left?.areaMm2 ?? null,
    rightAreaMm2: p.right?.areaMm2 ?? null,
    ...(computeMetrics(registry.asymmetry, { left: p.left, right: p.right }) as PairMetrics),
  }));
}
