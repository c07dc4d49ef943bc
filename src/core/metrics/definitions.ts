import type { HuRanges } from './ranges';

/**
 * Metric definitions, modelled on 3D Slicer's SegmentStatistics: every metric is one definition that
 * declares its key, units, display and description *and* its computation, and everything else (the
 * record fields, the CSV columns, the metrics table, the help text) is derived from the definitions.
 *
 * Computation: the measuring code makes one pass over the pixels and accumulates a small set of
 * sufficient statistics (SliceStats, PairStats, VolumeAccumulator); each definition turns them into a
 * number with `compute`, once per structure, never per pixel. A metric that needs more than the
 * sufficient statistics (a median, a maximum) reads `values()`, gathered lazily on first use.
 *
 * Units are UCUM codes where one exists: 'mm2', 'mm3', '1' (a dimensionless fraction 0..1), '%',
 * "[hnsf'U]" (Hounsfield unit), '{count}' (a number of pixels/voxels; UCUM annotation, dimensionless).
 * `displayUnit` is what people read ('cm²', '%', 'HU'); shown value = value x displayFactor, rounded
 * to `decimals` places.
 *
 * Keys are stable: they are the JSON field names and CSV column names. Keys never change once released.
 */

/** What a slice metric is computed from: one pass over the ROI pixels of one slice. */
export interface SliceStats {
  /** Pixels in the ROI. */
  readonly n: number;
  /** Sum of their HU (float64). */
  readonly sum: number;
  /** Sum of squared deviations about the mean (second pass, float64); 0 for an empty ROI. */
  readonly ssAboutMean: number;
  /** Pixels with HU in the muscle range (inclusive) and the sum of their HU. */
  readonly nLean: number;
  readonly sumLean: number;
  /** Pixels with HU in the fat range (inclusive). */
  readonly nFat: number;
  readonly pixelAreaMm2: number;
  readonly ranges: HuRanges;
  /** The ROI's HU values in pixel order, gathered on first call (for order statistics). */
  values(): Float64Array;
}

/** What an asymmetry metric is computed from: the left and right measurement of one muscle at one level. */
export interface PairStats {
  readonly left: SliceMetrics | null;
  readonly right: SliceMetrics | null;
}

/** What a volume metric is computed from: one pass over a mask on the whole CT. */
export interface VolumeAccumulator {
  readonly voxels: number;
  /** Sum of the HU of the mask voxels (float64). */
  readonly sum: number;
  /** Sum over slices of voxels x pixel area x slice weight, mm³. */
  readonly volumeMm3: number;
}

export interface MetricInfo {
  /** Stable JSON key / CSV column (camelCase). */
  readonly key: string;
  /** Full name, for help texts. */
  readonly name: string;
  /** Short name for table headers (defaults to name). */
  readonly label?: string;
  /** Unit of the stored value (JSON/CSV): a UCUM code where one exists. */
  readonly unit: string;
  /** Unit shown to people, and the factor from the stored value to it. */
  readonly displayUnit: string;
  readonly displayFactor: number;
  /** Decimal places shown. */
  readonly decimals: number;
  readonly description: string;
  /** Shown as a column of the metrics table (the rest are in the export and the legend). */
  readonly inTable?: boolean;
}

export interface MetricDefinition<S> extends MetricInfo {
  /** The value from the accumulated statistics; null (never NaN) where it is undefined. */
  readonly compute: (stats: S) => number | null;
}

export type SliceMetricDefinition = MetricDefinition<SliceStats>;
export type PairMetricDefinition = MetricDefinition<PairStats>;
export type VolumeMetricDefinition = MetricDefinition<VolumeAccumulator>;

const HU = "[hnsf'U]";

/** CSA asymmetry in percent: 100 x (left - right) / mean(left, right); null if undefined. */
export function asymmetryPct(leftAreaMm2: number | null | undefined, rightAreaMm2: number | null | undefined): number | null {
  if (leftAreaMm2 == null || rightAreaMm2 == null) return null;
  const mean = (leftAreaMm2 + rightAreaMm2) / 2;
  if (!(mean > 0)) return null;
  return (100 * (leftAreaMm2 - rightAreaMm2)) / mean;
}

