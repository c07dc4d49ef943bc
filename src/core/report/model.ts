/**
 * What a report of one series holds, and the per-level tables every report format draws from it. Built
 * from a measure result (the command line's `measure`, the app's measured document) plus what a report
 * adds (software version, the date it was made, the side panels, the key images). Numbers reach the
 * page only through the metric registry's formatting (formatMetric), the one the app's metrics table
 * uses, so a report shows exactly the table's values (and the CSV's, rounded as the table rounds them).
 */
import { ALL_LEVELS, MUSCLE_ORDER, type Level, type Side } from '../anatomy/anatomy';
import { MUSCLE_COLORS, MUSCLE_NAMES, MUSCLE_SHORT } from '../anatomy/muscleStyle';
import type { RoiMuscle } from '../annotations/document';
import { asymmetryRowFor, asymmetryTable } from '../annotations/measureAnnotations';
import type { Problem } from '../errors';
import { DEFAULT_REGISTRY, formatMetric, metricHeader, metricValue, type MetricInfo, type MetricRegistry } from '../metrics/definitions';
import type { HuRanges } from '../metrics/ranges';
import type { MeasurementRecord } from '../metrics/records';
import type { VolumeGeometry } from '../geometry/volumeGeometry';
import type { KeyImageInput } from './keyImage';
import type { ReportPanel } from './panel';

/** The series' identity as a report prints it (a subset of the scan's SeriesSummary). */
export interface ReportSeries {
  readonly patientName: string;
  readonly patientId: string;
  readonly studyDate: string;
  readonly studyInstanceUid: string;
  readonly studyDescription?: string;
  readonly seriesInstanceUid: string;
  readonly seriesDescription: string;
  readonly seriesNumber?: number | null;
  readonly modality?: string;
  readonly slices: number;
  readonly rows: number;
  readonly columns: number;
  /** [distance between rows, distance between columns], mm. */
  readonly pixelSpacing?: readonly [number, number];
  readonly sliceSpacingMm?: number | null;
  readonly sliceThickness?: number | null;
}

/** A measured level (or slice) and how it was chosen. */
export interface ReportSlice {
  readonly level: Level | null;
  readonly sliceIndex: number;
  readonly z: number;
  readonly method?: string;
}

/** What a report needs of a measure result (the CLI's MeasureResult has this shape). */
export interface ReportMeasureResult {
  readonly series: ReportSeries;
  readonly ranges: HuRanges;
  readonly slices: readonly ReportSlice[];
  readonly measurements: readonly MeasurementRecord[];
  readonly warnings: readonly string[];
  readonly problems: readonly Problem[];
  readonly provenance: { readonly rater: string; readonly appVersion: string; readonly modifiedAt?: string };
  /** The slice count and InstanceNumbers: slices are then named as the app names them ("74 / 112 (IN 39)"). */
  readonly geometry?: Pick<VolumeGeometry, 'slices' | 'instanceNumbers'>;
}

export interface ReportInput extends ReportMeasureResult {
  /** The Paraspine version making the report. */
  readonly softwareVersion: string;
  /** When the report was made (ISO 8601): printed, and the PDF's CreationDate (so the same input gives the same bytes). */
  readonly madeAt: string;
  /** How levels are placed, in a sentence (the method section). */
  readonly levelRule: string;
  /** Bone density, muscle index, adjacent-segment factors...: drawn generically after the levels. */
  readonly panels: readonly ReportPanel[];
  /** One key image per level (the HU slice and the level's outlines); a level without one shows none. */
  readonly keyImages: readonly KeyImageInput[];
}

/** The rule by which `paraspine measure --levels` places levels (core/masks/levels.ts), for the method section. */
export const MASK_LEVEL_RULE =
  'Vertebral levels: the slice nearest the centroid of the vertebra mask. Disc levels: the slice nearest the middle of the disc at the vertebral bodies’ centre. Each level’s rule as applied is printed on its page.';

export interface ReportInputExtras {
  softwareVersion: string;
  madeAt: string;
  levelRule?: string;
  panels?: readonly ReportPanel[];
  keyImages?: readonly KeyImageInput[];
}

/** A report's input from a measure result and what the report adds. */
export function reportInput(result: ReportMeasureResult, extras: ReportInputExtras): ReportInput {
  return {
    series: result.series,
    ranges: result.ranges,
    slices: result.slices,
    measurements: result.measurements,
    warnings: result.warnings,
    problems: result.problems,
    provenance: result.provenance,
    ...(result.geometry ? { geometry: result.geometry } : {}),
    softwareVersion: extras.softwareVersion,
    madeAt: extras.madeAt,
    levelRule: extras.levelRule ?? MASK_LEVEL_RULE,
    panels: extras.panels ?? [],
    keyImages: extras.keyImages ?? [],
  };
}

/** One table cell: the metric's key, and its value as the metrics table prints it ('—' where undefined). */
export interface ReportCell {
  readonly key: string;
  readonly text: string;
  /** The value in display units (cm², %, HU), null where undefined: for charts. */
  readonly value: number | null;
}

