/**
 * Metric definitions: each declares its key (stable: doubles as JSON field and CSV column), unit and
 * description, apart from the computation (metrics/measure.ts). Keys never change once released.
 */
export interface MetricDefinition {
  readonly key: string;
  readonly name: string;
  readonly unit: string;
  readonly description: string;
}

export class MetricRegistry {
  private readonly defs = new Map<string, MetricDefinition>();
  constructor(defs: readonly MetricDefinition[] = []) {
    for (const d of defs) this.register(d);
  }
  register(d: MetricDefinition): void {
    if (this.defs.has(d.key)) throw new Error(`metric key '${d.key}' is registered twice`);
    this.defs.set(d.key, d);
  }
  get(key: string): MetricDefinition | undefined {
    return this.defs.get(key);
  }
  list(): MetricDefinition[] {
    return [...this.defs.values()];
  }
  keys(): string[] {
    return [...this.defs.keys()];
  }
}

/** Per structure on one axial slice. */
export const SLICE_METRICS: readonly MetricDefinition[] = [
  { key: 'pixels', name: 'Pixels', unit: 'count', description: 'Pixels whose centre lies inside the ROI (or whose mask voxel is set).' },
  { key: 'areaMm2', name: 'CSA', unit: 'mm2', description: 'Cross-sectional area: pixels x pixel area.' },
  { key: 'leanAreaMm2', name: 'fCSA', unit: 'mm2', description: 'Functional CSA: area of the pixels with HU in the muscle range (inclusive).' },
  { key: 'fatAreaMm2', name: 'Fat area', unit: 'mm2', description: 'Area of the pixels with HU in the fat range (inclusive).' },
  { key: 'fatFraction', name: 'Fat infiltration', unit: 'fraction', description: 'Fat area / CSA (0..1); null for an empty ROI.' },
  { key: 'meanHu', name: 'Mean HU', unit: 'HU', description: 'Mean attenuation over all ROI pixels; null for an empty ROI.' },
  { key: 'sdHu', name: 'SD HU', unit: 'HU', description: 'Population standard deviation of HU over all ROI pixels; null for an empty ROI.' },
  { key: 'leanMeanHu', name: 'Lean mean HU', unit: 'HU', description: 'Mean HU over the pixels in the muscle range; null when there are none.' },
];

/** Per muscle and level, from the left and right measurements. */
export const ASYMMETRY_METRICS: readonly MetricDefinition[] = [
  {
    key: 'asymmetryPct',
    name: 'L/R asymmetry',
    unit: '%',
    description: 'CSA asymmetry: 100 x (left - right) / mean(left, right); positive when the left is larger; null when either side is missing or both are empty.',
  },
];

/** Per mask over the whole volume. */
export const VOLUME_METRICS: readonly MetricDefinition[] = [
  { key: 'voxels', name: 'Voxels', unit: 'count', description: 'Voxels set in the mask.' },
  { key: 'volumeMm3', name: 'Volume', unit: 'mm3', description: 'Sum over slices of voxels x pixel area x slice spacing (from slice positions, not SliceThickness).' },
  { key: 'meanHu', name: 'Mean HU', unit: 'HU', description: 'Mean HU over all mask voxels; null for an empty mask.' },
];

export function createDefaultRegistry(): MetricRegistry {
  return new MetricRegistry([...SLICE_METRICS, ...ASYMMETRY_METRICS, ...VOLUME_METRICS.filter((d) => d.key !== 'meanHu')]);
}