/** Per structure on one axial slice, in record / CSV column order. */
export const SLICE_METRICS = [
  {
    key: 'pixels',
    name: 'Pixels',
    unit: '{count}',
    displayUnit: 'px',
    displayFactor: 1,
    decimals: 0,
    description: 'Pixels whose centre lies inside the ROI (or whose mask voxel is set).',
    compute: (s) => s.n,
  },
  {
    key: 'areaMm2',
    name: 'Cross-sectional area',
    label: 'CSA',
    unit: 'mm2',
    displayUnit: 'cm²',
    displayFactor: 0.01,
    decimals: 2,
    description: 'Cross-sectional area (CSA): pixels x pixel area.',
    inTable: true,
    compute: (s) => s.n * s.pixelAreaMm2,
  },
  {
    key: 'leanAreaMm2',
    name: 'Functional CSA',
    label: 'fCSA',
    unit: 'mm2',
    displayUnit: 'cm²',
    displayFactor: 0.01,
    decimals: 2,
    description: 'Functional CSA (lean area): area of the pixels with HU in the muscle range (inclusive).',
    inTable: true,
    compute: (s) => s.nLean * s.pixelAreaMm2,
  },
  {
    key: 'fatAreaMm2',
    name: 'Fat area',
    unit: 'mm2',
    displayUnit: 'cm²',
    displayFactor: 0.01,
    decimals: 2,
    description: 'Area of the pixels with HU in the fat range (inclusive).',
    compute: (s) => s.nFat * s.pixelAreaMm2,
  },
  {
    key: 'fatFraction',
    name: 'Fat infiltration',
    label: 'Fat',
    unit: '1',
    displayUnit: '%',
    displayFactor: 100,
    decimals: 1,
    description: 'Fat area / CSA (stored as a fraction 0..1, shown in %); null for an empty ROI.',
    inTable: true,
    compute: (s) => (s.n > 0 ? s.nFat / s.n : null),
  },
  {
    key: 'meanHu',
    name: 'Mean attenuation',
    label: 'Mean',
    unit: HU,
    displayUnit: 'HU',
    displayFactor: 1,
    decimals: 1,
    description: 'Mean HU over all ROI pixels; null for an empty ROI.',
    inTable: true,
    compute: (s) => (s.n > 0 ? s.sum / s.n : null),
  },
  {
    key: 'sdHu',
    name: 'SD of attenuation',
    label: 'SD',
    unit: HU,
    displayUnit: 'HU',
    displayFactor: 1,
    decimals: 1,
    description: 'Population standard deviation of HU over all ROI pixels (two-pass, about the mean); null for an empty ROI.',
    compute: (s) => (s.n > 0 ? Math.sqrt(s.ssAboutMean / s.n) : null),
  },
  {
    key: 'leanMeanHu',
    name: 'Lean mean attenuation',
    label: 'Lean',
    unit: HU,
    displayUnit: 'HU',
    displayFactor: 1,
    decimals: 1,
    description: 'Mean HU over the pixels in the muscle range; null when there are none.',
    inTable: true,
    compute: (s) => (s.nLean > 0 ? s.sumLean / s.nLean : null),
  },
] as const satisfies readonly SliceMetricDefinition[];

/** Per muscle and level, from the left and right measurements (CSV columns after the record columns). */
export const ASYMMETRY_METRICS = [
  {
    key: 'asymmetryPct',
    name: 'L/R asymmetry',
    label: 'Asym',
    unit: '%',
    displayUnit: '%',
    displayFactor: 1,
    decimals: 1,
    description:
      'CSA asymmetry: 100 x (left - right) / mean(left, right); positive when the left is larger; null when either side is missing or both are empty.',
    inTable: true,
    compute: (p) => asymmetryPct(p.left?.areaMm2, p.right?.areaMm2),
  },
] as const satisfies readonly PairMetricDefinition[];

