import type { HuRanges } from './ranges';

/** Metrics of one structure on one slice (keys as in definitions.ts). */
export interface SliceMetrics {
  pixels: number;
  areaMm2: number;
  leanAreaMm2: number;
  fatAreaMm2: number;
  fatFraction: number | null;
  meanHu: number | null;
  sdHu: number | null;
  leanMeanHu: number | null;
}

/**
 * Measure a slice mask over a slice of HU values. `mask` and `hu` have one entry per pixel
 * (rows * columns); a pixel counts when mask[p] !== 0. Ranges are inclusive at both ends.
 * Sums are accumulated in float64; SD is the population SD (two-pass about the mean).
 */
export function measureSlice(
  hu: ArrayLike<number>,
  mask: ArrayLike<number>,
  pixelAreaMm2: number,
  ranges: HuRanges,
): SliceMetrics {
  if (hu.length !== mask.length) throw new Error(`mask has ${mask.length} pixels but the slice has ${hu.length}`);
  if (!(pixelAreaMm2 > 0)) throw new Error('pixel area must be > 0');
  const [mLo, mHi] = ranges.muscleHu;
  const [fLo, fHi] = ranges.fatHu;
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
    if (v >= mLo && v <= mHi) {
      nLean++;
      sumLean += v;
    }
    if (v >= fLo && v <= fHi) nFat++;
  }
  let sdHu: number | null = null;
  const meanHu = n > 0 ? sum / n : null;
  if (meanHu !== null) {
    let ss = 0;
    for (let p = 0; p < hu.length; p++) {
      if (mask[p] === 0) continue;
      const d = hu[p]! - meanHu;
      ss += d * d;
    }
    sdHu = Math.sqrt(ss / n);
  }
  return {
    pixels: n,
    areaMm2: n * pixelAreaMm2,
    leanAreaMm2: nLean * pixelAreaMm2,
    fatAreaMm2: nFat * pixelAreaMm2,
    fatFraction: n > 0 ? nFat / n : null,
    meanHu,
    sdHu,
    leanMeanHu: nLean > 0 ? sumLean / nLean : null,
  };
}

/** CSA asymmetry in percent: 100 x (left - right) / mean(left, right); null if undefined. */
export function asymmetryPct(leftAreaMm2: number | null | undefined, rightAreaMm2: number | null | undefined): number | null {
  if (leftAreaMm2 == null || rightAreaMm2 == null) return null;
  const mean = (leftAreaMm2 + rightAreaMm2) / 2;
  if (!(mean > 0)) return null;
  return (100 * (leftAreaMm2 - rightAreaMm2)) / mean;
}
