import { DEFAULT_REGISTRY, computeMetrics, type MetricRegistry, type SliceMetrics, type SliceStats } from './definitions';
import { inHuRange, type HuRanges } from './ranges';

export { asymmetryPct, type SliceMetrics } from './definitions';

/**
 * One pass over a slice: the sufficient statistics every slice metric is computed from. `mask` and `hu`
 * have one entry per pixel (rows * columns); a pixel counts when mask[p] !== 0. Ranges are inclusive at
 * both ends. Sums are accumulated in float64; the squared deviations are summed in a second pass about
 * the mean (two-pass, as the population SD needs).
 */
export function sliceStats(hu: ArrayLike<number>, mask: ArrayLike<number>, pixelAreaMm2: number, ranges: HuRanges): SliceStats {
  if (hu.length !== mask.length) throw new Error(`mask has ${mask.length} pixels but the slice has ${hu.length}`);
  if (!(pixelAreaMm2 > 0)) throw new Error('pixel area must be > 0');
  const muscle = ranges.muscleHu;
  const fat = ranges.fatHu;
  let n = 0;
  let sum = 0;
  let nLean = 0;
  let sumLean = 0;
  let nFat = 0;
  for (let p = 0; p < hu.length; p++) {
    if (mask[p] === 0) continue;
    const v = hu[p]!;
    n++;
    sum += v;
    if (inHuRange(v, muscle)) {
      nLean++;
      sumLean += v;
    }
    if (inHuRange(v, fat)) nFat++;
  }
  let ssAboutMean = 0;
  if (n > 0) {
    const mean = sum / n;
    for (let p = 0; p < hu.length; p++) {
      if (mask[p] === 0) continue;
      const d = hu[p]! - mean;
      ssAboutMean += d * d;
    }
  }
  return { n, sum, ssAboutMean, nLean, sumLean, nFat, pixelAreaMm2, ranges, values: lazyValues(hu, mask, n) };
}

/** The ROI's HU values, gathered on first call. Kept out of sliceStats: a closure there would capture hu and mask and slow its loops. */
function lazyValues(hu: ArrayLike<number>, mask: ArrayLike<number>, n: number): () => Float64Array {
  let gathered: Float64Array | null = null;
  return () => {
    if (!gathered) {
      gathered = new Float64Array(n);
      let i = 0;
      for (let p = 0; p < hu.length; p++) if (mask[p] !== 0) gathered[i++] = hu[p]!;
    }
    return gathered;
  };
}

/**
 * Measure a slice mask over a slice of HU values: one pass for the statistics (sliceStats), then every
 * slice metric of the registry, in its order. The result holds the default metrics (typed) and any the
 * registry adds.
 */
export function measureSlice(
  hu: ArrayLike<number>,
  mask: ArrayLike<number>,
  pixelAreaMm2: number,
  ranges: HuRanges,
  registry: MetricRegistry = DEFAULT_REGISTRY,
): SliceMetrics {
  return computeMetrics(registry.slice, sliceStats(hu, mask, pixelAreaMm2, ranges)) as SliceMetrics;
}