/** Per mask over the whole volume (`paraspine stats`). */
export const VOLUME_METRICS = [
  {
    key: 'voxels',
    name: 'Voxels',
    unit: '{count}',
    displayUnit: 'voxels',
    displayFactor: 1,
    decimals: 0,
    description: 'Voxels set in the mask.',
    compute: (v) => v.voxels,
  },
  {
    key: 'volumeMm3',
    name: 'Volume',
    unit: 'mm3',
    displayUnit: 'cm³',
    displayFactor: 0.001,
    decimals: 1,
    description: 'Sum over slices of voxels x pixel area x slice spacing (from slice positions, not SliceThickness); 0 for a single slice.',
    compute: (v) => v.volumeMm3,
  },
  {
    key: 'meanHu',
    name: 'Mean attenuation',
    label: 'Mean',
    unit: HU,
    displayUnit: 'HU',
    displayFactor: 1,
    decimals: 1,
    description: 'Mean HU over all mask voxels; null for an empty mask.',
    compute: (v) => (v.voxels > 0 ? v.sum / v.voxels : null),
  },
] as const satisfies readonly VolumeMetricDefinition[];

/** The record fields a list of definitions produces, typed from their computations. */
export type MetricValues<D extends readonly MetricDefinition<never>[]> = {
  -readonly [M in D[number] as M['key']]: ReturnType<M['compute']>;
};

/** Metrics of one structure on one slice (the default definitions' keys and value types). */
export type SliceMetrics = MetricValues<typeof SLICE_METRICS>;
/** Asymmetry metrics of one muscle at one level. */
export type PairMetrics = MetricValues<typeof ASYMMETRY_METRICS>;
/** Whole-volume metrics of one mask. */
export type VolumeMetrics = MetricValues<typeof VOLUME_METRICS>;

type KeysOf<T extends readonly { key: string }[]> = { readonly [I in keyof T]: T[I] extends { key: infer K } ? K : never };
function keysOf<const T extends readonly { key: string }[]>(defs: T): KeysOf<T> {
  return defs.map((d) => d.key) as unknown as KeysOf<T>;
}

/** The default keys, in column order (typed tuples). */
export const SLICE_METRIC_KEYS = keysOf(SLICE_METRICS);
export const ASYMMETRY_METRIC_KEYS = keysOf(ASYMMETRY_METRICS);
export const VOLUME_METRIC_KEYS = keysOf(VOLUME_METRICS);

export interface MetricSets {
  readonly slice: readonly SliceMetricDefinition[];
  readonly asymmetry: readonly PairMetricDefinition[];
  readonly volume: readonly VolumeMetricDefinition[];
}

export type MetricScope = keyof MetricSets;

const KEY_RE = /^[a-z][A-Za-z0-9]*$/;

function checkDefinition(scope: MetricScope, d: MetricInfo & { compute?: unknown }): void {
  const where = `${scope} metric '${d.key}'`;
  if (!KEY_RE.test(d.key)) throw new Error(`${where}: key must be camelCase letters and digits`);
  if (!d.name || !d.unit || !d.description) throw new Error(`${where}: name, unit and description are required`);
  if (!Number.isFinite(d.displayFactor) || d.displayFactor === 0) throw new Error(`${where}: displayFactor must be a finite non-zero number`);
  if (!Number.isInteger(d.decimals) || d.decimals < 0 || d.decimals > 20) throw new Error(`${where}: decimals must be an integer 0..20`);
  if (typeof d.compute !== 'function') throw new Error(`${where}: compute must be a function`);
}

/**
 * The metrics in use: an immutable instance. It always holds the default (released) definitions;
 * `extend` returns a new registry with more. Slice and asymmetry keys share the CSV header, so a key is
 * unique across both; volume metrics are a separate output and may reuse a key (meanHu).
 */
export class MetricRegistry implements MetricSets {
  readonly slice: readonly SliceMetricDefinition[];
  readonly asymmetry: readonly PairMetricDefinition[];
  readonly volume: readonly VolumeMetricDefinition[];

