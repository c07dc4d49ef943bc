import type { Level, Muscle, Side } from '../anatomy/anatomy';
import { pixelAreaMm2, sliceZ } from '../geometry/volumeGeometry';
import { sliceView, type HuVolume } from '../volume';
import { DEFAULT_REGISTRY, SLICE_METRIC_KEYS, type MetricRegistry, type SliceMetrics } from './definitions';
import { measureSlice } from './measure';
import type { HuRanges } from './ranges';

/** One measurement: a structure on one slice. Field names are the stable JSON keys / CSV columns (metrics: definitions.ts). */
export interface MeasurementRecord extends SliceMetrics {
  structure: string;
  /** A muscle, the unsplit autochthon, or 'trabecularBone' (a vertebra's trabecular ROI: core/bone). */
  muscle: Muscle | 'autochthon' | 'trabecularBone' | null;
  side: Side | null;
  level: Level | null;
  /** 0-based slice index, feet to head. */
  sliceIndex: number;
  /** Patient z of the slice (ImagePositionPatient z), mm. */
  z: number;
  /**
   * What a reader of this number must know (an outline partly outside the image, a slice re-found by
   * its z, ...); empty when nothing. JSON key `warnings`; the CSV's `flags` column joins these with
   * the series' warnings.
   */
  warnings: string[];
  /**
   * Outlines only (measureAnnotationsChecked): the ids of the outlines measured (their union), and where
   * they came from (roiOrigin: drawn, imported, proposed, confirmed, edited; several different ones
   * joined with '+'). Absent on mask records.
   */
  roiIds?: string[];
  origin?: string;
  /**
   * Outlines only: 'measured' (the numbers come from the outlines), or 'absent' (the rater recorded the
   * muscle as not present at this level: every metric is null, never 0; `absent` says who and when).
   * Absent on mask records.
   */
  status?: 'measured' | 'absent';
  /** Outlines only: the trust flags of this record that the rater accepted, each with the reason (only flags still raised). */
  accepted?: { flags: string[]; reason: string; rater: string; at: string }[];
  /** Absent records only: who recorded it, when, and the note. */
  absent?: { note?: string; rater?: string; at: string };
}

/** The columns that say what was measured where; the metric columns follow (SLICE_METRICS, in order). */
export const RECORD_ID_COLUMNS = ['structure', 'muscle', 'side', 'level', 'sliceIndex', 'z'] as const satisfies readonly (keyof MeasurementRecord)[];

/** Identity columns, then the default slice metrics' keys, in definition order. */
export const RECORD_COLUMNS = [...RECORD_ID_COLUMNS, ...SLICE_METRIC_KEYS] as const satisfies readonly (keyof MeasurementRecord)[];

/** The record columns a registry produces: identity columns, then its slice metrics' keys. */
export function recordColumns(registry: MetricRegistry = DEFAULT_REGISTRY): string[] {
  const cols = [...RECORD_ID_COLUMNS, ...registry.keys('slice')];
  const dup = cols.find((c, i) => cols.indexOf(c) !== i);
  if (dup) throw new Error(`metric key '${dup}' collides with a record column`);
  return cols;
}

export interface StructureIdentity {
  structure: string;
  muscle: Muscle | 'autochthon' | null;
  side: Side | null;
}

/**
 * Measure a structure given as a slice mask (rows * columns) on slice k of the volume. Masks and
 * contours both end here, so the app and the CLI give identical numbers for the same pixels.
 */
export function measureSliceMask(
  volume: HuVolume,
  k: number,
  sliceMask: Uint8Array,
  id: StructureIdentity,
  level: Level | null,
  ranges: HuRanges,
  registry: MetricRegistry = DEFAULT_REGISTRY,
): MeasurementRecord {
  const m = measureSlice(sliceView(volume, k), sliceMask, pixelAreaMm2(volume.geometry), ranges, registry);
  return { ...id, level, sliceIndex: k, z: sliceZ(volume.geometry, k), ...m, warnings: [] };
}

/** Infer muscle and side from a structure name such as 'iliopsoas_left', 'psoas_right', 'autochthon_left'. */
export function identifyStructure(name: string): StructureIdentity {
  const lower = name.toLowerCase();
  const side: Side | null = /(^|_)left$/.test(lower) ? 'left' : /(^|_)right$/.test(lower) ? 'right' : null;
  const base = lower.replace(/_(left|right)$/, '');
  const muscle: StructureIdentity['muscle'] =
    base === 'iliopsoas' || base === 'psoas'
      ? 'psoas'
      : base === 'autochthon'
        ? 'autochthon'
        : base === 'erector_spinae' || base === 'erectorspinae'
          ? 'erectorSpinae'
          : base === 'multifidus'
            ? 'multifidus'
            : base === 'quadratus_lumborum' || base === 'quadratuslumborum'
              ? 'quadratusLumborum'
              : null;
  return { structure: name, muscle, side };
}
