/**
 * Whole-volume statistics of every label of a multilabel NIfTI in one pass over the CT grid, without
 * one full-grid mask per label: the same numbers as resampleLabels + maskVolumeAccumulator (voxels
 * visited in increasing CT offset, HU summed in that order, volume per slice), in O(labels) memory.
 */
import { pixelAreaMm2, sliceWeightsMm } from '../geometry/volumeGeometry';
import type { VolumeAccumulator } from '../metrics/definitions';
import type { HuVolume } from '../volume';
import type { NiftiImage } from './nifti';
import { forEachMappedVoxel, labelDecider, MaskOverlapError, niftiOverlapsGrid } from './resample';

interface Acc {
  voxels: number;
  sum: number;
  volumeMm3: number;
  /** Voxels on slice `k` not yet added to volumeMm3. */
  count: number;
  k: number;
}

export interface LabelStatsOptions {
  readonly name?: string;
  readonly select?: (label: number) => boolean;
  readonly maxLabels?: number;
}

/** label -> accumulator, in increasing label order, for every selected label on the CT grid. */
export function labelVolumeAccumulators(img: NiftiImage, volume: HuVolume, opts: LabelStatsOptions = {}): Map<number, VolumeAccumulator> {
  const g = volume.geometry;
  const name = opts.name ?? 'NIfTI';
  if (!niftiOverlapsGrid(img, g)) throw new MaskOverlapError(name);
  const plane = g.rows * g.columns;
  const weights = sliceWeightsMm(g);
  const area = pixelAreaMm2(g);
  const flush = (a: Acc) => {
    // a single-slice volume has no spacing: its volume is undefined, report 0 (as maskVolumeAccumulator)
    a.volumeMm3 += a.count * area * (g.slices > 1 ? weights[a.k]! : 0);
    a.count = 0;
  };
  const accs = new Map<number, Acc>();
  const select = opts.select;
  const label = labelDecider<Acc>(img, name, opts.maxLabels, (v) => {
    if (select && !select(v)) return null;
    let a = accs.get(v);
    if (!a) accs.set(v, (a = { voxels: 0, sum: 0, volumeMm3: 0, count: 0, k: 0 }));
    return a;
  });
  const data = img.data;
  const hu = volume.hu;
  let lastRaw = NaN;
  let last: Acc | null = null;
  forEachMappedVoxel(img, g, undefined, (ct, nv) => {
    const raw = data[nv]!;
    if (raw !== lastRaw) {
      lastRaw = raw;
      last = label(raw);
    }
    const a = last;
    if (!a) return;
    const k = Math.floor(ct / plane);
    if (k !== a.k) {
      flush(a);
      a.k = k;
    }
    a.count++;
    a.voxels++;
    a.sum += hu[ct]!;
  }, name);
  const out = new Map<number, VolumeAccumulator>();
  for (const [v, a] of [...accs.entries()].sort((x, y) => x[0] - y[0])) {
    flush(a);
    out.set(v, { voxels: a.voxels, sum: a.sum, volumeMm3: a.volumeMm3 });
  }
  return out;
}