  private constructor(sets: MetricSets) {
    const csvKeys = new Set<string>();
    for (const [scope, defs] of [['slice', sets.slice], ['asymmetry', sets.asymmetry]] as const) {
      for (const d of defs) {
        checkDefinition(scope, d);
        if (csvKeys.has(d.key)) throw new Error(`metric key '${d.key}' is registered twice`);
        csvKeys.add(d.key);
      }
    }
    const volumeKeys = new Set<string>();
    for (const d of sets.volume) {
      checkDefinition('volume', d);
      if (volumeKeys.has(d.key)) throw new Error(`metric key '${d.key}' is registered twice`);
      volumeKeys.add(d.key);
    }
    this.slice = Object.freeze([...sets.slice]);
    this.asymmetry = Object.freeze([...sets.asymmetry]);
    this.volume = Object.freeze([...sets.volume]);
    Object.freeze(this);
  }

  /** The released definitions. */
  static createDefault(): MetricRegistry {
    return new MetricRegistry({ slice: SLICE_METRICS, asymmetry: ASYMMETRY_METRICS, volume: VOLUME_METRICS });
  }

  /** A new registry with these definitions appended (after the existing columns). */
  extend(more: Partial<MetricSets>): MetricRegistry {
    return new MetricRegistry({
      slice: [...this.slice, ...(more.slice ?? [])],
      asymmetry: [...this.asymmetry, ...(more.asymmetry ?? [])],
      volume: [...this.volume, ...(more.volume ?? [])],
    });
  }

  get(scope: MetricScope, key: string): MetricInfo | undefined {
    return (this[scope] as readonly MetricInfo[]).find((d) => d.key === key);
  }

  keys(scope: MetricScope): string[] {
    return this[scope].map((d) => d.key);
  }
}

export function createDefaultRegistry(): MetricRegistry {
  return MetricRegistry.createDefault();
}

/** The default registry (immutable; pass another instance to measure more). */
export const DEFAULT_REGISTRY: MetricRegistry = createDefaultRegistry();

/** Run each definition on the statistics, in order; a non-finite result becomes null. */
export function computeMetrics<S>(defs: readonly MetricDefinition<S>[], stats: S): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const d of defs) {
    const v = d.compute(stats);
    out[d.key] = v !== null && Number.isFinite(v) ? v : null;
  }
  return out;
}

/** A metric's value in a record or row (null when absent or not a number). */
export function metricValue(record: object | null | undefined, d: MetricInfo): number | null {
  const v = (record as Record<string, unknown> | null | undefined)?.[d.key];
  return typeof v === 'number' ? v : null;
}

/** The value in display units (value x displayFactor), or null. */
export function displayValue(d: MetricInfo, v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : v * d.displayFactor;
}

/** The value as people read it: display units, `decimals` places; '—' where undefined. */
export function formatMetric(d: MetricInfo, v: number | null | undefined): string {
  const x = displayValue(d, v);
  return x === null ? '—' : x.toFixed(d.decimals);
}

/** Column header: short name and display unit ('CSA cm²', 'Fat %'). */
export function metricHeader(d: MetricInfo): string {
  return `${d.label ?? d.name} ${d.displayUnit}`.trim();
}

/** One help line per metric, for text help (CLI) and legends. */
export function describeMetrics(registry: MetricRegistry = DEFAULT_REGISTRY): { scope: MetricScope; key: string; text: string }[] {
  const scopes: [MetricScope, string][] = [
    ['slice', 'per structure and slice'],
    ['asymmetry', 'per muscle and level'],
    ['volume', 'per mask, whole volume'],
  ];
  return scopes.flatMap(([scope, where]) =>
    (registry[scope] as readonly MetricInfo[]).map((d) => ({
      scope,
      key: d.key,
      text: `${d.name} (${d.key}, ${where}; stored in ${d.unit}, shown in ${d.displayUnit}): ${d.description}`,
    })),
  );
}