export interface ReportRow {
  readonly muscle: RoiMuscle;
  readonly muscleName: string;
  /** 'PS L', 'ES R', ... (the label on the key image). */
  readonly tag: string;
  readonly color: string;
  readonly side: Side | null;
  readonly structure: string;
  /** 'absent' when the rater recorded the muscle as not present (no numbers). */
  readonly status: 'measured' | 'absent';
  /** The slice metrics the table shows (registry order), then the pair metrics (asymmetry: the same on both sides' rows). */
  readonly cells: readonly ReportCell[];
  /** The record's own warnings (the CSV's flags, without the series' ones that the report prints once). */
  readonly flags: readonly string[];
}

export interface ReportLevel {
  readonly level: Level | null;
  /** Slices the level's records were measured on (normally one). */
  readonly sliceIndices: readonly number[];
  readonly z: number | null;
  readonly method: string | null;
  readonly rows: readonly ReportRow[];
}

export interface ReportColumn {
  readonly key: string;
  /** 'CSA cm²', 'Fat %', ... */
  readonly header: string;
  readonly info: MetricInfo;
}

/** The table's columns: the metrics marked for the app's table (slice metrics, then the pair metrics). */
export function reportColumns(registry: MetricRegistry = DEFAULT_REGISTRY): ReportColumn[] {
  return [...registry.slice, ...registry.asymmetry].filter((d) => d.inTable).map((d) => ({ key: d.key, header: metricHeader(d), info: d }));
}

const levelRank = (l: Level | null) => (l === null ? ALL_LEVELS.length : ALL_LEVELS.indexOf(l));

/**
 * Records grouped per level (head to foot, then slices without a level) into table rows: muscle in the
 * app's order, left before right. Every level measured or chosen is listed, a level with no record has
 * no rows (its page says so).
 */
export function reportLevels(input: Pick<ReportInput, 'slices' | 'measurements'>, registry: MetricRegistry = DEFAULT_REGISTRY): ReportLevel[] {
  const columns = reportColumns(registry);
  const sliceCols = columns.filter((c) => registry.slice.includes(c.info as (typeof registry.slice)[number]));
  const pairCols = columns.filter((c) => !sliceCols.includes(c));
  const asym = asymmetryTable(input.measurements, registry);
  const keys = new Set<Level | null>([...input.slices.map((s) => s.level), ...input.measurements.map((r) => r.level)]);
  const levels = [...keys].sort((a, b) => levelRank(a) - levelRank(b));
  return levels.map((level) => {
    const records = input.measurements.filter((r) => r.level === level);
    const chosen = input.slices.filter((s) => s.level === level);
    const sliceIndices = [...new Set([...chosen.map((s) => s.sliceIndex), ...records.map((r) => r.sliceIndex)])].sort((a, b) => a - b);
    const rows: ReportRow[] = [];
    const muscles: (RoiMuscle | null)[] = [...MUSCLE_ORDER, null];
    for (const m of muscles) {
      const own = records
        .filter((r) => r.muscle === m)
        .sort((a, b) => sideRank(a.side) - sideRank(b.side) || a.structure.localeCompare(b.structure));
      for (const r of own) {
        const rm = r.muscle as RoiMuscle | null; // filtered by m above: never a bone ROI (its own panel)
        const muscle: RoiMuscle = rm ?? 'autochthon';
        const absent = r.status === 'absent';
        const pair = m === null ? undefined : asymmetryRowFor(asym, level, m);
        const cells: ReportCell[] = [
          ...sliceCols.map((c) => cell(c.info, absent ? null : metricValue(r, c.info))),
          ...pairCols.map((c) => cell(c.info, metricValue(pair, c.info))),
        ];
        rows.push({
          muscle,
          muscleName: rm ? MUSCLE_NAMES[rm] : r.structure,
          tag: rowTag(rm, r.side, r.structure),
          color: rm ? MUSCLE_COLORS[rm] : '#cccccc',
          side: r.side,
          structure: r.structure,
          status: absent ? 'absent' : 'measured',
          cells,
          flags: [...r.warnings],
        });
      }
    }
    return {
      level,
      sliceIndices,
      z: chosen[0]?.z ?? records[0]?.z ?? null,
      method: chosen[0]?.method ?? null,
      rows,
    };
  });
}

function sideRank(s: Side | null): number {
  return s === 'left' ? 0 : s === 'right' ? 1 : 2;
}

function cell(d: MetricInfo, v: number | null): ReportCell {
  const text = formatMetric(d, v);
  return { key: d.key, text, value: text === '—' ? null : Number(text) };
}

/** The short label of a muscle and side ('PS L'); the structure's name for a structure that is no muscle. */
export function rowTag(muscle: RoiMuscle | null, side: Side | null, structure: string): string {
  if (!muscle) return structure;
  return `${MUSCLE_SHORT[muscle]}${side ? ` ${side === 'left' ? 'L' : 'R'}` : ''}`;
}

/** 'L3', or 'slice 74' for a slice measured without a level (slice positions count from 1). */
export function levelTitle(l: Pick<ReportLevel, 'level' | 'sliceIndices'>): string {
  return l.level ?? `slice ${l.sliceIndices.map((k) => k + 1).join(', ')}`;
}
